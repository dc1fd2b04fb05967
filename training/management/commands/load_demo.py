from django.core.management.base import BaseCommand

from training.demo import load_demo


class Command(BaseCommand):
    help = (
        "Create demo accounts, org units, modules, assignments and completions for local "
        "use (make run). Safe to run again. Never run it on a production database."
    )

    def handle(self, *args, **options):
        accounts = load_demo()
        self.stdout.write("Demo sign-ins (local use only):")
        for username, password, role, *_rest in accounts:
            self.stdout.write(f"  {role:<8} username: {username:<17} password: {password}")
