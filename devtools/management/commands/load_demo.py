from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devtools.demo import load_demo


class Command(BaseCommand):
    help = (
        "Create demo accounts, org units, modules, assignments and completions for local "
        "use (make run). Safe to run again. Never run it on a production database."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_ACCOUNTS_ALLOWED:
            # Known passwords have no place outside a local try-out.
            raise CommandError(
                "load_demo creates accounts with known passwords; it runs only with "
                "DJANGO_DEBUG on (make run), never with production settings."
            )
        accounts = load_demo()
        self.stdout.write("Demo sign-ins (local use only):")
        for username, password, role, *_rest in accounts:
            self.stdout.write(f"  {role:<8} username: {username:<17} password: {password}")
