from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlannerConfig(AppConfig):
    name = "planner"
    verbose_name = _("Execution")

    def ready(self) -> None:
        # Notification renderers and the chat transport register themselves on import
        # (web and worker).
        from planner.notify import (  # noqa: F401
            alert_emails,
            chat,
            digests,
            sample,
        )
