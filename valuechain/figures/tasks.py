"""Refreshing stored figures in the background.

The stale rows are the queue: a refresh that dies leaves them stale, the next one (queued by
the next write, or by beat's sweep) takes them up, and the compare-and-set in store.refresh
makes two refreshes of one idea harmless.
"""

from __future__ import annotations

import logging

from celery import shared_task

from valuechain.figures import explained, store

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def refresh_figures() -> int:
    # each refreshed idea's explained report is cached too: its first view is then a read
    stored = store.refresh(then=explained.prepare)
    if stored:
        logger.info("stored the figures of %d ideas", stored)
    return stored
