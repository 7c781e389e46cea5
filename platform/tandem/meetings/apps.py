from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "tandem.meetings"
    label = "meetings"

    def ready(self):
        from . import hooks  # noqa: F401  (registers the dashboard section and menu link)
