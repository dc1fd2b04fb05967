"""``manage.py send_reminders``: send the email digests that are due (for cron, e.g.
every morning at 8; safe to run more often, and twice at once)."""

from django.core.management.base import BaseCommand, CommandError

from training.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Send each cadre with an email address the reminder digest they are owed now."

    def handle(self, *args, **options):
        result = send_due_reminders()
        self.stdout.write(
            f"Sent {result.sent} digest(s); {result.failed} failed (tried again next run); "
            f"{result.skipped} already sent by another run."
        )
        if not result.connected:
            raise CommandError("The mail server could not be reached: nothing was sent.")
