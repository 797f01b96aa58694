"""What each idea of a portfolio costs, seen four ways (DESIGN section 3): standalone,
marginal given the funded selection, funded share (each shared asset split among the funded
options that use it: the shares add up to the selection's investment) and fair share among all
candidates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from valuechain.engine.portfolio import PortfolioProblem


@dataclass(frozen=True, slots=True)
class CostView:
    """What an idea, funded up to `tier`, costs seen four ways, one-off and yearly."""

    idea_id: int
    title: str
    selected: bool
    standalone_npv: float
    standalone_one_off: float
    standalone_annual_run: float
    marginal_one_off: float
    marginal_annual_run: float
    fair_share_one_off: float
    fair_share_annual_run: float
    funded_share_one_off: float
    funded_share_annual_run: float
    tier: int = 0  # the funded stop tier; the idea's own tier when it is not funded


def cost_views(
    problem: PortfolioProblem,
    selected_ids: Iterable[int],
    stops: Iterable[tuple[int, int]] | None = None,
) -> list[CostView]:
    """One view per idea: its funded option (`stops` gives the tier of each selected idea;
    whole when missing), or the whole idea when it is not funded.

    Standalone: the option alone. Marginal: what it adds to the other funded options.
    Fair share (DESIGN): each shared asset's cost split equally among all the candidate
    ideas that need it. Funded share: split among the funded options that use it instead (an
    unfunded idea counted as joining them), so the funded shares add up to the selection's
    total."""
    tiers = dict(stops or ())
    funded: dict[int, int] = {}
    for idea_id in selected_ids:
        position = problem.positions([idea_id])[0]
        funded[position] = (
            problem.option_at(idea_id, tiers[idea_id])
            if idea_id in tiers
            else problem.whole([position])[0]
        )
    candidates = {a: 0 for a in range(len(problem.assets))}
    funded_users = dict(candidates)
    for idea in problem.ideas:
        for a in idea.charged:
            candidates[a] += 1
    for o in funded.values():
        for a in problem.options[o].charged:
            funded_users[a] += 1

    def split(mine: set[int], users: Mapping[int, int], joining: int) -> tuple[float, float]:
        build = sum(problem.assets[a].build / (users[a] + joining) for a in mine)
        run = sum(problem.assets[a].run / (users[a] + joining) for a in mine)
        return build, run

    views = []
    for i, idea in enumerate(problem.ideas):
        o = funded.get(i, problem.whole([i])[0])
        option = problem.options[o]
        others = problem.option_assets(f for j, f in funded.items() if j != i)
        mine = set(option.charged)
        new = mine - others
        fair_build, fair_run = split(mine, candidates, 0)
        funded_build, funded_run = split(mine, funded_users, 0 if i in funded else 1)
        views.append(
            CostView(
                idea_id=idea.id,
                title=idea.title,
                selected=i in funded,
                standalone_npv=problem.option_npv([o]),
                standalone_one_off=problem.option_one_off([o]),
                standalone_annual_run=problem.option_annual_run([o]),
                marginal_one_off=option.own_one_off + sum(problem.assets[a].build for a in new),
                marginal_annual_run=option.own_run + sum(problem.assets[a].run for a in new),
                fair_share_one_off=option.own_one_off + fair_build,
                fair_share_annual_run=option.own_run + fair_run,
                funded_share_one_off=option.own_one_off + funded_build,
                funded_share_annual_run=option.own_run + funded_run,
                tier=option.tier,
            )
        )
    return views
