"""Notices: read from assignments, progress and claims, less the dismissed ones; the
header's count on every page, at a query count that does not grow."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from training import services
from training.models import TrainingClaim
from training.reminders import notices
from training.reminders.models import Dismissal
from training.reminders.services import nudge

pytestmark = pytest.mark.django_db


def kinds(cadre, today=None):
    return [(n.kind, n.title) for n in notices.notices_for(cadre, today)]


def test_a_new_assignment_is_a_notice(me, org, make_module, assign):
    assign(make_module(title="新模块"), org.county, days=30)
    assert kinds(me) == [("new", "新模块")]


def test_a_due_date_within_seven_days_is_due_soon(me, make_module, assign):
    assign(make_module(title="快到期"), me, days=7)
    assert kinds(me) == [("due_soon", "快到期")]


def test_an_overdue_module_is_overdue_first(me, make_module, assign):
    assign(make_module(title="快到期"), me, days=3)
    assign(make_module(title="已逾期"), me, days=-2)
    found = notices.notices_for(me)
    assert [(n.kind, n.title, n.days) for n in found] == [
        ("overdue", "已逾期", 2),
        ("due_soon", "快到期", 3),
    ]


def test_a_started_module_is_no_longer_new(me, make_module, assign):
    module = make_module()
    assign(module, me, days=30)
    services.completion_record(cadre=me, unit=module.units.first())
    assert kinds(me) == []


def test_an_old_assignment_not_started_is_no_longer_new(me, make_module, assign):
    assign(make_module(), me, days=30)
    assert kinds(me, timezone.localdate() + timedelta(days=notices.NEW_DAYS)) == []


def test_a_finished_module_gives_no_notice_even_overdue(me, make_module, assign):
    module = make_module(n_units=1)
    assign(module, me, days=-5)
    services.completion_record(cadre=me, unit=module.units.get())
    assert kinds(me) == []


def test_a_draft_module_gives_no_notice(me, make_module, assign):
    assign(make_module(status="draft"), me, days=-5)
    assert kinds(me) == []


def test_the_earliest_due_date_of_two_assignments_counts(me, org, make_module, assign):
    module = make_module(title="两次布置")
    assign(module, org.county, days=30)
    assign(module, me, days=-1)
    assert [(n.kind, n.on) for n in notices.notices_for(me)] == [
        ("overdue", timezone.localdate() - timedelta(days=1))
    ]


def test_a_rejected_claim_is_a_notice_until_submitted_again(me, make_claim):
    claim = make_claim(me, status="rejected")
    claim.decided_at, claim.reason = timezone.now(), "证明材料不清楚"
    claim.save()
    found = notices.notices_for(me)
    assert [(n.kind, n.title, n.detail) for n in found] == [
        ("claim_rejected", "培训班", "证明材料不清楚")
    ]
    TrainingClaim.objects.create(
        cadre=me,
        course="培训班",
        organiser="省民政厅",
        kind="training",
        start_on=claim.start_on,
        end_on=claim.end_on,
        hours=claim.hours,
    )
    assert kinds(me) == []


def test_a_pending_or_approved_claim_is_no_notice(me, make_claim):
    make_claim(me, status="pending")
    make_claim(me, status="approved")
    assert kinds(me) == []


def test_a_trainers_reminder_is_a_notice_when_nothing_else_is(me, make_module, assign, make_user):
    module = make_module(title="在学")
    assign(module, me, days=30)
    services.completion_record(cadre=me, unit=module.units.first())
    nudge(cadre_ids=[me.pk], module=module, by=make_user("t"))
    assert kinds(me) == [("nudged", "在学")]


def test_my_study_lists_the_notices_and_the_header_counts_them(my_client, me, make_module, assign):
    assign(make_module(title="已逾期"), me, days=-2)
    assign(make_module(title="快到期"), me, days=3)
    html = my_client.get(reverse("training:my_study"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="notices"' in html
    assert "2 days overdue" in html
    assert "Due in 3 days" in html
    assert '<span class="notice-count" aria-hidden="true">2</span>' in html
    assert "Notices: 2" in html


def test_the_header_count_shows_on_other_pages_too(my_client, me, make_module, assign):
    assign(make_module(), me, days=-2)
    html = my_client.get(reverse("expositions:home")).content.decode()
    assert '<span class="notice-count" aria-hidden="true">1</span>' in html


def test_no_count_and_no_bell_for_a_trainer(client, org, make_trainer):
    client.force_login(make_trainer(org.county))
    html = client.get(reverse("expositions:home")).content.decode()
    assert "header-notices" not in html


def test_dismissing_a_notice_hides_it_and_the_next_state_shows_again(
    my_client, me, make_module, assign
):
    assignment = assign(make_module(), me, days=3)
    [notice] = notices.notices_for(me)
    response = my_client.post(reverse("training:notice_dismiss"), {"key": notice.key})
    assert response.status_code == 302
    assert kinds(me) == []
    my_client.post(reverse("training:notice_dismiss"), {"key": notice.key})  # twice: 404
    assert Dismissal.objects.filter(cadre=me).count() == 1
    # Days later it is overdue: a new notice.
    later = assignment.due_on + timedelta(days=1)
    assert [n.kind for n in notices.notices_for(me, later)] == ["overdue"]


def test_a_key_that_is_not_ones_own_notice_is_404(
    my_client, me, org, make_cadre, make_module, assign
):
    other = make_cadre(org.township_b)
    assign(make_module(), other, days=3)
    [theirs] = notices.notices_for(other)
    response = my_client.post(reverse("training:notice_dismiss"), {"key": theirs.key})
    assert response.status_code == 404
    assert not Dismissal.objects.exists()


def test_dismiss_by_get_goes_back_to_my_study(my_client):
    response = my_client.get(reverse("training:notice_dismiss"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("training:my_study"))


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["expositions:home", "training:my_study"])
def test_the_notices_cost_the_same_queries_for_two_modules_or_twelve(
    my_client, me, org, make_module, make_unit, make_claim, assign, name
):
    units = [make_unit() for _ in range(4)]
    for days in (-3, 40):
        assign(make_module(units=units), me, days=days)
    url = reverse(name)
    my_client.get(url)
    few = _queries(my_client, url)
    for days in range(-5, 5):
        assign(make_module(units=units), org.county if days % 2 else me, days=days)
    claim = make_claim(me, status="rejected")
    claim.decided_at = timezone.now()
    claim.save()
    my_client.get(url)  # the new count kept in the session
    assert _queries(my_client, url) == few


def test_the_header_count_is_read_once_and_kept_in_the_session(
    client, me, make_user, make_module, assign
):
    """A cadre's first page reads the notices (assignments with trainers' reminders, the
    modules' units, rejected claims, returned reflections, dismissals) and keeps the
    count in the session; their next pages cost what they cost a reader who is not a
    cadre."""
    url = reverse("expositions:home")
    client.force_login(make_user("reader"))
    client.get(url)
    reader = _queries(client, url)
    client.force_login(me.user)
    assign(make_module(), me, days=-3)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    # The page's own queries, the five reads, and the session written once (savepoint,
    # UPDATE, release), on top of one more that a session's first page asks.
    assert len(first.captured_queries) == reader + 1 + 5 + 3
    assert _queries(client, url) == reader
    assert client.session[notices.COUNT_KEY][0] == 1


def test_what_the_cadre_does_forgets_the_count_at_once(my_client, me, make_module, assign):
    module = make_module(n_units=1)
    assign(module, me, days=-3)
    home = reverse("expositions:home")
    assert (
        '<span class="notice-count" aria-hidden="true">1</span>'
        in my_client.get(home).content.decode()
    )
    unit = module.units.get()
    my_client.post(reverse("training:completion_mark", args=[unit.slug]))
    assert "notice-count" not in my_client.get(home).content.decode()


def test_a_completion_that_starts_a_module_forgets_the_count(my_client, me, make_module, assign):
    """A new assignment's notice goes when the module is started."""
    module = make_module(n_units=3)
    assign(module, me, days=40)  # due in 40 days: "new", not "due soon"
    home = reverse("expositions:home")
    assert (
        '<span class="notice-count" aria-hidden="true">1</span>'
        in my_client.get(home).content.decode()
    )
    first = module.units.order_by("pk").first()
    my_client.post(reverse("training:completion_mark", args=[first.slug]))
    assert notices.COUNT_KEY not in my_client.session
    assert "notice-count" not in my_client.get(home).content.decode()


