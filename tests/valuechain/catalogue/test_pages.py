"""Catalogue editing pages: who may open them, create, edit, delete, validation, queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    AcquisitionOptionFactory,
    CuratedDatasetFactory,
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RawSourceFactory,
    RoleFactory,
)
from valuechain import models as m

KINDS = ["feature", "curated_dataset", "raw_source", "acquisition_option"]


def estimate(prefix: str, low: float, likely: float, high: float, role: str = "") -> dict:
    return {
        f"{prefix}_low": low,
        f"{prefix}_likely": likely,
        f"{prefix}_high": high,
        f"{prefix}_days_role": role,
    }


def asset_post(name: str, **extra) -> dict:
    return {
        "name": name,
        "description": "",
        "owner": "",
        "available": "",
        "feasibility": "",
        **estimate("build", 0, 0, 0),
        **estimate("run", 0, 0, 0),
        **extra,
    }


def errors_of(html: str, field: str) -> str:
    start = html.index(f'id="id_{field}_errors"')
    return html[start : html.index("</ul>", start)]


def editing_pages(chain) -> list[str]:
    pages = [reverse("catalogue-import"), reverse("catalogue-tiers")]
    assets = {
        "feature": chain.feature,
        "curated_dataset": chain.curated,
        "raw_source": chain.raw,
        "acquisition_option": chain.acquisition,
    }
    for kind, asset in assets.items():
        pages += [
            reverse("catalogue-asset-list", args=[kind]),
            reverse("catalogue-asset-create", args=[kind]),
            reverse("catalogue-asset-edit", args=[kind, asset.pk]),
            reverse("catalogue-asset-delete", args=[kind, asset.pk]),
        ]
    return pages


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead_user", 200),
        ("staff_user", 200),
        ("pm_user", 403),
        ("exec_user", 403),
    ],
)
def test_only_data_leads_and_staff_open_the_editing_pages(
    request, client_for, value_chain, who, status
):
    client = client_for(request.getfixturevalue(who))
    for url in editing_pages(value_chain):
        assert client.get(url).status_code == status, url


@pytest.mark.django_db
def test_others_cannot_write_and_anonymous_users_log_in_first(
    client_for, pm_user, exec_user, value_chain
):
    for user in (pm_user, exec_user):
        client = client_for(user)
        create = client.post(
            reverse("catalogue-asset-create", args=["feature"]), asset_post("sneaky")
        )
        delete = client.post(
            reverse("catalogue-asset-delete", args=["feature", value_chain.new_feature.pk])
        )
        assert (create.status_code, delete.status_code) == (403, 403)
    assert not m.Feature.objects.filter(name="sneaky").exists()
    assert m.Feature.objects.filter(pk=value_chain.new_feature.pk).exists()
    response = client_for(None).get(reverse("catalogue-asset-list", args=["feature"]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_the_catalogue_page_links_to_editing_for_data_leads_only(
    client_for, lead_user, exec_user, value_chain
):
    lead = client_for(lead_user)
    lead_html = lead.get(reverse("catalogue")).content.decode()
    assert reverse("catalogue-asset-create", args=["feature"]) in lead_html
    assert reverse("catalogue-import") in lead_html
    html = lead.get(reverse("catalogue"), {"tier": 4}).content.decode()
    assert reverse("catalogue-asset-create", args=["acquisition_option"]) in html
    assert "Add curated dataset" in lead.get(reverse("catalogue"), {"tier": 2}).content.decode()
    html = lead.get(reverse("catalogue"), {"tier": 3}).content.decode()
    assert reverse("catalogue-asset-edit", args=["raw_source", value_chain.raw.pk]) in html
    exec_html = client_for(exec_user).get(reverse("catalogue")).content.decode()
    assert "/catalogue/features/" not in exec_html and "Import / export" not in exec_html


@pytest.mark.django_db
def test_a_data_lead_adds_a_feature_in_person_days_with_lineage(client_for, lead_user, value_chain):
    role = RoleFactory(name="ML engineer", day_rate=1000)
    client = client_for(lead_user)
    response = client.post(
        reverse("catalogue-asset-create", args=["feature"]),
        asset_post(
            "Basket affinity",
            owner=lead_user.pk,
            feasibility="0.7",
            **estimate("build", 5, 10, 20, role.pk),
            feature_group="baskets",
            online="on",
            curated_datasets=[value_chain.curated.pk, value_chain.new_curated.pk],
        ),
    )
    feature = m.Feature.objects.get(name="Basket affinity")
    assert response.status_code == 302
    assert response["Location"] == f"/catalogue/?tier=1#asset-feature-{feature.pk}"
    assert feature.owner == lead_user and feature.online and feature.feasibility == 0.7
    assert (feature.build_likely, feature.build_days_role) == (10, role)
    assert set(feature.curated_datasets.all()) == {value_chain.curated, value_chain.new_curated}
    page = client.get(response["Location"]).content.decode()
    assert "Basket affinity" in page and "added" in page


@pytest.mark.django_db
def test_the_new_asset_form_starts_with_the_user_as_owner_and_the_tier_default(
    client_for, lead_user
):
    m.TierProfile.objects.filter(tier=3).update(default_feasibility=0.65)
    html = (
        client_for(lead_user)
        .get(reverse("catalogue-asset-create", args=["raw_source"]))
        .content.decode()
    )
    assert f'<option value="{lead_user.pk}" selected>' in html
    assert "the tier&#x27;s default (0.65)" in html
    for question in (
        "Is it current?",
        "Does it arrive at regular intervals?",
        "Can its quality be ensured?",
        "Can SLAs be established?",
    ):
        assert question in html


@pytest.mark.django_db
def test_editing_a_raw_source_sets_readiness_and_its_acquisition_option(
    client_for, lead_user, value_chain
):
    raw = value_chain.raw
    response = client_for(lead_user).post(
        reverse("catalogue-asset-edit", args=["raw_source", raw.pk]),
        asset_post(
            "Point of sale log v2",
            available="on",
            system="POS",
            acquisition_option=value_chain.acquisition.pk,
            is_current="true",
            arrives_regularly="false",
            quality_ensurable="unknown",
            sla_establishable="true",
            **estimate("build", 1, 2, 3),
        ),
    )
    assert response.status_code == 302
    raw.refresh_from_db()
    assert raw.name == "Point of sale log v2" and raw.system == "POS"
    assert raw.acquisition_option == value_chain.acquisition
    assert (
        raw.is_current,
        raw.arrives_regularly,
        raw.quality_ensurable,
        raw.sla_establishable,
    ) == (True, False, None, True)
    assert raw.feasibility is None  # empty: the tier's default
    # Lineage it already had downstream stays.
    assert raw.curated_datasets.count() == 2


@pytest.mark.django_db
def test_lineage_pickers_offer_only_the_right_upstream_kind(client_for, lead_user, value_chain):
    client = client_for(lead_user)
    feature_form = client.get(reverse("catalogue-asset-create", args=["feature"])).content
    assert b"Sales golden table" in feature_form and b"Point of sale log" not in feature_form
    curated_form = client.get(reverse("catalogue-asset-create", args=["curated_dataset"])).content
    assert b"Point of sale log" in curated_form and b"Weather vendor feed" not in curated_form
    raw_form = client.get(reverse("catalogue-asset-create", args=["raw_source"])).content
    assert b"Weather vendor feed" in raw_form and b"Sales golden table" not in raw_form
    # An id that is no curated dataset is refused on the field.
    response = client.post(
        reverse("catalogue-asset-create", args=["feature"]),
        asset_post("wrong input", curated_datasets=[value_chain.curated.pk + 1000]),
    )
    assert response.status_code == 400
    assert "valid choice" in errors_of(response.content.decode(), "curated_datasets")
    assert not m.Feature.objects.filter(name="wrong input").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "field"),
    [("feature", "curated_datasets"), ("curated_dataset", "raw_sources")],
)
@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "0", "1e3", "x"])
def test_an_upstream_id_no_column_can_hold_is_refused_on_its_field(
    client_for, lead_user, value_chain, kind, field, value
):
    # 99999999999999999999999 was a server error: SQLite cannot compare so large an integer.
    response = client_for(lead_user).post(
        reverse("catalogue-asset-create", args=[kind]),
        asset_post("huge upstream", **{field: [value]}),
    )
    assert response.status_code == 400
    assert "valid choice" in errors_of(response.content.decode(), field)
    assert not m.Feature.objects.filter(name="huge upstream").exists()
    assert not m.CuratedDataset.objects.filter(name="huge upstream").exists()


@pytest.mark.django_db
def test_a_default_role_id_no_column_can_hold_is_refused_on_its_field(client_for, staff_user):
    response = client_for(staff_user).post(
        reverse("catalogue-tier-edit", args=[1]),
        {"label": "Raw", "investment_band": "low", "default_roles": ["9" * 30]},
    )
    assert response.status_code == 400
    assert "valid choice" in errors_of(response.content.decode(), "default_roles")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({**estimate("build", 10, 5, 20)}, "build_likely", "low &lt;= likely &lt;= high"),
        ({"run_low": -1}, "run_low", "greater than or equal to 0"),
        ({"feasibility": "1.5"}, "feasibility", "less than or equal to 1"),
        ({"build_high": "inf"}, "build_high", "Enter a number"),
        ({"build_high": "1e16"}, "build_high", "less than or equal to"),
        ({"name": ""}, "name", "required"),
    ],
)
def test_bad_values_are_shown_on_their_field_and_nothing_is_written(
    client_for, lead_user, changes, field, message
):
    response = client_for(lead_user).post(
        reverse("catalogue-asset-create", args=["curated_dataset"]),
        {**asset_post("bad dataset"), **changes},
    )
    assert response.status_code == 400
    assert message in errors_of(response.content.decode(), field)
    assert not m.CuratedDataset.objects.exists()


@pytest.mark.django_db
def test_a_name_is_unique_within_its_kind_so_imports_can_match_it(
    client_for, lead_user, value_chain
):
    client = client_for(lead_user)
    response = client.post(
        reverse("catalogue-asset-create", args=["feature"]), asset_post("Promotion uplift")
    )
    assert response.status_code == 400
    assert "already named" in errors_of(response.content.decode(), "name")
    # Another kind may share it, and an asset keeps its own name on edit.
    other_kind = client.post(
        reverse("catalogue-asset-create", args=["curated_dataset"]), asset_post("Promotion uplift")
    )
    assert other_kind.status_code == 302
    same = client.post(
        reverse("catalogue-asset-edit", args=["feature", value_chain.new_feature.pk]),
        asset_post("Promotion uplift", curated_datasets=[value_chain.curated.pk]),
    )
    assert same.status_code == 302
    assert m.Feature.objects.filter(name="Promotion uplift").count() == 1


@pytest.mark.django_db
def test_an_acquisition_option_has_no_availability_to_tick(client_for, lead_user):
    client = client_for(lead_user)
    html = client.get(reverse("catalogue-asset-create", args=["acquisition_option"])).content
    assert b'name="available"' not in html
    response = client.post(
        reverse("catalogue-asset-create", args=["acquisition_option"]),
        asset_post("Census feed", available="on", provider="Stats office"),
    )
    assert response.status_code == 302
    option = m.AcquisitionOption.objects.get(name="Census feed")
    assert option.available is False and option.provider == "Stats office"


@pytest.mark.django_db
def test_a_person_day_role_must_exist(client_for, lead_user):
    response = client_for(lead_user).post(
        reverse("catalogue-asset-create", args=["feature"]),
        asset_post("priced", **estimate("build", 1, 2, 3, "999999")),
    )
    assert response.status_code == 400
    assert "valid choice" in errors_of(response.content.decode(), "build_days_role")


@pytest.mark.django_db
def test_deleting_an_unused_asset(client_for, lead_user):
    option = AcquisitionOptionFactory(name="Unused feed")
    client = client_for(lead_user)
    url = reverse("catalogue-asset-delete", args=["acquisition_option", option.pk])
    assert b"Nothing uses it" in client.get(url).content
    response = client.post(url)
    assert response.status_code == 302
    assert not m.AcquisitionOption.objects.filter(pk=option.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("attribute", "kind", "user_text"),
    [
        ("feature", "feature", "Need “sales history”"),  # a need
        ("curated", "curated_dataset", "Weekly sales per store"),  # a feature takes it as input
        ("raw", "raw_source", "Sales golden table"),  # curated datasets take it as input
        ("acquisition", "acquisition_option", "Weather observations"),  # a raw source (PROTECT)
    ],
)
def test_an_asset_still_in_use_is_not_deleted_and_the_page_says_what_uses_it(
    client_for, lead_user, value_chain, attribute, kind, user_text
):
    asset = getattr(value_chain, attribute)
    client = client_for(lead_user)
    url = reverse("catalogue-asset-delete", args=[kind, asset.pk])
    response = client.post(url)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Not deleted" in html and user_text in html
    assert type(asset).objects.filter(pk=asset.pk).exists()
    assert b'id="confirm-delete"' not in client.get(url).content


@pytest.mark.django_db
def test_a_need_alone_blocks_deleting_an_acquisition_option(client_for, lead_user):
    option = AcquisitionOptionFactory()
    NeedFactory(idea=IdeaFactory(), acquisition_option=option, feature=None)
    response = client_for(lead_user).post(
        reverse("catalogue-asset-delete", args=["acquisition_option", option.pk])
    )
    assert response.status_code == 409
    assert m.AcquisitionOption.objects.filter(pk=option.pk).exists()


@pytest.mark.django_db
def test_an_unknown_asset_is_a_404(client_for, lead_user):
    client = client_for(lead_user)
    assert client.get(reverse("catalogue-asset-edit", args=["feature", 99999])).status_code == 404
    assert client.get("/catalogue/widgets/").status_code == 404


def build_kind(kind: str, size: int) -> None:
    idea = IdeaFactory()
    for _ in range(size):
        option = AcquisitionOptionFactory()
        raw = RawSourceFactory(acquisition_option=option)
        curated = CuratedDatasetFactory(raw_sources=[raw])
        feature = FeatureFactory(curated_datasets=[curated])
        asset = {
            "feature": feature,
            "curated_dataset": curated,
            "raw_source": raw,
            "acquisition_option": option,
        }[kind]
        NeedFactory(idea=idea, **{kind: asset, **({"feature": None} if kind != "feature" else {})})


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_the_edit_list_runs_the_same_number_of_queries_at_two_sizes(client_for, lead_user, kind):
    client = client_for(lead_user)
    build_kind(kind, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("catalogue-asset-list", args=[kind])).status_code == 200
    build_kind(kind, 30)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("catalogue-asset-list", args=[kind]))
    html = response.content.decode()
    assert html.count(f'id="asset-{kind}-') == 32
    assert "1 need" in html
    assert len(large) == len(small)


@pytest.mark.django_db
def test_the_edit_form_runs_the_same_number_of_queries_at_two_sizes(client_for, lead_user):
    client = client_for(lead_user)
    feature = FeatureFactory()
    build_kind("curated_dataset", 2)
    url = reverse("catalogue-asset-edit", args=["feature", feature.pk])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    build_kind("curated_dataset", 30)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.content.decode().count('name="curated_datasets"') == 32 + 0
    assert len(large) == len(small)


@pytest.mark.django_db
def test_staff_edit_a_tier_profile_and_data_leads_only_read_it(client_for, staff_user, lead_user):
    analyst = RoleFactory(name="Analyst")
    url = reverse("catalogue-tier-edit", args=[2])
    lead = client_for(lead_user)
    assert lead.get(url).status_code == 403
    assert lead.post(url, {"label": "x"}).status_code == 403
    tiers_html = lead.get(reverse("catalogue-tiers")).content.decode()
    assert "Curated" in tiers_html and url not in tiers_html
    staff = client_for(staff_user)
    assert url in staff.get(reverse("catalogue-tiers")).content.decode()
    response = staff.post(
        url,
        {
            "label": "Golden data",
            "investment_band": "high",
            "default_roles": [analyst.pk],
            "default_feasibility": "0.8",
        },
    )
    assert response.status_code == 302
    profile = m.TierProfile.objects.get(tier=2)
    assert (profile.label, profile.investment_band, profile.default_feasibility) == (
        "Golden data",
        "high",
        0.8,
    )
    assert list(profile.default_roles.all()) == [analyst]
    assert "Golden data" in lead.get(reverse("catalogue-tiers")).content.decode()


@pytest.mark.django_db
def test_a_bad_tier_profile_is_refused_on_its_field(client_for, staff_user):
    response = client_for(staff_user).post(
        reverse("catalogue-tier-edit", args=[1]),
        {
            "label": "",
            "investment_band": "enormous",
            "default_feasibility": "2",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    for field in ("label", "investment_band", "default_feasibility"):
        assert f'id="id_{field}_errors"' in html
    assert m.TierProfile.objects.get(tier=1).label != ""
