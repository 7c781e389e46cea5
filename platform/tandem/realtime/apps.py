from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "tandem.realtime"
    label = "realtime"

    def ready(self):
        from . import signals
        from .user_topic import register_user_topic

        register_user_topic()
        signals.connect()
