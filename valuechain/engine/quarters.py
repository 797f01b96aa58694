"""Quarters as the roadmap names them (2027Q1), and effort in person-days per role."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def parse_quarter(label: str) -> tuple[int, int]:
    """'2027Q1' -> (2027, 1); ValueError otherwise."""
    text = str(label).strip().upper()
    year, sep, quarter = text.partition("Q")
    if not sep or not year.isdigit() or quarter not in {"1", "2", "3", "4"}:
        raise ValueError(f"{label!r} is not a quarter like 2027Q1.")
    if not 1900 <= int(year) <= 2999:
        raise ValueError(f"{label!r}: the year must lie between 1900 and 2999.")
    return int(year), int(quarter)


def quarter_label(start: str, offset: int) -> str:
    year, quarter = parse_quarter(start)
    index = year * 4 + quarter - 1 + offset
    return f"{index // 4}Q{index % 4 + 1}"


def quarter_offset(start: str, label: str) -> int:
    """How many quarters `label` lies after `start` (negative: before)."""
    y0, q0 = parse_quarter(start)
    y1, q1 = parse_quarter(label)
    return (y1 * 4 + q1) - (y0 * 4 + q0)


def effort_of(
    money: float,
    days: float,
    days_role: int | None,
    tier_roles: Sequence[int],
    rates: Mapping[int, float],
) -> dict[int, float]:
    """Person-days per role of an estimate: person-day estimates stay in their role; money is
    turned into days of the tier's default roles, the same days for each, so that the days
    priced at their rates give the money back."""
    if days_role is not None:
        return {days_role: days} if days > 0 else {}
    roles = [r for r in tier_roles if rates.get(r, 0) > 0]
    if money <= 0 or not roles:
        return {}
    each = money / sum(rates[r] for r in roles)
    return {r: each for r in roles}
