from decimal import Decimal

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image

from org.models import Cadre, OrgUnit
from portal.forms import CHOOSE, ChoosePrompt

from .models import Module, TrainingClaim
from .progress import STATUSES

MAX_UNITS_PER_MODULE = 100


class ModuleForm(forms.ModelForm):
    """A module's fields and its ordered units.

    The builder posts ``units`` once per chosen unit, in the order cadres should read
    them (training.builder keeps that list while units are added, removed and moved,
    with or without JavaScript).
    """

    class Meta:
        model = Module
        fields = ["title", "description", "status", "evidence"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, available_units, **kwargs):
        typed = kwargs.get("initial") or {}  # what the builder carried back, if anything
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and not typed:
            # A new module is a draft until its trainer makes it active: nobody can be
            # assigned a module that is still being put together.
            self.initial["status"] = Module.Status.DRAFT
        self.available_units = list(available_units)
        self.current = []
        if self.instance.pk:
            self.current = list(
                self.instance.module_units.order_by("position").values_list("unit_id", flat=True)
            )
        self.ordered_units = []
        # Left out of a post (an older page, a script): the module's rule stays.
        self.fields["evidence"].required = False

    def clean_evidence(self):
        return self.cleaned_data.get("evidence") or self.instance.evidence

    @property
    def units_changed(self):
        """Did the chosen units or their order change (after ``is_valid``)?"""
        return self.current != [unit.pk for unit in self.ordered_units]

    def clean(self):
        cleaned = super().clean()
        by_id = {str(u.pk): u for u in self.available_units}
        chosen = self.data.getlist("units")
        unknown = [c for c in chosen if c not in by_id]
        if unknown:
            raise forms.ValidationError(
                _("These study units are not there: %(ids)s."), params={"ids": ", ".join(unknown)}
            )
        if not chosen:
            raise forms.ValidationError(_("Choose at least one study unit."))
        if len(set(chosen)) != len(chosen):
            raise forms.ValidationError(_("A study unit is in the list twice."))
        if len(chosen) > MAX_UNITS_PER_MODULE:
            raise forms.ValidationError(
                _("A module can have at most %(max)s study units."),
                params={"max": MAX_UNITS_PER_MODULE},
            )
        self.ordered_units = [by_id[unit_id] for unit_id in chosen]
        return cleaned


class AssignForm(forms.Form):
    org_unit = forms.ModelChoiceField(
        label=_("Org unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=CHOOSE,
        help_text=_("Every cadre in it and below it, including those who join later."),
    )
    cadre_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    cadre = forms.CharField(
        label=_("Or one cadre"),
        required=False,
        max_length=150,
        help_text=_("Type part of a name or a username, then choose the cadre from the list."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    due_on = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["org_unit"].queryset = OrgUnit.objects.managed_by(user)
        self.fields["org_unit"].label_from_instance = lambda o: (
            "\u00a0\u00a0" * (o.depth - 1) + o.display_name
        )

    def clean_cadre(self):
        """The cadre chosen in the picker (its id), or, typed without the picker, the
        cadre with that username, or the only one in scope with that name."""
        words = self.cleaned_data["cadre"].strip()
        chosen = self.cleaned_data.get("cadre_id")
        cadres = Cadre.objects.managed_by(self.user).filter(active=True).select_related("org_unit")
        if chosen:
            cadre = cadres.filter(pk=chosen).first()
            if cadre is None:
                raise forms.ValidationError(_("No active cadre with that name in your org units."))
            return cadre
        if not words:
            return None
        cadre = cadres.filter(user__username__iexact=words).first()
        if cadre is not None:
            return cadre
        named = list(
            cadres.filter(name=words).select_related("user").order_by("org_unit__path")[:6]
        )
        if len(named) == 1:
            return named[0]
        if not named:
            raise forms.ValidationError(
                _("No active cadre with that name or username in your org units.")
            )
        namesakes = "; ".join(
            "{} ({})".format(
                c.name, ", ".join(filter(None, [str(c.org_unit), c.position, c.user.username]))
            )
            for c in named
        )
        raise forms.ValidationError(
            _(
                "Several cadres are called %(name)s: %(list)s. "
                "Choose one from the list, or type a username."
            )
            % {"name": words, "list": namesakes}
        )

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date must be today or later."))
        return due_on

    def clean(self):
        cleaned = super().clean()
        if not self.errors and (cleaned.get("org_unit") is None) == (cleaned.get("cadre") is None):
            raise forms.ValidationError(_("Choose either an org unit or one cadre."))
        return cleaned


class ProgressFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            *zip(
                STATUSES,
                [_("Not started"), _("In progress"), _("Complete"), _("Overdue")],
                strict=True,
            ),
        ],
    )
    q = forms.CharField(label=_("Name"), required=False, max_length=100)


# What a claim's file may be, told by its first bytes (never by its name or by the
# Content-Type the browser sent): signature -> (kind, extensions the name may have).
FILE_SIGNATURES = [
    (b"%PDF-", "pdf", {"pdf"}),
    (b"\x89PNG\r\n\x1a\n", "png", {"png"}),
    (b"\xff\xd8\xff", "jpeg", {"jpg", "jpeg"}),
]
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}


