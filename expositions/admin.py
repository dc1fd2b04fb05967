from types import SimpleNamespace

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin
from taggit.models import Tag as TaggitTag

from . import admin_preview, content_checks, history, services, usage
from .admin_questions import SelfCheckQuestionInline, question_specs, version_questions
from .markdown import render_markdown
from .models import Exposition, StudyUnit, Tag, Theme

TAG_SUGGESTIONS = 10

admin.site.site_header = _("Civil Affairs Study Portal administration")
admin.site.site_title = _("Civil Affairs Study Portal")
admin.site.index_title = _("Content and accounts")


def both(name):
    """A field's two language columns, on one row of the form: Chinese, then English."""
    return (f"{name}_zh_hans", f"{name}_en")


class StudyUnitInline(TranslationTabularInline):
    model = StudyUnit
    fields = ("title", "theme", "order", "status")
    extra = 0
    show_change_link = True
    ordering = ("theme__order", "order")


@admin.register(Exposition)
class ExpositionAdmin(TranslationAdmin):
    list_display = ("title", "author", "organisation", "published_on")
    search_fields = ("title_zh_hans", "title_en", "author_zh_hans", "author_en")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    both("title"),
                    "slug",
                    both("author"),
                    both("organisation"),
                    "published_on",
                    "source_text",
                )
            },
        ),
    )
    prepopulated_fields = {"slug": ("title_en",)}
    inlines = [StudyUnitInline]

    def save_formset(self, request, form, formset, change):
        """The units listed under an exposition are saved through ``unit_save``, so
        that a title or status edited here derives what readers see too."""
        if formset.model is not StudyUnit:
            return super().save_formset(request, form, formset, change)
        units = formset.save(commit=False)
        for unit in formset.deleted_objects:
            unit.delete()
        for unit in units:
            unit._history_user = request.user
            services.unit_save(unit=unit)
        return None


@admin.register(Theme)
class ThemeAdmin(TranslationAdmin):
    list_display = ("name_zh_hans", "name_en", "slug", "order")
    list_editable = ("order",)
    ordering = ("order",)
    search_fields = ("name_zh_hans", "name_en", "slug")
    fieldsets = ((None, {"fields": (both("name"), both("description"), "slug", "order")}),)


