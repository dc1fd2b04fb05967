"""Random completions, undos, moves, departures and publication changes, then a recount:
each stored roll-up (training.rollup_snapshots) is the roll-up the page counts live
(Hypothesis stateful testing, beside test_totals_property's machine)."""

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from expositions import services as expositions_services
from expositions.models import StudyUnit
from org.models import Cadre
from training import rollup_snapshots, services
from training.models import Module, RollupRow
from training.progress import ModuleProgress

N_UNITS, N_CADRES = 4, 5
unit_index = st.integers(0, N_UNITS - 1)
cadre_index = st.integers(0, N_CADRES - 1)
PLACES = ("county", "township_a", "township_b", "other_county")


def _rows(rows):
    keys = ("is_self", "percent", *rollup_snapshots.COUNTS)
    return [(r["org_unit"].pk, *(r[k] for k in keys)) for r in rows]


class Snapshots(RuleBasedStateMachine):
    def __init__(self, world):
        super().__init__()
        self.org, self.units, self.modules, self.cadres = world()

    def unit(self, i):
        return StudyUnit.objects.get(pk=self.units[i].pk)

    @rule(c=cadre_index, u=unit_index)
    def complete(self, c, u):
        unit = self.unit(u)
        if unit.is_published:
            services.completion_record(cadre=self.cadres[c], unit=unit)

    @rule(c=cadre_index, u=unit_index)
    def undo(self, c, u):
        services.completion_undo(cadre=self.cadres[c], unit=self.units[u])

    @rule(c=cadre_index, place=st.sampled_from(PLACES))
    def cadre_moves(self, c, place):
        services.cadre_move(cadre=self.cadres[c], org_unit=getattr(self.org, place))

    @rule(c=cadre_index)
    def cadre_leaves_or_returns(self, c):
        cadre = Cadre.objects.get(pk=self.cadres[c].pk)
        Cadre.objects.filter(pk=cadre.pk).update(active=not cadre.active)

    @rule(u=unit_index)
    def publish_or_unpublish(self, u):
        unit = self.unit(u)
        published = unit.status == StudyUnit.Status.PUBLISHED
        unit.status = StudyUnit.Status.DRAFT if published else StudyUnit.Status.PUBLISHED
        expositions_services.unit_save(unit=unit)

    @rule()
    def recounted_then_read_as_counted_now(self):
        rollup_snapshots.recount(threshold=0)
        nodes = rollup_snapshots.big_nodes(0)
        for module in self.modules:
            progress = ModuleProgress(module, list(module.assignments.select_related("org_unit")))
            for node in nodes:
                live = progress.rollup(node, progress.cadres(Cadre.objects.in_subtree(node)))
                stored = rollup_snapshots.stored_rollup(module, node)
                assert _rows(stored[0] if stored else []) == _rows(live), node.code
            assert set(RollupRow.objects.filter(module=module).values_list("node", flat=True)) <= {
                n.pk for n in nodes
            }


@pytest.mark.long
@pytest.mark.django_db
def test_random_writes_then_a_recount_store_the_live_rollup(
    org, make_unit, make_module, make_cadre, assign
):
    def world():
        # Each example starts without the rows an earlier one made: kept, every recount
        # of every later example counted them again.
        Module.objects.all().delete()
        Cadre.objects.all().delete()
        StudyUnit.objects.all().delete()
        units = [make_unit() for _ in range(N_UNITS)]
        modules = [make_module(units=units[:3]), make_module(units=units[1:])]
        assign(modules[0], org.city, days=-1)  # overdue
        assign(modules[1], org.township_a, days=30)
        cadres = [make_cadre(getattr(org, PLACES[i % len(PLACES)])) for i in range(N_CADRES)]
        assign(modules[1], cadres[3], days=-2)  # one by one, elsewhere, overdue
        return org, units, modules, cadres

    run_state_machine_as_test(
        lambda: Snapshots(world),
        settings=settings(
            max_examples=20,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
