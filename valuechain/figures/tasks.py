"""Refreshing stored figures in the background.

The stale rows are the queue: a refresh that dies leaves them stale, the next one (queued by
the next write, or by beat's sweep) takes them up, and the compare-and-set in store.refresh
makes two refreshes of one idea harmless.
"""

from __future__ import annotations

import logging

from celery import shared_task

from valuechain.figures import store

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def refresh_figures() -> int:
    stored = store.refresh()
    if stored:
        logger.info("stored the figures of %d ideas", stored)
    return stored
