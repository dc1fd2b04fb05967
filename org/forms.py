from django import forms
from django.utils.translation import gettext_lazy as _

from . import imports


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
