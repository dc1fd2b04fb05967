from django.core.management.base import BaseCommand, CommandError

from expositions.seed import DEFAULT_DATA_FILE, SeedError, load_exposition


class Command(BaseCommand):
    help = (
        "Load the shipped exposition (themes and study units). Safe to run again: "
        "nothing is duplicated and units changed by an editor are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_DATA_FILE), help="Data file (JSON).")

    def handle(self, *args, **options):
        try:
            report = load_exposition(options["file"])
        except SeedError as exc:
            raise CommandError("Nothing was loaded:\n" + "\n".join(exc.errors)) from exc
        self.stdout.write(
            f"Study units: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.kept_edited)} kept as edited."
        )
        for slug in report.kept_edited:
            self.stdout.write(f"  kept (changed by an editor): {slug}")
        if report.tags_removed:
            self.stdout.write(
                f"Tags no unit uses any more, removed: {', '.join(report.tags_removed)}"
            )
