app_name = "meetings"
urlpatterns = []
