from .certificates import (
    annual_certificate,
    certificate,
    certificate_pdf,
    module_certificate,
    module_certificates_zip,
    verify,
    verify_lookup,
)
from .chase import chase_overview, module_chase, module_remind
from .claims import claim_create, claim_detail, claim_file, claim_list, claim_withdraw
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
from .reminders import email_reminders, notice_dismiss
from .study import completion_mark, completion_unmark, my_module, my_record, my_study, start

__all__ = [
    "annual_certificate",
    "certificate",
    "certificate_pdf",
    "chase_overview",
    "claim_create",
    "claim_detail",
    "claim_file",
    "claim_list",
    "claim_withdraw",
    "email_reminders",
    "notice_dismiss",
    "module_certificate",
    "module_chase",
    "module_remind",
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
    "start",
]
