from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "tandem.chat"
    label = "chat"
