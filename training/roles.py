"""Roles are Django groups with permissions; this module keeps them in one place."""

from django.contrib.auth.models import Group, Permission

EDITOR = "editor"
CADRE = "cadre"
TRAINER = "trainer"

# app_label -> the codename prefixes an editor holds for it
EDITOR_PERMISSIONS = {
    "expositions": ("add_", "change_", "delete_", "view_"),
    "taggit": ("add_", "change_", "delete_", "view_"),
}


def ensure_groups():
    """Create the role groups and give them their permissions; safe to run again."""
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    perms = [
        p
        for p in Permission.objects.filter(
            content_type__app_label__in=EDITOR_PERMISSIONS
        ).select_related("content_type")
        if p.codename.startswith(EDITOR_PERMISSIONS[p.content_type.app_label])
    ]
    editor.permissions.set(perms)
    Group.objects.get_or_create(name=CADRE)
    Group.objects.get_or_create(name=TRAINER)
    return {g.name: g for g in Group.objects.filter(name__in=[EDITOR, CADRE, TRAINER])}
