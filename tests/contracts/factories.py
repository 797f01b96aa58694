"""factory_boy factories for the contract models."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from contracts.models import Consumer, ContractVersion, DataContract, SlaBreach, ValidationRun
from tests.factories import CuratedDatasetFactory, UserFactory

ORDER_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "order_id": {"type": "string", "maxLength": 12},
        "amount": {"type": "number", "minimum": 0},
        "note": {"type": ["string", "null"]},
    },
    "required": ["order_id", "amount"],
}


class DataContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataContract

    name = factory.Sequence(lambda n: f"contract {n}")
    asset_type = "curated_dataset"
    asset_id = factory.LazyFunction(lambda: CuratedDatasetFactory().pk)
    owner = factory.SubFactory(UserFactory)
    producer_team = "data platform"
    status = DataContract.Status.ACTIVE
    compatibility_mode = "BACKWARD"


class ContractVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractVersion

    contract = factory.SubFactory(DataContractFactory)
    version = "1.0.0"
    major = factory.LazyAttribute(lambda v: int(v.version.split(".")[0]))
    minor = factory.LazyAttribute(lambda v: int(v.version.split(".")[1]))
    patch = factory.LazyAttribute(lambda v: int(v.version.split(".")[2]))
    json_schema = factory.LazyFunction(lambda: dict(ORDER_SCHEMA))
    compatibility_mode = factory.LazyAttribute(lambda v: v.contract.compatibility_mode)
    published_at = factory.LazyFunction(timezone.now)


class ConsumerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consumer

    contract = factory.SubFactory(DataContractFactory)
    name = factory.Sequence(lambda n: f"consumer {n}")
    pinned_major = 1


class ValidationRunFactory(factory.django.DjangoModelFactory):
    """A finished run: its counts as validation left them, its batch cleared."""

    class Meta:
        model = ValidationRun

    contract = factory.SubFactory(DataContractFactory)
    version = factory.LazyAttribute(lambda r: ContractVersionFactory(contract=r.contract))
    source = ValidationRun.Source.API
    status = ValidationRun.Status.SUCCEEDED
    received_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyAttribute(lambda r: r.received_at)
    received_count = factory.LazyAttribute(lambda r: r.valid_count + r.dead_letter_count)
    valid_count = 100
    dead_letter_count = 0


class SlaBreachFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaBreach

    contract = factory.SubFactory(DataContractFactory)
    version = factory.LazyAttribute(lambda b: ContractVersionFactory(contract=b.contract))
    kind = SlaBreach.Kind.LATENESS
    observed = 7200.0
    limit = 3600.0
    unit = "seconds"
    detail = "Records arrived two hours late; the contract allows one."
    key = factory.Sequence(lambda n: f"lateness:{n}")
    detected_at = factory.LazyFunction(timezone.now)


# Records of ORDER_SCHEMA: valid, breaking the amount's minimum, lacking the required amount.
GOOD = {"order_id": "A1", "amount": 10.5}
NEGATIVE = {"order_id": "A2", "amount": -1}
NO_AMOUNT = {"order_id": "A3"}
