"""Every endpoint answers the browsable HTML view and OPTIONS without an error."""

import pytest

from tests.factories import (
    CuratedDatasetFactory,
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RawSourceFactory,
    StakeholderAssignmentFactory,
)

pytestmark = pytest.mark.django_db

URLS = [
    "/api/roles/",
    "/api/tiers/",
    "/api/tiers/1/",
    "/api/features/",
    "/api/features/{f}/",
    "/api/curated-datasets/",
    "/api/raw-sources/",
    "/api/acquisition-options/",
    "/api/ideas/",
    "/api/ideas/{i}/",
    "/api/ideas/{i}/roi/",
    "/api/ideas/{i}/needs/",
    "/api/ideas/{i}/needs/{n}/",
    "/api/stakeholder-assignments/",
    "/api/stakeholder-assignments/{s}/",
    "/api/ideas/{i}/stakeholder-gaps/",
]


@pytest.mark.parametrize("who", ["staff", "pm"])
@pytest.mark.parametrize("url", URLS)
def test_browsable_api_and_options(client_as, users, who, url):
    feature = FeatureFactory(
        curated_datasets=[CuratedDatasetFactory(raw_sources=[RawSourceFactory()])]
    )
    need = NeedFactory(idea=IdeaFactory(owner=users["pm"]), feature=feature)
    assignment = StakeholderAssignmentFactory(idea=need.idea)
    url = url.format(i=need.idea_id, n=need.pk, f=feature.pk, s=assignment.pk)
    client = client_as(who)
    page = client.get(url, HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert b"<html" in page.content
    options = client.options(url)
    assert options.status_code == 200
    assert options.json()["name"]
