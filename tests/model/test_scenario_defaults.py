"""The scenario loader names the fields a file leaves out (issue 21: a file without task_id opened silently)."""

import dataclasses
import json

from ttcplanner.model import scenario as sc


def test_defaults_used_lists_the_missing_fields_in_field_order(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"schema_version": sc.SCHEMA_VERSION, "name": "Old", "requests_per_day": 500}))
    scenario, defaults = sc.load_noting_defaults(path)
    assert scenario == sc.load(path) and scenario.task_id == sc.Scenario().task_id
    names = [f.name for f in dataclasses.fields(sc.Scenario)]
    assert defaults == [n for n in names if n not in ("name", "requests_per_day")]
    assert defaults[0] == "task_id"


def test_a_complete_file_uses_no_defaults(tmp_path):
    path = tmp_path / "full.json"
    sc.save(sc.Scenario(name="Full"), path)
    assert sc.load_noting_defaults(path)[1] == []
    assert sc.defaults_used([1, 2]) == []
