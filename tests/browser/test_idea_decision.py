"""A product manager opens an idea with an optional need on uncertain data: the page says
what to do, and why p and k are what they are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.factories import (
    AcquisitionOptionFactory,
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RawSourceFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(os.environ.get("VALUECHAIN_SCREENSHOTS", "/tmp"))


def staffing_idea(owner):
    """p0 0.60; essential: weekly sales (ready) and a weather feed to curate (f 0.80);
    optional: competitor prices from a vendor, costly and uncertain (f 0.50)."""
    idea = IdeaFactory(
        owner=owner,
        title="Store staffing forecast",
        probability_of_success=0.6,
        benefit_low=150_000,
        benefit_likely=200_000,
        benefit_high=260_000,
    )
    NeedFactory(
        idea=idea,
        name="weekly sales",
        feature=FeatureFactory(name="Weekly sales per store", available=True),
        weight=3,
    )
    NeedFactory(
        idea=idea,
        name="weather",
        feature=None,
        raw_source=RawSourceFactory(
            name="Weather feed",
            feasibility=0.8,
            build_low=8_000,
            build_likely=10_000,
            build_high=15_000,
        ),
        weight=1,
    )
    NeedFactory(
        idea=idea,
        name="competitor prices",
        feature=None,
        acquisition_option=AcquisitionOptionFactory(
            name="Price vendor",
            feasibility=0.5,
            build_low=300_000,
            build_likely=400_000,
            build_high=550_000,
        ),
        weight=1,
        essential=False,
    )
    return idea


def test_pm_sees_the_verdict_and_why_p_and_k_are_what_they_are(page, live_server, pm_user, log_in):
    idea = staffing_idea(pm_user)
    log_in(page, live_server, pm_user.username)
    page.goto(f"{live_server.url}/ideas/{idea.pk}/")

    verdict = page.locator("#verdict")
    assert verdict.get_by_role("heading").inner_text() == "Build to tier 3"
    assert "Skip tier 4: acquisition (competitor prices)" in verdict.inner_text()
    assert "Deployment not planned: not in these figures." in verdict.inner_text()
    assert verdict.get_by_role("link", name="Plan its deployment").is_visible()

    p_line = page.locator("#p-explained").inner_text()
    assert "0.60 you entered" in p_line and "0.80 feasibility of Weather feed" in p_line
    assert p_line.strip().endswith("= 0.48")
    # the optional vendor feed's chance lowers k, not p
    assert "Price vendor" not in p_line
    k_lines = page.locator("#k-explained").inner_text()
    assert "competitor prices (optional)" in k_lines
    assert "0.50 feasibility of Price vendor" in k_lines
    assert "lowers k, not p" in page.locator("#optional-risk").inner_text()

    # help beside the figures, visible without hovering
    assert page.locator("#help-p").is_visible() and page.locator("#help-k").is_visible()
    page.locator("#ladder-chart svg.main-svg").first.wait_for()
    page.screenshot(path=str(SCREENSHOTS / "valuechain-idea-decision.png"), full_page=True)
    page.locator("#verdict").screenshot(path=str(SCREENSHOTS / "valuechain-idea-verdict.png"))
    page.locator("#why").screenshot(path=str(SCREENSHOTS / "valuechain-idea-why-p-k.png"))

    page.goto(f"{live_server.url}/ideas/")
    row = page.locator(f'tr[data-idea="{idea.pk}"]')
    assert row.locator("[data-verdict]").inner_text() == "Build to tier 3"
    assert "loses from tier 4" in row.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "valuechain-idea-list-verdicts.png"), full_page=True)
