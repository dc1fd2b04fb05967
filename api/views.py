"""The API's endpoints (/api/v1/): a list and a detail of each kind of record, every
one bounded in ``get_queryset`` by the token's org unit and its subtree, with the
QuerySet methods the pages use (``in_subtree``); the roster writes (POST on the lists
of cadres and org units); the schema and its two readers."""

from django.db.models import F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Length, Substr
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from drf_spectacular.views import SpectacularSwaggerSplitView as SwaggerView
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from org import imports
from org.models import Cadre, OrgUnit
from training.models import Assignment, Certificate, Completion, HoursYear, Module, ModuleUnit

from . import serializers
from .models import ApiToken, Deletion, TokenUse
from .pagination import PARAMETERS
from .roster import RosterResult, batch_serializer, idempotent, roster_write

QUERY_PARAMETERS = {parameter.name for parameter in PARAMETERS}

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="可选：同一个键重发同一请求只写一次，返回第一次的结果。"
    "Optional: the same request sent again with the same key is written once and gets "
    "the first answer (kept 24 hours); another request with it gets 422.",
)


def documented(name_zh, name_en):
    """The list's and the detail's descriptions, in both languages."""
    return extend_schema_view(
        list=extend_schema(
            summary=f"{name_zh}列表 · List of {name_en}",
            description=f"令牌范围内的{name_zh}，按 (updated_at, id) 分页。"
            f"The {name_en} within the token's org unit and below, by (updated_at, id).",
            parameters=PARAMETERS,
        ),
        retrieve=extend_schema(
            summary=f"单条{name_zh} · One of the {name_en}",
            description="范围外的记录与不存在的记录一样返回 404。"
            "A record outside the token's scope answers 404, as one that does not exist.",
        ),
    )


class TokenViewSet(viewsets.ReadOnlyModelViewSet):
    """What every endpoint shares: ids of digits only, each use logged under the
    token's name, and answers no cache keeps."""

    lookup_value_regex = r"[0-9]{1,18}"

    @property
    def root(self):
        return self.request.auth.org_unit

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # A misspelt parameter (updated_sinse) must not silently mean "everything".
        known = QUERY_PARAMETERS if self.action == "list" else set()
        unknown = sorted(set(request.query_params) - known)
        if unknown and self.action is not None:  # None: a method not allowed (405)
            raise ValidationError({name: [_("Unknown parameter.")] for name in unknown})

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = getattr(request, "_auth", None)
        if isinstance(token, ApiToken):
            TokenUse.objects.create(
                token=token,
                token_name=token.name,
                method=request.method[:10],
                path=request.get_full_path()[:500],
                status=response.status_code,
            )
        patch_cache_control(response, private=True, no_store=True)
        return response


def roster_response(request, kind):
    """Validate a batch's shape, then write it through the import (idempotently)."""
    batch = batch_serializer(kind)(data=request.data)
    batch.is_valid(raise_exception=True)

    def write():
        items = batch.validated_data["items"]
        return 200, roster_write(kind=kind, items=items, token=request.auth)

    status, body, replayed = idempotent(request, write)
    response = Response(body, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _write_schema(kind, name_zh, name_en):
    return extend_schema(
        summary=f"新建或更新{name_zh} · Create or update {name_en}",
        description="与表格导入相同的校验；全部写入或全部不写。"
        "Checked as the spreadsheet import checks them (in the token's subtree); all "
        "are written or none. Needs a read-write token.",
        request=batch_serializer(kind),
        responses={200: RosterResult},
        parameters=[IDEMPOTENCY_KEY],
    )


@documented("组织单位", "org units")
class OrgUnitViewSet(TokenViewSet, viewsets.mixins.CreateModelMixin):
    serializer_class = serializers.OrgUnitSerializer

    def get_queryset(self):
        parent = OrgUnit.objects.filter(
            path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - OrgUnit.steplen)
        )
        return OrgUnit.objects.in_subtree(self.root).annotate(
            parent_pk=Subquery(parent.values("pk")[:1]),
            parent_code=Subquery(parent.values("code")[:1]),
        )

    @_write_schema(imports.ORG_UNITS, "组织单位", "org units")
    def create(self, request, *args, **kwargs):
        return roster_response(request, imports.ORG_UNITS)


@documented("干部", "cadres")
class CadreViewSet(TokenViewSet, viewsets.mixins.CreateModelMixin):
    serializer_class = serializers.CadreSerializer

    def get_queryset(self):
        return Cadre.objects.in_subtree(self.root).select_related("user", "org_unit")

    @_write_schema(imports.CADRES, "干部", "cadres")
    def create(self, request, *args, **kwargs):
        return roster_response(request, imports.CADRES)


@documented("培训模块", "modules")
class ModuleViewSet(TokenViewSet):
    """Modules are the province's, not an org unit's: every token reads those that are
    or were assigned (active and archived), never a trainer's draft."""

    serializer_class = serializers.ModuleSerializer

    def get_queryset(self):
        entries = ModuleUnit.objects.order_by("position").only("module_id", "unit_id")
        return (
            Module.objects.exclude(status=Module.Status.DRAFT)
            .with_hours()
            .prefetch_related(Prefetch("module_units", queryset=entries))
        )


@documented("学习任务", "assignments")
class AssignmentViewSet(TokenViewSet):
    serializer_class = serializers.AssignmentSerializer

    def get_queryset(self):
        return Assignment.objects.in_subtree(self.root)


def _of_cadres_in(root):
    return Cadre.objects.in_subtree(root).values("pk")


@documented("完成记录", "completions")
class CompletionViewSet(TokenViewSet):
    """A page's keys are found first (``scoped``: no join, read from the index of
    (updated_at, id) that carries the cadre), then its rows with what the serializer
    reads (``with_fields``): a province's completions are one in 31 of the nation's."""

    serializer_class = serializers.CompletionSerializer

    def scoped(self):
        return Completion.objects.filter(cadre__in=_of_cadres_in(self.root))

    def with_fields(self, completions):
        return completions.annotate(unit_slug=F("unit__slug")).defer("org_unit")

    def get_queryset(self):
        return self.with_fields(self.scoped())


@documented("年度学时", "study hours per cadre and year")
class HoursViewSet(TokenViewSet):
    """The stored 学时 of each cadre and year (training.HoursYear): the numbers of My
    record and the trainers' hours page, recounted by ``manage.py verify_progress``."""

    serializer_class = serializers.HoursSerializer

    def get_queryset(self):
        return HoursYear.objects.filter(cadre__in=_of_cadres_in(self.root))


@documented("证书", "certificates")
class CertificateViewSet(TokenViewSet):
    serializer_class = serializers.CertificateSerializer

    def get_queryset(self):
        return Certificate.objects.filter(cadre__in=_of_cadres_in(self.root))


@documented("已删除记录", "deletions")
class DeletionViewSet(TokenViewSet):
    """What was deleted: an undone completion, a deleted cadre … Modules' deletions
    reach every token; the rest only the tokens whose subtree held the row."""

    serializer_class = serializers.DeletionSerializer

    def get_queryset(self):
        return Deletion.objects.filter(
            Q(resource="modules") | Q(org_path__startswith=self.root.path)
        )


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema, for anyone (it holds no data): /api/v1/schema/."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []


class SwaggerUIView(SwaggerView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []


class RedocView(SpectacularRedocView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
