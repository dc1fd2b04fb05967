"""Random sequences of every kind of write keep the stored totals equal to a recount
(Hypothesis stateful testing), on whichever database the suite runs on: completions
and undos (four at once too), publication, schedules, module units, admin edits,
cadre moves, tags (set in code, saved with a unit, merged, renamed, deleted: through
expositions.services), a unit's 学时 set by an editor, training claims and decisions,
and evidence of study (issue #35): a module's rule changed, self-checks answered right
and wrong (four at once too), the button pressed under a rule, reflections written,
revised, read and returned, a unit's self-check questions edited.

After every step: ``progress_verify.verify()`` finds nothing, each unit's latest version
holds its current tags and questions and its search columns its current text and tags,
every reflection's state is whole, and the progress pages
and My study show what a from-scratch count of the completions says, counting only
the units readers can see at the (simulated) moment.
"""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from expositions import history, search, self_check
from expositions import services as expositions_services
from expositions.models import SelfCheckQuestion, StudyUnit, Tag, tag_search_names
from org.models import Cadre
from org.roles import EDITOR
from tests.conftest import new_claim
from tests.expositions.test_self_check import QUESTIONS
from tests.servers import at_once
from training import evidence, progress_store, progress_verify, services
from training.models import Completion, Module, ModuleUnit, Reflection, TrainingClaim
from training.my_study import my_modules
from training.progress import ModuleProgress

N_UNITS, N_CADRES = 5, 3
unit_index = st.integers(0, N_UNITS - 1)
cadre_index = st.integers(0, N_CADRES - 1)