def file_kind(upload):
    """ "pdf", "png" or "jpeg" from the file's first bytes, or None."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return next((kind for magic, kind, _names in FILE_SIGNATURES if head.startswith(magic)), None)


class ClaimForm(ChoosePrompt, forms.ModelForm):
    """A cadre's record of training taken elsewhere. The file, if any, must be a PDF,
    PNG or JPEG by its content, named for what it is, and at most 5 MB."""

    class Meta:
        model = TrainingClaim
        fields = ["course", "organiser", "kind", "start_on", "end_on", "hours", "attachment"]
        widgets = {
            "start_on": forms.DateInput(attrs={"type": "date"}),
            "end_on": forms.DateInput(attrs={"type": "date"}),
            "hours": forms.NumberInput(
                attrs={"step": "0.25", "min": "0.25", "inputmode": "decimal"}
            ),
            "attachment": forms.ClearableFileInput(
                attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}
            ),
        }
        help_texts = {
            "hours": _(
                "As the notice or certificate states them; 1 学时 is 45 to 60 minutes of class."
            ),
            "attachment": _(
                "Optional: a PDF, PNG or JPEG of the notice or certificate, at most 5 MB."
            ),
            "end_on": _("The hours count in the year the training ended."),
        }

    confirm = forms.BooleanField(
        label=_("I have checked: this is another training, record it as well"),
        required=False,
    )

    def __init__(self, *args, cadre, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.cadre = cadre
        self.clashes = []  # the cadre's other claims these dates overlap, once checked

    def clean_end_on(self):
        end_on = self.cleaned_data["end_on"]
        if end_on > timezone.localdate():
            raise forms.ValidationError(_("Record training once it has ended."))
        return end_on

    def clean(self):
        """The dates in order, the hours within the daily bound, and, for a claim that
        overlaps or repeats another of the cadre's, their explicit confirmation (the
        checks are the model's: ``TrainingClaim.over_limit`` and ``clashes``)."""
        cleaned = super().clean()
        start_on, end_on = cleaned.get("start_on"), cleaned.get("end_on")
        if start_on and end_on and end_on < start_on:
            self.add_error("end_on", _("The last day cannot be before the first."))
            return cleaned
        if not (start_on and end_on):
            return cleaned
        claim = TrainingClaim(
            cadre=self.instance.cadre,
            course=cleaned.get("course") or "",
            start_on=start_on,
            end_on=end_on,
            hours=cleaned.get("hours"),
        )
        if claim.over_limit:
            self.add_error("hours", claim.hours_limit_error())
        self.clashes = claim.clashes()
        if self.clashes and not cleaned.get("confirm"):
            self.add_error("confirm", clash_error(self.clashes))
        return cleaned

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return upload
        limit = settings.CLAIM_FILE_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; at most %(limit)s is accepted.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        kind = file_kind(upload)
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        names = next((n for _m, k, n in FILE_SIGNATURES if k == kind), set())
        if kind is None or extension not in names:
            raise forms.ValidationError(
                _(
                    "Only a PDF, PNG or JPEG file is accepted, "
                    "named for what it is (.pdf, .png, .jpg)."
                )
            )
        if kind in ("png", "jpeg"):
            try:
                with Image.open(upload) as image:
                    image.verify()
            except Exception:
                raise forms.ValidationError(_("The image cannot be read.")) from None
            finally:
                upload.seek(0)
        return upload