# django-taggit's own tag table is no longer used: a tag is an idea with two names (Tag).
if admin.site.is_registered(TaggitTag):
    admin.site.unregister(TaggitTag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """One idea per tag: its Chinese name (what editors type on a unit) and English name."""

    list_display = ("name", "name_en", "slug", "unit_count")
    search_fields = ("name", "name_en", "slug")
    ordering = ("name",)
    fields = ("name", "name_en", "slug")
    prepopulated_fields = {"slug": ("name",)}
    actions = ("merge_selected",)

    @admin.action(description=_("Merge the selected tags into one idea"))
    def merge_selected(self, request, queryset):
        if queryset.count() < 2:
            self.message_user(request, _("Select two or more tags to merge."), messages.WARNING)
            return
        kept = services.tags_merge(tags=queryset)
        self.message_user(
            request,
            _("The selected tags are now one idea: “%(name)s”.") % {"name": kept.name},
            messages.SUCCESS,
        )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(units=Count("tagged_units"))

    @admin.display(description=_("study units"), ordering="units")
    def unit_count(self, obj):
        return obj.units

    # Renaming or deleting a tag changes the units it is on: their search columns and
    # a version of each (expositions.services).
    def save_model(self, request, obj, form, change):
        if change:
            services.tag_rename(tag=obj)
        else:
            obj.save()

    def delete_model(self, request, obj):
        services.tag_delete(tag=obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for tag in queryset:
            services.tag_delete(tag=tag)


class StudyUnitForm(forms.ModelForm):
    confirm_unpublish = forms.BooleanField(
        label=_("Yes, take it away from readers"),
        required=False,
        help_text=_("Asked only when a published unit that modules use is unpublished."),
    )
    change_reason = forms.CharField(
        label=_("Reason for this change"),
        required=False,
        max_length=100,
        help_text=_("Optional; shown in the history beside this version."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The revert page: the form shows the version's tags, not the unit's current
        # ones, so that reverting restores them too.
        version_tags = getattr(self.instance, "_version_tags", None)
        if version_tags is not None and "tags" in self.fields:
            # (Objects with a name, as the tag field and its widget expect.)
            self.initial["tags"] = [SimpleNamespace(name=name) for name, _en in version_tags]

    def _save_m2m(self):
        """Nothing: the tags, the form's only many-to-many field, are set by
        ``services.unit_save`` with the unit (StudyUnitAdmin.save_model), on the change
        page and the revert page alike, and the version holds them."""

    def clean(self):
        """Before a unit readers can see stops being readable (unpublished, or its
        publication moved to later), say how many modules and cadres lose it, and go on
        only when the editor confirms."""
        cleaned = super().clean()
        unit = self.instance  # (its fields still hold the saved values here)
        if unit.pk is None or not unit.is_published:
            return cleaned
        status = cleaned.get("status")
        when = cleaned.get("published_at")
        hidden = status != StudyUnit.Status.PUBLISHED or (when and when > timezone.now())
        if not hidden or cleaned.get("confirm_unpublish"):
            return cleaned
        modules, cadres = usage.reach(unit)
        if modules:
            raise forms.ValidationError(
                ngettext(
                    "This unit is in %(modules)s module that reaches %(cadres)s cadres: "
                    "they will no longer see it or be asked to study it. Tick “Yes, take it "
                    "away from readers” and save again to go on.",
                    "This unit is in %(modules)s modules that reach %(cadres)s cadres: "
                    "they will no longer see it or be asked to study it. Tick “Yes, take it "
                    "away from readers” and save again to go on.",
                    modules,
                )
                % {"modules": modules, "cadres": cadres},
                code="unpublish",
            )
        return cleaned


class LanguageFilter(admin.SimpleListFilter):
    """Which units still lack a language: title, summary or body empty in it."""

    title = _("languages")
    parameter_name = "languages"

    def lookups(self, request, model_admin):
        return [
            ("complete", _("Both complete")),
            ("no_en", _("English missing")),
            ("no_zh", _("Chinese missing")),
        ]

    @staticmethod
    def _missing(suffix):
        missing = Q()
        for name in ("title", "summary", "body"):
            missing |= Q(**{f"{name}_{suffix}": ""}) | Q(**{f"{name}_{suffix}__isnull": True})
        return missing

    def queryset(self, request, queryset):
        if self.value() == "no_en":
            return queryset.filter(self._missing("en"))
        if self.value() == "no_zh":
            return queryset.filter(self._missing("zh_hans"))
        if self.value() == "complete":
            return queryset.exclude(self._missing("en")).exclude(self._missing("zh_hans"))
        return queryset


@admin.register(StudyUnit)
class StudyUnitAdmin(SimpleHistoryAdmin, TranslationAdmin):
    form = StudyUnitForm
    list_display = ("title", "theme", "publication", "order", "updated_at")
    # Short filters only: a tag filter listed every tag (a 3,000 px column); tags are
    # found with the search box, which looks in tag names.
    list_filter = ("theme", "status", LanguageFilter)
    list_select_related = ("theme", "status_changed_by")
    search_fields = (
        "title_zh_hans",
        "title_en",
        "summary_zh_hans",
        "summary_en",
        "tags__name",
        "tags__name_en",
    )
    prepopulated_fields = {"slug": ("title_en",)}
    readonly_fields = ("body_preview", "publication", "created_at", "updated_at")
    autocomplete_fields = ("theme", "exposition")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    both("title"),
                    "slug",
                    "exposition",
                    "theme",
                    "order",
                    "status",
                    "published_at",
                    "publication",
                    "confirm_unpublish",
                )
            },
        ),
        (
            _("Content"),
            {
                "fields": (
                    both("summary"),
                    both("key_points"),
                    both("body"),
                    "body_preview",
                    ("source_passage", "source_translation"),
                    "tags",
                    "reading_minutes",
                    "study_hours",
                )
            },
        ),
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
        (None, {"fields": ("change_reason",)}),
    )

    # --- one write path: the unit, its tags, its questions and a whole version -------

    inlines = [SelfCheckQuestionInline]

    def save_model(self, request, obj, form, change):
        """On the revert page (simple-history calls this, then the form's ``save_m2m``,
        which leaves the tags to the service, and nothing else) the unit, its tags and
        the version's questions are written here; on the add and change pages in
        ``save_related``, with the questions of the inline."""
        if history.is_revert(request):
            self._unit_save(request, obj, form, getattr(obj, "_version_questions", None))

    def save_related(self, request, form, formsets, change):
        self._unit_save(request, form.instance, form, question_specs(formsets), change)

    def _unit_save(self, request, obj, form, questions, change=True):
        """The unit, its tags, its questions and its version in one call
        (``services.unit_save``)."""
        if not change or "status" in form.changed_data:
            obj.status_changed_at = timezone.now()
            obj.status_changed_by = request.user
        obj._history_user = request.user
        tags = form.cleaned_data.get("tags") if "tags" in form.fields else None
        reason = history.change_reason(request, form.cleaned_data.get("change_reason"))
        services.unit_save(unit=obj, tags=tags, questions=questions, reason=reason)

    def get_fieldsets(self, request, obj=None):
        """The revert page shows the questions it restores (it has no inline)."""
        fieldsets = super().get_fieldsets(request, obj)
        if history.is_revert(request):
            shown = (_("Self-check questions"), {"fields": ("version_questions",)})
            fieldsets = [*fieldsets[:-1], shown, fieldsets[-1]]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        extra = ("version_questions",) if history.is_revert(request) else ()
        return (*super().get_readonly_fields(request, obj), *extra)

    @admin.display(description=_("self-check questions"))
    def version_questions(self, obj):
        return version_questions(getattr(obj, "_version_questions", None))

    @admin.display(description=_("publication"), ordering="status")
    def publication(self, obj):
        """草稿 / 审核中 / 已发布 / 已排期 2026-12-05 09:00, and who set it when."""
        if obj.is_scheduled:
            state = _("Scheduled for %(time)s") % {
                "time": timezone.localtime(obj.published_at).strftime("%Y-%m-%d %H:%M")
            }
        else:
            state = obj.get_status_display()
        if obj.status_changed_at is None:
            return state
        who = obj.status_changed_by.get_username() if obj.status_changed_by else "—"
        return format_html(
            '{}<br><span class="status-change">{} · {}</span>',
            state,
            who,
            timezone.localtime(obj.status_changed_at).strftime("%Y-%m-%d %H:%M"),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The editorial checks (expositions/content_checks.py, docs/editorial.md) as
        # warnings on the page: they never block a save.
        unit = self.get_object(request, object_id) if request.method == "GET" else None
        for finding in content_checks.check_unit(unit) if unit is not None else ():
            messages.warning(request, finding.message(translation.get_language()))
        return super().change_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        match = request.resolver_match
        if obj is not None and match and match.url_name.endswith("_simple_history"):
            version_id = match.kwargs.get("version_id") or match.args[1]
            version = obj.history.filter(history_id=version_id).first()
            if version is not None:
                obj._version_tags = version.history_tags
                obj._version_questions = version.history_questions
        return super().get_form(request, obj, **kwargs)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A revert writes the unit, its tags and the new version, or none of them.
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)

    def set_history_delta_changes(self, request, historical_records, **kwargs):
        """Each version on the page with what changed from the version before it,
        whole fields with the changes marked inside (expositions.history.diff)."""
        records = list(historical_records)
        if not records:
            return
        older = (
            records[-1]
            .instance_type.history.filter(id=records[-1].id, history_id__lt=records[-1].history_id)
            .order_by("-history_id")
            .first()
        )
        for record, before in zip(records, [*records[1:], older], strict=True):
            record.reader_diff = history.diff(before, record, StudyUnit) if before else []

    class Media:
        js = ("js/admin_study_unit.js",)

    @admin.display(description=_("Preview"))
    def body_preview(self, obj):
        """The unit as readers see it (expositions/unit_preview.html, in a frame the
        script fills from the form as it is typed: on the revert page, the version
        being restored); without script, this version's body rendered."""
        fallback = render_markdown(obj.body or "") if obj else ""  # sanitised by nh3
        return render_to_string("admin/expositions/unit_preview_panel.html", {"fallback": fallback})

    def get_urls(self):
        extra = [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="expositions_studyunit_preview",
            ),
            path(
                "tag-suggestions/",
                self.admin_site.admin_view(self.tag_suggestions_view),
                name="expositions_studyunit_tag_suggestions",
            ),
        ]
        return extra + super().get_urls()

    def preview_view(self, request):
        return admin_preview.preview(request, self)

    def tag_suggestions_view(self, request):
        if not self.has_change_permission(request) and not self.has_add_permission(request):
            raise PermissionDenied
        prefix = request.GET.get("q", "").strip()
        found = []
        if prefix:
            found = list(
                Tag.objects.filter(Q(name__istartswith=prefix) | Q(name_en__istartswith=prefix))
                .order_by("name")
                .values_list("name", "name_en")[:TAG_SUGGESTIONS]
            )
        # One idea per tag: each suggestion is the Chinese name editors type, with the
        # English name of the same idea beside it.
        return JsonResponse(
            {"tags": [name for name, _en in found], "english": [en or "" for _n, en in found]}
        )
