from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from portal import audit
from portal.params import parse_id

from . import imports, passwords, roles, services
from .forms import AccountForm, AdminImportForm
from .models import Cadre, OrgUnit, touched


class ImportMixin:
    """An "Import" page beside the change list: a CSV or .xlsx file, checked whole,
    then written whole or not at all (org.imports), anywhere in the tree."""

    import_kind = None
    change_list_template = "admin/org/change_list_import.html"
    base_change_list_template = "admin/change_list.html"

    def _url_name(self, view):
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name=self._url_name("import")), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra = {
            "base_template": self.base_change_list_template,
            "import_url": f"admin:{self._url_name('import')}",
        }
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AdminImportForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            result = imports.run(form.cleaned_data["file"], self.import_kind, request.user, None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import"),
            "form": form,
            "result": result,
            "changelist_url": f"admin:{self._url_name('changelist')}",
            "cadres_template": reverse("org:import_template", args=[imports.CADRES]),
            "org_units_template": reverse("org:import_template", args=[imports.ORG_UNITS]),
            "in_admin": True,
            **imports.help_context(),
        }
        status = 422 if result is not None and not result.ok else 200
        return TemplateResponse(request, "admin/org/import.html", context, status=status)


@admin.register(OrgUnit)
class OrgUnitAdmin(ImportMixin, TranslationAdmin, TreeAdmin):
    import_kind = imports.ORG_UNITS
    base_change_list_template = "admin/tree_change_list.html"
    form = movenodeform_factory(OrgUnit)
    list_display = ("name", "name_en", "code", "level")
    list_filter = ("level",)
    search_fields = ("name", "name_en", "code")
    filter_horizontal = ("trainers",)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """The trainer picker lists trainers only (the trainer role, or managing an org
        unit already, so that saving never drops one), not every account."""
        if db_field.name == "trainers":
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(Q(groups__name=roles.TRAINER) | Q(managed_org_units__isnull=False))
                .distinct()
                .order_by("username")
            )
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "trainers":
            # Not Django's "Hold down Control, or Command on a Mac": the two boxes
            # of the picker need no keys held.
            field.help_text = db_field.help_text
        return field

    def move_node(self, request):
        """treebeard's drag-and-drop move, keeping the tree's levels (a township under a
        county, never under another township) and writing the audit log."""
        node = OrgUnit.objects.filter(pk=parse_id(request.POST.get("node"))).first()
        target = OrgUnit.objects.filter(pk=parse_id(request.POST.get("target"))).first()
        relation = request.POST.get("relation")
        if node is None or target is None or relation not in ("child", "sibling"):
            return super().move_node(request)  # treebeard answers bad form data with 400
        parent = target if relation == "child" else OrgUnit.objects.get_parent(target)
        if (parent is None and node.level > OrgUnit.Level.PROVINCE) or (
            parent is not None and parent.level >= node.level
        ):
            messages.error(request, _("An org unit can only be placed below a higher level."))
            return HttpResponseBadRequest("The move would break the levels of the tree.")
        response = super().move_node(request)
        if response.status_code == 200:
            # treebeard rewrites paths with update(): the API's clients must hear of the
            # moved subtree, its org units and cadres, as changed.
            moved = OrgUnit.objects.get(pk=node.pk)
            OrgUnit.objects.in_subtree(moved).update(**touched())
            Cadre.objects.in_subtree(moved).update(**touched())
            where = _("Moved below %(parent)s.") % {"parent": parent} if parent else _("Moved.")
            audit.record(request.user, node, audit.CHANGE, str(where))
        return response

    def children_view(self, request, parent_id):
        # treebeard answers a parent id that is not a number with a 500.
        if parse_id(parent_id) is None or not OrgUnit.objects.filter(pk=parent_id).exists():
            raise Http404
        try:
            return super().children_view(request, parent_id)
        except IncorrectLookupParameters:  # the change list redirects; treebeard does not
            return HttpResponseBadRequest("Unknown filter.")


