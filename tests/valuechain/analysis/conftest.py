"""Two ideas that lose money alone and pay off together, sharing one dataset to build."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import CuratedDatasetFactory, FeatureFactory, IdeaFactory, NeedFactory
from valuechain import models as m
from valuechain.engine.finance import annuity_factor

AF = annuity_factor(0.10, 3)


@dataclass
class SharedPair:
    dataset: m.CuratedDataset
    churn: m.Idea
    upsell: m.Idea


def exact(prefix: str, value: float) -> dict[str, float]:
    return {f"{prefix}_low": value, f"{prefix}_likely": value, f"{prefix}_high": value}


@pytest.fixture
def shared_pair(pm_user: User) -> SharedPair:
    """Alone: 80k - 110k and 90k - 120k of NPV; together 170k - 130k = 40k."""
    sure = {"available": False, "feasibility": 1.0}
    dataset = CuratedDatasetFactory(name="Customer 360", **sure, **exact("build", 100_000))
    churn_feature = FeatureFactory(
        name="Churn score", curated_datasets=[dataset], **sure, **exact("build", 10_000)
    )
    upsell_feature = FeatureFactory(
        name="Upsell score", curated_datasets=[dataset], **sure, **exact("build", 20_000)
    )
    churn = IdeaFactory(title="Churn", owner=pm_user, **exact("benefit", 80_000 / AF))
    upsell = IdeaFactory(title="Upsell", owner=pm_user, **exact("benefit", 90_000 / AF))
    NeedFactory(idea=churn, feature=churn_feature)
    NeedFactory(idea=upsell, feature=upsell_feature)
    return SharedPair(dataset, churn, upsell)


@pytest.fixture
def users(
    pm_user: User, lead_user: User, exec_user: User, staff_user: User
) -> dict[str, User | None]:
    return {"pm": pm_user, "lead": lead_user, "exec": exec_user, "staff": staff_user, "anon": None}


@pytest.fixture
def client_as(
    users: dict[str, User | None], api_client_for: Callable[[User | None], APIClient]
) -> Callable[[str], APIClient]:
    return lambda who: api_client_for(users[who])


@pytest.fixture
def page_client(db: None) -> Callable[[User | None], Client]:
    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
