"""A product manager sees what choosing data costs and the ROI preview follow the form."""

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


def test_the_preview_follows_the_form_and_the_picker_shows_what_data_costs(
    page, live_server, pm_user, value_chain, log_in
):
    log_in(page, live_server, pm_user.username)
    page.goto(f"{live_server.url}/ideas/new/")
    page.fill("#id_title", "Weather staffing")
    page.fill("#id_benefit_low", "50000")
    page.fill("#id_benefit_likely", "60000")
    page.fill("#id_benefit_high", "90000")
    page.fill("#id_probability_of_success", "0.7")
    preview = page.locator("#roi-preview")
    # no needs yet: nothing to pay, so the idea is worth building
    preview.locator("[data-verdict='build']").wait_for()

    need = page.locator(".need-form").first
    need.locator("input[name$='-name']").fill("weather")
    need.locator(".picker-tier").select_option("3")
    need.locator(".picker-q").fill("weather")
    result = need.locator(".asset-result", has_text="Weather observations")
    result.wait_for()
    # a raw source that needs the vendor feed: it reaches tier 4 and carries the feed's cost
    assert "reaches tier 4" in result.inner_text()
    assert "Weather vendor feed (tier 4)" in result.inner_text()
    result.get_by_role("button", name="Pick").click()
    # picking the data updates the preview: the feed sinks the idea
    preview.locator("[data-verdict='do_not_build']").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "valuechain-idea-preview.png"), full_page=True)

    # a bad value shows the form's error in the panel
    page.fill("#id_probability_of_success", "1.7")
    preview.locator("[data-preview='invalid']").wait_for()
    assert "Probability of success" in preview.inner_text()
    assert not m.Idea.objects.filter(title="Weather staffing").exists()
