"""The ROI export carries each idea's verdict and expected coverage k, and still keeps a
title a spreadsheet would run as a formula as text."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tests.factories import AcquisitionOptionFactory, IdeaFactory, NeedFactory, RawSourceFactory
from valuechain.ideas import selectors

pytestmark = pytest.mark.django_db


def test_the_export_has_the_verdict_and_k_of_every_idea(client_for, pm_user):
    vendor = AcquisitionOptionFactory(build_low=900_000, build_likely=900_000, build_high=900_000)
    build = IdeaFactory(owner=pm_user, title="=cmd|' /C calc'!A0")
    NeedFactory(idea=build)
    NeedFactory(
        idea=build,
        feature=None,
        raw_source=RawSourceFactory(feasibility=0.5),
        essential=False,
    )
    stop = IdeaFactory(owner=pm_user, title="Stop early")
    NeedFactory(idea=stop, weight=3)
    NeedFactory(idea=stop, feature=None, acquisition_option=vendor, essential=False)
    never = IdeaFactory(owner=pm_user, title="Never")
    NeedFactory(idea=never, feature=None, acquisition_option=vendor)

    response = client_for(pm_user).get("/ideas/export.csv")
    assert response.status_code == 200
    frame = pd.read_csv(io.BytesIO(response.content)).set_index("idea_id")
    assert list(frame.loc[[build.pk, stop.pk, never.pk], "verdict"]) == [
        "build",
        "stop_early",
        "do_not_build",
    ]
    reports = selectors.roi_reports(list(selectors.ideas()))
    for idea_id, report in reports.items():
        assert frame.loc[idea_id, "expected_coverage"] == pytest.approx(
            report.expected_coverage, abs=1e-6
        )
    assert frame.loc[build.pk, "expected_coverage"] == pytest.approx(0.75, abs=1e-6)
    assert frame.loc[build.pk, "title"].startswith("'=")
