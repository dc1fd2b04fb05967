"""Who must study what, by when, and who has: modules, assignments, completions and
the progress totals kept from them, the evidence of study a module may ask for
(self-checks passed, reflections), the 学时 records beyond them (requirements,
claims, certificates). The background jobs are an app of their own (training.jobs).
The people and the org tree are in ``org``. One module per topic; every model is
importable from here."""

from .completions import Completion, HoursYear, Progress, ProgressWeek
from .evidence import Reflection, ReflectionQuerySet, SelfCheckPass, characters
from .hours import (
    HOURS_PER_DAY,
    Certificate,
    CertificateQuerySet,
    ClaimQuerySet,
    Requirement,
    TrainingClaim,
    claim_file_name,
)
from .modules import (
    HOURS,
    Assignment,
    AssignmentQuerySet,
    Module,
    ModuleQuerySet,
    ModuleUnit,
    ModuleUnitQuerySet,
    count_of,
)
from .snapshots import RollupRow, RollupRowQuerySet

__all__ = [
    "HOURS",
    "HOURS_PER_DAY",
    "Assignment",
    "AssignmentQuerySet",
    "Certificate",
    "CertificateQuerySet",
    "ClaimQuerySet",
    "Completion",
    "HoursYear",
    "Module",
    "ModuleQuerySet",
    "ModuleUnit",
    "ModuleUnitQuerySet",
    "Progress",
    "ProgressWeek",
    "Reflection",
    "ReflectionQuerySet",
    "Requirement",
    "RollupRow",
    "RollupRowQuerySet",
    "SelfCheckPass",
    "TrainingClaim",
    "characters",
    "claim_file_name",
    "count_of",
]
