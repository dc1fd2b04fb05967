"""The admin laid out for editors: study content first, then training, then the
organisation, accounts and the audit log, and sign-in security last."""

from django.contrib import admin
from django.contrib.admin import utils
from django.db import models
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext

from .forms import CHOOSE, choose_prompt

# App labels in the order the admin's index and navigation show them; apps not named
# come after these, in the default order.
APP_ORDER = ("expositions", "training", "org", "auth", "admin", "django_tasks_database", "axes")
# Within an app, models in this order (object names); the rest after them.
MODEL_ORDER = {
    "expositions": ("StudyUnit", "Theme", "Tag", "Exposition"),
    "training": ("Module", "Assignment", "Completion", "Requirement"),
    "org": ("OrgUnit", "Cadre"),
}


def _rank(order, key):
    return order.index(key) if key in order else len(order)


class PortalAdminSite(admin.AdminSite):
    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        apps.sort(key=lambda app: _rank(APP_ORDER, app["app_label"]))
        for app in apps:
            order = MODEL_ORDER.get(app["app_label"], ())
            app["models"].sort(key=lambda model: _rank(order, model["object_name"]))
        return apps


def boolean_icon(value):
    """Django's yes/no/unknown icon, its text in the reader's language (Django's own
    says "True" or "False" in every language)."""
    name, text = {True: ("yes", "Yes"), False: ("no", "No"), None: ("unknown", "Unknown")}[value]
    return format_html(
        '<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), gettext(text)
    )


def display_for_field(value, field, empty_value_display, avoid_link=False):
    """Django's, but a decimal as people write it, as the site does (学时 550 and 1.5,
    not 550.0 and 1.50: Django pads it to the column's decimal places)."""
    if (
        isinstance(field, models.DecimalField)
        and not getattr(field, "flatchoices", None)
        and value not in field.empty_values
    ):
        return format(value.normalize(), "f")
    return utils.display_for_field(value, field, empty_value_display, avoid_link)


def choose_prompt_formfield(formfield_for_dbfield):
    """Django's ``formfield_for_dbfield``, but a select's empty choice reads 请选择
    ("Choose…"), as on the site's forms, not Django's "---------"."""

    def wrapped(self, db_field, request, **kwargs):
        field = formfield_for_dbfield(self, db_field, request, **kwargs)
        return choose_prompt(field) if field is not None else None

    return wrapped


def choose_prompt_actions(get_action_choices):
    """Django's ``get_action_choices``, the change list's action select starting with
    请选择 rather than "---------"."""

    def wrapped(self, request, default_choices=None):
        return get_action_choices(self, request, default_choices or [("", CHOOSE)])

    return wrapped


def colon_deleted_objects(get_deleted_objects):
    """Django's ``get_deleted_objects``, but its "标签: 为民情怀" lines (a deletion's
    confirmation lists what goes with it, the model's name and a colon written in
    Django's code, not translated) use the language's colon, "标签：为民情怀"."""

    def wrapped(self, objs, request):
        to_delete, model_count, perms_needed, protected = get_deleted_objects(self, objs, request)
        return _colons(to_delete), model_count, perms_needed, _colons(protected)

    return wrapped


def _colons(items):
    colon = gettext(":")
    if colon == ":":
        return items
    return [_colons(item) if isinstance(item, list) else _colon(item, colon) for item in items]


def _colon(text, colon):
    replaced = str(text).replace(": ", colon, 1)
    # Only ": " was replaced, by a colon: what was safe HTML is still safe.
    return mark_safe(replaced) if isinstance(text, SafeData) else replaced  # noqa: S308  # nosec B308 B703