class Totals(RuleBasedStateMachine):
    def __init__(self, world):
        super().__init__()
        world = world()
        self.org, self.units, self.modules, self.cadres, self.editor, self.clock = world[:6]
        self.trainer = world[6]
        self.tag_names = 0

    def unit(self, i):
        return StudyUnit.objects.get(pk=self.units[i].pk)

    # --- writes ---------------------------------------------------------------------

    @rule(c=cadre_index, u=unit_index)
    def complete(self, c, u):
        unit = self.unit(u)
        if unit.is_published:
            services.completion_record(cadre=self.cadres[c], unit=unit)

    @rule(c=cadre_index, u=unit_index)
    def undo(self, c, u):
        services.completion_undo(cadre=self.cadres[c], unit=self.units[u])

    @rule(c=cadre_index, u=unit_index)
    def undo_four_at_once(self, c, u):
        cadre, unit = self.cadres[c], self.units[u]
        _results, errors = at_once([lambda: services.completion_undo(cadre=cadre, unit=unit)] * 4)
        assert errors == []

    @rule(u=unit_index)
    def publish_or_unpublish(self, u):
        unit = self.unit(u)
        published = unit.status == StudyUnit.Status.PUBLISHED
        unit.status = StudyUnit.Status.DRAFT if published else StudyUnit.Status.PUBLISHED
        expositions_services.unit_save(unit=unit)

    @rule(u=unit_index, hours=st.sampled_from([-1, 1, 2]))
    def reschedule(self, u, hours):
        unit = self.unit(u)
        unit.status = StudyUnit.Status.PUBLISHED
        unit.published_at = self.clock.now() + timedelta(hours=hours)
        expositions_services.unit_save(unit=unit)

    @rule()
    def an_hour_passes(self):
        self.clock.offset += timedelta(hours=1)

    @rule(
        m=st.integers(0, 1), picks=st.lists(unit_index, min_size=1, max_size=N_UNITS, unique=True)
    )
    def module_units_edited(self, m, picks):
        services.module_set_units(module=self.modules[m], units=[self.units[i] for i in picks])

    def completion(self, pick):
        """One of this machine's completions (None when there is none): chosen by a
        number, so that what Hypothesis draws does not depend on the database."""
        completions = list(Completion.objects.filter(cadre__in=self.cadres).order_by("pk"))
        return completions[pick % len(completions)] if completions else None

    @rule(pick=st.integers(0, 50), u=unit_index, days=st.integers(1, 20))
    def admin_edits_a_completion(self, pick, u, days):
        completion = self.completion(pick)
        if completion is None:
            return
        when = timezone.localtime() - timedelta(days=days)
        self.editor.post(
            reverse("admin:training_completion_change", args=[completion.pk]),
            {
                "cadre": completion.cadre_id,
                "unit": self.units[u].pk,
                "completed_at_0": when.date().isoformat(),
                "completed_at_1": when.strftime("%H:%M:%S"),
            },
        )

    @rule(pick=st.integers(0, 50))
    def admin_deletes_a_completion(self, pick):
        completion = self.completion(pick)
        if completion is None:
            return
        url = reverse("admin:training_completion_delete", args=[completion.pk])
        assert self.editor.post(url, {"post": "yes"}).status_code == 302

    @rule(c=cadre_index, township=st.sampled_from(["township_a", "township_b", "other_county"]))
    def cadre_moves(self, c, township):
        services.cadre_move(cadre=self.cadres[c], org_unit=getattr(self.org, township))

    @rule(u=unit_index)
    def tag_added(self, u):
        """A tag added in code (issue #33: its version used to hold no tags)."""
        self.tag_names += 1
        unit = self.unit(u)
        tags = [*unit.tags.all(), f"标签{self.units[0].pk}-{self.tag_names}"]
        expositions_services.unit_tags_set(unit=unit, tags=tags)

    @rule(u=unit_index, keep=st.integers(0, 3))
    def editor_saves_a_unit_with_tags(self, u, keep):
        """An edit and a change of tags in one save, as on the unit's admin page."""
        unit = self.unit(u)
        unit.body_en = f"{unit.body_en} More."
        tags = [t.name for t in unit.tags.order_by("pk")][:keep]
        expositions_services.unit_save(unit=unit, tags=tags)

    @rule(picks=st.lists(st.integers(0, 50), min_size=2, max_size=3, unique=True))
    def tags_merged(self, picks):
        tags = self.tags()
        if len(tags) >= 2:
            expositions_services.tags_merge(tags={tags[p % len(tags)] for p in picks})

    @rule(pick=st.integers(0, 50), delete=st.booleans())
    def tag_renamed_or_deleted(self, pick, delete):
        tags = self.tags()
        if not tags:
            return
        tag = tags[pick % len(tags)]
        if delete:
            expositions_services.tag_delete(tag=tag)
        else:
            self.tag_names += 1  # a name no tag has, in this example or an earlier one
            name = f"{tag.name}改{self.units[0].pk}-{self.tag_names}"
            expositions_services.tag_rename(tag=tag, name=name)

    def tags(self):
        """This machine's tags, in one order."""
        return list(
            Tag.objects.filter(tagged_units__content_object__in=self.units)
            .distinct()
            .order_by("pk")
        )

    @rule(u=unit_index, hours=st.sampled_from([None, "0.5", "1.25", "3"]))
    def editor_sets_a_units_study_hours(self, u, hours):
        unit = self.unit(u)
        unit.study_hours = None if hours is None else Decimal(hours)
        expositions_services.unit_save(unit=unit)

    @rule(
        c=cadre_index,
        kind=st.sampled_from(["training", "online"]),
        hours=st.sampled_from(["4", "7.5"]),
        days_ago=st.sampled_from([0, 400]),
    )
    def cadre_claims_training(self, c, kind, hours, days_ago):
        new_claim(
            self.cadres[c],
            kind=kind,
            hours=hours,
            end_on=timezone.localdate() - timedelta(days=days_ago),
        )

    @rule(pick=st.integers(0, 50), approve=st.booleans())
    def trainer_decides_a_claim(self, pick, approve):
        claims = list(TrainingClaim.objects.filter(cadre__in=self.cadres).order_by("pk"))
        if claims:
            claim = claims[pick % len(claims)]
            services.claim_decide(claim=claim, by=self.trainer, approve=approve, reason="理由")

    # --- evidence of study (issue #35) -----------------------------------------------

    @rule(m=st.integers(0, 1), rule_=st.sampled_from(list(Module.Evidence.values)))
    def module_rule_changes(self, m, rule_):
        Module.objects.filter(pk=self.modules[m].pk).update(evidence=rule_)

    @rule(u=unit_index, n=st.integers(0, 3))
    def editor_sets_a_units_questions(self, u, n):
        expositions_services.unit_save(unit=self.unit(u), questions=QUESTIONS[:n])

    def answers(self, unit, right):
        answers = {}
        for question in SelfCheckQuestion.objects.for_unit(unit):
            if question.is_true_false:
                answers[question.pk] = question.statement_true is right
            else:
                answers[question.pk] = {o.pk for o in question.options.all() if o.correct is right}
        return answers

    @rule(c=cadre_index, u=unit_index, right=st.booleans(), at_once_=st.booleans())
    def cadre_answers_the_self_check(self, c, u, right, at_once_):
        unit, cadre = self.unit(u), self.cadres[c]
        if not unit.is_published or not unit.questions.exists():
            return
        answers = self.answers(unit, right)
        call = lambda: evidence.self_check_submit(cadre=cadre, unit=unit, answers=answers)  # noqa: E731
        results, errors = at_once([call] * 4) if at_once_ else ([call()], [])
        assert errors == []
        assert all(r.passed is right for r in results)

    @rule(c=cadre_index, u=unit_index)
    def cadre_presses_the_button(self, c, u):
        unit, cadre = self.unit(u), self.cadres[c]
        try:
            evidence.completion_request(cadre=cadre, unit=unit)
        except ValidationError:
            return
        assert evidence.missing(cadre, unit, evidence.asked(cadre, unit)) == set()

    @rule(c=cadre_index, u=unit_index, words=st.sampled_from(["一", "二"]))
    def cadre_writes_or_revises_a_reflection(self, c, u, words):
        cadre, unit = self.cadres[c], self.unit(u)
        mine = Reflection.objects.filter(cadre=cadre, unit=unit).first()
        refused = not unit.is_published or (mine is not None and not mine.editable)
        try:
            evidence.reflection_submit(cadre=cadre, unit=unit, text=words * 60)
        except ValidationError:
            assert refused
        else:
            assert not refused

    @rule(pick=st.integers(0, 50), read=st.booleans())
    def trainer_reads_or_returns_a_reflection(self, pick, read):
        reflections = list(Reflection.objects.filter(cadre__in=self.cadres).order_by("pk"))
        if not reflections:
            return
        reflection = reflections[pick % len(reflections)]
        action = evidence.READ if read else evidence.RETURN
        # Only reading one that waits for its revision is refused.
        refused = read and reflection.status == Reflection.Status.RETURNED
        try:
            evidence.reflection_review(
                reflection=reflection, by=self.trainer, action=action, comment="再具体些"
            )
        except ValidationError:
            assert refused
        else:
            assert not refused

    # --- what must hold after every step --------------------------------------------

    @invariant()
    def every_reflection_is_whole(self):
        for reflection in Reflection.objects.filter(cadre__in=self.cadres):
            assert reflection.text == reflection.text.strip() and len(reflection.text) == 60
            if reflection.status != Reflection.Status.SUBMITTED:
                assert reflection.reviewed_by_id == self.trainer.pk and reflection.reviewed_at
            if reflection.status == Reflection.Status.RETURNED:
                assert reflection.comment == "再具体些"

    @invariant()
    def stored_totals_equal_a_recount(self):
        assert progress_verify.verify() == []

    @invariant()
    def each_units_latest_version_and_search_columns_hold_its_tags_and_questions(self):
        """Every path that changes tags or questions writes a complete version (issue
        #33), and the search columns follow the text and the tags. The units, their tags
        and questions and their latest versions are read once for the three checks (4
        queries a step, not 3 a unit)."""
        pks = [u.pk for u in self.units]
        units = StudyUnit.objects.filter(pk__in=pks).prefetch_related("tags", self_check.prefetch())
        latest = {}
        for version in StudyUnit.history.filter(id__in=pks).order_by("id", "-history_id"):
            latest.setdefault(version.id, version)
        for unit in units:
            version = latest.get(unit.pk)
            if version is not None:
                assert version.history_tags == history.tag_snapshot(unit), unit.slug
                assert version.history_questions == self_check.snapshot(unit), unit.slug
            derived = search.document(unit, tag_search_names(unit.tags.all()))
            assert {name: getattr(unit, name) for name in derived} == derived, unit.slug

    @invariant()
    def pages_show_what_the_completions_say(self):
        assert shown(self.modules, self.cadres) == expected(self.modules, self.cadres)


