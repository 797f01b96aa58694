"""The bulk import page: dry run first, then import; problems listed by row and column."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from valuechain import models as m
from valuechain.catalogue.bulk.document import MAX_BYTES

CSV = (
    "kind,name,upstream,build_low,build_likely,build_high\n"
    "acquisition_option,Vendor feed,,100,200,300\n"
    "raw_source,Vendor rows,Vendor feed,1,2,3\n"
)


def post(client, data: str | bytes, name: str = "catalogue.csv", **fields):
    content = data.encode() if isinstance(data, str) else data
    return client.post(
        reverse("catalogue-import"), {"file": SimpleUploadedFile(name, content), **fields}
    )


@pytest.mark.django_db
def test_a_dry_run_on_the_page_lists_each_row_and_writes_nothing(client_for, lead_user):
    response = post(client_for(lead_user), CSV, dry_run="on")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dry run: nothing written yet" in html
    assert "2 rows: 2 to create, 0 to update, 0 unchanged." in html
    assert "Vendor rows" in html
    assert not m.RawSource.objects.exists()


@pytest.mark.django_db
def test_importing_on_the_page_writes_the_rows(client_for, lead_user):
    client = client_for(lead_user)
    response = post(client, CSV)
    assert response.status_code == 200
    assert "2 created" in response.content.decode()
    raw = m.RawSource.objects.get(name="Vendor rows")
    assert raw.acquisition_option.name == "Vendor feed"
    again = post(client, CSV).content.decode()
    assert "0 created, 0 updated, 2 unchanged." in again


@pytest.mark.django_db
def test_problems_are_listed_by_row_and_column_and_nothing_is_written(client_for, lead_user):
    bad = CSV + "feature,Broken,Vendor rows,1,2,3\n"
    response = post(client_for(lead_user), bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert '<td class="num">4</td><td>upstream</td>' in html
    assert "&#x27;Vendor rows&#x27; is a raw source" in html
    assert not m.AcquisitionOption.objects.exists()


@pytest.mark.django_db
def test_the_page_lists_the_first_hundred_problems_and_counts_the_rest(client_for, lead_user):
    header = "kind,name,build_low,build_likely,build_high\n"
    rows = "".join(f"feature,f{i},3,2,1\n" for i in range(130))
    response = post(client_for(lead_user), header + rows)
    assert response.status_code == 400
    html = response.content.decode()
    assert "130 problems" in html
    assert html.count('<tr><td class="num">') == 100
    assert "The first 100 are listed; 30 more are not." in html
    assert not m.Feature.objects.exists()


@pytest.mark.django_db
def test_an_unreadable_or_oversized_file_is_refused_on_the_file_field(client_for, lead_user):
    client = client_for(lead_user)
    response = post(client, b"[1,", "catalogue.json")
    assert response.status_code == 400
    assert "Not valid JSON" in response.content.decode()
    response = post(client, "x" * (MAX_BYTES + 1))
    assert response.status_code == 400
    assert "larger than 1024 KiB" in response.content.decode()
    response = post(client, "x" * (MAX_BYTES + 100 * 1024))
    assert response.status_code == 413
    assert "larger than 1024 KiB" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["pm_user", "exec_user"])
def test_only_data_leads_import_on_the_page(request, client_for, who):
    response = post(client_for(request.getfixturevalue(who)), CSV)
    assert response.status_code == 403
    assert not m.AcquisitionOption.objects.exists()
