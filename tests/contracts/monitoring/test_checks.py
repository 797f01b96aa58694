"""Scheduled SLA checks: a quiet stream breaches freshness from the beat task alone, the breach
stays one while open, and resolves itself when data arrives; everyone concerned hears of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from contracts.enforcement import services as enforcement
from contracts.models import (
    Alert,
    ConsumerMember,
    DeadLetter,
    SlaBreach,
    Subscription,
    ValidationRun,
    ValidRecord,
)
from contracts.monitoring import checks, tasks
from tests.contracts.factories import (
    GOOD,
    NEGATIVE,
    ConsumerFactory,
    ContractVersionFactory,
    DataContractFactory,
    ValidationRunFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FRESH_HOUR = {"freshness": {"value": 1, "unit": "h"}}


def _received(version, when, records, dead=()):
    run = ValidationRunFactory(contract=version.contract, version=version, received_at=when)
    for i, payload in enumerate(records):
        ValidRecord.objects.create(
            contract=version.contract, run=run, record_index=i, payload=payload, received_at=when
        )
    for j, payload in enumerate(dead, start=len(records)):
        DeadLetter.objects.create(
            contract=version.contract, run=run, record_index=j, payload=payload,
            errors=[{"pointer": "/amount", "message": "below 0"}], received_at=when,
        )  # fmt: skip
    return run


@pytest.fixture
def quiet(db):
    """A contract promising hourly data whose last record came three hours ago."""
    version = ContractVersionFactory(sla=FRESH_HOUR)
    _received(version, timezone.now() - timedelta(hours=3), [GOOD])
    return version


def test_a_quiet_stream_opens_one_freshness_breach_from_the_beat_task_alone(
    quiet, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.check_contract_slas() == {"opened": 1, "resolved": 0}
    breach = SlaBreach.objects.get(contract=quiet.contract)
    assert breach.kind == SlaBreach.Kind.FRESHNESS and breach.resolved_at is None
    assert breach.observed > 3 * 3600 - 60 and breach.limit == 3600
    assert "Nothing has arrived for 3:00" in breach.detail
    # the producer is alerted in the app and by email
    assert Alert.objects.filter(breach=breach, recipient=quiet.contract.owner).exists()
    assert [m.to for m in mail.outbox] == [[quiet.contract.owner.email]]
    assert "SLA breach: freshness" in mail.outbox[0].subject
    site = settings.VALUECHAIN["PUBLIC_URL"].rstrip("/")
    assert f"{site}/contracts/{quiet.contract.pk}/" in mail.outbox[0].body  # a link to follow

    # still quiet a minute later: the same breach, nobody told twice
    with django_capture_on_commit_callbacks(execute=True):
        later = checks.check_contract(quiet.contract.pk, timezone.now() + timedelta(minutes=1))
    assert later.opened == [] and later.still_open == [breach.pk]
    assert SlaBreach.objects.filter(contract=quiet.contract).count() == 1
    assert len(mail.outbox) == 1


def test_the_breach_resolves_itself_when_data_arrives(quiet, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.check_contract_slas()
    breach = SlaBreach.objects.get(contract=quiet.contract)

    run, _ = enforcement.validate_batch_now_or_later(
        contract=quiet.contract, records=[GOOD, GOOD], source=ValidationRun.Source.API
    )
    assert run.valid_count == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.check_contract_slas() == {"opened": 0, "resolved": 1}
    breach.refresh_from_db()
    assert breach.resolved_at is not None
    assert mail.outbox[-1].subject.startswith("Resolved: freshness")
    # recovered data opens nothing new
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.check_contract_slas() == {"opened": 0, "resolved": 0}


def test_notices_reach_the_producer_the_consumer_team_and_the_subscribers(
    quiet, django_capture_on_commit_callbacks
):
    consumer_user, teammate, follower = UserFactory(), UserFactory(), UserFactory()
    consumer = ConsumerFactory(contract=quiet.contract, user=consumer_user)
    ConsumerMember.objects.create(consumer=consumer, user=teammate)
    Subscription.objects.create(user=follower, contract=quiet.contract)
    UserFactory()  # a bystander hears nothing
    with django_capture_on_commit_callbacks(execute=True):
        tasks.check_contract_slas()
    told = sorted(address for m in mail.outbox for address in m.to)
    expected = [quiet.contract.owner, consumer_user, teammate, follower]
    assert told == sorted(u.email for u in expected)
    reasons: dict = {m.to[0]: m.body for m in mail.outbox}
    assert f"consumer team {consumer.name}" in reasons[teammate.email]
    assert "as subscriber" in reasons[follower.email]
    assert "as producer" in reasons[quiet.contract.owner.email]


def test_a_high_dead_letter_rate_opens_a_breach_and_a_clean_window_resolves_it(
    django_capture_on_commit_callbacks,
):
    version = ContractVersionFactory(sla={})
    now = timezone.now()
    _received(version, now - timedelta(minutes=10), [GOOD] * 8, dead=[NEGATIVE] * 4)
    with django_capture_on_commit_callbacks(execute=True):
        found = checks.check_contract(version.contract.pk, now)
    breach = SlaBreach.objects.get(pk=found.opened[0])
    assert breach.kind == SlaBreach.Kind.DEAD_LETTER_RATE
    assert breach.observed == pytest.approx(4 / 12)
    assert "4 of 12 records" in breach.detail
    # two hours on, the window holds only clean records
    _received(version, now + timedelta(hours=2), [GOOD] * 12)
    with django_capture_on_commit_callbacks(execute=True):
        again = checks.check_contract(version.contract.pk, now + timedelta(hours=2, minutes=1))
    assert again.resolved == [breach.pk]


def test_missing_values_in_the_window_open_a_breach(django_capture_on_commit_callbacks):
    version = ContractVersionFactory(
        sla={},
        missing_thresholds=[
            {"field": "/properties/note", "metric": "nullValues", "max_ratio": 0.2,
             "max_count": None, "window": {"value": 1, "unit": "h"}},
        ],
    )  # fmt: skip
    now = timezone.now()
    _received(
        version,
        now - timedelta(minutes=5),
        [{**GOOD, "note": None}] * 3 + [{**GOOD, "note": "ok"}] * 2,
    )
    found = checks.check_contract(version.contract.pk, now)
    breach = SlaBreach.objects.get(pk=found.opened[0])
    assert breach.kind == SlaBreach.Kind.MISSING_RATIO and breach.field == "/properties/note"
    assert breach.observed == pytest.approx(0.6)


def test_drafts_and_contracts_without_a_published_version_are_not_checked():
    draft = DataContractFactory(status="draft")
    ContractVersionFactory(contract=draft, sla=FRESH_HOUR)
    bare = DataContractFactory()
    assert checks.check_contract(draft.pk).opened == []
    assert checks.check_contract(bare.pk).opened == []


def test_beat_uses_the_database_schedule_seeded_with_the_checks_and_the_digest():
    assert settings.CELERY_BEAT_SCHEDULER.startswith("django_celery_beat.")
    seeded = dict(PeriodicTask.objects.values_list("name", "task"))
    assert seeded["contract-sla-checks"] == "contracts.monitoring.tasks.check_contract_slas"
    assert seeded["contract-notification-digest"] == (
        "contracts.notifications.tasks.send_daily_digests"
    )
    assert "django_celery_beat.schedulers:DatabaseScheduler" in " ".join(
        (settings.BASE_DIR / "docker-compose.yml").read_text().split()
    )
