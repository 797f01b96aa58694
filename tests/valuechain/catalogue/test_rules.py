"""The catalogue's rules: lineage as the models hold it, availability, default feasibility."""

from __future__ import annotations

from valuechain import models as m
from valuechain.catalogue import rules


def test_lineage_names_the_fields_the_models_hold():
    for kind, lineage in rules.LINEAGE.items():
        model, upstream = m.ASSET_MODELS[kind], m.ASSET_MODELS[lineage.upstream]
        field = model._meta.get_field(lineage.field)
        assert field.related_model is upstream
        assert field.many_to_many is lineage.many
        assert upstream._meta.get_field(lineage.users).related_model is model
    assert set(rules.USED_BY) == {"curated_dataset", "raw_source", "acquisition_option"}


def test_only_an_acquisition_option_is_never_available():
    assert rules.availability_problem("acquisition_option", True) == rules.NEVER_AVAILABLE
    assert rules.availability_problem("acquisition_option", False) is None
    assert rules.availability_problem("raw_source", True) is None


def test_feasibility_is_the_assets_own_else_its_tiers_else_certain():
    defaults = {2: 0.7}
    assert rules.feasibility_of(0.4, 2, defaults) == 0.4
    assert rules.feasibility_of(0.0, 2, defaults) == 0.0
    assert rules.feasibility_of(None, 2, defaults) == 0.7
    assert rules.feasibility_of(None, 3, defaults) == 1.0
