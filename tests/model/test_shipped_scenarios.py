"""Shipped scenarios state every field: opening one must not report defaults it silently relies on."""

import json

import pytest

from ttcplanner.model import scenario as sc
from ttcplanner.paths import scenarios_dir


@pytest.mark.parametrize("path", sorted(scenarios_dir().glob("*.json")), ids=lambda p: p.stem)
def test_a_shipped_scenario_sets_every_field_of_the_current_schema(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema_version"] == sc.SCHEMA_VERSION
    assert sc.defaults_used(data) == []
