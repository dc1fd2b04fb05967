from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.PortalAdminSite"

    def ready(self):
        super().ready()
        from django.contrib.admin import helpers, options
        from django.contrib.admin.templatetags import admin_list

        from .admin_site import (
            boolean_icon,
            choose_prompt_actions,
            choose_prompt_formfield,
            colon_deleted_objects,
            display_for_field,
        )

        # Django's yes/no icons say "True" and "False" to a screen reader on every
        # language's page; the admin (lists, read-only fields) looks this up here.
        admin_list._boolean_icon = boolean_icon
        # Every admin page alike (issue #31): decimals without Django's padding (学时
        # 550, not 550.0) in lists and read-only fields, and 请选择 for a select's empty
        # choice in every admin form, inline and the change list's actions.
        admin_list.display_for_field = display_for_field
        helpers.display_for_field = display_for_field
        options.BaseModelAdmin.formfield_for_dbfield = choose_prompt_formfield(
            options.BaseModelAdmin.formfield_for_dbfield
        )
        options.ModelAdmin.get_action_choices = choose_prompt_actions(
            options.ModelAdmin.get_action_choices
        )
        # A deletion's confirmation: "标签：为民情怀", not Django's hard-coded ": ".
        options.ModelAdmin.get_deleted_objects = colon_deleted_objects(
            options.ModelAdmin.get_deleted_objects
        )


class SignInSecurityConfig(AxesAppConfig):
    """django-axes under a name editors understand (its tables are the lock-outs)."""

    verbose_name = _("Sign-in security")


class BackgroundTasksConfig(TasksAppConfig):
    """django-tasks-db (the tasks' table: portal/tasks.py) under a name editors
    understand, in the admin and the audit log's list of content types."""

    verbose_name = _("Background tasks")
