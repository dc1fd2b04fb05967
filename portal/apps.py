from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.PortalAdminSite"


class SignInSecurityConfig(AxesAppConfig):
    """django-axes under a name editors understand (its tables are the lock-outs)."""

    verbose_name = _("Sign-in security")
