"""Writes that span models or must be safe to repeat. Views, admin actions,
commands and imports all call these."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from expositions.models import StudyUnit
from org.models import Cadre, OrgUnit
from portal import audit

from . import progress_store
from .hours import certificates
from .jobs import services as jobs
from .models import Assignment, Certificate, Completion, Module, ModuleUnit, TrainingClaim


def completion_record(*, cadre: Cadre, unit: StudyUnit) -> tuple[Completion, bool]:
    """Record that ``cadre`` completed ``unit``; return (completion, created).

    Idempotent under concurrency, the way openedx/completion does it: the unique
    constraint on (cadre, unit) decides, ``get_or_create`` runs in its own atomic
    block, and a racing insert that loses falls back to reading the winner's row.
    Writes: the completion, and in the same transaction the stored progress of every
    module holding the unit (``progress_store.completion_added``), once.
    """
    if not unit.is_published:
        raise ValidationError(_("This study unit is not published."))
    try:
        with transaction.atomic():
            completion, created = Completion.objects.get_or_create(
                cadre=cadre,
                unit=unit,
                defaults={"org_unit_id": cadre.org_unit_id, "credit_hours": unit.credit_hours},
            )
            if created:
                progress_store.completion_added(completion)
    except IntegrityError:
        return Completion.objects.get(cadre=cadre, unit=unit), False
    return completion, created


class CertificatesAtStake(Exception):  # noqa: N818  (a refusal, not a fault)
    """Undoing the completion would revoke ``certificates`` the cadre has not confirmed."""

    def __init__(self, certificates):
        super().__init__(certificates)
        self.certificates = certificates


def completion_undo(*, cadre: Cadre, unit: StudyUnit, revoking=None) -> bool:
    """Remove a cadre's mistaken completion of a unit; True if this call removed it.

    ``revoking``: the codes of the certificates the cadre confirmed may be revoked.
    When given, the undo goes ahead only if every valid certificate counting the
    completion (``certificates.counting``) is among them, else it changes nothing and
    raises ``CertificatesAtStake`` naming them; so a certificate issued after the
    cadre saw the list is never revoked unseen. ``None`` (the admin, commands)
    revokes whatever counted it.

    Safe to repeat and to race: the cadre's row, then the completion's, is locked
    before it is deleted (a racing undo waits, then finds nothing; a certificate is
    not issued meanwhile, since issuing locks the cadre too), and the stored progress
    is taken down only by the call whose DELETE removed the row, in its transaction,
    which also revokes the certificates that counted the completion (its modules',
    its year's).
    """
    with transaction.atomic():
        Cadre.objects.select_for_update().filter(pk=cadre.pk).first()
        completion = Completion.objects.select_for_update().filter(cadre=cadre, unit=unit).first()
        if completion is None:
            return False
        if revoking is not None:
            at_stake = list(certificates.counting(completion).select_related("module"))
            if any(certificate.code not in revoking for certificate in at_stake):
                raise CertificatesAtStake(at_stake)
        deleted, _rows = Completion.objects.filter(pk=completion.pk).delete()
        if deleted:
            progress_store.completion_removed(completion)
            certificates.revoke_for_completion(completion)
    return bool(deleted)


def module_set_units(*, module: Module, units: list[StudyUnit], by=None):
    """Make ``units`` (in this order) the units of ``module``, atomically, and recount
    its stored progress: in the transaction, or by a background job of ``by``'s when
    the module holds many completions (``jobs.recount_after_edit``; returned, else
    None). Without ``by`` (scripts, the generator) always in the transaction."""
    if len({u.pk for u in units}) != len(units):
        raise ValidationError(_("A study unit can be in a module only once."))
    with transaction.atomic():
        before = set(ModuleUnit.objects.filter(module=module).values_list("unit_id", flat=True))
        ModuleUnit.objects.filter(module=module).delete()
        ModuleUnit.objects.bulk_create(
            ModuleUnit(module=module, unit=unit, position=i)
            for i, unit in enumerate(units, start=1)
        )
        module.save(update_fields=["updated_at"])
        return jobs.recount_after_edit(
            modules=[module],
            by=by,
            label=str(module.title),
            added_unit_ids={u.pk for u in units} - before,
        )


def module_activate(*, module: Module, by) -> bool:
    """Make ``module`` active, so that it can be assigned (a new module is a draft,
    an archived one is put back). Logged as a change of its status, the way an edit
    of the module is. True if this call changed it; an active module stays as it is."""
    with transaction.atomic():
        locked = Module.objects.select_for_update().filter(pk=module.pk).first()
        if locked is None or locked.status == Module.Status.ACTIVE:
            return False
        locked.status = Module.Status.ACTIVE
        locked.save(update_fields=["status", "updated_at"])
        audit.record(by, locked, audit.CHANGE, [{"changed": {"fields": ["status"]}}])
    module.status = Module.Status.ACTIVE
    return True


def assignment_reach(*, cadre: Cadre | None = None, org_unit: OrgUnit | None = None) -> int:
    """How many active cadres an assignment to this target reaches today."""
    if cadre is not None:
        return 1 if cadre.active else 0
    return Cadre.objects.filter(active=True).in_subtree(org_unit).count()


def assignment_create(
    *,
    module: Module,
    due_on,
    by,
    cadre: Cadre | None = None,
    org_unit: OrgUnit | None = None,
) -> tuple[Assignment, bool]:
    """Give ``module`` to a cadre or to an org unit (and so to everyone below it).

    Returns (assignment, created). Repeating the same assignment returns the
    existing one unchanged: one per (module, target). Refuses a due date in the
    past, an inactive module and a target outside what ``by`` manages.
    """
    if (cadre is None) == (org_unit is None):
        raise ValidationError(_("Choose either a cadre or an org unit."))
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The due date must be today or later.")})
    if module.status != Module.Status.ACTIVE:
        raise ValidationError(_("Only an active module can be assigned."))
    if cadre is not None:
        in_scope = Cadre.objects.managed_by(by).filter(pk=cadre.pk).exists()
    else:
        in_scope = OrgUnit.objects.managed_by(by).filter(pk=org_unit.pk).exists()
    if not in_scope:
        raise ValidationError(_("You can assign only within the org units you manage."))

    target = {"cadre": cadre} if cadre is not None else {"org_unit": org_unit}
    try:
        with transaction.atomic():
            assignment, created = Assignment.objects.get_or_create(
                module=module, **target, defaults={"due_on": due_on, "assigned_by": by}
            )
            if created:
                audit.record(by, assignment, audit.ADDITION, [{"added": {}}])
    except IntegrityError:
        assignment, created = Assignment.objects.get(module=module, **target), False
    return assignment, created


def cadre_move(*, cadre: Cadre, org_unit: OrgUnit) -> Cadre:
    """Move a cadre to another org unit. Assignments of the new unit (and above)
    reach them at once; their completions stay theirs."""
    cadre.org_unit = org_unit
    cadre.save(update_fields=["org_unit", "updated_at"])
    return cadre


def claim_submit(
    *, cadre: Cadre, claim: TrainingClaim, clashes_confirmed: bool = False
) -> TrainingClaim:
    """Record ``claim`` (validated, unsaved) as ``cadre``'s, waiting for approval.

    Refuses hours over the daily bound (``TrainingClaim.max_hours``), and a claim that
    repeats or overlaps another pending or approved claim of the cadre unless the
    cadre confirmed it (``clashes_confirmed``); the audit log then names the others.
    One submission of a cadre at a time (their row is locked), so two at once cannot
    both miss each other."""
    claim.cadre = cadre
    claim.status = TrainingClaim.Status.PENDING
    with transaction.atomic():
        Cadre.objects.select_for_update().filter(pk=cadre.pk).first()
        if claim.over_limit:
            raise ValidationError({"hours": claim.hours_limit_error()})
        clashes = claim.clashes()
        if clashes and not clashes_confirmed:
            raise ValidationError(
                {"confirm": _("This claim repeats or overlaps another: confirm it first.")}
            )
        claim.save()
        message = [{"added": {}}]
        if clashes:
            message = _("Submitted; the cadre confirmed it beside claims %(ids)s.") % {
                "ids": ", ".join(f"#{other.pk}" for other in clashes)
            }
        audit.record(cadre.user, claim, audit.ADDITION, message)
    return claim


def claim_decide(
    *, claim: TrainingClaim, by, approve: bool, reason: str = "", hours=None
) -> TrainingClaim:
    """Approve or reject ``claim`` as ``by``, a trainer who manages the cadre (never the
    cadre themself). A rejection needs a reason; so does an approval that changes the
    hours (``hours``: what to count, the claim's own by default) or of a claim its
    checks flag (``TrainingClaim.flags``: over 8 学时 a day, a duplicate, overlapping
    dates). The reason is kept on the claim and in the audit log. Rejecting a claim
    that was approved, or giving it fewer hours, revokes the cadre's annual
    certificates of its year, in the same transaction. The cadre's stored 学时 of the
    claim's year follow its approval. Deciding the same way twice changes nothing."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Say why the claim is rejected.")})
    with transaction.atomic():
        decidable = TrainingClaim.objects.decidable_by(by).select_for_update()
        claim = decidable.filter(pk=claim.pk).first()
        if claim is None:
            raise ValidationError(_("You can decide only the claims of cadres you manage."))
        old_hours = claim.hours
        hours = old_hours if hours is None or not approve else hours
        if approve and not reason and (needs := claim.approval_needs_reason(hours)):
            raise ValidationError({"reason": needs})
        status = TrainingClaim.Status.APPROVED if approve else TrainingClaim.Status.REJECTED
        if claim.status == status and claim.reason == reason and hours == old_hours:
            return claim
        was_approved = claim.status == TrainingClaim.Status.APPROVED
        if was_approved:
            progress_store.claim_counted(claim, counted=False)
        claim.status = status
        claim.reason = reason
        claim.hours = hours
        claim.decided_by = by
        claim.decided_at = timezone.now()
        claim.save(update_fields=["status", "reason", "hours", "decided_by", "decided_at"])
        if approve:
            progress_store.claim_counted(claim, counted=True)
        if was_approved and not approve:
            certificates.revoke_for_claim(claim)
        elif was_approved and hours < old_hours:
            certificates.revoke_for_claim(claim, because=Certificate.Revocation.CLAIM_CHANGED)
        message = _("Approved") if approve else _("Rejected: %(reason)s") % {"reason": reason}
        if approve and reason:
            message = _("Approved: %(reason)s") % {"reason": reason}
        if hours != old_hours:
            message = _("%(decision)s (study hours %(old)s → %(new)s)") % {
                "decision": message,
                "old": old_hours,
                "new": hours,
            }
        audit.record(by, claim, audit.CHANGE, message)
    return claim


def claim_withdraw(*, cadre: Cadre, pk: int) -> bool:
    """The cadre takes back their own claim while it waits for a decision: it is
    deleted with its file. True if this call deleted it; a decided claim stays."""
    with transaction.atomic():
        claim = (
            TrainingClaim.objects.select_for_update()
            .filter(pk=pk, cadre=cadre, status=TrainingClaim.Status.PENDING)
            .first()
        )
        if claim is None:
            return False
        audit.record(cadre.user, claim, audit.DELETION, _("Withdrawn by the cadre."))
        name = claim.attachment.name
        claim.delete()
        if name:
            storage = claim.attachment.storage
            transaction.on_commit(lambda: storage.delete(name))
    return True
