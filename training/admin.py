from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from . import imports, progress_store, services
from .models import Assignment, Cadre, Completion, Module, ModuleUnit, OrgUnit
from .views.imports import ImportForm
from .views.imports import limits as import_limits


class AdminImportForm(forms.Form):
    file = ImportForm.base_fields["file"]


class ImportMixin:
    """An "Import" page beside the change list: a CSV or .xlsx file, checked whole,
    then written whole or not at all (training.imports), anywhere in the tree."""

    import_kind = None
    change_list_template = "admin/training/change_list_import.html"
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
            "cadres_template": reverse("training:import_template", args=[imports.CADRES]),
            "org_units_template": reverse("training:import_template", args=[imports.ORG_UNITS]),
            **import_limits(),
        }
        status = 422 if result is not None and not result.ok else 200
        return TemplateResponse(request, "admin/training/import.html", context, status=status)


@admin.register(OrgUnit)
class OrgUnitAdmin(ImportMixin, TreeAdmin):
    import_kind = imports.ORG_UNITS
    base_change_list_template = "admin/tree_change_list.html"
    form = movenodeform_factory(OrgUnit)
    list_display = ("name", "name_en", "code", "level")
    list_filter = ("level",)
    search_fields = ("name", "name_en", "code")
    filter_horizontal = ("trainers",)

    def children_view(self, request, parent_id):
        # treebeard answers a parent id that is not a number with a 500.
        if not parent_id.isdigit() or not OrgUnit.objects.filter(pk=parent_id).exists():
            raise Http404
        return super().children_view(request, parent_id)


@admin.register(Cadre)
class CadreAdmin(ImportMixin, admin.ModelAdmin):
    import_kind = imports.CADRES
    list_display = ("name", "user", "org_unit", "position", "active")
    list_filter = ("active", "org_unit__level")
    list_select_related = ("user", "org_unit")
    search_fields = ("name", "user__username", "position", "org_unit__name")
    autocomplete_fields = ("user", "org_unit")


class ModuleUnitInline(admin.TabularInline):
    model = ModuleUnit
    extra = 0
    autocomplete_fields = ("unit",)
    ordering = ("position",)


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "study_hours", "created_by", "updated_at")
    list_filter = ("status",)
    search_fields = ("title", "description")
    inlines = [ModuleUnitInline]
    readonly_fields = ("created_by", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        progress_store.recompute([form.instance.pk])  # the inline may have changed its units


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("module", "cadre", "org_unit", "due_on", "assigned_by", "created_at")
    list_filter = ("due_on", "module")
    list_select_related = ("module", "cadre", "org_unit", "assigned_by")
    search_fields = ("module__title", "cadre__name", "org_unit__name")
    autocomplete_fields = ("module", "cadre", "org_unit")
    readonly_fields = ("assigned_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.assigned_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Completion)
class CompletionAdmin(admin.ModelAdmin):
    list_display = ("cadre", "unit", "completed_at")
    list_select_related = ("cadre", "unit")
    search_fields = ("cadre__name", "unit__title")
    autocomplete_fields = ("cadre", "unit")
    date_hierarchy = "completed_at"
    actions = ["undo_completions"]

    @admin.action(description=_("Undo the selected completions"))
    def undo_completions(self, request, queryset):
        undone = 0
        for completion in queryset.select_related("cadre", "unit"):
            undone += services.completion_undo(cadre=completion.cadre, unit=completion.unit)
        self.message_user(
            request,
            ngettext("%(n)d completion undone.", "%(n)d completions undone.", undone)
            % {"n": undone},
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        try:
            completion, _created = services.completion_record(cadre=obj.cadre, unit=obj.unit)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        obj.pk = completion.pk


@admin.register(LogEntry)
class AuditLogAdmin(admin.ModelAdmin):
    """The audit log: every change made in the admin, and the portal's own
    assignments, module edits and imports (training.audit). Read only."""

    list_display = ("action_time", "user", "action", "content_type", "object_repr", "message")
    list_filter = ("action_flag", "content_type")
    search_fields = ("object_repr", "user__username", "change_message")
    date_hierarchy = "action_time"
    list_select_related = ("user", "content_type")
    fields = list_display
    readonly_fields = list_display

    @admin.display(description=_("action"), ordering="action_flag")
    def action(self, entry):
        return {ADDITION: _("added"), CHANGE: _("changed"), DELETION: _("deleted")}.get(
            entry.action_flag, entry.action_flag
        )

    @admin.display(description=_("what"))
    def message(self, entry):
        return entry.get_change_message()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
