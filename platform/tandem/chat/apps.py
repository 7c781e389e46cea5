from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "tandem.chat"
    label = "chat"

    def ready(self):
        from . import hooks
        from .realtime import register_chat_topic

        register_chat_topic()
        hooks.register()
