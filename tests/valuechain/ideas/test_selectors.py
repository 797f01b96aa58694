"""Reads of ideas: what stakeholder gaps are computed from, for one idea or many."""

from __future__ import annotations

import pytest

from tests.factories import IdeaFactory, RoleFactory, StakeholderAssignmentFactory
from valuechain import models as m
from valuechain.ideas import selectors

pytestmark = pytest.mark.django_db


def test_gap_inputs_hold_the_default_roles_and_the_assignments_asked_for():
    lead, steward = RoleFactory(name="Lead"), RoleFactory(name="Steward")
    m.TierProfile.objects.get(tier=1).default_roles.set([lead.pk, steward.pk])
    m.TierProfile.objects.get(tier=2).default_roles.set([steward.pk])
    draft = IdeaFactory(status=m.Idea.Status.DRAFT)
    approved = IdeaFactory(status=m.Idea.Status.APPROVED)
    StakeholderAssignmentFactory(idea=draft, tier=1, role=lead)
    StakeholderAssignmentFactory(idea=approved, tier=2, role=steward)

    one = selectors.stakeholder_gap_inputs(idea_id=draft.pk)
    assert set(one.assigned) == {draft.pk}
    assert sorted(one.default_roles[1]) == sorted([lead.pk, steward.pk])
    assert one.role_names[steward.pk] == "Steward"
    assert one.gaps(draft.pk, 2) == [(1, steward.pk), (2, steward.pk)]
    assert one.gaps(draft.pk, 1) == [(1, steward.pk)]

    every = selectors.stakeholder_gap_inputs()
    assert set(every.assigned) == {draft.pk, approved.pk}
    assert every.gaps(approved.pk, 2) == sorted([(1, lead.pk), (1, steward.pk)])
    approved_only = selectors.stakeholder_gap_inputs(statuses=[m.Idea.Status.APPROVED])
    assert set(approved_only.assigned) == {approved.pk}
