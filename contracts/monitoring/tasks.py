"""The scheduled SLA check, run by celery beat (django-celery-beat, editable in the admin)."""

from __future__ import annotations

import logging

from celery import shared_task

from contracts.monitoring import checks

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def check_contract_slas() -> dict[str, int]:
    """Every active contract, one transaction each; idempotent: a second run right after
    opens and resolves nothing."""
    opened = resolved = 0
    for contract_id in checks.active_contract_ids():
        try:
            found = checks.check_contract(contract_id)
        except Exception:  # one contract's trouble never stops the others' checks
            logger.exception("the SLA check of contract %s failed", contract_id)
            continue
        opened += len(found.opened)
        resolved += len(found.resolved)
    if opened or resolved:
        logger.info("SLA checks opened %d and resolved %d breaches", opened, resolved)
    return {"opened": opened, "resolved": resolved}
