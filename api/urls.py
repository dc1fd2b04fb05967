"""/api/v1/: the records, the schema and its readers (docs/api.md). Anything else under
/api/ answers a problem (404), not the site's HTML page."""

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from . import problems, views

app_name = "api"

router = SimpleRouter()
router.register("org-units", views.OrgUnitViewSet, basename="org-unit")
router.register("cadres", views.CadreViewSet, basename="cadre")
router.register("modules", views.ModuleViewSet, basename="module")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("completions", views.CompletionViewSet, basename="completion")
router.register("hours", views.HoursViewSet, basename="hours")
router.register("certificates", views.CertificateViewSet, basename="certificate")
router.register("deletions", views.DeletionViewSet, basename="deletion")

urlpatterns = [
    path("v1/schema/", views.SchemaView.as_view(api_version="v1"), name="schema"),
    path("v1/docs/", views.SwaggerUIView.as_view(url_name="api:schema"), name="docs"),
    path("v1/redoc/", views.RedocView.as_view(url_name="api:schema"), name="redoc"),
    path("v1/", include(router.urls)),
    re_path(r"^.*$", problems.not_found, name="not_found"),
]
