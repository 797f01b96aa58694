"""Shared fixtures of the valuechain tests: a small value chain whose one idea reaches all four
tiers, and page clients logged in as a given user."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.factories import (
    AcquisitionOptionFactory,
    CuratedDatasetFactory,
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RawSourceFactory,
)
from valuechain import models as m


@dataclass
class Chain:
    acquisition: m.AcquisitionOption
    raw: m.RawSource
    new_raw: m.RawSource
    curated: m.CuratedDataset
    new_curated: m.CuratedDataset
    feature: m.Feature
    new_feature: m.Feature
    idea: m.Idea


def money(value: float) -> dict[str, float]:
    return {"low": value, "likely": value, "high": value}


@pytest.fixture
def value_chain(pm_user: User) -> Chain:
    """Features in the store, one to build from curated data, and needs further upstream:
    raw data to curate and a vendor feed to acquire, which should turn the ROI negative."""
    acquisition = AcquisitionOptionFactory(
        name="Weather vendor feed",
        build_low=150_000,
        build_likely=200_000,
        build_high=300_000,
        run_low=20_000,
        run_likely=20_000,
        run_high=20_000,
    )
    new_raw = RawSourceFactory(
        name="Weather observations",
        available=False,
        acquisition_option=acquisition,
        build_low=30_000,
        build_likely=30_000,
        build_high=30_000,
    )
    raw = RawSourceFactory(
        name="Point of sale log",
        available=True,
        build_low=40_000,
        build_likely=40_000,
        build_high=40_000,
        is_current=True,
    )
    curated = CuratedDatasetFactory(name="Sales golden table", available=True, raw_sources=[raw])
    new_curated = CuratedDatasetFactory(
        name="Store footfall",
        available=False,
        raw_sources=[raw],
        build_low=10_000,
        build_likely=15_000,
        build_high=20_000,
    )
    feature = FeatureFactory(
        name="Weekly sales per store", available=True, curated_datasets=[curated]
    )
    new_feature = FeatureFactory(
        name="Promotion uplift",
        available=False,
        curated_datasets=[curated],
        build_low=5_000,
        build_likely=8_000,
        build_high=11_000,
    )
    idea = IdeaFactory(
        title="Demand forecast",
        owner=pm_user,
        benefit_low=80_000,
        benefit_likely=120_000,
        benefit_high=160_000,
        probability_of_success=0.8,
    )
    NeedFactory(idea=idea, name="sales history", feature=feature, weight=3)
    NeedFactory(idea=idea, name="promotions", feature=new_feature, weight=2, essential=False)
    NeedFactory(idea=idea, name="footfall", curated_dataset=new_curated, weight=1, essential=False)
    NeedFactory(
        idea=idea,
        name="weather",
        raw_source=new_raw,
        weight=1,
        essential=False,
        engineering_low=5_000,
        engineering_likely=5_000,
        engineering_high=5_000,
    )
    return Chain(acquisition, raw, new_raw, curated, new_curated, feature, new_feature, idea)


@pytest.fixture
def client_for(db: None):
    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
