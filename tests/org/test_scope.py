"""Who manages which cadres (``Cadre.objects.managed_by``): a trainer the cadres of
their org units and below, never themself; a superuser everyone but themself; anyone
else nobody. And the query reads the subtree alone, so the database can find it
through the org-unit index."""

import pytest
from django.contrib.auth import get_user_model

from org.models import Cadre

pytestmark = pytest.mark.django_db


def test_a_trainer_manages_the_cadres_of_their_subtree_and_not_themself(
    org, make_cadre, make_trainer
):
    inside = make_cadre(org.township_a)
    at_the_top = make_cadre(org.county)
    make_cadre(org.other_county)
    trainer = make_trainer(org.county)
    Cadre.objects.create(user=trainer, org_unit=org.county, name="培训者本人")
    assert set(Cadre.objects.managed_by(trainer)) == {inside, at_the_top}


def test_a_trainer_of_two_subtrees_manages_both(org, make_cadre, make_trainer):
    a, b = make_cadre(org.township_a), make_cadre(org.other_county)
    make_cadre(org.township_b)
    trainer = make_trainer(org.township_a, org.other_county)
    assert set(Cadre.objects.managed_by(trainer)) == {a, b}


def test_a_cadre_manages_nobody_not_even_themself(org, make_cadre):
    cadre = make_cadre(org.township_a)
    assert not Cadre.objects.managed_by(cadre.user).exists()


def test_a_superuser_manages_everyone_but_themself(org, make_cadre):
    others = {make_cadre(org.township_a), make_cadre(org.other_county)}
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 20)
    Cadre.objects.create(user=admin, org_unit=org.province, name="管理员")
    assert set(Cadre.objects.managed_by(admin)) == others


def test_the_query_is_the_subtree_alone(org, make_trainer):
    """No "or the trainer themself" beside the subtree: with it PostgreSQL scanned
    every cadre of a nation (140 ms a page) instead of the subtree's org units."""
    trainer = make_trainer(org.county)
    sql = str(Cadre.objects.managed_by(trainer).query)
    assert " OR " not in sql
    assert org.county.path in sql
