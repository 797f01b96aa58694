"""A product manager records an idea, picks its data tier by tier, and sees the ladder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from valuechain import models as m

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(os.environ.get("VALUECHAIN_SCREENSHOTS", "/tmp"))


def test_pm_creates_an_idea_picking_data_tier_by_tier(
    page, live_server, pm_user, value_chain, log_in
):
    log_in(page, live_server, pm_user.username)
    page.click("text=New idea")
    page.fill("#id_title", "Footfall staffing")
    page.fill("#id_benefit_low", "50000")
    page.fill("#id_benefit_likely", "60000")
    page.fill("#id_benefit_high", "90000")
    page.fill("#id_probability_of_success", "0.7")

    need = page.locator(".need-form").first
    need.locator("input[name$='-name']").fill("footfall per store")
    search = need.locator(".picker-q")
    # The search starts in the feature store.
    assert need.locator(".picker-tier").input_value() == "1"
    search.fill("footfall")
    results = need.locator(".picker-results")
    results.get_by_text("Nothing in tier 1").wait_for()
    # Nothing in the feature store: walk one tier upstream.
    results.get_by_role("button", name="Search tier 2").click()
    results.locator(".search-results[data-tier='2']").wait_for()
    results.get_by_text("matching “footfall”").wait_for()
    results.get_by_role("button", name="Pick").first.click()
    assert "Store footfall" in need.locator(".picked-label").inner_text()

    # A second need, found in the feature store straight away.
    page.click("#add-need")
    second = page.locator(".need-form").nth(1)
    second.locator("input[name$='-name']").fill("weekly sales")
    second.locator(".picker-q").fill("weekly")
    second.locator(".picker-results").get_by_text("matching “weekly”").wait_for()
    second.locator(".picker-results").get_by_role("button", name="Pick").first.click()
    page.screenshot(path=str(SCREENSHOTS / "valuechain-idea-form.png"), full_page=True)

    page.click("#save-idea")
    page.wait_for_url(f"{live_server.url}/ideas/*/")
    idea = m.Idea.objects.get(title="Footfall staffing")
    assert idea.owner_id == pm_user.pk
    assert [(n.name, n.asset_type, n.asset_id) for n in idea.needs.order_by("id")] == [
        ("footfall per store", "curated_dataset", value_chain.new_curated.pk),
        ("weekly sales", "feature", value_chain.feature.pk),
    ]
    # plotly.js (served from static) drew the ladder.
    page.locator("#ladder-chart svg.main-svg").first.wait_for()
    assert page.locator("#ladder-chart .bars").count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "valuechain-idea-detail.png"), full_page=True)


def test_a_form_error_is_shown_on_its_field_and_keeps_the_picked_data(
    page,
    live_server,
    pm_user,
    value_chain,
    log_in,
):
    log_in(page, live_server, pm_user.username)
    page.goto(f"{live_server.url}/ideas/new/")
    page.fill("#id_title", "Too sure")
    page.fill("#id_probability_of_success", "1.7")
    need = page.locator(".need-form").first
    need.locator("input[name$='-name']").fill("sales")
    need.locator(".picker-q").fill("weekly")
    need.locator(".picker-results").get_by_text("matching “weekly”").wait_for()
    need.locator(".picker-results").get_by_role("button", name="Pick").first.click()
    page.click("#save-idea")
    page.locator("#id_probability_of_success_errors").wait_for()
    assert "less than or equal to 1" in page.inner_text("#id_probability_of_success_errors")
    assert "Weekly sales per store" in page.locator(".picked-label").first.inner_text()
    assert not m.Idea.objects.filter(title="Too sure").exists()


def test_the_ladder_of_an_idea_reaching_tier_4_shows_its_negative_zone(
    page,
    live_server,
    pm_user,
    value_chain,
    log_in,
):
    log_in(page, live_server, pm_user.username)
    page.goto(f"{live_server.url}/ideas/{value_chain.idea.pk}/")
    page.locator("#ladder-chart svg.main-svg").first.wait_for()
    assert page.locator("#ladder-chart .annotation-text", has_text="Best stop").count() == 1
    assert page.locator("#ladder-chart .annotation-text", has_text="ROI < 0").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "valuechain-ladder.png"), full_page=True)
    page.goto(f"{live_server.url}/catalogue/?tier=4")  # one tier at a time
    page.locator("#tier-4").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "valuechain-catalogue.png"), full_page=True)
    page.goto(f"{live_server.url}/ideas/")
    page.screenshot(path=str(SCREENSHOTS / "valuechain-ideas.png"), full_page=True)
    page.goto(f"{live_server.url}/ideas/{value_chain.idea.pk}/stakeholders/")
    page.screenshot(path=str(SCREENSHOTS / "valuechain-stakeholders.png"), full_page=True)
