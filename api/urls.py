"""/api/v1/: the records, the schema and its readers (docs/api.md). Anything else under
/api/ answers a problem (404), not the site's HTML page."""

from csp.decorators import csp_update
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

# Swagger UI and Redoc style their parts inline and draw icons as data: images (Redoc
# in a blob: worker); scripts still come from our own static files only.
READERS_CSP = csp_update(
    {"style-src": ["'unsafe-inline'"], "img-src": ["data:"], "worker-src": ["blob:"]}
)

urlpatterns = [
    path("v1/schema/", views.SchemaView.as_view(api_version="v1"), name="schema"),
    path("v1/docs/", READERS_CSP(views.SwaggerUIView.as_view(url_name="api:schema")), name="docs"),
    path("v1/redoc/", READERS_CSP(views.RedocView.as_view(url_name="api:schema")), name="redoc"),
    path("v1/", include(router.urls)),
    re_path(r"^.*$", problems.not_found, name="not_found"),
]
