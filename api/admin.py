"""Tokens in the admin, for account managers: issue one (shown once, on the page that
answers), revoke them one by one or several at once, read their use. A token is never
deleted, so that its log stays; it is revoked."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Max
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal import audit

from .models import ApiToken, TokenUse


def max_expiry():
    return timezone.now() + timedelta(days=settings.API_TOKEN_MAX_DAYS)


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "user", "org_unit", "access", "expires_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "expires_at" in self.fields and not self.instance.pk:
            self.fields["expires_at"].initial = max_expiry().replace(microsecond=0)
            self.fields["expires_at"].help_text = _("At most 90 days from now.")

    def clean_expires_at(self):
        expires = self.cleaned_data["expires_at"]
        if expires <= timezone.now():
            raise forms.ValidationError(_("Choose a moment in the future."))
        if expires > max_expiry() + timedelta(minutes=5):
            raise forms.ValidationError(_("A token lasts at most 90 days."))
        return expires


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ("name", "lookup_prefix", "user", "org_unit", "access", "expires_at", "state")
    list_filter = ("access",)
    search_fields = ("name", "prefix", "user__username", "org_unit__name", "org_unit__code")
    autocomplete_fields = ("user", "org_unit")
    actions = ["revoke"]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("user", "org_unit")
        return qs.annotate(last_used=Max("uses__at"))

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "lookup_prefix",
            "user",
            "org_unit",
            "access",
            "expires_at",
            "state",
            "created_at",
            "created_by",
            "revoked_at",
            "revoked_by",
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "user", "org_unit", "access", "expires_at"]
        return ["name", *self.get_readonly_fields(request, obj)]

    @admin.display(description=_("prefix"))
    def lookup_prefix(self, token):
        return f"csp_{token.prefix}_…"

    @admin.display(description=_("status"))
    def state(self, token):
        return token.status

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            request.issued_token = obj.issue()
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        """The page that answers shows the token, once: it is kept nowhere but its hash."""
        context = {
            **self.admin_site.each_context(request),
            "title": _("API token issued"),
            "token": obj,
            "secret": request.issued_token,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/api/apitoken/issued.html", context)

    @admin.action(permissions=["change"], description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        now = timezone.now()
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoked_at, token.revoked_by = now, request.user
            token.save(update_fields=["revoked_at", "revoked_by"])
            audit.record(request.user, token, audit.CHANGE, str(_("Revoked.")))
            revoked += 1
        self.message_user(
            request,
            ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", revoked) % {"n": revoked},
            messages.SUCCESS,
        )


@admin.register(TokenUse)
class TokenUseAdmin(admin.ModelAdmin):
    list_display = ("at", "token_name", "method", "path", "status")
    list_filter = ("status", "method")
    search_fields = ("token_name", "path")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
