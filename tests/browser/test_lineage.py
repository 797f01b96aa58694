"""The lineage graph draws in a browser (cytoscape's canvas, under the site's policy), its
table lists the same links for screen readers, and the panels fit a 390 px phone."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def _drawn(page: Any) -> tuple[int, list[str], list[str]]:
    # the idea page fetches cytoscape only when the graph nears the screen, as a reader scrolls
    page.locator("#lineage-graph").scroll_into_view_if_needed()
    page.wait_for_selector("#lineage-graph canvas")
    page.wait_for_function("document.querySelector('#lineage-graph').dataset.drawn")
    nodes = int(page.get_attribute("#lineage-graph", "data-drawn") or 0)
    rows = page.eval_on_selector_all(
        "#lineage-edges tbody tr[data-edge]", "rows => rows.map(r => r.dataset.edge)"
    )
    source = "document.getElementById('lineage-graph-data').textContent"
    drawn = page.evaluate(f"JSON.parse({source}).edges.map(e => e.id)")
    return nodes, rows, drawn


def test_the_idea_and_asset_graphs_render_with_their_text_alternative(
    page, live_server, log_in, pm_user, value_chain
):
    page.add_init_script(RECORD_VIOLATIONS)
    log_in(page, live_server, pm_user.username)

    page.goto(f"{live_server.url}/ideas/{value_chain.idea.pk}/")
    nodes, rows, drawn = _drawn(page)
    assert nodes == 8  # the seven assets of the closure and the idea
    assert sorted(rows) == sorted(drawn) and len(rows) >= 7
    table = page.inner_text("#lineage-edges")
    assert "Weather vendor feed" in table and "Weather observations" in table
    assert "weather" in table  # the need, as the link into the idea
    assert page.get_attribute("#lineage-graph", "role") == "img"

    page.goto(f"{live_server.url}/catalogue/asset/raw-sources/{value_chain.new_raw.pk}/")
    nodes, rows, drawn = _drawn(page)
    assert nodes == 2 and rows == drawn == [
        f"acquisition_option-{value_chain.acquisition.pk}->raw_source-{value_chain.new_raw.pk}"
    ]
    assert page.evaluate("window.__cspViolations") == []


def test_the_panels_fit_a_phone(page, live_server, log_in, pm_user, value_chain):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, pm_user.username)
    page.goto(f"{live_server.url}/ideas/{value_chain.idea.pk}/")
    page.locator("#lineage-graph").scroll_into_view_if_needed()
    page.wait_for_selector("#lineage-graph canvas")
    for panel in ("#lineage", "#comments", "#activity"):
        box = page.eval_on_selector(panel, "e => e.getBoundingClientRect().right")
        assert box <= 390, panel
    widest = page.eval_on_selector("#lineage", "e => e.scrollWidth - e.clientWidth")
    assert widest <= 0


def test_the_idea_page_draws_its_ladder_before_fetching_the_graph_library(
    page, live_server, log_in, pm_user, value_chain
):
    log_in(page, live_server, pm_user.username)
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(f"{live_server.url}/ideas/{value_chain.idea.pk}/")
    page.wait_for_selector("#ladder-chart .main-svg")
    page.wait_for_load_state("load")
    # the graph lies further down: its library waits for the reader to scroll there
    assert not [url for url in fetched if "cytoscape" in url]
    assert page.locator("#lineage-graph canvas").count() == 0

    nodes, rows, drawn = _drawn(page)
    assert nodes == 8 and sorted(rows) == sorted(drawn)
    assert len([url for url in fetched if "cytoscape" in url]) == 1
