from django.core.management.base import BaseCommand, CommandError

from expositions.seed import DEFAULT_DATA_FILE, SeedError, load_exposition


class Command(BaseCommand):
    help = (
        "Load the shipped exposition (themes and study units). Safe to run again: "
        "nothing is duplicated and units changed by an editor are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_DATA_FILE), help="Data file (JSON).")
        parser.add_argument(
            "--questions",
            default=None,
            help="Self-check questions (JSON); by default self-check.json beside the data file.",
        )

    def handle(self, *args, **options):
        try:
            report = load_exposition(options["file"], options["questions"])
        except SeedError as exc:
            raise CommandError("Nothing was loaded:\n" + "\n".join(exc.errors)) from exc
        self.stdout.write(
            f"Study units: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.kept_edited)} kept as edited."
        )
        for slug in report.kept_edited:
            self.stdout.write(f"  kept (changed by an editor): {slug}")
        if report.questions_loaded or report.questions_kept_edited:
            self.stdout.write(
                f"Self-check questions: written on {len(report.questions_loaded)} units, "
                f"{len(report.questions_kept_edited)} kept as edited."
            )
        if report.tags_removed:
            self.stdout.write(
                f"Tags no unit uses any more, removed: {', '.join(report.tags_removed)}"
            )
