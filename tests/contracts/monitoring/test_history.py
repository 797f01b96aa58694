"""The contract page charts records, the dead-letter rate and breaches per day, with the same
numbers as a table, in a constant number of queries."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from contracts.monitoring import history
from tests.contracts.factories import ContractVersionFactory, SlaBreachFactory, ValidationRunFactory
from tests.valuechain.charts.plotly_check import assert_plotly_accepts

pytestmark = pytest.mark.django_db


def test_daily_health_counts_records_rates_and_breaches_per_day():
    version = ContractVersionFactory()
    contract = version.contract
    now = timezone.now().replace(hour=12)
    ValidationRunFactory(contract=contract, version=version, received_at=now, valid_count=90,
                         dead_letter_count=10)  # fmt: skip
    ValidationRunFactory(contract=contract, version=version, received_at=now, valid_count=10,
                         dead_letter_count=0)  # fmt: skip
    ValidationRunFactory(contract=contract, version=version,
                         received_at=now - timedelta(days=2), valid_count=5)  # fmt: skip
    ValidationRunFactory(contract=contract, version=version,
                         received_at=now - timedelta(days=30), valid_count=999)  # fmt: skip
    SlaBreachFactory(contract=contract, version=version, detected_at=now - timedelta(days=2),
                     resolved_at=now)  # fmt: skip
    days = history.daily_health(contract, now)
    assert len(days) == 14 and days[-1].day == now.date()
    assert (days[-1].valid, days[-1].dead_letters) == (100, 10)
    assert days[-1].dead_letter_rate == pytest.approx(10 / 110)
    assert (days[-3].records, days[-3].breaches_opened) == (5, 1)
    assert days[-1].breaches_resolved == 1
    assert days[0].dead_letter_rate is None
    assert sum(d.records for d in days) == 115  # the run of 30 days ago is outside


def test_the_contract_page_shows_the_chart_and_its_table(client, django_assert_max_num_queries):
    version = ContractVersionFactory()
    contract = version.contract
    client.force_login(contract.owner)
    for size in (1, 20):
        for _ in range(size):
            ValidationRunFactory(contract=contract, version=version, valid_count=8,
                                 dead_letter_count=2)  # fmt: skip
            SlaBreachFactory(contract=contract, version=version)
        with django_assert_max_num_queries(40):
            page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert 'id="health-chart"' in page and "vendor/plotly-custom/plotly-custom.min.js" in page
    figure = json.loads(page.split('id="health-chart-data" type="application/json">')[1]
                        .split("</script>")[0])  # fmt: skip
    names = [t["name"] for t in figure["data"]]
    assert names[:3] == ["Valid records", "Dead letters", "Dead-letter rate"]
    assert figure["data"][0]["y"][-1] == 8 * 21
    # three panels over the same days, labelled once under the bottom one
    layout = figure["layout"]
    assert [layout[f"yaxis{n}"]["title"]["text"] for n in ("", "2", "3")] == [
        "Records",
        "Dead-letter rate",
        "Breaches",
    ]
    assert layout["xaxis"]["matches"] == layout["xaxis2"]["matches"] == "x3"
    assert_plotly_accepts(figure)
    table = page.split('id="health-table"')[1]
    assert ">168<" in table and ">42<" in table and "20&nbsp;%" in table and ">21<" in table
    assert "above which a contract is at risk" in page
