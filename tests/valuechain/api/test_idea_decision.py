"""The ROI report over the API says whether the deployment is in its figures and explains p
and k factor by factor; the idea list's summaries carry the verdict."""

from __future__ import annotations

import math

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.deployments.factories import DeploymentPlanFactory, deployment_type
from tests.factories import (
    AcquisitionOptionFactory,
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RawSourceFactory,
)

pytestmark = pytest.mark.django_db


def uncertain_idea():
    """p0 0.7; essential: an available feature and a raw source (f 0.8); optional: a curated
    raw source (f 0.5) and an acquisition (f 0.9) behind an unavailable raw source (f 0.6)."""
    idea = IdeaFactory(probability_of_success=0.7)
    NeedFactory(idea=idea, name="sales", feature=FeatureFactory(available=True), weight=2)
    NeedFactory(
        idea=idea,
        name="weather",
        feature=None,
        raw_source=RawSourceFactory(name="Weather feed", feasibility=0.8),
        weight=1,
    )
    NeedFactory(
        idea=idea,
        name="footfall",
        feature=None,
        raw_source=RawSourceFactory(name="Footfall counter", feasibility=0.5),
        weight=1,
        essential=False,
    )
    NeedFactory(
        idea=idea,
        name="competitor prices",
        feature=None,
        raw_source=RawSourceFactory(
            name="Price scrape",
            available=False,
            feasibility=0.6,
            acquisition_option=AcquisitionOptionFactory(name="Price vendor", feasibility=0.9),
        ),
        weight=2,
        essential=False,
    )
    return idea


def test_the_explanation_multiplies_to_p_and_sums_to_k(client_as):
    idea = uncertain_idea()
    report = client_as("exec").get(f"/api/ideas/{idea.pk}/roi/").json()
    why = report["explanation"]
    assert why["idea_probability"] == pytest.approx(0.7)
    assert [(f["name"], f["asset_type"], f["feasibility"]) for f in why["essential_factors"]] == [
        ("Weather feed", "raw_source", 0.8)
    ]
    product = why["idea_probability"] * math.prod(
        f["feasibility"] for f in why["essential_factors"]
    )
    assert product == pytest.approx(report["probability_of_success"]) == pytest.approx(0.56)
    assert why["probability_of_success"] == pytest.approx(report["probability_of_success"])

    terms = {term["need"]: term for term in why["coverage_terms"]}
    assert list(terms) == ["sales", "weather", "footfall", "competitor prices"]
    assert terms["sales"]["essential"] and terms["sales"]["factors"] == []
    assert [f["name"] for f in terms["footfall"]["factors"]] == ["Footfall counter"]
    assert sorted(f["name"] for f in terms["competitor prices"]["factors"]) == [
        "Price scrape",
        "Price vendor",
    ]
    for term in terms.values():
        assert term["value"] == pytest.approx(
            term["weight_share"] * math.prod(f["feasibility"] for f in term["factors"])
        )
    total = sum(term["value"] for term in terms.values())
    # k = 2/6 + 1/6 + 1/6 x 0.5 + 2/6 x 0.6 x 0.9
    assert total == pytest.approx(2 / 6 + 1 / 6 + 0.5 / 6 + 2 * 0.54 / 6)
    assert total == pytest.approx(report["expected_coverage"])
    assert why["expected_coverage"] == pytest.approx(report["expected_coverage"])


def test_deployment_planned_says_whether_deployment_costs_are_in_the_figures(client_as):
    idea = IdeaFactory()
    NeedFactory(idea=idea)
    client = client_as("exec")
    without = client.get(f"/api/ideas/{idea.pk}/roi/").json()
    assert without["deployment_planned"] is False
    assert without["deployment_setup_cost"] == 0 and without["deployment_run_cost"] == 0
    DeploymentPlanFactory(idea=idea, deployment_type=deployment_type("batch", setup=12_000))
    planned = client.get(f"/api/ideas/{idea.pk}/roi/").json()
    assert planned["deployment_planned"] is True
    assert planned["deployment_setup_cost"] == pytest.approx(12_000)
    assert planned["one_off_investment"] == pytest.approx(without["one_off_investment"] + 12_000)


def test_the_idea_list_summaries_carry_the_verdict_and_best_stop_tier(client_as):
    vendor = AcquisitionOptionFactory(build_low=900_000, build_likely=900_000, build_high=900_000)
    build = IdeaFactory(title="a build")
    NeedFactory(idea=build)
    stop = IdeaFactory(title="b stop")
    NeedFactory(idea=stop, weight=3)
    NeedFactory(idea=stop, feature=None, acquisition_option=vendor, essential=False)
    never = IdeaFactory(title="c never")
    NeedFactory(idea=never, feature=None, acquisition_option=vendor)
    client = client_as("exec")
    rows = client.get("/api/ideas/?ordering=title").json()["results"]
    summaries = [
        (row["roi_summary"]["verdict"], row["roi_summary"]["best_stop_tier"]) for row in rows
    ]
    assert summaries == [("build", 1), ("stop_early", 1), ("do_not_build", None)]
    one = client.get(f"/api/ideas/{stop.pk}/").json()["roi_summary"]
    assert (one["verdict"], one["best_stop_tier"], one["tier"]) == ("stop_early", 1, 4)


def test_the_roi_report_explains_in_the_same_queries_for_2_and_20_uncertain_needs(client_as):
    client = client_as("exec")
    idea = IdeaFactory()
    counts = []
    for total in (2, 20):
        for index in range(total - idea.needs.count()):
            NeedFactory(
                idea=idea,
                feature=None,
                raw_source=RawSourceFactory(feasibility=0.9),
                essential=index % 2 == 0,
            )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/ideas/{idea.pk}/roi/")
        assert len(response.json()["explanation"]["coverage_terms"]) == total
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_schema_documents_deployment_planned_and_the_explanation(client_as):
    response = client_as("exec").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    schemas = yaml.safe_load(response.content)["components"]["schemas"]
    report = schemas["RoiReport"]["properties"]
    assert report["deployment_planned"]["type"] == "boolean"
    assert "no deployment plan" in report["deployment_planned"]["description"]
    assert "p and k" in report["explanation"]["description"]
    explanation = schemas["Explanation"]["properties"]
    for field in ("idea_probability", "essential_factors", "coverage_terms", "expected_coverage"):
        assert explanation[field].get("description"), field
    term = schemas["CoverageTerm"]["properties"]
    assert {"need", "essential", "weight_share", "factors", "value"} <= set(term)
    factor = schemas["FeasibilityFactor"]["properties"]
    assert {"asset_type", "asset_id", "name", "feasibility"} <= set(factor)
    summary = schemas["RoiSummary"]["properties"]
    assert "verdict" in summary and summary["best_stop_tier"].get("nullable")
