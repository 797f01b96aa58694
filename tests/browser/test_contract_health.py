"""A product manager reads an idea's contract health on the demo, and follows it to the
contract that puts the idea at risk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from valuechain import models as m
from valuechain.demo import DEMO_PASSWORD, load_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(os.environ.get("VALUECHAIN_SCREENSHOTS", "/tmp"))


def test_a_product_manager_sees_why_an_idea_is_at_risk_and_opens_the_contract(page, live_server):
    load_demo()
    fraud = m.Idea.objects.get(title="Payment fraud scoring")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "pm")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/ideas/")
    page.goto(f"{live_server.url}/ideas/{fraud.pk}/")
    panel = page.locator("#contract-health")
    assert panel.get_attribute("data-health") == "at_risk"
    text = panel.inner_text()
    assert "at risk" in text
    assert "Payments: 6.5% of the 4,000 records validated in the last 7 days" in text
    assert "draft contract only (CrediScore buyer scores)" in text
    # the features are available: the curated datasets behind them govern their data
    assert "upstream: Orders" in text or "upstream: Customer 360, Payments" in text
    panel.screenshot(path=str(SCREENSHOTS / "valuechain-contract-health.png"))
    panel.locator("a", has_text="Payments: 6.5%").click()
    page.wait_for_url(f"{live_server.url}/contracts/*/")
    assert "Payments" in page.locator("h1").inner_text()
    assert "260 dead letters" in page.content()  # the run's dead-lettered records are kept
