from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Tools around the portal, not part of it: the demo accounts and data (make run),
    the generated province (the benchmarks), backups. Nothing imports this app; it
    imports the others (an import-linter contract in pyproject.toml)."""

    name = "devtools"
    verbose_name = "Developer tools"
