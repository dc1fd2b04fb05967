from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.PortalAdminSite"

    def ready(self):
        super().ready()
        from django.contrib.admin.templatetags import admin_list

        from .admin_site import boolean_icon

        # Django's yes/no icons say "True" and "False" to a screen reader on every
        # language's page; the admin (lists, read-only fields) looks this up here.
        admin_list._boolean_icon = boolean_icon


class SignInSecurityConfig(AxesAppConfig):
    """django-axes under a name editors understand (its tables are the lock-outs)."""

    verbose_name = _("Sign-in security")
