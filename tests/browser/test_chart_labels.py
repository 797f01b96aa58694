"""A name that looks like a link is shown as text in a chart, never as a live link."""

from __future__ import annotations

import pytest

from tests.factories import FeatureFactory, IdeaFactory, NeedFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LINK = '<a href="https://evil.example/login">Churn features</a>'


def test_an_asset_named_with_a_link_is_plain_text_on_the_tornado(
    page, live_server, pm_user, log_in
):
    idea = IdeaFactory(
        owner=pm_user, benefit_low=50_000, benefit_likely=80_000, benefit_high=120_000
    )
    feature = FeatureFactory(
        name=LINK,
        available=False,
        feasibility=0.6,
        build_low=10_000,
        build_likely=20_000,
        build_high=40_000,
    )
    NeedFactory(idea=idea, feature=feature)
    log_in(page, live_server, pm_user.username)
    page.goto(f"{live_server.url}/ideas/{idea.pk}/")
    page.wait_for_selector("#tornado-chart .main-svg")
    labels = page.locator("#tornado-chart .ytick text").all_text_contents()
    assert any(LINK in label for label in labels), labels
    assert page.locator("#tornado-chart a").count() == 0
    assert page.locator('#tornado-chart [href*="evil.example"]').count() == 0
