"""A unit's self-check questions on its admin page: one block per question (an inline of
the unit), its options typed one per line in each language and the right ones named by
number. Nothing here writes: the unit admin hands every question, as data in
``expositions.self_check``'s shape, to ``services.unit_save`` with the unit, so that the
unit, its questions and one version of both are written together."""

import re

from django import forms
from django.contrib import admin
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import self_check
from .models import SelfCheckQuestion

Kind = SelfCheckQuestion.Kind
TRUE_WORDS = {"对", "正确", "是", "√", "✓", "true", "t", "yes", "y"}
FALSE_WORDS = {"错", "错误", "否", "×", "✗", "false", "f", "no", "n"}
TRUE = pgettext_lazy("self-check answer", "True")
FALSE = pgettext_lazy("self-check answer", "False")


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SelfCheckQuestionForm(forms.ModelForm):
    options_zh = forms.CharField(
        label=_("Options (Chinese)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One option per line, in order. None for a true or false question."),
    )
    options_en = forms.CharField(
        label=_("Options (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The same options in English, one per line, or none."),
    )
    answer = forms.CharField(
        label=_("Answer"),
        max_length=40,
        help_text=_(
            "A choice question: the numbers of the right options, e.g. 2, or 1, 3. "
            "A true or false question: 对 (true) or 错 (false)."
        ),
    )

    class Meta:
        model = SelfCheckQuestion
        fields = [
            "order",
            "kind",
            "text_zh_hans",
            "text_en",
            "explanation_zh_hans",
            "explanation_en",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("text_zh_hans", "text_en", "explanation_zh_hans", "explanation_en")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["order"].help_text = _("1, 2, 3: the order cadres answer in.")
        for name in ("text_zh_hans", "explanation_zh_hans"):
            self.fields[name].required = True  # Chinese required, as on the unit
        for name in ("text_en", "explanation_en"):
            self.fields[name].required = False
        question = self.instance
        if question.pk:
            spec = self_check.as_spec(question)
            options = spec.get("options", [])
            self.initial["options_zh"] = "\n".join(o["text_zh"] for o in options)
            self.initial["options_en"] = "\n".join(o["text_en"] for o in options)
            if question.is_true_false:
                self.initial["answer"] = TRUE if spec["correct"] else FALSE
            else:
                right = [str(n) for n, o in enumerate(options, start=1) if o["correct"]]
                self.initial["answer"] = ", ".join(right)
        self.spec = None

    def clean(self):
        """The question as data (``self.spec``), held to ``self_check.problems``."""
        cleaned = super().clean()
        kind = cleaned.get("kind")
        spec = {
            "order": cleaned.get("order"),
            "kind": kind,
            "text_zh": cleaned.get("text_zh_hans") or "",
            "text_en": cleaned.get("text_en") or "",
            "explanation_zh": cleaned.get("explanation_zh_hans") or "",
            "explanation_en": cleaned.get("explanation_en") or "",
        }
        answer = (cleaned.get("answer") or "").strip()
        if kind == Kind.TRUE_FALSE:
            word = answer.lower()
            if word not in TRUE_WORDS | FALSE_WORDS:
                self.add_error("answer", _("Write 对 (true) or 错 (false)."))
                return cleaned
            spec["correct"] = word in TRUE_WORDS
            spec["options"] = _lines(cleaned.get("options_zh"))
        elif kind:
            spec["options"] = self._options(cleaned, answer)
            if spec["options"] is None:
                return cleaned
        if self.errors:
            return cleaned  # a field's own error says it; no second message
        for problem in self_check.problems(spec):
            self.add_error(None, problem)
        self.spec = spec
        return cleaned

    def _options(self, cleaned, answer):
        chinese, english = _lines(cleaned.get("options_zh")), _lines(cleaned.get("options_en"))
        if english and len(english) != len(chinese):
            self.add_error(
                "options_en", _("Write as many English options as Chinese ones, or none.")
            )
            return None
        numbers = {int(n) for n in re.findall(r"\d+", answer)}
        if not numbers or any(not 1 <= n <= len(chinese) for n in numbers):
            self.add_error(
                "answer",
                _("Name the right options by their numbers, from 1 to %(count)s.")
                % {"count": len(chinese)},
            )
            return None
        return [
            {
                "text_zh": text,
                "text_en": english[i] if english else "",
                "correct": i + 1 in numbers,
            }
            for i, text in enumerate(chinese)
        ]

    def validate_unique(self):
        """Two questions may trade their numbers in one save: the service numbers them
        afresh (the formset still refuses one number typed twice)."""


class SelfCheckQuestionInline(admin.StackedInline):
    model = SelfCheckQuestion
    form = SelfCheckQuestionForm
    template = "admin/expositions/question_inline.html"
    extra = 0
    max_num = self_check.MAX_QUESTIONS
    fields = (
        ("order", "kind"),
        ("text_zh_hans", "text_en"),
        ("options_zh", "options_en"),
        "answer",
        ("explanation_zh_hans", "explanation_en"),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).in_order()


def question_specs(formsets):
    """The questions of the unit's page as data, for ``services.unit_save``: every
    question kept (not deleted, not an empty new block), or None when the page has no
    questions inline (the revert page)."""
    for formset in formsets:
        if formset.model is not SelfCheckQuestion:
            continue
        formset.save(commit=False)  # nothing written: the admin's change message reads it
        deleted = set(formset.deleted_forms)
        # An empty new block is never cleaned: its spec stays None.
        return [f.spec for f in formset.forms if f not in deleted and f.spec is not None]
    return None


def version_questions(specs):
    """The questions of the version a revert restores, as the revert page shows them."""
    if specs is None:
        return _("Not recorded in this version: a revert leaves the questions as they are.")
    if not specs:
        return _("None: a revert removes the unit's questions.")
    blocks = (_question_html(spec) for spec in specs)
    return format_html("<ol>{}</ol>", format_html_join("", "<li>{}</li>", blocks))


def _question_html(spec):
    """One question as the revert page lists it: the Chinese, then the English (marked
    ``lang="en"``); its options marked ✓ (right) or ✗."""
    kind = dict(self_check.Kind.choices).get(spec.get("kind"), spec.get("kind"))
    lines = {"zh": [f"{spec.get('order')}（{kind}）{spec.get('text_zh', '')}"], "en": []}
    lines["en"].append(spec.get("text_en", ""))
    if spec.get("kind") == self_check.Kind.TRUE_FALSE:
        lines["zh"].append("✓" if spec.get("correct") else "✗")
    for option in spec.get("options") or []:
        mark = "✓" if option.get("correct") else "✗"
        for language in ("zh", "en"):
            lines[language].append(f"{mark} {option.get(f'text_{language}', '')}")
    for language in ("zh", "en"):
        lines[language].append(spec.get(f"explanation_{language}", ""))
    return (
        format_html(
            '{}<br><span lang="en">{}</span>',
            linebreaksbr("\n".join(lines["zh"])),
            linebreaksbr("\n".join(lines["en"])),
        ),
    )
