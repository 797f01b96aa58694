"""The catalogue's lineage names the fields the models hold."""

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
