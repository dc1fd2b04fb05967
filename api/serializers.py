"""What each record of the API says, field by field: the names are stable (a change is
a new version, /api/v2/), and each is described in Chinese and English in the schema."""

from rest_framework import serializers

from org.models import Cadre, OrgUnit
from training.hours import certificates
from training.models import Assignment, Certificate, Completion, HoursYear, Module

from .models import Deletion


def both(zh, en):
    """A field's description in the schema: Chinese, then English."""
    return f"{zh} {en}"


ID = both("记录编号，不变。", "The record's id; it never changes.")
UPDATED = both(
    "最后修改时间（ISO 8601，北京时间）；列表按 (updated_at, id) 排序。",
    "When the record last changed (ISO 8601, Beijing time); lists are ordered by (updated_at, id).",
)
CADRE = both("干部编号（见 /cadres/）。", "The cadre's id (see /cadres/).")


def updated():
    return serializers.DateTimeField(read_only=True, help_text=UPDATED)


class OrgUnitSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(
        source="parent_pk",
        read_only=True,
        allow_null=True,
        help_text=both("上级单位编号，省级为 null。", "The parent org unit's id; null at the top."),
    )
    parent_code = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=both("上级单位编码。", "The parent org unit's code."),
    )
    updated_at = updated()

    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "name_en", "level", "parent", "parent_code", "updated_at"]
        extra_kwargs = {
            "id": {"help_text": ID},
            "code": {"help_text": both("单位编码，全省唯一。", "The org unit's code, unique.")},
            "name": {"help_text": both("单位名称（中文）。", "Its name in Chinese.")},
            "name_en": {
                "help_text": both("英文名称，可为空。", "Its name in English; may be empty.")
            },
            "level": {
                "help_text": both(
                    "层级：1 省，2 市，3 县/区，4 乡镇/街道。",
                    "Level: 1 province, 2 city, 3 county/district, 4 township/street.",
                )
            },
        }


class CadreSerializer(serializers.ModelSerializer):
    username = serializers.CharField(
        source="user.username",
        read_only=True,
        help_text=both("登录用户名，全省唯一。", "The sign-in username, unique."),
    )
    org_code = serializers.CharField(
        source="org_unit.code",
        read_only=True,
        help_text=both("所在单位编码。", "The code of the org unit they work in."),
    )
    updated_at = updated()

    class Meta:
        model = Cadre
        fields = [
            "id",
            "username",
            "name",
            "org_unit",
            "org_code",
            "position",
            "active",
            "category",
            "phone",
            "updated_at",
        ]
        extra_kwargs = {
            "id": {"help_text": ID},
            "name": {"help_text": both("姓名。", "Full name.")},
            "org_unit": {"help_text": both("所在单位编号。", "The id of their org unit.")},
            "position": {"help_text": both("职务，可为空。", "Position; may be empty.")},
            "active": {"help_text": both("是否在职。", "Whether they still work there.")},
            "category": {
                "help_text": both(
                    "干部类别：county_up 县处级及以上，township_down 乡科级及以下，other 其他。",
                    "Category: county_up (county/division level and above), township_down "
                    "(township/section level and below), other.",
                )
            },
            "phone": {"help_text": both("联系电话，可为空。", "Phone number; may be empty.")},
        }


class ModuleSerializer(serializers.ModelSerializer):
    title_zh = serializers.SerializerMethodField(
        help_text=both("模块名称（中文），可为空。", "Title in Chinese; may be empty.")
    )
    title_en = serializers.SerializerMethodField(
        help_text=both("英文名称，可为空。", "Title in English; may be empty.")
    )
    study_hours = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        read_only=True,
        help_text=both(
            "模块学时：其可读单元学时之和。", "The module's 学时: its readable units' sum."
        ),
    )
    units = serializers.SerializerMethodField(
        help_text=both("按顺序排列的学习单元编号。", "The ids of its study units, in order.")
    )
    updated_at = updated()

    class Meta:
        model = Module
        fields = ["id", "title_zh", "title_en", "status", "study_hours", "units", "updated_at"]
        extra_kwargs = {
            "id": {"help_text": ID},
            "status": {
                "help_text": both(
                    "状态：active 进行中，archived 已归档。", "Status: active or archived."
                )
            },
        }

    def get_title_zh(self, module) -> str:
        return module.title_zh_hans or ""

    def get_title_en(self, module) -> str:
        return module.title_en or ""

    def get_units(self, module) -> list[int]:
        return [entry.unit_id for entry in module.module_units.all()]


class AssignmentSerializer(serializers.ModelSerializer):
    updated_at = updated()

    class Meta:
        model = Assignment
        fields = ["id", "module", "cadre", "org_unit", "due_on", "created_at", "updated_at"]
        extra_kwargs = {
            "id": {"help_text": ID},
            "module": {"help_text": both("培训模块编号。", "The module's id.")},
            "cadre": {
                "help_text": both(
                    "布置给的干部编号；布置给单位时为 null。",
                    "The cadre it was given to; null when given to an org unit.",
                )
            },
            "org_unit": {
                "help_text": both(
                    "布置给的单位编号（含其下所有干部）；布置给干部时为 null。",
                    "The org unit it was given to (everyone in it and below); null when "
                    "given to a cadre.",
                )
            },
            "due_on": {"help_text": both("截止日期。", "Due date.")},
            "created_at": {"help_text": both("布置时间。", "When it was made.")},
        }