def test_a_completion_in_the_middle_of_a_module_keeps_the_count(my_client, me, make_module, assign):
    """Neither started nor finished by it: the module's notice stays, and the next
    page does not read the notices again."""
    module = make_module(n_units=3)
    assign(module, me, days=-3)  # overdue until finished
    first, second, _third = module.units.order_by("pk")
    home = reverse("expositions:home")
    my_client.post(reverse("training:completion_mark", args=[first.slug]))
    my_client.get(home)  # the count read again after the first and kept
    kept = my_client.session[notices.COUNT_KEY]
    my_client.post(reverse("training:completion_mark", args=[second.slug]))
    assert my_client.session[notices.COUNT_KEY] == kept
    assert (
        '<span class="notice-count" aria-hidden="true">1</span>'
        in my_client.get(home).content.decode()
    )


def test_a_completion_that_finishes_a_module_forgets_the_count(
    my_client, me, make_module, make_unit, assign
):
    """Finished counts the units readers can see: a draft among the module's units
    does not keep the notice."""
    from expositions.models import StudyUnit

    units = [make_unit(), make_unit(), make_unit(status=StudyUnit.Status.DRAFT)]
    module = make_module(units=units)
    assign(module, me, days=-3)
    home = reverse("expositions:home")
    my_client.post(reverse("training:completion_mark", args=[units[0].slug]))
    assert "notice-count" in my_client.get(home).content.decode()
    my_client.post(reverse("training:completion_mark", args=[units[1].slug]))
    assert notices.COUNT_KEY not in my_client.session
    assert "notice-count" not in my_client.get(home).content.decode()


