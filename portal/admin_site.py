"""The admin laid out for editors: study content first, then training, then the
organisation, accounts and the audit log, and sign-in security last."""

from django.contrib import admin
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext

# App labels in the order the admin's index and navigation show them; apps not named
# come after these, in the default order.
APP_ORDER = ("expositions", "training", "org", "auth", "admin", "axes")
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
