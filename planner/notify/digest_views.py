"""The digest as a PDF, downloadable from the dashboard (members, like the dashboard)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.http import require_GET

from planner import quarters
from planner.access import plan_for_user
from planner.execution.dashboard_views import quarter_error
from planner.notify import digests


@login_required
@require_GET
def digest_pdf(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    today = timezone.localdate()
    raw = request.GET.get("quarter")
    try:
        quarter = quarters.parse(raw, plan_year=plan.year) if raw else None
    except quarters.BadQuarter as bad:
        return HttpResponseBadRequest(
            quarter_error(bad.reason, plan), content_type="text/plain; charset=utf-8"
        )
    quarter = quarter or quarters.default(plan.year, today)
    context = digests.content(plan, quarter, today=today)
    context.update(generated_at=timezone.now(), footer={})
    response = HttpResponse(digests.render_pdf(context), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{digests.pdf_filename(quarter)}"'
    response["Cache-Control"] = "private, no-store"
    return response
