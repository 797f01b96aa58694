"""`manage.py load_demo`: a believable company, the same after every run."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import RequestFactory

from tests.engine import reference
from tests.engine.test_batch import assert_same_report
from valuechain import mappers
from valuechain import models as m
from valuechain.demo import DEMO_PASSWORD
from valuechain.engine import stakeholders
from valuechain.figures import store
from valuechain.ideas import selectors
from valuechain.platform.roles import DATA_LEADS, EXECUTIVES, PRODUCT_MANAGERS

pytestmark = pytest.mark.django_db

MODELS = (
    User,
    m.Feature,
    m.CuratedDataset,
    m.RawSource,
    m.AcquisitionOption,
    m.Idea,
    m.Need,
    m.StakeholderAssignment,
    m.Role,
    m.TierProfile,
)


def _snapshot() -> dict[str, object]:
    """Every demo row with its fields and lineage, to compare two runs."""
    state: dict[str, object] = {
        model.__name__: sorted(
            tuple(
                sorted(
                    (k, str(v))
                    for k, v in row.items()
                    if k not in ("updated_at", "password", "last_login")
                )
            )
            for row in model._default_manager.values()
        )
        for model in MODELS
    }
    state["feature lineage"] = sorted(
        m.Feature.curated_datasets.through.objects.values_list("feature_id", "curateddataset_id")
    )
    state["curated lineage"] = sorted(
        m.CuratedDataset.raw_sources.through.objects.values_list(
            "curateddataset_id", "rawsource_id"
        )
    )
    state["groups"] = sorted(User.groups.through.objects.values_list("user_id", "group_id"))
    return state


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo() -> str:
    return _load()


def test_running_twice_gives_the_same_data(demo):
    first = _snapshot()
    _load()
    assert _snapshot() == first


def test_running_again_repairs_an_edited_demo_row(demo):
    idea = m.Idea.objects.get(title="Payment fraud scoring")
    idea.probability_of_success = 0.01
    idea.save()
    m.Need.objects.filter(idea=idea).first().delete()  # type: ignore[union-attr]
    _load()
    idea.refresh_from_db()
    assert idea.probability_of_success == 0.7
    assert idea.needs.count() == 4


def test_the_company_is_big_enough_to_explore(demo):
    assert m.Feature.objects.count() >= 30
    assert m.CuratedDataset.objects.count() >= 12
    assert m.RawSource.objects.count() >= 10
    assert m.AcquisitionOption.objects.count() >= 5
    assert m.Idea.objects.count() == 12
    assert "12 ideas" in demo
    # lineage is filled in: every feature and curated dataset has an input
    assert not m.Feature.objects.filter(curated_datasets=None).exists()
    assert not m.CuratedDataset.objects.filter(raw_sources=None).exists()
    assert not m.RawSource.objects.filter(available=False, acquisition_option=None).exists()
    # some estimates are in person-days of a seeded role
    assert m.Feature.objects.exclude(build_days_role=None).exists()
    assert m.Need.objects.exclude(engineering_days_role=None).exists()
    assert set(m.Role.objects.values_list("name", flat=True)) >= {
        "Data scientist",
        "ML engineer",
        "Analytics engineer",
        "Data engineer",
        "Software engineer",
    }
    assert m.Role.objects.count() == 5  # the seeded ones, no duplicates


def test_every_demo_idea_has_a_report_and_together_they_tell_the_story(demo):
    rows = list(selectors.ideas())
    reports = selectors.roi_reports(rows)
    assert len(reports) == 12
    assert {r.tier for r in reports.values()} == {1, 2, 3, 4}
    # positive at tier 1
    assert any(r.ladder[0].npv > 0 for r in reports.values())
    # ROI turns negative further upstream, after positive steps
    assert any(r.negative_from_tier in (3, 4) and r.ladder[0].npv > 0 for r in reports.values())
    # stopping before the top tier is best for at least one idea
    assert any(r.best_stop_tier is not None and r.best_stop_tier < r.tier for r in reports.values())
    # a spread of headline verdicts
    assert any(r.npv > 0 for r in reports.values())
    assert any(r.npv < 0 for r in reports.values())


def _log_in(username: str, password: str) -> User | None:
    """As the login page does: with the request, which the lockout backend requires."""
    request = RequestFactory().post("/login/", REMOTE_ADDR="127.0.0.1")
    return authenticate(request=request, username=username, password=password)


def test_demo_users_log_in_with_the_demo_password_in_their_groups(demo):
    expected = {
        "pm": PRODUCT_MANAGERS,
        "pm2": PRODUCT_MANAGERS,
        "lead": DATA_LEADS,
        "exec": EXECUTIVES,
    }
    for username, group in expected.items():
        user = _log_in(username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert not user.is_staff
    admin = _log_in(username="admin", password=DEMO_PASSWORD)
    assert admin is not None and admin.is_staff and admin.is_superuser
    assert set(m.Idea.objects.values_list("owner__username", flat=True)) == {"pm", "pm2"}


def test_the_demo_password_is_set_again_on_every_run(demo):
    pm = User.objects.get(username="pm")
    pm.set_password("changed")
    pm.save()
    _load()
    assert _log_in(username="pm", password=DEMO_PASSWORD) is not None


def test_stakeholder_assignments_leave_some_gaps(demo):
    default_roles = {
        profile.tier: [role.pk for role in profile.default_roles.all()]
        for profile in m.TierProfile.objects.prefetch_related("default_roles")
    }
    reports = selectors.roi_reports(list(selectors.ideas()))
    gaps = {}
    for idea in m.Idea.objects.prefetch_related("stakeholders"):
        assigned = [(a.tier, a.role_id) for a in idea.stakeholders.all()]
        gaps[idea.title] = stakeholders.stakeholder_gaps(
            reports[idea.pk].tier, default_roles, assigned
        )
    assert gaps["Homepage personalisation"] == []
    assert any(gaps.values())
    assert m.StakeholderAssignment.objects.count() > 10


def test_batch_and_one_by_one_reports_agree_on_the_demo(demo, monkeypatch):
    rows = selectors.ideas()
    monkeypatch.setattr(store, "BATCH_FROM", 1)
    batched = store.compute(rows)
    monkeypatch.setattr(store, "BATCH_FROM", 10**9)
    one_by_one = store.compute(rows)
    assert batched.keys() == one_by_one.keys()
    for idea_id, report in one_by_one.items():
        assert_same_report(batched[idea_id], report)


def test_every_demo_idea_follows_the_design_to_the_letter(demo):
    rows = list(selectors.ideas())
    reports = selectors.roi_reports(rows)
    rates = mappers.day_rates()
    catalogue = mappers.load_catalogue(rates)
    for idea in mappers.ideas_to_engine(rows, rates):
        reference.assert_matches(reports[idea.id], reference.report(idea, catalogue))


def test_churn_early_warning_worked_by_hand(demo):
    """Seeded day rates: data scientist 900, analytics engineer 800, data engineer 850.

    Tier 1, three available features, engineering in data-scientist days:
      recency (1, 2, 3) = 2, frequency (1, 2, 3) = 2, value (1, 2, 4) = 13/6 days
      C0 = (2 + 2 + 13/6) x 900 = 5,550; nothing charged, p = 0.65
      benefit (60k, 90k, 150k) -> 95,000; coverage (2 + 2 + 1) / 6 = 5/6 (the fourth need,
      weight 1, is not essential)
      NPV = -5,550 + 51,458.33 x 2.486852 = -5,550 + 127,969.26 = 122,419.26
    Tier 3 adds "Unhappy contacts" -> support_interactions (to build) <- Zendesk (raw):
      engineering (8, 12, 20) = 38/3 days x 900 = 11,400
      support_interactions: build (15, 20, 35) = 65/3 days x 800 = 17,333.33,
        run (3k, 4k, 6k) = 4,166.67, feasibility 0.8
      Zendesk: curation (10, 15, 30) = 50/3 days x 850 = 14,166.67, run 4,166.67,
        feasibility: the raw tier's default 0.75
      C0 = 5,550 + 11,400 + 17,333.33 + 14,166.67 = 48,450; R = 8,333.33
      The need is optional, so its data's feasibility leaves p at 0.65 and discounts only
      its own weight share: k = 5/6 x 1 + 1/6 x (0.8 x 0.75) = 0.93333
      expected benefit = 0.65 x 0.93333 x 95,000 = 57,633.33
      NPV = -48,450 + (57,633.33 - 8,333.33) x 2.486852 = -48,450 + 122,601.80 = 74,151.80
    Still positive at tier 3, but tier 1 is where to stop.
    """
    idea = selectors.ideas().get(title="Customer churn early warning")
    report = selectors.roi_report(idea)
    t1, t2, t3 = report.ladder
    assert t1.cumulative_investment == pytest.approx(5_550)
    assert t1.benefit_coverage == pytest.approx(5 / 6)
    assert t1.npv == pytest.approx(122_419.26, abs=0.01)
    assert t2.npv == t1.npv
    assert t3.cumulative_investment == pytest.approx(48_450)
    assert t3.annual_run_cost == pytest.approx(8_333.33, abs=0.01)
    assert t3.probability_of_success == pytest.approx(0.65)
    assert t3.expected_coverage == pytest.approx(0.93333, abs=1e-5)
    assert t3.npv == pytest.approx(74_151.80, abs=0.01)
    assert report.npv == pytest.approx(t3.npv)
    assert report.negative_from_tier is None
    assert report.best_stop_tier == 1
    assert report.verdict == "stop_early"
