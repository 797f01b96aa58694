"""factory_boy factories for the contract models."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from contracts.models import Consumer, ContractVersion, DataContract
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


# Records of ORDER_SCHEMA: valid, breaking the amount's minimum, lacking the required amount.
GOOD = {"order_id": "A1", "amount": 10.5}
NEGATIVE = {"order_id": "A2", "amount": -1}
NO_AMOUNT = {"order_id": "A3"}
