from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from portal import audit, spreadsheets

from . import services
from .jobs import services as jobs
from .jobs.models import Job
from .models import (
    Assignment,
    Certificate,
    Completion,
    Module,
    ModuleUnit,
    Requirement,
    TrainingClaim,
)


class ModuleUnitInline(admin.TabularInline):
    model = ModuleUnit
    extra = 0
    autocomplete_fields = ("unit",)
    ordering = ("position",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":  # the model field has no translated name
            kwargs["label"] = _("study unit")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "hours", "created_by", "updated_at")
    list_filter = ("status",)
    search_fields = ("title", "description")
    inlines = [ModuleUnitInline]
    readonly_fields = ("created_by", "created_at", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).with_hours()

    @admin.display(description=_("study hours"), ordering="study_hours")
    def hours(self, obj):
        # 1, not "1.00" (PostgreSQL's sum keeps the column's two places).
        return spreadsheets.hours_text(obj.study_hours)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The inline may have changed its units: counted as if all were new.
        recount = jobs.recount_after_edit(
            modules=[form.instance],
            by=request.user,
            label=str(form.instance.title),
            added_unit_ids=form.instance.module_units.values_list("unit_id", flat=True),
        )
        if recount is not None:
            self.message_user(
                request,
                _("The module's progress is being recounted in the background (job %(number)s).")
                % {"number": recount.pk},
            )


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
    """Completions are facts: added and undone through training.services (which keep
    the stored progress), never edited. An existing one is shown read only."""

    list_display = ("cadre", "unit", "completed_at")
    list_select_related = ("cadre", "unit")
    search_fields = ("cadre__name", "unit__title")
    autocomplete_fields = ("cadre", "unit")
    date_hierarchy = "completed_at"
    actions = ["undo_completions"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("cadre", "unit", "completed_at", "org_unit")
        return ("completed_at", "org_unit")

    def _undo(self, request, completions):
        undone = 0
        for completion in completions:
            if services.completion_undo(cadre=completion.cadre, unit=completion.unit):
                audit.record(request.user, completion, audit.DELETION, _("Undone."))
                undone += 1
        return undone

    @admin.action(description=_("Undo the selected completions"))
    def undo_completions(self, request, queryset):
        undone = self._undo(request, queryset.select_related("cadre", "unit"))
        self.message_user(
            request,
            ngettext("%(n)d completion undone.", "%(n)d completions undone.", undone)
            % {"n": undone},
            messages.SUCCESS,
        )

    def delete_model(self, request, obj):
        # The delete view logs the deletion itself.
        services.completion_undo(cadre=obj.cadre, unit=obj.unit)

    def delete_queryset(self, request, queryset):
        for completion in queryset.select_related("cadre", "unit"):
            services.completion_undo(cadre=completion.cadre, unit=completion.unit)

    def save_model(self, request, obj, form, change):
        if change:
            return  # every field is read only: nothing to save
        try:
            completion, _created = services.completion_record(cadre=obj.cadre, unit=obj.unit)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        obj.pk = completion.pk


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown to editors and searched, never written here: the audit log; claims, which
    the trainers who manage the cadre decide; certificates, which the portal issues
    and revokes."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LogEntry)
class AuditLogAdmin(ReadOnlyAdmin):
    """The audit log: every change made in the admin, and the portal's own
    assignments, module edits and imports (portal.audit). Read only."""

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


@admin.register(Requirement)
class RequirementAdmin(TranslationAdmin):
    """Study-hour requirements: the three of the 2023 regulations ship as defaults."""

    list_display = ("name", "category", "kind", "hours", "period", "order")
    list_editable = ("order",)
    list_filter = ("category", "kind", "period")


@admin.register(TrainingClaim)
class TrainingClaimAdmin(ReadOnlyAdmin):
    list_display = (
        "course",
        "cadre",
        "kind",
        "hours",
        "end_on",
        "status",
        "checks",
        "decided_by",
    )
    list_filter = ("status", "kind")
    search_fields = ("course", "organiser", "cadre__name", "cadre__user__username")
    list_select_related = ("cadre", "decided_by")
    date_hierarchy = "end_on"

    def get_queryset(self, request):
        return super().get_queryset(request).with_flags()

    @admin.display(description=_("to check"))
    def checks(self, obj):
        """What the claim's checks flag (``TrainingClaim.flags``), as on the trainer's list."""
        return "; ".join(str(flag) for flag in obj.flags()) or "—"


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "kind",
        "holder",
        "subject_zh",
        "year",
        "hours",
        "issued_at",
        "revoked_at",
    )
    list_filter = ("kind", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("code", "holder", "cadre__user__username")
    date_hierarchy = "issued_at"


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """Background jobs, for superusers only (they name who asked for which file; each
    person sees their own on the site). A failed one is run again by the action; its
    traceback is in the task results (Django Tasks DB › Task results)."""

    list_display = ("pk", "kind", "label", "requested_by", "state", "done", "total", "created_at")
    list_filter = ("state", "kind")
    search_fields = ("label", "requested_by__username")
    list_select_related = ("requested_by",)
    actions = ["retry_jobs"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.action(description=_("Run the selected failed jobs again"))
    def retry_jobs(self, request, queryset):
        again = sum(jobs.job_retry(job=job, by=job.requested_by) for job in queryset)
        self.message_user(
            request,
            ngettext("%(n)d job will run again.", "%(n)d jobs will run again.", again)
            % {"n": again},
            messages.SUCCESS,
        )
