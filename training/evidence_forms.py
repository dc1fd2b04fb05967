"""The forms of evidence of study (training.evidence): a unit's self-check, a cadre's
reflection, a trainer's review of one, and the filters of a module's reflections."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from expositions.models import SelfCheckQuestion, StudyUnit
from org.models import OrgUnit
from portal.params import parse_id

from . import evidence
from .models import Reflection

ANSWER_REQUIRED = _("Answer this question.")
ALL = _("All")
TRUE_FALSE = [
    ("true", pgettext_lazy("self-check answer", "True")),
    ("false", pgettext_lazy("self-check answer", "False")),
]


class SelfCheckForm(forms.Form):
    """One field per question (``q<pk>``), labelled with the question in the reader's
    language: radio buttons for single choice and true or false, tick boxes for
    multiple choice. Every question must be answered."""

    def __init__(self, questions, *args, **kwargs):
        kwargs.setdefault("auto_id", "self-check-%s")
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"q{question.pk}"] = self._field(question)

    @staticmethod
    def _field(question):
        errors = {"required": ANSWER_REQUIRED}
        if question.kind == SelfCheckQuestion.Kind.TRUE_FALSE:
            return forms.ChoiceField(
                label=question.text,
                choices=TRUE_FALSE,
                widget=forms.RadioSelect,
                error_messages=errors,
            )
        choices = [(str(option.pk), option.text) for option in question.options.all()]
        if question.kind == SelfCheckQuestion.Kind.MULTIPLE:
            return forms.MultipleChoiceField(
                label=question.text,
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                error_messages=errors,
                help_text=_("Tick every right answer."),
            )
        return forms.ChoiceField(
            label=question.text, choices=choices, widget=forms.RadioSelect, error_messages=errors
        )

    def answers(self):
        """{question pk: True/False, or the set of option pks chosen} (after is_valid)."""
        found = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if question.kind == SelfCheckQuestion.Kind.TRUE_FALSE:
                found[question.pk] = {"true": True, "false": False}.get(value)
            else:
                chosen = value if isinstance(value, list) else [value]
                found[question.pk] = {int(pk) for pk in chosen if pk}
        return found

    def rows(self, marks=None):
        """(bound field, question, mark or None) for each question, in order."""
        marked = {m.question.pk: m for m in marks or []}
        return [(self[f"q{q.pk}"], q, marked.get(q.pk)) for q in self.questions]


class ReflectionForm(forms.Form):
    text = forms.CharField(
        label=_("Your reflection (学习心得)"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write your reflection.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted here, in the language of the page (not once, when the module loads).
        self.fields["text"].help_text = gettext(
            "A few sentences on what this unit means for your own work: %(min)s to %(max)s "
            "characters. Only you and the trainers who manage your org unit read it."
        ) % {"min": Reflection.MIN_CHARACTERS, "max": Reflection.MAX_CHARACTERS}

    def clean_text(self):
        text = self.cleaned_data["text"]
        problem = evidence.reflection_problem(text)
        if problem:
            raise forms.ValidationError(problem)
        return text


class ReflectionReviewForm(forms.Form):
    action = forms.ChoiceField(
        label=_("What you do"),
        choices=[
            (evidence.READ, _("Mark it read: the cadre can no longer change it")),
            (evidence.RETURN, _("Return it with a comment: the cadre may revise it")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose to mark it read or to return it.")},
    )
    comment = forms.CharField(
        label=_("Your comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to return it; the cadre sees it."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == evidence.RETURN and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say what to revise: the cadre sees your comment."))
        return cleaned


class ReflectionFilterForm(forms.Form):
    """The filters of a module's reflections: one of its units, an org unit of the
    trainer's tree. Anything else is refused (the page answers 404)."""

    unit = forms.ModelChoiceField(
        label=_("Study unit"), queryset=StudyUnit.objects.none(), required=False, empty_label=ALL
    )
    org = forms.ModelChoiceField(
        label=_("Org unit"), queryset=OrgUnit.objects.none(), required=False, empty_label=ALL
    )
    page = forms.CharField(required=False, widget=forms.HiddenInput)  # read by the paginator

    def __init__(self, data, *, module, user):
        super().__init__(data)
        self.fields["unit"].queryset = StudyUnit.objects.filter(
            module_units__module=module
        ).order_by("module_units__position")
        self.fields["unit"].label_from_instance = lambda unit: unit.title
        managed = OrgUnit.objects.managed_by(user)
        self.fields["org"].queryset = managed
        # Any org unit of the tree is accepted; the list offers the top ones and one step
        # down (a province's tree is 1,500 org units: too many to pick from), and the
        # one chosen.
        roots = list(OrgUnit.objects.scope_roots(user))
        near = Q(pk__in=[r.pk for r in roots])
        for root in roots:
            near |= Q(path__startswith=root.path, depth=root.depth + 1)
        chosen = parse_id(self.data.get("org"))
        if chosen is not None:
            near |= Q(pk=chosen)
        self.fields["org"].widget.choices = [("", ALL)] + [
            (o.pk, "\u00a0\u00a0" * (o.depth - roots[0].depth if roots else 0) + o.display_name)
            for o in managed.filter(near).order_by("path")
        ]

    def filter(self, reflections):
        unit, org = self.cleaned_data.get("unit"), self.cleaned_data.get("org")
        if unit is not None:
            reflections = reflections.filter(unit=unit)
        if org is not None:
            reflections = reflections.filter(cadre__org_unit__path__startswith=org.path)
        return reflections
