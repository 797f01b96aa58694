"""The scenario pages: make one in a few clicks, see its portfolio, plan it, compare, export."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.valuechain.charts.plotly_check import assert_plotly_accepts, page_figure
from valuechain import models as m


@pytest.mark.django_db
def test_an_executive_makes_a_budget_cut_compares_and_downloads(
    shared_pair, exec_user, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for(exec_user)
    page = client.get("/scenarios/")
    assert page.status_code == 200 and "Budget -30 %" in page.content.decode()
    answer = client.post("/scenarios/", {"name": "Budget -30 %", "budget_change": "-30"})
    assert answer.status_code == 302
    scenario = m.Scenario.objects.get()
    detail = client.get(answer["Location"]).content.decode()
    assert "Nothing is worth funding in this scenario." in detail
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            f"/scenarios/{scenario.pk}/roadmap/start/",
            {"quarters": 4, "start": "2027Q1"},
        )
    assert started.status_code == 302
    compare = client.get(f"/scenarios/compare/?s={scenario.pk}&s=live")
    text = compare.content.decode()
    assert compare.status_code == 200 and "Live plan" in text and "changed" in text
    workbook = client.get(f"/scenarios/{scenario.pk}/export.xlsx")
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.content))
    assert {"portfolio", "roadmap", "cash", "people", "break_even", "tornado"} <= set(
        book.sheetnames
    )


@pytest.mark.django_db
def test_the_roadmap_shows_its_charts_and_tables(
    shared_pair, pm_user, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for(pm_user)
    client.post("/scenarios/", {"name": "Plan"})
    scenario = m.Scenario.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/scenarios/{scenario.pk}/roadmap/start/",
            {"quarters": 4, "start": "2027Q1"},
        )
    text = client.get(f"/scenarios/{scenario.pk}/").content.decode()
    for part in ("roadmap-by-idea", "roadmap-by-asset", "roadmap-cash", "roadmap-capacity"):
        assert f'id="{part}"' in text
        assert_plotly_accepts(page_figure(text, part))
    assert "Customer 360" in text and "Plan NPV" in text
    csv = client.get(f"/scenarios/{scenario.pk}/export/cash.csv")
    assert csv.status_code == 200 and csv.content.decode().startswith("quarter,one_off")


@pytest.mark.django_db
def test_names_that_look_like_formulas_stay_text_in_the_workbook(
    shared_pair, pm_user, client_for
) -> None:
    m.Idea.objects.filter(pk=shared_pair.churn.pk).update(title="=HYPERLINK(1)")
    client = client_for(pm_user)
    client.post("/scenarios/", {"name": "Plan"})
    scenario = m.Scenario.objects.get()
    book = load_workbook(io.BytesIO(client.get(f"/scenarios/{scenario.pk}/export.xlsx").content))
    titles = [row[1] for row in book["portfolio"].iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(1)" in titles


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [({"name": ""}, "name"), ({"name": "x", "budget": "-5"}, "budget"),
     ({"name": "x", "more_overrides": "[{"}, "more_overrides"),
     ({"name": "x", "benefit_idea": "99999999999999999999999", "benefit_multiply": "2"},
      "benefit_idea"),
     ({"name": "x", "more_overrides": "[" * 5000 + "]" * 5000}, "more_overrides"),
     ({"name": "x", "more_overrides": '[{"target": "idea", "id": 1, "field": "benefit", '
       '"multiply": NaN}]'}, "more_overrides"),
     ({"name": "x", "more_overrides": '[{"target": "role", "id": 99999, "field": "day_rate", '
       '"multiply": 2}]'}, "more_overrides")],
)  # fmt: skip
def test_bad_form_input_is_a_400_and_writes_nothing(
    shared_pair, pm_user, client_for, data, field
) -> None:
    answer = client_for(pm_user).post("/scenarios/", data)
    assert answer.status_code == 400
    assert not m.Scenario.objects.exists()


@pytest.mark.django_db
def test_compare_needs_two_to_four(shared_pair, pm_user, client_for) -> None:
    client = client_for(pm_user)
    assert client.get("/scenarios/compare/?s=live").status_code == 400
    assert client.get("/scenarios/compare/?s=live&s=abc").status_code == 400
    assert client.get("/scenarios/compare/?s=live&s=99999").status_code == 400
    assert client.get("/scenarios/compare/?s=live&s=%C2%B2").status_code == 400
    assert client.get("/scenarios/compare/?s=live&s=live").status_code == 400


@pytest.mark.django_db
def test_the_list_page_costs_a_constant_number_of_queries(
    shared_pair, pm_user, client_for, django_assert_max_num_queries
) -> None:
    client = client_for(pm_user)
    m.Scenario.objects.create(name="one")
    with django_assert_max_num_queries(12):
        assert client.get("/scenarios/").status_code == 200
    for n in range(30):
        m.Scenario.objects.create(name=f"s{n}", created_by=pm_user)
    with django_assert_max_num_queries(12):
        assert client.get("/scenarios/").status_code == 200


@pytest.mark.django_db
def test_starting_a_roadmap_from_the_page_with_htmx_answers_the_panel(
    shared_pair, pm_user, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for(pm_user)
    client.post("/scenarios/", {"name": "Plan"})
    scenario = m.Scenario.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"/scenarios/{scenario.pk}/roadmap/start/",
            {"quarters": 4, "start": "2027Q1"},
            HTTP_HX_REQUEST="true",
        )
    assert answer.status_code == 200
    bad = client.post(
        f"/scenarios/{scenario.pk}/roadmap/start/",
        {"quarters": 4, "start": "soon"},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 400 and "not a quarter" in bad.content.decode()


@pytest.mark.django_db
def test_each_roles_capacity_is_set_on_the_page(
    shared_pair, pm_user, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for(pm_user)
    client.post("/scenarios/", {"name": "Plan"})
    scenario = m.Scenario.objects.get()
    role = m.Role.objects.order_by("id").first()
    assert f'name="role_{role.pk}"' in client.get(f"/scenarios/{scenario.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/scenarios/{scenario.pk}/roadmap/start/",
            {"quarters": 2, "start": "2027Q1", f"role_{role.pk}": 7},
        )
    run = m.RoadmapRun.objects.get()
    mine = [r for r in run.params["capacity"] if r["role"] == role.pk]
    assert [r["person_days"] for r in mine] == [7, 7]
    assert run.result is not None
    people = [p for p in run.result["people"] if p["role"] == role.pk]
    assert all(p["capacity"] == 7 and p["needed"] <= 7 for p in people)
