"""Reads for analysis: the runs, the latest first, in one place for pages and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from valuechain import models as m
from valuechain.analysis import selectors

pytestmark = pytest.mark.django_db


def test_the_latest_run_of_an_idea_is_its_newest(shared_pair):
    older = m.SimulationRun.objects.create(idea=shared_pair.churn, draws=500, seed=1)
    newer = m.SimulationRun.objects.create(idea=shared_pair.churn, draws=500, seed=2)
    m.SimulationRun.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    m.SimulationRun.objects.create(idea=shared_pair.upsell, draws=500, seed=3)
    assert list(selectors.simulation_runs(shared_pair.churn.pk)) == [newer, older]
    assert selectors.latest_simulation(shared_pair.churn.pk) == newer
    assert selectors.latest_simulation(0) is None


def test_the_latest_finished_portfolio_is_the_last_to_succeed():
    now = timezone.now()
    first = m.PortfolioRun.objects.create(
        status=m.RunStatus.SUCCEEDED, finished_at=now - timedelta(minutes=5)
    )
    m.PortfolioRun.objects.create(status=m.RunStatus.FAILED, finished_at=now)
    pending = m.PortfolioRun.objects.create()
    assert selectors.latest_finished_portfolio() == first
    assert selectors.portfolio_runs().first() == pending
