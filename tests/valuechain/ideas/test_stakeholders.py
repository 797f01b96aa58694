"""Stakeholders per idea and tier: gaps highlighted, data leads assign, others read."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import IdeaFactory, NeedFactory, StakeholderAssignmentFactory, UserFactory
from valuechain import models as m
from valuechain.engine.stakeholders import stakeholder_gaps
from valuechain.ideas import selectors


def gap_rows(html: str) -> set[tuple[int, str]]:
    return {
        (int(tier), role)
        for tier, role in re.findall(r'<tr class="gap" data-tier="(\d)" data-role="([^"]+)"', html)
    }


def role(name: str) -> m.Role:
    return m.Role.objects.get(name=name)


@pytest.mark.django_db
def test_gaps_are_the_default_roles_of_reached_tiers_with_nobody(
    client_for, exec_user, value_chain
):
    idea = value_chain.idea
    StakeholderAssignmentFactory(idea=idea, tier=1, role=role("Data scientist"))
    StakeholderAssignmentFactory(idea=idea, tier=3, role=role("Data engineer"))
    html = client_for(exec_user).get(reverse("idea-stakeholders", args=[idea.pk])).content.decode()

    report = selectors.roi_report(selectors.ideas().get(pk=idea.pk))
    defaults = {p.tier: [r.pk for r in p.default_roles.all()] for p in m.TierProfile.objects.all()}
    assigned = idea.stakeholders.values_list("tier", "role_id")
    expected = {
        (tier, m.Role.objects.get(pk=role_id).name)
        for tier, role_id in stakeholder_gaps(report.tier, defaults, assigned)
    }
    assert gap_rows(html) == expected
    assert (1, "Data scientist") not in expected and (1, "ML engineer") in expected
    assert f"{len(expected)} gaps" in html


@pytest.mark.django_db
def test_only_tiers_the_idea_reaches_are_listed(client_for, exec_user, pm_user):
    idea = IdeaFactory(owner=pm_user)
    NeedFactory(idea=idea)  # an available feature: tier 1 only
    html = client_for(exec_user).get(reverse("idea-stakeholders", args=[idea.pk])).content.decode()
    assert 'id="tier-1"' in html and 'id="tier-2"' not in html
    assert {tier for tier, _ in gap_rows(html)} == {1}


@pytest.mark.django_db
def test_a_data_lead_assigns_someone_and_the_gap_closes(client_for, lead_user, value_chain):
    person = UserFactory(username="dana", first_name="Dana", last_name="Analyst")
    client = client_for(lead_user)
    url = reverse("idea-stakeholders", args=[value_chain.idea.pk])
    assert (2, "Analytics engineer") in gap_rows(client.get(url).content.decode())
    response = client.post(
        url,
        {
            "tier": "2",
            "role": role("Analytics engineer").pk,
            "person": person.pk,
            "note": "owns footfall",
        },
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert (2, "Analytics engineer") not in gap_rows(html)
    assert "Dana Analyst" in html


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["pm_user", "exec_user"])
def test_others_read_but_cannot_assign(request, client_for, value_chain, who):
    client = client_for(request.getfixturevalue(who))
    url = reverse("idea-stakeholders", args=[value_chain.idea.pk])
    html = client.get(url).content.decode()
    assert 'id="assign"' not in html
    response = client.post(
        url,
        {"tier": "1", "role": role("ML engineer").pk, "person": request.getfixturevalue(who).pk},
    )
    assert response.status_code == 403
    assert not m.StakeholderAssignment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"tier": "9"}, "tier"),
        ({"tier": "abc"}, "tier"),
        ({"role": "999999"}, "role"),
        ({"person": "nobody"}, "person"),
        ({"note": "x" * 301}, "note"),
    ],
)
def test_bad_assignments_are_shown_on_the_field_and_not_written(
    client_for, lead_user, pm_user, value_chain, data, field
):
    form = {"tier": "1", "role": role("ML engineer").pk, "person": pm_user.pk, **data}
    response = client_for(lead_user).post(
        reverse("idea-stakeholders", args=[value_chain.idea.pk]), form
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not m.StakeholderAssignment.objects.exists()


@pytest.mark.django_db
def test_a_tier_beyond_the_idea_cannot_be_assigned(client_for, lead_user, pm_user):
    idea = IdeaFactory(owner=pm_user)
    NeedFactory(idea=idea)
    response = client_for(lead_user).post(
        reverse("idea-stakeholders", args=[idea.pk]),
        {"tier": "4", "role": role("Data engineer").pk, "person": pm_user.pk},
    )
    assert "tier" in response.context["form"].errors
    assert not m.StakeholderAssignment.objects.exists()


@pytest.mark.django_db
def test_the_same_person_twice_in_the_same_role_is_refused(
    client_for, lead_user, pm_user, value_chain
):
    existing = StakeholderAssignmentFactory(
        idea=value_chain.idea, tier=1, role=role("ML engineer"), person=pm_user
    )
    response = client_for(lead_user).post(
        reverse("idea-stakeholders", args=[value_chain.idea.pk]),
        {"tier": "1", "role": existing.role_id, "person": pm_user.pk},
    )
    assert response.status_code == 200
    assert "already assigned" in response.content.decode()
    assert m.StakeholderAssignment.objects.count() == 1


@pytest.mark.django_db
def test_a_data_lead_removes_an_assignment_of_this_idea_only(client_for, lead_user, value_chain):
    mine = StakeholderAssignmentFactory(idea=value_chain.idea, tier=1, role=role("ML engineer"))
    elsewhere = StakeholderAssignmentFactory(tier=1, role=role("ML engineer"))
    client = client_for(lead_user)
    url = reverse("idea-stakeholders", args=[value_chain.idea.pk])
    assert client.post(url, {"remove": elsewhere.pk}).status_code == 404
    assert client.post(url, {"remove": "abc"}).status_code == 400
    assert client.post(url, {"remove": mine.pk}).status_code == 302
    assert list(m.StakeholderAssignment.objects.all()) == [elsewhere]


@pytest.mark.django_db
def test_the_person_dropdown_shows_full_names_like_the_table(client_for, lead_user, value_chain):
    UserFactory(username="chen", first_name="Chen", last_name="Wei")
    UserFactory(username="zz-no-name", first_name="", last_name="")
    html = (
        client_for(lead_user)
        .get(reverse("idea-stakeholders", args=[value_chain.idea.pk]))
        .content.decode()
    )
    options = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', html)
    assert "Chen Wei (chen)" in options
    assert "zz-no-name" in options  # a person without a name keeps the username
    assert "chen" not in options
