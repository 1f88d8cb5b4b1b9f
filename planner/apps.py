from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlannerConfig(AppConfig):
    name = "planner"
    verbose_name = _("Execution")

    def ready(self) -> None:
        # Renderers of notification deliveries register themselves on import.
        from planner.notify import digests  # noqa: F401
