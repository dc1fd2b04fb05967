"""What every form of the portal shares."""

from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

CHOOSE = _("Choose…")


class ChoosePrompt:
    """A select's empty choice reads 请选择 ("Choose…"), not Django's "---------"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            choose_prompt(field)


def choose_prompt(field):
    """The field, its empty choice (if it has one) reading 请选择 ("Choose…")."""
    choices = getattr(field, "choices", None)
    if hasattr(field, "empty_label") and field.empty_label is not None:
        field.empty_label = CHOOSE
    elif choices and list(choices)[:1] == BLANK_CHOICE_DASH:
        field.choices = [("", CHOOSE), *list(choices)[1:]]
    return field