class CompletionSerializer(serializers.ModelSerializer):
    unit_slug = serializers.CharField(
        read_only=True, help_text=both("学习单元标识。", "The study unit's slug.")
    )
    updated_at = updated()

    class Meta:
        model = Completion
        fields = ["id", "cadre", "unit", "unit_slug", "completed_at", "credit_hours", "updated_at"]
        extra_kwargs = {
            "id": {"help_text": ID},
            "cadre": {"help_text": CADRE},
            "unit": {"help_text": both("学习单元编号。", "The study unit's id.")},
            "completed_at": {"help_text": both("完成时间。", "When it was completed.")},
            "credit_hours": {
                "help_text": both(
                    "此次完成计入的学时（完成时单元的学时）。",
                    "The 学时 this completion credits (the unit's when it was completed).",
                )
            },
        }


class HoursSerializer(serializers.ModelSerializer):
    total = serializers.SerializerMethodField(
        help_text=both(
            "全年学时合计（online + training）。", "The year's 学时 (online + training)."
        )
    )
    updated_at = updated()

    class Meta:
        model = HoursYear
        fields = ["id", "cadre", "year", "online", "training", "total", "updated_at"]
        extra_kwargs = {
            "id": {"help_text": ID},
            "cadre": {"help_text": CADRE},
            "year": {
                "help_text": both("年度（北京时间的公历年）。", "Calendar year (Beijing time).")
            },
            "online": {
                "help_text": both(
                    "网络自学学时：本平台完成的单元与批准的其他平台网络学习。",
                    "Online self-study: units completed here and approved online study elsewhere.",
                )
            },
            "training": {
                "help_text": both(
                    "批准的脱产培训学时（学时申报）。", "Approved training (training claims)."
                )
            },
        }

    def get_total(self, row) -> str:
        return str(row.online + row.training)


class CertificateSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField(
        help_text=both(
            "核验状态：valid 有效，revoked 已作废。", "Verification status: valid or revoked."
        )
    )
    verify_url = serializers.SerializerMethodField(
        help_text=both(
            "公开核验地址（二维码所指）。", "The public verification address (the QR code's)."
        )
    )
    updated_at = updated()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "code",
            "kind",
            "cadre",
            "module",
            "year",
            "hours",
            "first_on",
            "last_on",
            "issuer_zh",
            "issuer_en",
            "issued_at",
            "status",
            "revoked_at",
            "revoked_because",
            "verify_url",
            "updated_at",
        ]
        extra_kwargs = {
            "id": {"help_text": ID},
            "code": {
                "help_text": both("证书编码（16 位）。", "The certificate's 16-character code.")
            },
            "kind": {
                "help_text": both(
                    "module 结业证书，annual 学时证明。",
                    "module: module certificate; annual: annual study-hour certificate.",
                )
            },
            "cadre": {"help_text": CADRE},
            "module": {
                "help_text": both("模块编号（结业证书）。", "The module (module certificates).")
            },
            "year": {"help_text": both("年度（学时证明）。", "The year (annual certificates).")},
            "hours": {"help_text": both("证书所载学时。", "The 学时 it states.")},
            "first_on": {"help_text": both("起始日期。", "From.")},
            "last_on": {"help_text": both("截止日期。", "To.")},
            "issuer_zh": {"help_text": both("发证机关（中文）。", "Issuing organ, in Chinese.")},
            "issuer_en": {"help_text": both("发证机关（英文）。", "Issuing organ, in English.")},
            "issued_at": {"help_text": both("发证时间。", "When it was issued.")},
            "revoked_at": {"help_text": both("作废时间。", "When it was revoked.")},
            "revoked_because": {"help_text": both("作废原因。", "Why it was revoked.")},
        }

    def get_status(self, certificate) -> str:
        return "revoked" if certificate.revoked_at else "valid"

    def get_verify_url(self, certificate) -> str:
        return certificates.verify_url(certificate, self.context.get("request"))


class DeletionSerializer(serializers.ModelSerializer):
    deleted_at = serializers.DateTimeField(
        source="updated_at",
        read_only=True,
        help_text=both(
            "删除时间；?updated_since= 按此时间筛选。",
            "When it was deleted; ?updated_since= filters on it.",
        ),
    )

    class Meta:
        model = Deletion
        fields = ["id", "resource", "object_id", "deleted_at"]
        extra_kwargs = {
            "id": {"help_text": ID},
            "resource": {
                "help_text": both(
                    "被删除记录的类别：org-units, cadres, modules, assignments, completions, "
                    "hours, certificates。",
                    "What was deleted, named as in the URLs.",
                )
            },
            "object_id": {"help_text": both("被删除记录的编号。", "The deleted record's id.")},
        }
