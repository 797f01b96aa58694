"""factory_boy factories for the core models."""

from __future__ import annotations

import factory
from django.contrib.auth.models import User

from valuechain import models as m


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("valuechain-test")


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Role
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Role {n}")
    day_rate = 800.0


class AssetFactory(factory.django.DjangoModelFactory):
    """Estimates default to exact numbers so hand-worked tests stay readable."""

    name = factory.Sequence(lambda n: f"asset {n}")
    available = False
    build_low = 0.0
    build_likely = 0.0
    build_high = 0.0
    run_low = 0.0
    run_likely = 0.0
    run_high = 0.0
    feasibility = None


class AcquisitionOptionFactory(AssetFactory):
    class Meta:
        model = m.AcquisitionOption

    name = factory.Sequence(lambda n: f"vendor feed {n}")


class RawSourceFactory(AssetFactory):
    class Meta:
        model = m.RawSource

    name = factory.Sequence(lambda n: f"raw source {n}")
    available = True


class CuratedDatasetFactory(AssetFactory):
    class Meta:
        model = m.CuratedDataset
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"curated dataset {n}")
    available = True

    @factory.post_generation
    def raw_sources(self, create: bool, extracted: list[m.RawSource] | None, **kwargs: object):
        if create and extracted:
            self.raw_sources.set(extracted)


class FeatureFactory(AssetFactory):
    class Meta:
        model = m.Feature
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"feature {n}")
    available = True

    @factory.post_generation
    def curated_datasets(
        self, create: bool, extracted: list[m.CuratedDataset] | None, **kwargs: object
    ):
        if create and extracted:
            self.curated_datasets.set(extracted)


class IdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Idea

    title = factory.Sequence(lambda n: f"idea {n}")
    owner = factory.SubFactory(UserFactory)
    status = m.Idea.Status.PROPOSED
    benefit_low = 100_000.0
    benefit_likely = 100_000.0
    benefit_high = 100_000.0
    probability_of_success = 1.0
    horizon_years = 3
    discount_rate = 0.10


class NeedFactory(factory.django.DjangoModelFactory):
    """Points at a new available feature unless an asset is given."""

    class Meta:
        model = m.Need

    idea = factory.SubFactory(IdeaFactory)
    name = factory.Sequence(lambda n: f"signal {n}")
    feature = factory.Maybe(
        factory.LazyAttribute(
            lambda need: (
                need.curated_dataset is None
                and need.raw_source is None
                and need.acquisition_option is None
            )
        ),
        yes_declaration=factory.SubFactory(FeatureFactory),
        no_declaration=None,
    )
    curated_dataset = None
    raw_source = None
    acquisition_option = None
    engineering_low = 0.0
    engineering_likely = 0.0
    engineering_high = 0.0
    weight = 1.0
    essential = True


class StakeholderAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.StakeholderAssignment

    idea = factory.SubFactory(IdeaFactory)
    tier = 1
    role = factory.SubFactory(RoleFactory)
    person = factory.SubFactory(UserFactory)
