"""The demo's consumers have people: a breach of a demo contract reaches its producer and the
members of each consumer team by email; demo users keep their password."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import call_command

from contracts.demo import CONSUMER_TEAMS
from contracts.models import Consumer, ConsumerMember, NoticeEvent
from contracts.notifications import services
from tests.contracts.factories import SlaBreachFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=StringIO())


def test_every_demo_consumer_has_a_team_and_reruns_change_nothing(demo):
    consumers = Consumer.objects.select_related("user")
    assert consumers.exists() and all(c.user is not None for c in consumers)
    before = sorted(ConsumerMember.objects.values_list("consumer_id", "user_id"))
    call_command("load_demo", stdout=StringIO())
    assert sorted(ConsumerMember.objects.values_list("consumer_id", "user_id")) == before
    fraud = Consumer.objects.filter(name="Payment fraud scoring model").first()
    assert fraud.user.username == CONSUMER_TEAMS[fraud.name][0]
    assert {m.user.username for m in fraud.members.all()} == {"ana", "ben"}


def test_demo_users_sign_in_with_the_demo_password(demo, rf):
    for username in ("pm", "lead", "exec", "admin", "fraud", "finance", "growth"):
        assert authenticate(rf.get("/"), username=username, password="valuechain-demo")


def test_a_breach_of_a_demo_contract_emails_the_producer_and_the_consumer_teams(
    demo, django_capture_on_commit_callbacks
):
    contract = Consumer.objects.filter(name="Payment fraud scoring model").first().contract
    breach = SlaBreachFactory(contract=contract, version=contract.versions.last())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(breach, NoticeEvent.OPENED)
    told = {address for m in mail.outbox for address in m.to}
    expected = {contract.owner.email}
    for consumer in contract.consumers.all():
        expected.add(consumer.user.email)
        expected |= {m.user.email for m in consumer.members.all()}
    assert told == expected
    assert "fraud@hafen-market.example" in told and "ana@hafen-market.example" in told
