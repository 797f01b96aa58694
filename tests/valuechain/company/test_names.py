"""Generated names read like a real catalogue's and never repeat, however many are asked for."""

from __future__ import annotations

import random

from valuechain.company import names


def test_names_stay_unique_past_the_combinations():
    many = names.feature_names(random.Random(1), 15_000)
    assert len(set(many)) == 15_000
    assert any(name.endswith("_v2") for name in many)


def test_names_read_like_their_tier():
    rng = random.Random(1)
    assert all(name.endswith("_curated") for name in names.curated_names(rng, 20))
    assert all(name.endswith("_raw") for name in names.raw_names(rng, 20))
    titles = names.idea_titles(rng, 400)
    assert len(set(titles)) == 400 and all(" for " in title for title in titles)


def test_the_same_seed_gives_the_same_names():
    assert names.raw_names(random.Random(5), 30) == names.raw_names(random.Random(5), 30)
