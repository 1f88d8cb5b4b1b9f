from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from channels.queries import channels_by_family
from planner.sections import render_section


@login_required
@require_GET
def section(request: HttpRequest, plan_id: int) -> HttpResponse:
    return render_section(
        request,
        plan_id,
        "channels",
        template="channels/section.html",
        extra=lambda plan: {"families": channels_by_family(plan)},
    )
