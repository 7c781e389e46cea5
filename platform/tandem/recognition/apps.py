from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "tandem.recognition"
    label = "recognition"
    verbose_name = _("Recognition of tutors' work")

    def ready(self):
        from . import guards, hooks  # noqa: F401 -- hooks register themselves

        connection_created.connect(guards.register_sqlite_function, dispatch_uid="tandem_guard")
        guards.wrap_sqlite_flush()
