from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import Cadre, OrgUnit

from .models import Module
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
        fields = ["title", "description", "status"]
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
