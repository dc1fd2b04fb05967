from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devtools.generate import Generator, Sizes


class Command(BaseCommand):
    help = (
        "Fill an empty, migrated database with a generated province (benchmarks): org "
        "tree, cadres, units, modules, assignments at every level, completions. "
        "Deterministic with --seed. Sign-ins: bench-cadre, bench-trainer-province, "
        "bench-trainer-county (password bench-password-2026)."
    )

    def add_arguments(self, parser):
        defaults = Sizes()
        parser.add_argument("--seed", type=int, default=2026)
        for name in Sizes.__dataclass_fields__:
            parser.add_argument(
                f"--{name.replace('_', '-')}", type=int, default=getattr(defaults, name)
            )

    def handle(self, *args, seed, **options):
        if not settings.DEMO_ACCOUNTS_ALLOWED:
            raise CommandError(
                "generate_demo_data makes known sign-ins; it runs only with DJANGO_DEBUG on."
            )
        sizes = Sizes(**{name: options[name] for name in Sizes.__dataclass_fields__})
        if sizes.townships < sizes.counties or sizes.counties < sizes.cities:
            raise CommandError(
                "Need at least as many counties as cities, and townships as counties."
            )
        try:
            Generator(sizes, seed, out=self.stdout).run()
        except ValueError as exc:
            raise CommandError(str(exc)) from None
