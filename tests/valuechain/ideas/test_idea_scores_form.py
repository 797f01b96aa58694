"""The product manager enters reach, impact, confidence and the parts of WSJF on the idea form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.valuechain.ideas.test_idea_form import idea_data
from valuechain import models as m

pytestmark = pytest.mark.django_db


def test_the_form_saves_score_inputs_and_blank_means_not_scored(client_for, pm_user):
    client = client_for(pm_user)
    page = client.get(reverse("idea-create")).content.decode()
    assert 'id="idea-scores"' in page and "not scored" in page
    assert "how many people (or events) the idea affects each quarter" in page  # help text
    data = idea_data(
        reach="4000", impact="0.5", confidence="0.8", business_value="13", time_criticality="2"
    )
    assert client.post(reverse("idea-create"), data).status_code == 302
    idea = m.Idea.objects.get(title="Churn alerts")
    assert (idea.reach, idea.impact, idea.confidence) == (4000, 0.5, 0.8)
    assert (idea.business_value, idea.time_criticality, idea.risk_reduction) == (13, 2, None)


@pytest.mark.parametrize(
    ("field", "value"),
    [("impact", "0.7"), ("confidence", "2"), ("reach", "-3"), ("risk_reduction", "4")],
)
def test_a_score_off_its_scale_is_refused_on_its_field(client_for, pm_user, field, value):
    response = client_for(pm_user).post(reverse("idea-create"), idea_data(**{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not m.Idea.objects.exists()
