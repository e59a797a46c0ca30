"""Display names for the ids a plan carries, so no view prints a raw accuracy id."""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from ttcplanner.model.catalog import Catalog


def model_names(catalog: Catalog) -> Mapping[str, str]:
    """Display name per accuracy id: the open model's name, else the (first) API offer's that uses it; and
    per task and GPU id (the PDF names the task and a fixed GPU choice), where no model id is the same."""
    names: dict[str, str] = {}
    for o in catalog.api_offers.values():
        names.setdefault(o.accuracy_id or o.id, o.name)
    for m in catalog.open_models.values():
        names[m.accuracy_id or m.id] = m.name
    for entries in (catalog.tasks, catalog.gpus):
        for e in entries.values():
            names.setdefault(e.id, e.name)
    return MappingProxyType(names)


def display_name(names: Mapping[str, str] | None, accuracy_id: str) -> str:
    return (names or {}).get(accuracy_id, accuracy_id)
