"""Scenarios: overrides change only what they name, in memory; the live data stays as it was."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.factories import RoleFactory
from valuechain import models as m
from valuechain.scenarios import reports, services
from valuechain.scenarios.evaluate import Inputs, Params, evaluate


def snapshot() -> list[tuple]:
    rows = list(
        m.Idea.objects.order_by("id").values_list("benefit_likely", "probability_of_success")
    )
    rows += list(m.CuratedDataset.objects.order_by("id").values_list("build_likely", "feasibility"))
    rows += list(m.Role.objects.order_by("id").values_list("day_rate"))
    return rows


@pytest.mark.django_db
def test_overrides_leave_the_live_data_untouched(shared_pair, pm_user) -> None:
    before = snapshot()
    live = reports.portfolio(None)
    scenario = services.create_scenario(
        name="Churn halved",
        overrides=[
            {"target": "idea", "id": shared_pair.churn.pk, "field": "benefit", "multiply": 0.5},
            {"target": "asset", "asset_type": "curated_dataset", "id": shared_pair.dataset.pk,
             "field": "build", "value": 50_000},
        ],
        user=pm_user,
    )  # fmt: skip
    reports.portfolio(scenario)
    reports.sensitivity(scenario)
    assert snapshot() == before
    assert reports.portfolio(None) == live


@pytest.mark.django_db
def test_an_override_changes_only_what_it_names(shared_pair) -> None:
    inputs = Inputs.read()
    live_ideas, live_catalogue, _ = inputs.priced(Params.live())
    params = Params.of(
        services.create_scenario(
            name="Cheaper dataset",
            overrides=[{"target": "asset", "asset_type": "curated_dataset",
                        "id": shared_pair.dataset.pk, "field": "build", "multiply": 0.5}],
        )
    )  # fmt: skip
    ideas, catalogue, _ = inputs.priced(params)
    changed = [k for k in catalogue if catalogue[k] != live_catalogue[k]]
    assert [(k[0].value, k[1]) for k in changed] == [("curated_dataset", shared_pair.dataset.pk)]
    assert catalogue[changed[0]].build.mean == pytest.approx(50_000)
    assert ideas == live_ideas
    # Cheaper shared data: the pair pays more than in the live plan.
    assert evaluate(params, inputs).as_dict()["total_npv"] == pytest.approx(
        evaluate(Params.live(), inputs).as_dict()["total_npv"] + 50_000
    )


@pytest.mark.django_db
def test_a_budget_cut_drops_the_pair_and_forcing_keeps_an_idea_in(shared_pair) -> None:
    live = reports.portfolio(None)
    assert sorted(live["selected"]) == sorted([shared_pair.churn.pk, shared_pair.upsell.pk])
    cut = services.create_scenario(name="Budget -30 %", budget_change=-30)
    assert cut.budget == pytest.approx(0.7 * live["one_off_investment"])
    assert reports.portfolio(cut)["selected"] == []
    forced = services.create_scenario(name="Forced", force_include=[shared_pair.churn.pk])
    assert shared_pair.churn.pk in reports.portfolio(forced)["selected"]


@pytest.mark.django_db
def test_a_day_rate_override_prices_person_days_again(shared_pair) -> None:
    role = RoleFactory(name="Scenario test engineer", day_rate=1000)
    m.CuratedDataset.objects.filter(pk=shared_pair.dataset.pk).update(
        build_low=100, build_likely=100, build_high=100, build_days_role=role
    )
    scenario = services.create_scenario(
        name="Dearer engineers",
        overrides=[{"target": "role", "id": role.pk, "field": "day_rate", "multiply": 1.2}],
    )
    live = reports.portfolio(None)
    dearer = reports.portfolio(scenario)
    assert dearer["one_off_investment"] == pytest.approx(live["one_off_investment"] + 20_000)
    assert m.Role.objects.get(pk=role.pk).day_rate == 1000


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x", "budget": -1.0}, "budget"),
        ({"name": "x", "discount_rate": 2.0}, "discount_rate"),
        ({"name": "x", "force_include": [999_999]}, "force_include"),
        ({"name": "x", "overrides": [{"target": "idea", "id": 1, "field": "colour", "value": 1}]},
         "overrides"),
        ({"name": "x", "overrides": [{"target": "role", "id": 999_999, "field": "day_rate",
                                      "multiply": 2}]}, "overrides"),
        ({"name": "x", "overrides": [{"target": "asset", "id": 1, "field": "build",
                                      "multiply": 2}]}, "overrides"),
        ({"name": "x", "budget": 1.0, "budget_change": -30.0}, "budget_change"),
    ],
)  # fmt: skip
def test_bad_input_names_the_field_and_writes_nothing(shared_pair, fields, field) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_scenario(**fields)
    assert field in caught.value.message_dict
    assert not m.Scenario.objects.exists()


@pytest.mark.django_db
def test_sensitivity_finds_the_break_even_benefit(shared_pair) -> None:
    scenario = services.create_scenario(name="As is")
    found = reports.sensitivity(scenario)
    rows = {row["idea"]: row for row in found["break_even"]}
    # Churn earns 80k of PV alone, pays its 10k feature; the 100k dataset is shared.
    churn = rows[shared_pair.churn.pk]
    assert churn["break_even_benefit"] == pytest.approx(churn["benefit"] * 10_000 / 80_000)
    tornado = found["tornado"]
    assert tornado[0]["name"] == "Customer 360"
    assert tornado[0]["feasibility_swing"] > 0


@pytest.mark.django_db
def test_each_idea_has_its_roi_report_in_the_scenario(shared_pair) -> None:
    halved = services.create_scenario(
        name="Churn halved",
        overrides=[{"target": "idea", "id": shared_pair.churn.pk, "field": "benefit",
                    "multiply": 0.5}],
    )  # fmt: skip
    live = {r["idea"]: r for r in reports.portfolio(None)["roi_reports"]}
    mine = {r["idea"]: r for r in reports.portfolio(halved)["roi_reports"]}
    # Alone, churn pays its feature and the whole dataset: 80k - 110k; halved, 40k - 110k.
    assert live[shared_pair.churn.pk]["npv"] == pytest.approx(-30_000, abs=1)
    assert mine[shared_pair.churn.pk]["npv"] == pytest.approx(-70_000, abs=1)
    assert mine[shared_pair.upsell.pk] == live[shared_pair.upsell.pk]
