"""The API's own tables: tokens for machines, the log of their use, the answers kept
for idempotent writes, and the deletions a client must hear of (tombstones).

Tokens are the portal's own rather than django-rest-knox's or DRF's: each one here is
scoped to one org unit and its subtree and to read or read-write, expires within 90
days, is one of many per account, is revoked one by one and logs every use under its
name; knox has none of scope, access or log, DRF's token is one per user, never expires
and is kept in plain text.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import OrgUnit

PREFIX_CHARS = 8  # the lookup key: stored in clear, printed in the admin's lists
SECRET_BYTES = 32  # 256 random bits: a hash of it needs no salt or stretching
LEAD = "csp"


def digest(secret):
    """SHA-256 of a token's secret. A random 256-bit secret cannot be guessed from its
    hash, so no slow password hash is needed (that is for what people choose)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(text):
    """(prefix, whole token) of what a client sent, or None when it is not one of ours:
    ``csp_<prefix>_<secret>``."""
    parts = (text or "").split("_", 2)
    if len(parts) != 3 or parts[0] != LEAD or len(parts[1]) != PREFIX_CHARS:
        return None
    return parts[1], text


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Tokens that open the API now: not revoked, not expired, of an active account."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)


class ApiToken(models.Model):
    """A token for one of the province's systems: read, or read and write the roster,
    within one org unit and everything below it, until it expires or is revoked. Only
    the hash of its secret is kept; the token is shown once, when it is issued."""

    class Access(models.TextChoices):
        READ = "read", _("Read")
        READ_WRITE = "read_write", _("Read and write the roster")

    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("What the token is for, e.g. 省干部教育培训管理信息系统 nightly pull."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("account"),
        help_text=_("The account the token acts for: the audit log names it for writes."),
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("org unit"),
        help_text=_("The token reads and writes this org unit and everything below it."),
    )
    access = models.CharField(
        _("access"), max_length=10, choices=Access.choices, default=Access.READ
    )
    prefix = models.CharField(_("prefix"), max_length=PREFIX_CHARS, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({LEAD}_{self.prefix}_…)"

    @property
    def can_write(self):
        return self.access == self.Access.READ_WRITE

    def issue(self):
        """Give the token a new secret (before its first save); returns the whole token,
        which is shown once and kept nowhere."""
        self.prefix = secrets.token_hex(PREFIX_CHARS // 2)
        secret = f"{LEAD}_{self.prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
        self.secret_hash = digest(secret)
        return secret

    def matches(self, token):
        return hmac.compare_digest(self.secret_hash, digest(token))

    @property
    def status(self):
        if self.revoked_at is not None:
            return _("revoked")
        if self.expires_at <= timezone.now():
            return _("expired")
        return _("valid")


class TokenUse(models.Model):
    """One request made with a token: when, what, the answer's status, under the
    token's name as it was then (a token renamed later keeps its past uses' name)."""

    token = models.ForeignKey(
        ApiToken, on_delete=models.CASCADE, related_name="uses", verbose_name=_("API token")
    )
    token_name = models.CharField(_("token name"), max_length=100)
    at = models.DateTimeField(_("at"), default=timezone.now)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    status = models.PositiveSmallIntegerField(_("status"))

    class Meta:
        verbose_name = _("API token use")
        verbose_name_plural = _("API token uses")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["token", "at"])]

    def __str__(self):
        return f"{self.token_name} {self.method} {self.path} {self.status}"


class IdempotentRequest(models.Model):
    """A write sent with an ``Idempotency-Key``: the same key from the same token gets
    the same answer again without a second write; with another body, a refusal."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="unique_idempotency_key")
        ]

    def __str__(self):
        return self.key


class Deletion(models.Model):
    """A row the API lists was deleted (an undone completion, a deleted cadre …):
    written in the deleting transaction (api.deletions), listed by
    ``/api/v1/deletions/`` with ``?updated_since=`` like everything else. ``org_path``
    is where the row was in the org tree (empty for modules, which are the province's),
    so that a token hears only of deletions in its subtree."""

    resource = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    org_path = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("deleted record")
        verbose_name_plural = _("deleted records")
        indexes = [models.Index(fields=["updated_at", "id"], name="deletion_updated")]

    def __str__(self):
        return f"{self.resource} {self.object_id}"
