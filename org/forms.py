from django import forms
from django.utils.translation import gettext_lazy as _

from . import imports
from .models import Cadre


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file lists"),
        choices=[(imports.CADRES, _("Cadres")), (imports.ORG_UNITS, _("Org units"))],
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A .csv (UTF-8 or GB18030) or .xlsx file with a header row, like the template."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class AdminImportForm(forms.Form):
    """The admin's import page: the kind is the page's model."""

    file = ImportForm.base_fields["file"]


class IssuePasswordsForm(forms.Form):
    """Which of the cadres awaiting a password get one now: only those the trainer
    imported and who never signed in can be chosen (anything else is refused whole)."""

    cadres = forms.ModelMultipleChoiceField(
        label=_("Cadres"),
        queryset=Cadre.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one cadre."),
            "invalid_choice": _("One of the cadres chosen can no longer be given a password."),
        },
    )

    def __init__(self, *args, trainer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadres"].queryset = (
            Cadre.objects.awaiting_password(trainer)
            .select_related("user", "org_unit")
            .order_by("org_unit__path", "name", "pk")
        )
