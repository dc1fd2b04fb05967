"""Writes of the roster: cadres and org units created or updated within a token's
subtree, checked and written by the spreadsheet import's own stages (org.imports:
the same validation, look-alike usernames, scope checks and audit log), all or
nothing per request, and repeatable with an ``Idempotency-Key``.

The JSON items are first checked for their shape (types, required fields) here, then
turned into the rows a spreadsheet would give ({column: text}) and handed to
``org.imports.run_rows``, which bounds them by the token's org unit (``root``).
"""

import hashlib
import json
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from org import imports
from org.models import Cadre, OrgUnit
from portal.serial import one_at_a_time

from .models import IdempotentRequest
from .problems import IdempotencyKeyReused, RosterInvalid
from .serializers import both

MAX_ITEMS = 1000
KEY_HOURS = 24  # how long an Idempotency-Key is remembered


class CadreItem(serializers.Serializer):
    username = serializers.CharField(
        max_length=150,
        help_text=both(
            "登录用户名：新用户名即新建账号（无密码）。",
            "Sign-in username: a new one makes a new account (with no password).",
        ),
    )
    name = serializers.CharField(max_length=100, help_text=both("姓名。", "Full name."))
    org_code = serializers.CharField(
        max_length=32,
        help_text=both("所在单位编码（令牌范围内）。", "Their org unit's code (in scope)."),
    )
    position = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text=both("职务。", "Position."),
    )
    active = serializers.BooleanField(
        required=False,
        default=True,
        help_text=both("是否在职，默认是。", "Still working there (yes)."),
    )
    category = serializers.ChoiceField(
        choices=Cadre.Category.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text=both("干部类别；省略则不变。", "Category; left out, it is kept."),
    )
    phone = serializers.CharField(
        max_length=32,
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text=both("联系电话；省略则不变。", "Phone; left out, it is kept."),
    )

    @staticmethod
    def row(item):
        return {
            "username": item["username"].strip(),
            "name": item["name"].strip(),
            "org_code": item["org_code"].strip(),
            "position": item["position"].strip(),
            "active": "yes" if item["active"] else "no",
            "category": item["category"] or "",
            "phone": (item["phone"] or "").strip(),
        }


class OrgUnitItem(serializers.Serializer):
    code = serializers.CharField(
        max_length=32, help_text=both("单位编码。", "The org unit's code.")
    )
    name = serializers.CharField(
        max_length=200, help_text=both("名称（中文）。", "Name in Chinese.")
    )
    name_en = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=both("英文名称。", "English name."),
    )
    parent_code = serializers.CharField(
        max_length=32,
        help_text=both("上级单位编码（令牌范围内）。", "The parent's code (in scope)."),
    )
    level = serializers.ChoiceField(
        choices=[c for c in OrgUnit.Level.choices if c[0]],
        help_text=both("层级 1-4。", "Level, 1 to 4."),
    )

    @staticmethod
    def row(item):
        return {
            "code": item["code"].strip(),
            "name": item["name"].strip(),
            "name_en": item["name_en"].strip(),
            "parent_code": item["parent_code"].strip(),
            "level": str(item["level"]),
        }


ITEMS = {imports.CADRES: CadreItem, imports.ORG_UNITS: OrgUnitItem}


def batch_serializer(kind):
    class Batch(serializers.Serializer):
        items = serializers.ListField(
            child=ITEMS[kind](),
            max_length=MAX_ITEMS,
            min_length=1,
            help_text=both(
                f"要新建或更新的记录，1 至 {MAX_ITEMS} 条，全部写入或全部不写。",
                f"The records to create or update, 1 to {MAX_ITEMS}: all are written or none.",
            ),
        )

    Batch.__name__ = f"{ITEMS[kind].__name__}Batch"
    return Batch


class RosterResult(serializers.Serializer):
    created = serializers.IntegerField(help_text=both("新建条数。", "Records created."))
    updated = serializers.IntegerField(help_text=both("更新条数。", "Records changed."))
    unchanged = serializers.IntegerField(help_text=both("未变条数。", "Records already so."))


def roster_write(*, kind, items, token):
    """Check the items as an import of the token's subtree would, then write them all,
    or raise RosterInvalid with each item's problems ({item, field, message})."""
    result = imports.ImportResult(kind=kind, filename=f"API: {token.name}")
    rows = [(number, ITEMS[kind].row(item)) for number, item in enumerate(items, start=1)]
    imports.run_rows(rows, result, user=token.user, root=token.org_unit)
    if result.errors:
        raise RosterInvalid(
            [{"item": e.row, "field": e.column, "message": str(e.message)} for e in result.errors]
        )
    return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}


def request_hash(request):
    raw = json.dumps([request.method, request.path, request.data], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def idempotent(request, write):
    """Run ``write()`` (which returns (status, body) or raises) once per Idempotency-Key
    of the token: a repeat of the same request gets the first answer again, and the
    same key with another request a 422. One write of the roster at a time (the
    import's lock), so two requests with one key cannot both write."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return (*write(), False)
    if len(key) > 200:
        raise serializers.ValidationError({"Idempotency-Key": [_("At most 200 characters.")]})
    token, digest = request.auth, request_hash(request)
    with transaction.atomic():
        one_at_a_time("org.import")
        IdempotentRequest.objects.filter(
            token=token, created_at__lt=timezone.now() - timedelta(hours=KEY_HOURS)
        ).delete()
        earlier = IdempotentRequest.objects.filter(token=token, key=key).first()
        if earlier is not None:
            if earlier.request_hash != digest:
                raise IdempotencyKeyReused()
            return earlier.status, earlier.body, True
        status, body = write()
        IdempotentRequest.objects.create(
            token=token, key=key, request_hash=digest, status=status, body=body
        )
    return status, body, False
