from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from budget import approval_api, supplier_api, team_api
from budget import money_api as budget_money_api
from channels import api as channels_api
from content import api as content_api
from kpis import api as kpis_api
from monitoring import api as monitoring_api
from monitoring import attribution_api, competitor_api
from monitoring.roi import api as roi_api
from planner import api as planner_api
from planner import views as planner_views
from planner.execution import activity_api
from planner.execution import api as execution_api
from planner.execution import dashboard_api as execution_dashboard_api
from planner.export import api as export_api
from planner.notify import api as notify_api
from planner.notify import chat_api
from planner.versions import api as versions_api

router = DefaultRouter()
router.register("workspaces", planner_api.WorkspaceViewSet, basename="workspace")
router.register("memberships", planner_api.MembershipViewSet, basename="membership")
router.register("plans", planner_api.PlanViewSet, basename="plan")
router.register("objectives", kpis_api.ObjectiveViewSet, basename="objective")
router.register("kpis", kpis_api.KpiViewSet, basename="kpi")
router.register("strategic-goals", kpis_api.StrategicGoalViewSet, basename="strategic-goal")
router.register("channels", channels_api.ChannelViewSet, basename="channel")
router.register("channel-plans", channels_api.ChannelPlanViewSet, basename="channel-plan")
router.register("creators", channels_api.CreatorViewSet, basename="creator")
router.register("cooperations", channels_api.CooperationViewSet, basename="cooperation")
router.register("campaigns", content_api.CampaignViewSet, basename="campaign")
router.register("size-specs", content_api.SizeSpecViewSet, basename="size-spec")
router.register("assets", content_api.AssetViewSet, basename="asset")
router.register("licences", content_api.LicenceViewSet, basename="licence")
router.register(
    "interaction-mechanisms", content_api.MechanismViewSet, basename="interaction-mechanism"
)
router.register("metric-imports", monitoring_api.MetricImportViewSet, basename="metric-import")
router.register("alert-rules", monitoring_api.AlertRuleViewSet, basename="alert-rule")
router.register("alerts", monitoring_api.AlertViewSet, basename="alert")
router.register("journey-imports", attribution_api.JourneyImportViewSet, basename="journey-import")
router.register("roi-cohorts", roi_api.CohortViewSet, basename="roi-cohort")
router.register("competitors", competitor_api.CompetitorViewSet, basename="competitor")
router.register(
    "competitor-observations", competitor_api.ObservationViewSet, basename="competitor-observation"
)
router.register("features", competitor_api.FeatureViewSet, basename="feature")
router.register("matrix-cells", competitor_api.CellViewSet, basename="matrix-cell")
# --- budget: departments and collaboration (budget/team_api.py) ---
router.register("departments", team_api.DepartmentViewSet, basename="department")
router.register("raci", team_api.RaciViewSet, basename="raci")
router.register(
    "communication-rules", team_api.CommunicationRuleViewSet, basename="communication-rule"
)
router.register(
    "coordinator-groups", team_api.CoordinatorGroupViewSet, basename="coordinator-group"
)
router.register("arbitration-steps", team_api.ArbitrationStepViewSet, basename="arbitration-step")
router.register("conflicts", team_api.ConflictViewSet, basename="conflict")
router.register(
    "collaboration-scores", team_api.CollaborationScoreViewSet, basename="collaboration-score"
)
router.register("suppliers", supplier_api.SupplierViewSet, basename="supplier")
router.register("supplier-reviews", supplier_api.SupplierReviewViewSet, basename="supplier-review")
router.register("supplier-flags", supplier_api.SupplierFlagViewSet, basename="supplier-flag")
router.register("supplier-clauses", supplier_api.RiskClauseViewSet, basename="supplier-clause")
router.register(
    "innovation-projects", supplier_api.InnovationProjectViewSet, basename="innovation-project"
)
router.register("budget-requests", approval_api.BudgetRequestViewSet, basename="budget-request")
router.register("reserve-draws", approval_api.ReserveDrawViewSet, basename="reserve-draw")
router.register("budget-lines", budget_money_api.BudgetLineViewSet, basename="budget-line")
router.register("purchase-orders", budget_money_api.PurchaseOrderViewSet, basename="purchase-order")
router.register("invoices", budget_money_api.InvoiceViewSet, basename="invoice")
router.register(
    "allocation-rules", budget_money_api.AllocationRuleViewSet, basename="allocation-rule"
)
router.register(
    "objective-weights", budget_money_api.ObjectiveWeightViewSet, basename="objective-weight"
)
router.register("milestones", execution_api.MilestoneViewSet, basename="milestone")
router.register("risks", execution_api.RiskViewSet, basename="risk")
router.register("playbooks", execution_api.PlaybookViewSet, basename="playbook")
router.register("activities", activity_api.ActivityViewSet, basename="activity")
router.register("response-pools", activity_api.PoolViewSet, basename="response-pool")
router.register("chat-channels", chat_api.ChatChannelViewSet, basename="chat-channel")
router.register("deliveries", notify_api.DeliveryViewSet, basename="delivery")

