from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devtools.generate import Generator, Sizes


class Command(BaseCommand):
    help = (
        "Fill an empty, migrated database with a generated province (benchmarks): org "
        "tree, cadres, units, modules, assignments at every level, completions. "
        "--nation: 31 provinces, sizes scaled with --cadres (default 1,000,000: counties "
        "of about 2,000 cadres, 50 completions a cadre); any size given is kept. "
        "Deterministic with --seed. Sign-ins: bench-cadre, bench-trainer-province, "
        "bench-trainer-city, bench-trainer-county, and with --nation bench-trainer-nation "
        "(password bench-password-2026)."
    )

    def add_arguments(self, parser):
        defaults = Sizes()
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--nation", action="store_true", help="31 provinces; sizes scaled with --cadres."
        )
        for name in Sizes.names():
            parser.add_argument(
                f"--{name.replace('_', '-')}",
                type=int,
                default=None,
                help=f"(a province: {getattr(defaults, name):,})",
            )

    def handle(self, *args, seed, nation, **options):
        if not settings.DEMO_ACCOUNTS_ALLOWED:
            raise CommandError(
                "generate_demo_data makes known sign-ins; it runs only with DJANGO_DEBUG on."
            )
        given = {name: options[name] for name in Sizes.names() if options[name] is not None}
        sizes = Sizes.nation(**given) if nation else Sizes(**given)
        if not (sizes.townships >= sizes.counties >= sizes.cities >= sizes.provinces >= 1):
            raise CommandError(
                "Need at least one province, as many cities as provinces, counties as "
                "cities, and townships as counties."
            )
        try:
            Generator(sizes, seed, out=self.stdout).run()
        except ValueError as exc:
            raise CommandError(str(exc)) from None
