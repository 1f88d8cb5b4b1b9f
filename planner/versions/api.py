"""REST API of plan versions, diffs and scenarios; the same queries and services as the pages."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import with_etag
from core.auth import actor_of
from core.errors import InvalidInput
from planner.access import Action, PlanScopedAPIView, plan_for_user
from planner.api import PlanSerializer
from planner.models import PlanVersion
from planner.versions import queries, services

CHANGES = [("added", "added"), ("removed", "removed"), ("changed", "changed")]


class PlanVersionSerializer(serializers.ModelSerializer[PlanVersion]):
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = PlanVersion
        fields = ["number", "kind", "note", "created_by", "created_at"]
        read_only_fields = fields


class PlanVersionDetailSerializer(PlanVersionSerializer):
    data = serializers.JSONField(  # type: ignore[assignment]  # a field, not Serializer.data
        read_only=True, help_text="The plan's content (plan_data JSON)."
    )

    class Meta(PlanVersionSerializer.Meta):
        fields = [*PlanVersionSerializer.Meta.fields, "data"]
        read_only_fields = fields


class SnapshotRequestSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class DiffCellSerializer(serializers.Serializer[Any]):
    column = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    kind = serializers.CharField(help_text="text, number, money, percent, date or bool")
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)
    old_text = serializers.CharField(allow_null=True)
    new_text = serializers.CharField(allow_null=True)


class DiffRowSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    change = serializers.ChoiceField(choices=CHANGES)
    cells = DiffCellSerializer(many=True)
    who = serializers.CharField(allow_null=True)
    when = serializers.CharField(allow_null=True)


class DiffTableSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    title = serializers.CharField()
    added = serializers.IntegerField()
    removed = serializers.IntegerField()
    changed = serializers.IntegerField()
    rows = DiffRowSerializer(many=True)


class DiffSectionSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    title = serializers.CharField()
    count = serializers.IntegerField()
    tables = DiffTableSerializer(many=True)


class DiffSideSerializer(serializers.Serializer[Any]):
    ref = serializers.CharField(help_text="A version number, or `now`.")
    kind = serializers.CharField(allow_null=True)
    who = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()


class PlanDiffSerializer(serializers.Serializer[Any]):
    old = DiffSideSerializer(source="from_side")
    new = DiffSideSerializer(source="to_side")
    count = serializers.IntegerField()
    sections = DiffSectionSerializer(many=True)


class ScenarioRequestSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120)


class ScenarioRowSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    kind = serializers.CharField()
    a = serializers.CharField(allow_null=True, help_text="This plan's value.")
    b = serializers.CharField(allow_null=True, help_text="The other plan's value.")
    delta = serializers.CharField(allow_null=True, help_text="b − a")
    a_text = serializers.CharField()
    b_text = serializers.CharField()
    delta_text = serializers.CharField()


class ScenarioGroupSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="targets, budget or roi")
    title = serializers.CharField()
    rows = ScenarioRowSerializer(many=True)


class ScenarioComparisonSerializer(serializers.Serializer[Any]):
    plan = serializers.IntegerField()
    other = serializers.IntegerField()
    groups = ScenarioGroupSerializer(many=True)


class VersionsView(PlanScopedAPIView):
    @extend_schema(responses={200: PlanVersionSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk)
        return Response(PlanVersionSerializer(queries.versions_of(plan), many=True).data)

    @extend_schema(
        request=SnapshotRequestSerializer,
        responses={201: PlanVersionDetailSerializer},
        description="Save the plan as it is now as a new version (editors).",
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk, Action.EDIT)
        body = SnapshotRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = services.snapshot_save(
            plan=plan, actor=actor_of(request), note=body.validated_data["note"]
        )
        return Response(PlanVersionDetailSerializer(version).data, status=201)


class VersionDetailView(PlanScopedAPIView):
    @extend_schema(responses={200: PlanVersionDetailSerializer})
    def get(self, request: Request, pk: int, number: int) -> Response:
        plan = self.plan(request, pk)
        return Response(PlanVersionDetailSerializer(queries.version_of(plan, number)).data)


def _side(side: queries.Side) -> dict[str, Any]:
    return {
        "ref": side.ref,
        "kind": side.version.kind if side.version else None,
        "who": side.who,
        "at": side.at,
    }


class DiffView(PlanScopedAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, required=True, description="A version number or `now`."),
            OpenApiParameter("to", str, description="A version number or `now` (default)."),
        ],
        responses={200: PlanDiffSerializer, 400: OpenApiResponse(description="Bad version.")},
        description=(
            "What changed between two versions (or a version and now), grouped by section and "
            "table: rows added, removed or changed (old → new), who last changed each row and "
            "when. The same as the compare page."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk)
        refs = {}
        for name, default in (("from", None), ("to", queries.NOW)):
            try:
                refs[name] = queries.parse_ref(
                    request.query_params.get(name) or default, field=name
                )
            except ValueError:
                raise InvalidInput(fields={name: [_("Give a version number or “now”.")]}) from None
        comparison = queries.compare(plan, refs["from"], refs["to"])
        data = comparison.diff.to_dict()
        data["from_side"], data["to_side"] = _side(comparison.old), _side(comparison.new)
        return Response(PlanDiffSerializer(data).data)


class ScenarioCopyView(PlanScopedAPIView):
    @extend_schema(
        request=ScenarioRequestSerializer,
        responses={201: PlanSerializer},
        description=(
            "Copy the plan's planning content into a new draft plan (a scenario) of the same "
            "workspace and year (editors)."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk, Action.EDIT)
        body = ScenarioRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        scenario = services.scenario_create(
            plan=plan, name=body.validated_data["name"], actor=actor_of(request)
        )
        return with_etag(
            Response(PlanSerializer(scenario, context={"request": request}).data, status=201),
            scenario,
        )


class ScenarioCompareView(PlanScopedAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("with", int, required=True, description="The other plan's id.")
        ],
        responses={200: ScenarioComparisonSerializer},
        description=(
            "Targets (KPI annual targets), budget (total, reserve, per channel) and ROI (ROI "
            "floor; expected ROI of the approved requests per channel and overall) of this plan "
            "and another plan of the same workspace, with the difference (other − this)."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = self.plan(request, pk)
        raw = request.query_params.get("with", "")
        if not raw.isdigit():
            raise InvalidInput(fields={"with": [_("Give the id of a plan to compare with.")]})
        other = plan_for_user(request.user, int(raw))
        if other.workspace_id != plan.workspace_id:
            raise Http404(_("Not found."))
        data = {
            "plan": plan.pk,
            "other": other.pk,
            "groups": queries.scenario_comparison(plan, other),
        }
        return Response(ScenarioComparisonSerializer(data).data)
