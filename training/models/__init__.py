"""Who must study what, by when, and who has: modules, assignments, completions and
the progress totals kept from them, the evidence of study a module may ask for
(self-checks passed, reflections), the 学时 records beyond them (requirements,
claims, certificates), and the background jobs that do long work. The people and the
org tree are in ``org``. One module per topic; every model is importable from here."""

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
from .jobs import Job, JobQuerySet, PeriodicRun, job_file_name
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
    "Job",
    "JobQuerySet",
    "Module",
    "ModuleQuerySet",
    "ModuleUnit",
    "ModuleUnitQuerySet",
    "PeriodicRun",
    "Progress",
    "ProgressWeek",
    "Reflection",
    "ReflectionQuerySet",
    "Requirement",
    "SelfCheckPass",
    "TrainingClaim",
    "characters",
    "claim_file_name",
    "count_of",
    "job_file_name",
]