@admin.register(Cadre)
class CadreAdmin(ImportMixin, admin.ModelAdmin):
    import_kind = imports.CADRES
    list_display = ("name", "user", "org_unit", "position", "category", "phone", "active")
    list_filter = ("active", "category", "org_unit__level")
    list_select_related = ("user", "org_unit")
    search_fields = ("name", "user__username", "position", "org_unit__name", "phone")
    autocomplete_fields = ("user", "org_unit")
    # Set by an import and by issuing one-time passwords (org.passwords), not by hand.
    readonly_fields = ("imported_by", "must_change_password")


class RoleFilter(admin.SimpleListFilter):
    """The accounts of one role, named in the reader's language (not "account_manager")."""

    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(name, label) for name, label in roles.LABELS.items()]

    def queryset(self, request, queryset):
        if self.value() in roles.LABELS:
            return queryset.filter(groups__name=self.value())
        return queryset


class AccountAdmin(UserAdmin):
    """Accounts, for account managers (org.roles): nobody but a superuser grants
    superuser or staff status, roles (groups) or permissions, or changes an account
    that has any of them (its password included), so an account manager cannot make
    anyone, themself included, more than they are."""

    PRIVILEGED = ("is_superuser", "is_staff", "groups", "user_permissions")
    add_form_template = "admin/auth/user/add_account.html"
    list_display = ("username_shown", "cadre_name", "email_shown", "is_staff")
    list_select_related = ("cadre",)
    list_filter = ("is_staff", "is_superuser", "is_active", RoleFilter)
    search_fields = ("username", "cadre__name", "first_name", "last_name", "email")

    @admin.display(description=_("roles"))
    def role_names(self, user):
        names = user.groups.values_list("name", flat=True)
        return "、".join(str(roles.LABELS.get(name, name)) for name in names) or "—"

    def get_fieldsets(self, request, obj=None):
        """For anyone but a superuser, the roles shown by name where the groups were
        (they cannot change them)."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser:
            return fieldsets
        shown = []
        for title, opts in fieldsets:
            fields = tuple("role_names" if f == "groups" else f for f in opts["fields"])
            shown.append((title, {**opts, "fields": fields}))
        return shown

    @admin.display(description=_("username"), ordering="username")
    def username_shown(self, user):
        return format_html('<span translate="no">{}</span>', user.get_username())

    @admin.display(description=_("email address"), ordering="email")
    def email_shown(self, user):
        """An address is a code, not words of either language (as the username)."""
        return format_html('<span translate="no">{}</span>', user.email) if user.email else ""

    @admin.display(description=_("cadre"), ordering="cadre__name")
    def cadre_name(self, user):
        cadre = getattr(user, "cadre", None)
        return cadre.name if cadre else "—"

    def add_view(self, request, form_url="", extra_context=None):
        """One form for a new account: the username and, for a cadre, their name, org
        unit, position and category; the account gets a one-time password, shown once
        on the page that answers, and must choose its own at first sign-in
        (org.services.create_account)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        superuser = request.user.is_superuser
        form = AccountForm(request.POST or None, cadre_required=not superuser)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            user, cadre, password = services.create_account(
                username=data["username"],
                by=request.user,
                name=data["name"],
                org_unit=data["org_unit"],
                position=data["position"],
                category=data["category"],
            )
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Account created"),
                "account": user,
                "cadre": cadre,
                "password": password,
            }
            return TemplateResponse(request, "admin/auth/user/account_created.html", context)
        fieldsets = [
            (None, {"fields": ["username"]}),
            (_("Cadre"), {"fields": ["name", "org_unit", "position", "category"]}),
        ]
        adminform = helpers.AdminForm(form, fieldsets, {})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Add account"),
            "adminform": adminform,
            "form": form,
            "errors": helpers.AdminErrorList(form, []),
            "media": self.media + adminform.media,
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.add_form_template, context)

    def user_change_password(self, request, id, form_url=""):
        """A password set here for someone else is one they did not choose: they are
        asked for their own at their next sign-in."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            if user is not None and user.pk != request.user.pk:
                passwords.require_change(user)
        return response

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else fields + self.PRIVILEGED + ("role_names",)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            privileged = obj.is_superuser or obj.is_staff or obj.user_permissions.exists()
            if privileged and obj.pk != request.user.pk:
                return False
        return super().has_change_permission(request, obj)


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), AccountAdmin)
