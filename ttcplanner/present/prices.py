"""The stale-price rule in words: the status bar, the card's warning and the PDF flag the same prices.

The threshold is the planner's (``STALE_PRICE_DAYS``); a price is stale when its ``as_of`` date is more
than that many days before today.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from ttcplanner.model.planner import STALE_PRICE_DAYS

__all__ = ["STALE_PRICE_DAYS", "PriceAge", "age_days", "is_stale", "plan_price_age", "price_age"]


def age_days(as_of: str, today: dt.date | None = None) -> int:
    return ((today or dt.date.today()) - dt.date.fromisoformat(as_of)).days


def is_stale(as_of: str, today: dt.date | None = None) -> bool:
    return age_days(as_of, today) > STALE_PRICE_DAYS


class PriceAge(NamedTuple):
    text: str
    stale: bool
    tooltip: str


def price_age(catalog, plan=None, today: dt.date | None = None) -> PriceAge:
    """Status text, stale flag and tooltip for the catalog's newest price and the price behind the
    recommendation: stale when either is, so the status bar warns whenever the card does."""
    return _price_age(catalog.as_of, plan, today)


def plan_price_age(plan, today: dt.date | None = None) -> PriceAge:
    """``price_age`` for the catalog the plan was computed with (the CLI has the plan, not the window's catalog)."""
    return _price_age(plan.catalog_as_of, plan, today)


def _price_age(as_of: str, plan, today: dt.date | None) -> PriceAge:
    today = today or dt.date.today()
    age = age_days(as_of, today)
    text = f"Prices as of {as_of} ({age} day{'s' if age != 1 else ''} old)"
    tips = [f"Newest price in the catalog: {as_of}. Each entry keeps its own date (Catalog > Edit prices)."]
    stale = is_stale(as_of, today)
    if stale:
        tips.append(
            f"Every price is older than {STALE_PRICE_DAYS} days: prices change often, so check them before "
            "committing money. Update with Catalog > Import LiteLLM prices… or Catalog > Edit prices…."
        )
    i = plan.recommended if plan is not None else None
    if i is not None and is_stale(plan.options.as_of[i], today):
        rec_date = plan.options.as_of[i]
        rec_age = age_days(rec_date, today)
        if not stale:
            text += f" · recommendation's from {rec_date} ({rec_age} days)"
        stale = True
        tips.append(
            f"The recommended option ({plan.options.label[i]}) is priced as of {rec_date}, {rec_age} days ago "
            f"(older than {STALE_PRICE_DAYS} days; the card warns too). Update it with Catalog > Edit prices…."
        )
    return PriceAge(("⚠ " if stale else "") + text, stale, "\n".join(tips))
