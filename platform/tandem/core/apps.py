from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tandem.core"
    label = "core"

    def ready(self):
        from django.conf import locale

        from . import hooks, notifications

        hooks.unread_counter(0)(notifications.unread_for_badge)

        # Django knows no Somali; give it the facts its language tools need.
        locale.LANG_INFO.setdefault(
            "so", {"bidi": False, "code": "so", "name": "Somali", "name_local": "Soomaali"}
        )