def expected(modules, cadres):
    """{(module, cadre): done} counted from scratch: units readers can see now."""
    visible = set(StudyUnit.objects.published().values_list("pk", flat=True))
    completed = defaultdict(set)
    pairs = Completion.objects.filter(cadre__in=cadres).values_list("cadre_id", "unit_id")
    for cadre_id, unit_id in pairs:
        completed[cadre_id].add(unit_id)
    done = {}
    for module in modules:
        units = set(ModuleUnit.objects.filter(module=module).values_list("unit_id", flat=True))
        for cadre in cadres:
            done[(module.pk, cadre.pk)] = len(completed[cadre.pk] & units & visible)
    return done


def shown(modules, cadres):
    """{(module, cadre): done} as the trainer's progress page and My study show it."""
    done = {}
    for module in modules:
        progress = ModuleProgress(module, list(module.assignments.select_related("org_unit")))
        for cadre in progress.cadres().filter(pk__in=[c.pk for c in cadres]):
            done[(module.pk, cadre.pk)] = cadre.done
    for cadre in cadres:  # the example's own modules only: world() deleted the others
        cadre.refresh_from_db()
        for module in my_modules(cadre):
            assert done[(module.pk, cadre.pk)] == module.done, "My study disagrees"
    return done


class Clock:
    def __init__(self):
        self.real = timezone.now
        self.offset = timedelta()

    def now(self):
        return self.real() + self.offset


