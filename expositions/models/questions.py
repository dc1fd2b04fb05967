"""Self-check questions (自测题) on a study unit: a few questions on its key points, single
choice, multiple choice or true/false, in Chinese and English, each with an explanation
a reader sees after answering. They are part of the unit: written with it through
``expositions.services.unit_save`` (``questions=``), kept in each of its versions and
restored by a revert (expositions.history). The rules a question must keep, and the
shape it is written and versioned in, are in ``expositions.self_check``."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .content import Bilingual
from .units import StudyUnit


class SelfCheckQuestionQuerySet(models.QuerySet):
    def in_order(self):
        """These questions in the order readers answer them, each with its options in
        order: two queries, whatever their number (also as a ``Prefetch`` of units'
        ``questions``)."""
        return self.order_by("order").prefetch_related(
            models.Prefetch("options", queryset=SelfCheckOption.objects.order_by("order"))
        )

    def for_unit(self, unit):
        """The questions of ``unit``, in order with their options (two queries)."""
        return self.filter(unit=unit).in_order()


class SelfCheckQuestion(Bilingual, models.Model):
    """One question of a unit's self-check. A choice question has options
    (``SelfCheckOption``), of which the right ones are marked; a true/false question has
    none and says whether its statement is true (``statement_true``)."""

    TRANSLATED = ("text", "explanation")

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")

    unit = models.ForeignKey(
        StudyUnit,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("study unit"),
    )
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text = models.TextField(_("question"))
    explanation = models.TextField(_("explanation"))
    statement_true = models.BooleanField(_("the statement is true"), null=True, blank=True)

    objects = SelfCheckQuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("self-check question")
        verbose_name_plural = _("self-check questions")
        ordering = ["unit", "order"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "order"], name="unique_question_order"),
        ]

    def __str__(self):
        return f"{self.order}. {self.text}"

    @property
    def is_true_false(self):
        return self.kind == self.Kind.TRUE_FALSE

    def is_right(self, answer):
        """Is ``answer`` right? A true/false question takes True or False; a choice
        question the set of option pks chosen, which must be exactly the right ones.
        (Options prefetched: no query.)"""
        if self.is_true_false:
            return answer is not None and answer == self.statement_true
        right = {option.pk for option in self.options.all() if option.correct}
        return set(answer or ()) == right


class SelfCheckOption(Bilingual, models.Model):
    """One option of a choice question."""

    TRANSLATED = ("text",)

    question = models.ForeignKey(
        SelfCheckQuestion,
        on_delete=models.CASCADE,
        related_name="options",
        verbose_name=_("self-check question"),
    )
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("option"), max_length=500)
    correct = models.BooleanField(_("right"), default=False)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question", "order"]
        constraints = [
            models.UniqueConstraint(fields=["question", "order"], name="unique_option_order"),
        ]

    def __str__(self):
        return self.text
