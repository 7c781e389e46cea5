from django.apps import AppConfig


class SpacesConfig(AppConfig):
    name = "tandem.spaces"
    label = "spaces"