@pytest.mark.long
@pytest.mark.django_db(transaction=True)
def test_random_writes_keep_every_total_equal_to_a_recount(
    org, make_unit, make_module, make_cadre, make_user, make_trainer, assign
):
    clock = Clock()

    def world():
        # Each example stands alone: the rows an earlier one made are deleted, and
        # whatever it left wrong is repaired, so Hypothesis can shrink a failure to its
        # own steps. (Kept, they made every check of every later example read them too:
        # 15 examples took 100 s, most of it in the invariants.)
        Module.objects.all().delete()
        Cadre.objects.all().delete()
        StudyUnit.objects.all().delete()
        Tag.objects.all().delete()
        progress_store.rebuild()
        StudyUnit.objects.all().reindex_search()
        units = [make_unit(tags=["民政"]) for _ in range(N_UNITS)]
        for unit in units[:3]:  # a self-check on three of them
            expositions_services.unit_save(unit=unit, questions=QUESTIONS)
        modules = [make_module(units=units[:3]), make_module(units=units[2:])]
        for module in modules:
            assign(module, org.province, days=30)
        cadres = [make_cadre(org.township_a) for _ in range(N_CADRES)]
        editor = Client()
        editor.force_login(make_user(role=EDITOR, is_staff=True))
        trainer = make_trainer(org.province)
        return org, units, modules, cadres, editor, clock, trainer

    with mock.patch("django.utils.timezone.now", clock.now):
        run_state_machine_as_test(
            lambda: Totals(world),
            settings=settings(
                max_examples=15,
                verbosity=__import__("hypothesis").Verbosity.verbose,
                stateful_step_count=25,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
