"""A data lead fixes a dead letter's record in the browser and replays it to the validated
path; the page shows it replayed, and its history says who did what."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from contracts.enforcement import services
from contracts.models import DeadLetter, DeadLetterAction, ValidRecord
from tests.contracts.factories import (
    ORDER_SCHEMA,
    ConsumerFactory,
    ContractVersionFactory,
    DataContractFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(os.environ.get("VALUECHAIN_SCREENSHOTS", "/tmp"))


def test_a_data_lead_fixes_and_replays_a_dead_letter(
    page: Any, live_server: Any, log_in: Any, lead_user: Any
) -> None:
    contract = DataContractFactory(name="Orders")
    ContractVersionFactory(contract=contract, version="1.0.0", json_schema=ORDER_SCHEMA)
    ConsumerFactory(contract=contract, name="Finance monthly close", pinned_major=1)
    services.validate_batch_now_or_later(
        contract=contract, records=[{"order_id": "A7", "amount": -12}], source="api"
    )
    letter = DeadLetter.objects.get(contract=contract)

    log_in(page, live_server, lead_user.username)
    page.goto(f"{live_server.url}/contracts/{contract.pk}/")
    page.click("text=Browse and recover")
    page.wait_for_url(f"{live_server.url}/contracts/{contract.pk}/dead-letters/")
    assert "Finance monthly close" in page.locator("table.dead-letters").inner_text()
    page.click(f"table.dead-letters a:text-is('{letter.pk}')")
    page.wait_for_url(f"{live_server.url}/contracts/{contract.pk}/dead-letters/{letter.pk}/")
    assert "-12 is less than the minimum of 0" in page.locator("#dead-letter-errors").inner_text()

    page.fill("#id_payload", json.dumps({"order_id": "A7", "amount": 12}))
    page.click("#edit-form button[type=submit]")
    assert "Record saved; it is now valid." in page.locator("body").inner_text()
    page.select_option("#replay-form select", "1.0.0")
    page.click("#replay-form button[type=submit]")
    assert "Replayed to the validated path against 1.0.0." in page.locator("body").inner_text()
    assert page.locator("#dead-letter-status").inner_text() == "Replayed"
    history = page.locator("table.audit").inner_text()
    assert "Replayed" in history and "Edited the payload" in history
    assert lead_user.username in history
    page.screenshot(path=str(SCREENSHOTS / "valuechain-dead-letter-replayed.png"))

    assert ValidRecord.objects.get(contract=contract).payload == {"order_id": "A7", "amount": 12}
    assert DeadLetterAction.objects.filter(dead_letter=letter).count() == 2
