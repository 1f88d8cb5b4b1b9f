from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from planner import api as planner_api
from planner import views as planner_views

router = DefaultRouter()
router.register("workspaces", planner_api.WorkspaceViewSet, basename="workspace")
router.register("memberships", planner_api.MembershipViewSet, basename="membership")
router.register("plans", planner_api.PlanViewSet, basename="plan")

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
