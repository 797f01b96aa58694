"""Every page renders for every group; who may change what; anonymous users log in first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from valuechain import models as m

USERS = ["pm_user", "lead_user", "exec_user", "staff_user"]


def read_pages(chain) -> list[str]:
    pk = chain.idea.pk
    return [
        reverse("catalogue"),
        reverse("idea-list"),
        reverse("idea-detail", args=[pk]),
        reverse("idea-stakeholders", args=[pk]),
        reverse("catalogue-search") + "?tier=1",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("who", USERS)
def test_every_group_reads_every_page(request, client_for, value_chain, who):
    client = client_for(request.getfixturevalue(who))
    for url in read_pages(value_chain):
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_the_login_page(client_for, value_chain):
    client = client_for(None)
    for url in [
        *read_pages(value_chain),
        reverse("idea-create"),
        reverse("idea-edit", args=[value_chain.idea.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("pm_user", 200),
        ("staff_user", 200),
        ("lead_user", 403),
        ("exec_user", 403),
    ],
)
def test_only_product_managers_and_staff_open_the_new_idea_form(request, client_for, who, status):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("idea-create")).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("pm_user", 200),
        ("staff_user", 200),
        ("other_pm", 403),
        ("lead_user", 403),
        ("exec_user", 403),
    ],
)
def test_only_the_owner_or_staff_edit_an_idea(request, client_for, value_chain, who, status):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("idea-edit", args=[value_chain.idea.pk])).status_code == status


@pytest.mark.django_db
def test_a_non_owner_cannot_change_an_idea_by_posting(client_for, other_pm, value_chain):
    response = client_for(other_pm).post(
        reverse("idea-edit", args=[value_chain.idea.pk]),
        {"title": "Hijacked", "status": "draft"},
    )
    assert response.status_code == 403
    assert m.Idea.objects.get(pk=value_chain.idea.pk).title == "Demand forecast"


@pytest.mark.django_db
def test_edit_links_show_only_to_those_who_may_edit(client_for, pm_user, exec_user, value_chain):
    url = reverse("idea-detail", args=[value_chain.idea.pk])
    edit = reverse("idea-edit", args=[value_chain.idea.pk])
    assert edit in client_for(pm_user).get(url).content.decode()
    assert edit not in client_for(exec_user).get(url).content.decode()
    assert (
        reverse("idea-create")
        not in client_for(exec_user).get(reverse("idea-list")).content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["idea-detail", "idea-edit", "idea-stakeholders"])
def test_a_missing_idea_is_a_404(client_for, staff_user, name):
    assert client_for(staff_user).get(reverse(name, args=[987654])).status_code == 404


@pytest.mark.django_db
def test_the_nav_links_every_section(client_for, exec_user):
    html = client_for(exec_user).get(reverse("idea-list")).content.decode()
    for href in ["/ideas/", "/catalogue/", "/contracts/", "/deployments/", "/api/docs/"]:
        assert f'href="{href}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["idea-detail", "idea-edit", "idea-stakeholders"])
def test_an_idea_id_beyond_any_integer_column_is_a_404(client_for, staff_user, name):
    url = reverse(name, args=[10**30])
    assert client_for(staff_user).get(url).status_code == 404


@pytest.mark.django_db
def test_removing_an_assignment_id_beyond_any_integer_column_is_a_404(
    client_for, staff_user, value_chain
):
    url = reverse("idea-stakeholders", args=[value_chain.idea.pk])
    assert client_for(staff_user).post(url, {"remove": str(10**30)}).status_code == 404


@pytest.mark.django_db
def test_pages_refuse_methods_they_do_not_serve(client_for, staff_user, value_chain):
    client = client_for(staff_user)
    assert client.post(reverse("idea-list")).status_code == 405
    assert client.post(reverse("catalogue")).status_code == 405
    assert client.delete(reverse("idea-detail", args=[value_chain.idea.pk])).status_code == 405
