from .certificates import (
    annual_certificate,
    certificate,
    certificate_pdf,
    module_certificate,
    module_certificates_zip,
    verify,
    verify_lookup,
)
from .claims import claim_create, claim_detail, claim_file, claim_list, claim_withdraw
from .evidence import reflection, self_check
from .hours import hours_overview
from .modules import (
    module_activate,
    module_assign,
    module_create,
    module_detail,
    module_edit,
    module_list,
)
from .progress import assignment_progress, cadre_record, module_progress, progress_export
from .reflections import module_reflections, reflection_detail, reflections_export
from .study import completion_mark, completion_unmark, my_module, my_record, my_study, start

__all__ = [
    "annual_certificate",
    "certificate",
    "certificate_pdf",
    "claim_create",
    "claim_detail",
    "claim_file",
    "claim_list",
    "claim_withdraw",
    "module_certificate",
    "module_certificates_zip",
    "verify",
    "verify_lookup",
    "assignment_progress",
    "cadre_record",
    "completion_mark",
    "completion_unmark",
    "hours_overview",
    "module_activate",
    "module_assign",
    "module_create",
    "module_detail",
    "module_edit",
    "module_list",
    "module_progress",
    "my_module",
    "my_record",
    "my_study",
    "progress_export",
    "module_reflections",
    "reflection",
    "reflection_detail",
    "reflections_export",
    "self_check",
    "start",
]