def test_what_others_do_shows_in_the_header_within_minutes_and_on_my_study_at_once(
    my_client, me, make_module, assign
):
    home = reverse("expositions:home")
    my_client.get(home)
    assign(make_module(), me, days=-3)  # a trainer assigns meanwhile
    assert "notice-count" not in my_client.get(home).content.decode()
    html = my_client.get(reverse("training:my_study")).content.decode()
    assert '<span class="notice-count" aria-hidden="true">1</span>' in html
    session = my_client.session
    session[notices.COUNT_KEY] = [0, timezone.localdate().isoformat(), 0]  # long ago
    session.save()
    assert (
        '<span class="notice-count" aria-hidden="true">1</span>'
        in my_client.get(home).content.decode()
    )


def test_a_module_with_no_unit_readers_can_see_gives_no_notice(me, make_module, make_unit, assign):
    from expositions.models import StudyUnit

    module = make_module(units=[make_unit(status=StudyUnit.Status.DRAFT)])
    assign(module, me, days=-3)
    assert kinds(me) == []


def test_a_returned_reflection_is_a_notice_until_it_is_revised(
    me, org, make_module, make_unit, assign, make_trainer, my_client
):
    from training import evidence
    from training.models import Module

    unit = make_unit()
    module = make_module(units=[unit], evidence=Module.Evidence.REFLECTION)
    assign(module, org.county, days=30)
    reflection, _done = evidence.reflection_submit(cadre=me, unit=unit, text="学" * 60)
    trainer = make_trainer(org.county)
    evidence.reflection_review(
        reflection=reflection, by=trainer, action=evidence.RETURN, comment="请结合本职工作"
    )
    assert (notices.REFLECTION_RETURNED, unit.title) in kinds(me)
    html = my_client.get(reverse("training:my_study")).content.decode()
    assert "心得已退回" in html and "请结合本职工作" in html
    evidence.reflection_submit(cadre=me, unit=unit, text="学习" * 40)
    assert (notices.REFLECTION_RETURNED, unit.title) not in kinds(me)