def clash_error(clashes):
    if any(other.duplicate for other in clashes):
        return _(
            "You have already recorded this course on these dates (below). If it is really "
            "another training, tick the box to record it as well."
        )
    return _(
        "These dates overlap training you have already recorded (below). If both are "
        "right, tick the box to record this one as well."
    )


class ClaimDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    hours = forms.DecimalField(
        label=_("Study hours to count"),
        required=False,
        min_value=Decimal("0.25"),
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0.25", "inputmode": "decimal"}),
        help_text=_(
            "What the cadre claimed. Changing them, more than 8 a day, or approving a "
            "flagged claim needs a reason."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed to reject, and to approve a flagged claim or changed hours; the cadre sees it."
        ),
    )

    def __init__(self, *args, claim, **kwargs):
        # The claim's hours as people write them (8, 1.5), not the stored 8.00.
        shown = format(claim.hours.normalize(), "f") if claim.hours is not None else None
        kwargs["initial"] = {"hours": shown, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.claim = claim
        if claim.flags():
            self.fields["reason"].help_text = _(
                "Needed to approve this claim, as its checks flag it, and to reject it; "
                "the cadre sees it."
            )

    def clean(self):
        """A reason to reject, and to approve what the claim's checks flag (the service
        says the same, so the rule holds for every caller)."""
        cleaned = super().clean()
        reason = cleaned.get("reason", "").strip()
        if cleaned.get("decision") == "reject" and not reason:
            self.add_error("reason", _("Say why the claim is rejected."))
        if cleaned.get("hours") is None and "hours" not in self.errors:
            cleaned["hours"] = self.claim.hours  # left empty: the claim's own
        if cleaned.get("decision") == "approve" and "hours" in cleaned and not reason:
            needs = self.claim.approval_needs_reason(cleaned["hours"])
            if needs:
                self.add_error("reason", needs)
        return cleaned


FORMATS = [("", ""), ("csv", "CSV"), ("xlsx", "Excel")]


class HoursFilterForm(forms.Form):
    """The hours page's filters, read from the query string: one of the last years, an
    org unit of the trainer's tree, a category, one of the requirements, and an export
    format. Anything else is refused (the page answers 404, as for an id that is not
    there)."""

    year = forms.TypedChoiceField(coerce=int, required=False)
    org = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), required=False)
    category = forms.ChoiceField(choices=[("", ""), *Cadre.Category.choices], required=False)
    requirement = forms.TypedChoiceField(coerce=int, required=False)
    format = forms.ChoiceField(
        choices=[("", ""), ("csv", "CSV"), ("xlsx", "Excel")], required=False
    )
    page = forms.CharField(required=False)  # read by the paginator

    def __init__(self, data, *, user, years, requirements):
        super().__init__(data)
        self.fields["year"].choices = [(y, y) for y in years]
        self.fields["org"].queryset = OrgUnit.objects.managed_by(user)
        self.fields["requirement"].choices = [(r.pk, r.pk) for r in requirements]
        self.requirements = {r.pk: r for r in requirements}

    def clean_requirement(self):
        pk = self.cleaned_data["requirement"]
        return self.requirements[pk] if pk not in (None, "") else None