plan_api = [
    # plan versions, diffs and scenarios (issue 10 item 7)
    path("plans/<int:pk>/versions/", versions_api.VersionsView.as_view(), name="plan-versions"),
    path(
        "plans/<int:pk>/versions/<int:number>/",
        versions_api.VersionDetailView.as_view(),
        name="plan-version",
    ),
    path("plans/<int:pk>/diff/", versions_api.DiffView.as_view(), name="plan-diff"),
    path(
        "plans/<int:pk>/scenarios/", versions_api.ScenarioCopyView.as_view(), name="plan-scenarios"
    ),
    path(
        "plans/<int:pk>/scenarios/compare/",
        versions_api.ScenarioCompareView.as_view(),
        name="plan-scenarios-compare",
    ),
    path(
        "workspaces/<int:pk>/notifications/me/",
        notify_api.MySubscriptionView.as_view(),
        name="workspace-notifications-me",
    ),
    path(
        "plans/<int:pk>/dashboard/",
        execution_dashboard_api.DashboardView.as_view(),
        name="plan-dashboard",
    ),
    path("plans/<int:pk>/export/", export_api.ExportView.as_view(), name="plan-export"),
    path("plans/<int:pk>/kpi-tree/", kpis_api.KpiTreeView.as_view(), name="plan-kpi-tree"),
    path("plans/<int:pk>/goal-seek/", kpis_api.GoalSeekView.as_view(), name="plan-goal-seek"),
    path("plans/<int:pk>/attainment/", kpis_api.AttainmentView.as_view(), name="plan-attainment"),
    path(
        "plans/<int:pk>/channel-matrix/",
        channels_api.ChannelMatrixView.as_view(),
        name="plan-channel-matrix",
    ),
    path(
        "plans/<int:pk>/kol-programme/",
        channels_api.KolProgrammeView.as_view(),
        name="plan-kol-programme",
    ),
    path("plans/<int:pk>/festivals/", content_api.FestivalsView.as_view(), name="plan-festivals"),
    path(
        "plans/<int:pk>/festival-campaigns/",
        content_api.FestivalCampaignView.as_view(),
        name="plan-festival-campaigns",
    ),
    path(
        "plans/<int:pk>/brand-standard/",
        content_api.BrandStandardView.as_view(),
        name="plan-brand-standard",
    ),
    path(
        "plans/<int:pk>/licence-expiry/",
        content_api.LicenceExpiryView.as_view(),
        name="plan-licence-expiry",
    ),
    path(
        "plans/<int:pk>/metrics/import/",
        monitoring_api.MetricsImportView.as_view(),
        name="plan-metrics-import",
    ),
    path("plans/<int:pk>/funnel/", monitoring_api.FunnelView.as_view(), name="plan-funnel"),
    path(
        "plans/<int:pk>/channel-grades/",
        monitoring_api.ChannelGradesView.as_view(),
        name="plan-channel-grades",
    ),
    path(
        "plans/<int:pk>/recompute/", monitoring_api.RecomputeView.as_view(), name="plan-recompute"
    ),
    path(
        "plans/<int:pk>/monitoring-settings/",
        monitoring_api.SettingsView.as_view(),
        name="plan-monitoring-settings",
    ),
    path(
        "plans/<int:pk>/journeys/import/",
        attribution_api.JourneysImportView.as_view(),
        name="plan-journeys-import",
    ),
    path(
        "plans/<int:pk>/attribution/",
        attribution_api.AttributionView.as_view(),
        name="plan-attribution",
    ),
    path(
        "plans/<int:pk>/attribution-settings/",
        attribution_api.AttributionSettingsView.as_view(),
        name="plan-attribution-settings",
    ),
    path(
        "plans/<int:pk>/roi-definition/",
        roi_api.DefinitionView.as_view(),
        name="plan-roi-definition",
    ),
    path(
        "plans/<int:pk>/roi-definition/sign-off/",
        roi_api.SignoffView.as_view(),
        name="plan-roi-sign-off",
    ),
    path("plans/<int:pk>/roi/", roi_api.RoiView.as_view(), name="plan-roi"),
    path(
        "plans/<int:pk>/roi/scenarios/", roi_api.ScenariosView.as_view(), name="plan-roi-scenarios"
    ),
    path("plans/<int:pk>/sensitivity/", roi_api.SensitivityView.as_view(), name="plan-sensitivity"),
    path(
        "plans/<int:pk>/share-of-voice/",
        competitor_api.ShareOfVoiceView.as_view(),
        name="plan-share-of-voice",
    ),
    path(
        "plans/<int:pk>/competitor-import/",
        competitor_api.CompetitorImportView.as_view(),
        name="plan-competitor-import",
    ),
    path(
        "plans/<int:pk>/attainment-policy/",
        kpis_api.AttainmentPolicyView.as_view(),
        name="plan-attainment-policy",
    ),
    path(
        "plans/<int:pk>/supplier-policy/",
        supplier_api.SupplierPolicyView.as_view(),
        name="plan-supplier-policy",
    ),
    path(
        "plans/<int:pk>/innovation-fund/",
        supplier_api.InnovationFundView.as_view(),
        name="plan-innovation-fund",
    ),
    path(
        "plans/<int:pk>/reallocation/",
        approval_api.ReallocationView.as_view(),
        name="plan-reallocation",
    ),
    path(
        "plans/<int:pk>/reallocation/moves/<int:move_id>/approve/",
        approval_api.MoveStepView.as_view(step="approve"),
        name="plan-reallocation-move-approve",
    ),
    path(
        "plans/<int:pk>/reallocation/moves/<int:move_id>/reject/",
        approval_api.MoveStepView.as_view(step="reject"),
        name="plan-reallocation-move-reject",
    ),
    path("plans/<int:pk>/reserve/", approval_api.ReserveView.as_view(), name="plan-reserve"),
    path("plans/<int:pk>/budget/", budget_money_api.BudgetView.as_view(), name="plan-budget"),
    path(
        "plans/<int:pk>/allocation/",
        budget_money_api.AllocationView.as_view(),
        name="plan-allocation",
    ),
]

urlpatterns = [
    path("healthz", planner_views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", planner_api.TokenView.as_view(), name="api-token"),
    path("api/v1/", include(plan_api)),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("planner.urls")),
    path("", include("kpis.urls")),
    path("", include("channels.urls")),
    path("", include("content.urls")),
    path("", include("monitoring.urls")),
    path("", include("budget.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
