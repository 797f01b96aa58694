"""Under the Content-Security-Policy (scripts from the site's files only) the main pages of
the demo company load without a single violation, and their plotly charts and htmx parts
still work."""

from __future__ import annotations

import re
from typing import Any

import pytest

from valuechain import models as m
from valuechain.demo import DEMO_PASSWORD, load_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Recorded before any page script runs; Playwright injects it outside the page's policy.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def _violations(page: Any, console: list[str]) -> list[str]:
    return list(page.evaluate("window.__cspViolations")) + [
        text for text in console if "Content Security Policy" in text
    ]


def test_main_pages_load_under_the_policy_and_still_draw_their_charts(page, live_server):
    load_demo()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "exec")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/ideas/")
    assert _violations(page, console) == []

    # the status filter submits itself on change, from a static script
    page.select_option("#status-filter", "approved")
    page.wait_for_url(re.compile(r"/ideas/\?(.*&)?status=approved"))
    assert _violations(page, console) == []

    page.goto(f"{live_server.url}/dashboard/")
    for chart in ("tier-chart", "negative-chart", "scatter-chart"):
        page.wait_for_selector(f"#{chart} .main-svg")
    assert _violations(page, console) == []

    idea = m.Idea.objects.order_by("pk").first()
    page.goto(f"{live_server.url}/ideas/{idea.pk}/")
    page.wait_for_selector("#ladder-chart .main-svg")
    page.wait_for_selector("#tornado-chart .main-svg")  # arrives by htmx, drawn by plotly
    assert _violations(page, console) == []

    run = m.PortfolioRun.objects.latest("pk")
    page.goto(f"{live_server.url}/portfolio/?run={run.pk}")
    page.wait_for_selector(f"#frontier-chart-{run.pk} .main-svg")
    page.wait_for_selector(f"#matrix-chart-{run.pk} .main-svg")
    assert _violations(page, console) == []

    page.goto(f"{live_server.url}/catalogue/")
    page.wait_for_selector("h1")
    page.goto(f"{live_server.url}/contracts/")
    page.wait_for_selector("h1")
    assert _violations(page, console) == []

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info")  # Swagger UI started from its script file
    assert _violations(page, console) == []

    # the policy is enforced, and the listener above would have seen a breach: an injected
    # inline script does not run and is reported
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__injected = true'; document.head.appendChild(s); }"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__injected") is None
    assert any(v.startswith("script-src") for v in _violations(page, console))
