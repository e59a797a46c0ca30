"""What an import would change, and which changes look like mistakes (a unit error moves a price 1e6-fold).

The CLI prints every change and refuses a suspicious one without ``--force``; the window shows the same
changes and asks before saving a suspicious one.
"""

from __future__ import annotations

from typing import Iterable

from ttcplanner.model.catalog import Catalog, TokenOffer

PRICE_FIELDS = ("input_usd_per_mtok", "cached_input_usd_per_mtok", "output_usd_per_mtok", "batch_discount")
PRICE_JUMP = 10.0  # an imported price this many times above or below the current one is likely a unit error


def price_changes(catalog: Catalog, offers: Iterable[TokenOffer]) -> list[dict]:
    """Per offer: {"id", "new_offer", "fields": {name: {"old", "new"}}} for each price that differs from the
    catalog's (for a new offer: each price it states)."""
    out = []
    for o in offers:
        table = catalog.api_offers if o.kind == "api" else catalog.asic_offers
        old = table.get(o.id)
        fields = {
            k: {"old": getattr(old, k) if old is not None else None, "new": getattr(o, k)}
            for k in PRICE_FIELDS
            if (getattr(o, k) is not None if old is None else getattr(old, k) != getattr(o, k))
        }
        out.append({"id": o.id, "new_offer": old is None, "fields": fields})
    return out


def usd(value) -> str:
    return "none" if value is None else f"{value:g}"


def price_jumps(changes: list[dict]) -> list[str]:
    """The changed prices that move more than PRICE_JUMP-fold, as 'id field old -> new'."""
    out = []
    for c in changes:
        for k, v in c["fields"].items():
            old, new = v["old"], v["new"]
            if k != "batch_discount" and old and new and not 1 / PRICE_JUMP <= new / old <= PRICE_JUMP:
                out.append(f"{c['id']} {k} {usd(old)} -> {usd(new)}")
    return out
