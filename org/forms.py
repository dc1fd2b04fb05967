from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from . import imports, usernames
from .models import Cadre, OrgUnit


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


class OrgUnitChoiceField(forms.ModelChoiceField):
    """Org units in tree order, each indented under its parent."""

    def label_from_instance(self, obj):
        return "\u3000" * (obj.depth - 1) + str(obj)


class AccountForm(forms.ModelForm):
    """A new account in one form (the admin's "add account" page): the username, and
    for a cadre their name, org unit, position and category. The password is a
    one-time one the portal makes (org.services.create_account). An account manager
    makes cadres only; a superuser may leave the cadre part empty for an account they
    then give a role."""

    name = Cadre._meta.get_field("name").formfield(required=False, label=_("Name"))
    org_unit = OrgUnitChoiceField(
        label=Cadre._meta.get_field("org_unit").verbose_name,
        queryset=OrgUnit.objects.all(),
        required=False,
        empty_label=_("Choose an org unit"),
    )
    position = Cadre._meta.get_field("position").formfield()
    category = Cadre._meta.get_field("category").formfield()

    class Meta:
        model = get_user_model()
        fields = ("username",)

    def __init__(self, *args, cadre_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.cadre_required = cadre_required
        # What UnicodeUsernameValidator accepts, worded as the import's column guide and
        # row errors word it.
        self.fields["username"].help_text = _(
            "Required. At most 150 characters: letters, digits and @ . + - _ only."
        )
        self.fields["name"].required = self.fields["org_unit"].required = cadre_required
        if not cadre_required:
            self.fields["name"].help_text = _(
                "Leave the name and org unit empty for an account that is not a cadre's."
            )

    def clean_username(self):
        username = self.cleaned_data["username"]
        issue = usernames.problem(username)
        if issue:
            raise forms.ValidationError(issue)
        return username

    def clean(self):
        cleaned = super().clean()
        name, org_unit = cleaned.get("name"), cleaned.get("org_unit")
        if not self.cadre_required and bool(name) != bool(org_unit):
            missing = "org_unit" if name else "name"
            if missing not in self.errors:
                self.add_error(missing, _("A cadre needs both a name and an org unit."))
        return cleaned


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's, with the first box named for what it holds (the one-time password the
    cadre was given, or the current one) and each error under its own box: what the
    password validators say about the new password under 新密码, a mismatch under
    新密码确认 (Django puts both under the confirmation)."""

    def __init__(self, user, *args, one_time=False, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = (
            _("One-time password") if one_time else _("Current password")
        )

    def validate_password_for_user(self, user, password_field_name=None):
        super().validate_password_for_user(user, "new_password1")
