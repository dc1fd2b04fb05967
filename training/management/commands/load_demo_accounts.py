from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from training.roles import CADRE, EDITOR, ensure_groups

# Demo sign-ins for `make run` only. Never run this on a production database.
DEMO_ACCOUNTS = [
    # username, password, role, staff, display name
    ("editor", "editor-demo-2026", EDITOR, True, "Wang Bianji 王编辑"),
    ("cadre", "cadre-demo-2026", CADRE, False, "Li Ganbu 李干部"),
]


class Command(BaseCommand):
    help = "Create the demo accounts (editor, cadre) for local use. Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        groups = ensure_groups()
        User = get_user_model()
        for username, password, role, staff, name in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
            user.first_name = name
            user.is_staff = staff
            user.save()
            user.groups.add(groups[role])
        self.stdout.write("Demo sign-ins (local use only):")
        for username, password, role, _staff, _name in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role:<8} username: {username:<8} password: {password}")
