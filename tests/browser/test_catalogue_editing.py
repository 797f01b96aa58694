"""A data lead adds a raw source with its lineage from the catalogue, fixes a wrong estimate,
is told what still uses an asset it tries to delete, and dry-runs an import."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.factories import CuratedDatasetFactory, FeatureFactory
from valuechain import models as m

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(os.environ.get("VALUECHAIN_SCREENSHOTS", "/tmp"))


def test_a_data_lead_edits_the_catalogue_from_the_catalogue_page(
    page,
    live_server,
    lead_user,
    value_chain,
    tmp_path,
    log_in,
):
    log_in(page, live_server, lead_user.username)
    page.goto(f"{live_server.url}/catalogue/")
    page.get_by_role("navigation", name="Tiers").get_by_role("link", name="Tier 3").click()
    page.locator("#tier-3").get_by_role("link", name="Add raw source").click()
    page.wait_for_url(f"{live_server.url}/catalogue/raw-sources/new/")
    page.fill("#id_name", "Loyalty card swipes")
    page.fill("#id_system", "CRM")
    page.select_option("#id_acquisition_option", label="Weather vendor feed")
    page.select_option("#id_is_current", label="Yes")
    page.select_option("#id_sla_establishable", label="No")
    page.fill("#id_build_low", "9000")
    page.fill("#id_build_likely", "5000")  # below low: refused on its field
    page.fill("#id_build_high", "12000")
    page.click("#save-asset")
    page.locator("#id_build_likely_errors").wait_for()
    assert "low <= likely <= high" in page.inner_text("#id_build_likely_errors")
    # What was typed is kept.
    assert page.input_value("#id_name") == "Loyalty card swipes"
    page.fill("#id_build_likely", "10000")
    page.screenshot(path=str(SCREENSHOTS / "valuechain-catalogue-asset-form.png"), full_page=True)
    page.click("#save-asset")
    # Saved, the catalogue opens on the tier and page the new raw source is on.
    page.wait_for_url(re.compile(r".*/catalogue/\?tier=3#asset-raw_source-\d+$"))
    raw = m.RawSource.objects.get(name="Loyalty card swipes")
    row = page.locator(f"#asset-raw_source-{raw.pk}")
    assert "Weather vendor feed" in row.inner_text()
    assert (raw.is_current, raw.sla_establishable, raw.arrives_regularly) == (True, False, None)
    assert raw.acquisition_option_id == value_chain.acquisition.pk

    # The vendor feed is still used by two raw sources: deleting it is refused and explained.
    page.goto(f"{live_server.url}/catalogue/?tier=4")
    page.locator("#tier-4").get_by_role("link", name="Edit acquisition options").click()
    page.locator(f"#asset-acquisition_option-{value_chain.acquisition.pk}").get_by_role(
        "link", name="Delete"
    ).click()
    in_use = page.locator("#in-use")
    assert "Loyalty card swipes" in in_use.inner_text()
    assert "Weather observations" in in_use.inner_text()
    assert page.locator("#confirm-delete").count() == 0

    # A dry run of an import reports per row and writes nothing.
    document = tmp_path / "catalogue.csv"
    document.write_text(
        "kind,name,upstream\n"
        "curated_dataset,Loyalty golden,Loyalty card swipes\n"
        "feature,Visits per month,Loyalty golden\n"
    )
    page.goto(f"{live_server.url}/catalogue/")
    page.get_by_role("link", name="Import / export").click()
    page.set_input_files("#id_file", str(document))
    page.click("#run-import")
    report = page.locator("#import-report")
    report.wait_for()
    assert "2 to create" in report.inner_text()
    assert not m.Feature.objects.filter(name="Visits per month").exists()
    page.uncheck("#id_dry_run")
    page.set_input_files("#id_file", str(document))
    page.click("#run-import")
    page.locator("#import-counts", has_text="2 created").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "valuechain-catalogue-import.png"), full_page=True)
    feature = m.Feature.objects.get(name="Visits per month")
    assert [c.name for c in feature.curated_datasets.all()] == ["Loyalty golden"]


def test_a_user_pages_through_a_large_tier_and_follows_lineage_to_a_later_page(
    page, live_server, exec_user, log_in
):
    curated = CuratedDatasetFactory(name="Orders golden table")
    features = [FeatureFactory(name=f"feature {n:03d}") for n in range(60)]
    features[-1].curated_datasets.add(curated)
    log_in(page, live_server, exec_user.username)
    page.goto(f"{live_server.url}/catalogue/")
    assert "Showing 1\u201350 of 60" in page.inner_text("#catalogue-showing")
    pages = page.get_by_role("navigation", name="Pages of tier 1")
    pages.get_by_role("link", name="Page 2").click()
    page.wait_for_url(re.compile(r".*/catalogue/\?tier=1&page=2$"))
    assert "Showing 51\u201360 of 60" in page.inner_text("#catalogue-showing")
    assert pages.get_by_role("link", name="Page 2, current page").get_attribute("aria-current")
    page.screenshot(path=str(SCREENSHOTS / "valuechain-catalogue-page-2.png"), full_page=True)
    # The curated dataset's user is on page 2 of tier 1: its link opens the feature's page,
    # which leads to its row.
    page.get_by_role("navigation", name="Tiers").get_by_role("link", name="Tier 2").click()
    page.locator(f"#asset-curated_dataset-{curated.pk}").get_by_role(
        "link", name="feature 059"
    ).click()
    page.wait_for_url(re.compile(rf".*/catalogue/asset/features/{features[-1].pk}/$"))
    page.get_by_role("link", name="See it in the catalogue").click()
    page.wait_for_url(re.compile(rf".*/catalogue/\?tier=1&page=2#asset-feature-{features[-1].pk}$"))
    assert page.locator(f"#asset-feature-{features[-1].pk}").is_visible()
