from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlannerConfig(AppConfig):
    name = "planner"
    verbose_name = _("Execution")

    def ready(self) -> None:
        # Notification renderers and the chat transport register themselves on import.
        from planner.notify import (
            chat,  # noqa: F401
            digests,  # noqa: F401
        )
