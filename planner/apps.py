from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlannerConfig(AppConfig):
    name = "planner"
    verbose_name = _("Execution")

    def ready(self) -> None:
        # Notification renderers register themselves when imported (web and worker).
        from planner.notify import alert_emails, sample  # noqa: F401
