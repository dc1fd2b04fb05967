"""Words other packages show in the admin without a Chinese translation of their own
(django-axes and django-tasks-db ship none): named here so that `make messages` puts them in the
portal's catalogue, which Django consults first. Nothing imports this module."""

from django.utils.translation import gettext_noop, ngettext_lazy

AXES = [
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Access Attempt"),
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Attempt Time"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Expires At"),
    gettext_noop("Failed Logins"),
    gettext_noop("Form Data"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Locked Out"),
    gettext_noop("Logout Time"),
    gettext_noop("Meta Data"),
    gettext_noop("Not set"),
    gettext_noop("POST Data"),
    gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"),
]

# django-tasks-db's table of task results (superusers read it in the admin; its name is
# in the audit log's list of content types for editors).
TASKS_DB = [
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
]

# Django's admin and Django 5.2's reworded messages, and django-treebeard (which ships
# no Chinese): in English on a Chinese admin page until named here (issue #31). The
# admin's script (the trainer picker's two boxes) reads its words from the separate
# djangojs catalogue, locale/zh_Hans/LC_MESSAGES/djangojs.po, kept by hand.
DJANGO_ADMIN = [
    # Reworded in Django 5.2 (was "%(min_length)d"): shown in English until translated.
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
    # The admin's index and navigation: headings read out by screen readers.
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Error:"),  # a page's title when its form was refused
    # The boolean icons' text (portal.apps: Django writes "True" and "False").
    gettext_noop("Yes"),
    gettext_noop("No"),
    gettext_noop("Unknown"),
]

TREEBEARD = [
    gettext_noop("Position"),
    gettext_noop("Relative to"),
    gettext_noop("-- root --"),
    gettext_noop("Child of"),
    gettext_noop("Sibling of"),
    gettext_noop("First child of"),
    gettext_noop("Before"),
    gettext_noop("After"),
    gettext_noop("Invalid form data provided"),
    gettext_noop('Moved node "%(node)s" as child of "%(other)s"'),
    gettext_noop('Moved node "%(node)s" as sibling of "%(other)s"'),
]

# Django's own Chinese says 你 where the portal says 您 (issue #31): the portal's
# catalogue, consulted first, says 您 for what a reader sees when choosing a password.
DJANGO = [
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
]

# Django's own Chinese for the admin, auth and forms, and django-simple-history's (issue
# #31): 你 where the portal says 您, a space between the words and a name put in them
# ("修改 学习单元", "选择 %s 来修改", "以 状态"), ASCII colons after Chinese, and the
# forms' label suffix ":" (every admin label, "标题:"), which reads "：" in Chinese. The
# portal's catalogue, consulted first, says them as the rest of the portal does
# (tests/portal/test_chinese_admin_pages.py checks the admin's pages and these words).
DJANGO_TYPOGRAPHY = [
    gettext_noop(":"),
    gettext_noop(":?.!"),
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    gettext_noop("Successfully deleted %(count)d %(items)s."),
    gettext_noop("Cannot delete %(name)s"),
    gettext_noop("Are you sure?"),
    gettext_noop(
        "Please enter the correct %(username)s and password for a staff account. Note "
        "that both fields may be case-sensitive."
    ),
    gettext_noop("Add another %(verbose_name)s"),
    gettext_noop("Added {name} “{object}”."),
    gettext_noop("Changed {fields} for {name} “{object}”."),
    gettext_noop("Deleted {name} “{object}”."),
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"),
    gettext_noop("Add %s"),
    gettext_noop("Change %s"),
    gettext_noop("View %s"),
    ngettext_lazy(
        "%(count)s %(name)s was changed successfully.",
        "%(count)s %(name)s were changed successfully.",
    ),
    gettext_noop("%(class_name)s %(instance)s"),
    gettext_noop(
        "Deleting %(class_name)s %(instance)s would require deleting the following "
        "protected related objects: %(related_objects)s"
    ),
    gettext_noop("%(app)s administration"),
    gettext_noop("Select all %(total_count)s %(module_name)s"),
    gettext_noop("Models in the %(name)s application"),
    gettext_noop("You don’t have permission to view or edit anything."),
    gettext_noop(
        "First, enter a username and password. Then, you’ll be able to edit more user options."
    ),
    gettext_noop("Add %(name)s"),
    gettext_noop("Sorting priority: %(priority_number)s"),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would result in deleting "
        "related objects, but your account doesn't have permission to delete the "
        "following types of objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would require deleting the "
        "following protected related objects:"
    ),
    gettext_noop(
        'Are you sure you want to delete the %(object_name)s "%(escaped_object)s"? All '
        "of the following related items will be deleted:"
    ),
    gettext_noop(
        "Deleting the selected %(objects_name)s would result in deleting related "
        "objects, but your account doesn't have permission to delete the following types "
        "of objects:"
    ),
    gettext_noop(
        "Deleting the selected %(objects_name)s would require deleting the following "
        "protected related objects:"
    ),
    gettext_noop(
        "Are you sure you want to delete the selected %(objects_name)s? All of the "
        "following objects and their related items will be deleted:"
    ),
    gettext_noop(" By %(filter_title)s "),
    gettext_noop("Add another %(model)s"),
    gettext_noop("Delete selected %(model)s"),
    gettext_noop(
        "Please enter your old password, for security’s sake, and then enter your new "
        "password twice so we can verify you typed it in correctly."
    ),
    gettext_noop("Your password has been set.  You may go ahead and log in now."),
    gettext_noop(
        "Please enter your new password twice so we can verify you typed it in correctly."
    ),
    gettext_noop("Select %s"),
    gettext_noop("Select %s to change"),
    gettext_noop("%(name)s object with primary key %(key)r does not exist."),
    gettext_noop("Set password: %s"),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    # Django's forms and generic views: a refused form's message names a field.
    gettext_noop("%(model_name)s with this %(field_labels)s already exists."),
    gettext_noop("%(model_name)s with this %(field_label)s already exists."),
    gettext_noop("%(field_label)s must be unique for %(date_field_label)s %(lookup_type)s."),
    gettext_noop("%(model)s instance with %(field)s %(value)r is not a valid choice."),
    gettext_noop("(Hidden field %(name)s) %(error)s"),
    gettext_noop(
        "Please correct the duplicate data for %(field_name)s which must be unique for "
        "the %(lookup)s in %(date_field)s."
    ),
    gettext_noop("No %(verbose_name_plural)s available"),
    gettext_noop(
        "Future %(verbose_name_plural)s not available because %(class_name)s.allow_future is False."
    ),
    gettext_noop("No %(verbose_name)s found matching the query"),
]

SIMPLE_HISTORY = [
    gettext_noop("View history: %s"),
    gettext_noop("Change history: %s"),
    gettext_noop("You may edit it again below"),
    gettext_noop("Revert %s"),
]

# django-taggit's: a unit's tag as a deletion's confirmation lists it.
TAGGIT = [
    gettext_noop("%(object)s tagged with %(tag)s"),
]

# Django's help text for a username (an existing account's admin page), worded as the
# portal words the rule (org.forms.AccountForm, the import's column guide): its own
# Chinese leaves out "+".
DJANGO_AUTH = [
    gettext_noop("Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only."),
]
