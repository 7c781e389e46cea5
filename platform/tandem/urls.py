from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from tandem.core import views as core_views
from tandem.spaces import views as space_views

admin.site.site_header = _("Tandem operators")
admin.site.site_title = _("Tandem")

urlpatterns = [
    path("", space_views.dashboard, name="dashboard"),
    path("healthz", core_views.healthz, name="healthz"),
    path("language/", core_views.set_language, name="set_language"),
    path("notifications/", core_views.notification_list, name="notifications"),
    path("notifications/read/", core_views.notifications_read, name="notifications_read"),
    path("accounts/", include("allauth.urls")),
    path("profile/", include("tandem.accounts.urls")),
    path("", include("tandem.spaces.urls")),
    path("", include("tandem.chat.urls")),
    path("", include("tandem.meetings.urls")),
    path("", include("tandem.recognition.urls")),
    path("operators/", admin.site.urls),
]

# allauth's rate limits answer through this too (``ROOT_URLCONF.handler429``).
handler429 = "tandem.core.views.too_many_tries"
