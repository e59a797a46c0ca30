"""Issue 19: your own prices from a CSV (catalog import-prices), stale prices and freshness of the catalog."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ttcplanner.cli import main
from ttcplanner.model import price_import
from ttcplanner.model.catalog import load_catalog

CATALOG = load_catalog(include_user=False)
TODAY = dt.date(2026, 12, 5)
HEADER = "kind,id,field,value,source,as_of\n"


@pytest.fixture
def user_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("APPDATA", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    from ttcplanner.paths import user_catalog_dir

    return user_catalog_dir()


def _csv(tmp_path, body: str, name="prices.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_good_rows_apply_and_bad_rows_are_listed_with_their_line(tmp_path):
    path = _csv(
        tmp_path,
        "gpu,h100-sxm,rent_usd_per_gpu_hour,2.10,user:contract-2026,2026-11-30\n"
        "api,gpt-5,output_usd_per_mtok,8,https://example.org/deal,2026-11-01\n"
        "api,gpt-5,input_usd_per_mtok,-1,user:x,2026-11-01\n"
        "gpu,no-such-gpu,purchase_usd,1000,user:x,2026-11-01\n"
        "gpu,h100-sxm,tdp_w,10,user:x,2026-11-01\n"
        "asic,groq-gpt-oss-120b,output_usd_per_mtok,0.5,somewhere,2026-11-01\n"
        "api,gpt-5,output_usd_per_mtok,7,user:x,2027-01-01\n"
        "api,gpt-5,output_usd_per_mtok,cheap,user:x,2026-11-01\n",
    )
    res = price_import.import_prices(path, CATALOG, today=TODAY)
    assert [(k, i, f, v) for _, k, i, f, v in res.applied] == [
        ("gpus", "h100-sxm", "rent_usd_per_gpu_hour", 2.1),
        ("api_offers", "gpt-5", "output_usd_per_mtok", 8.0),
    ]
    reasons = dict(res.skipped)
    assert sorted(reasons) == [4, 5, 6, 7, 8, 9]
    assert "at least 0" in reasons[4] and "unknown gpus id" in reasons[5] and "field must be one of" in reasons[6]
    assert "source must be a URL" in reasons[7] and "future" in reasons[8] and "not a number" in reasons[9]
    gpu = next(e for e in res.entries if e.id == "h100-sxm")
    assert gpu.rent_usd_per_gpu_hour == 2.1 and gpu.as_of == "2026-11-30" and "user:contract-2026" in gpu.notes


def test_imported_rent_is_used_on_every_basis_after_saving(tmp_path, user_dir):
    from ttcplanner.model import costs

    path = _csv(tmp_path, "gpu,h200,rent_usd_per_gpu_hour,1.75,user:contract,2026-11-30\n")
    res = price_import.import_prices(path, CATALOG, today=TODAY)
    price_import.save_price_entries(res.entries, user_dir)
    reloaded = load_catalog()
    choice = costs.pick_rent(reloaded.gpus["h200"], "hyperscaler", "on-demand")
    assert choice.usd_per_gpu_hour == 1.75 and "your price" in choice.text
    assert len(reloaded.gpus["h200"].rents) == len(CATALOG.gpus["h200"].rents)  # the market stays listed


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "empty"),
        ("kind,id,value\napi,gpt-5,1\n", "missing field, source, as_of"),
        (HEADER, "no price rows"),
        (HEADER + 'api,"gpt-5,output_usd_per_mtok,1,user:x,2026-01-01\n', "CSV"),
    ],
)
def test_a_file_that_is_not_a_price_csv_is_fatal_and_writes_nothing(tmp_path, user_dir, capsys, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    assert main(["catalog", "import-prices", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not user_dir.exists() or not any(user_dir.iterdir())


def test_binary_file_is_fatal(tmp_path, user_dir, capsys):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xff\xfe\x00\x01garbage")
    assert main(["catalog", "import-prices", str(path)]) == 2
    assert "UTF-8" in capsys.readouterr().err


def test_cli_import_prices_json_lists_skipped_rows_and_saves_the_good_ones(tmp_path, user_dir, capsys):
    path = _csv(
        tmp_path,
        "api,gpt-5,output_usd_per_mtok,8,user:deal,2026-11-01\napi,gpt-5,batch_discount,0.99,user:deal,2026-11-01\n",
    )
    assert main(["catalog", "import-prices", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [a["field"] for a in data["applied"]] == ["output_usd_per_mtok"]
    assert data["skipped"][0]["line"] == 3 and "at most 0.95" in data["skipped"][0]["reason"]
    assert load_catalog().api_offers["gpt-5"].output_usd_per_mtok == 8.0


# --- freshness --------------------------------------------------------------------------------------------------

COMPILED = "2026-12-05"  # the 2026-12 data's compile date: no shipped price may be newer


def test_no_shipped_as_of_is_before_the_release_or_in_the_future():
    for kind in ("api_offers", "asic_offers"):
        for o in getattr(CATALOG, kind).values():
            assert o.as_of <= COMPILED, o.id
            if o.released:
                assert o.as_of >= o.released, (o.id, o.as_of, o.released)
    for g in CATALOG.gpus.values():
        assert g.as_of <= COMPILED, g.id
        for r in g.rents:
            assert r.as_of is None or "2020-01-01" <= r.as_of <= COMPILED, (g.id, r.provider)


def test_stale_lists_prices_older_than_the_limit_and_undated_rents():
    rows = price_import.stale_entries(CATALOG, 180, today=TODAY)
    assert rows and all(r["age_days"] is None or r["age_days"] > 180 for r in rows)
    assert any(r["kind"] == "gpus" and r["as_of"] is None for r in rows)  # Oracle list prices carry no date
    fresh = {(r["kind"], r["id"]) for r in rows}
    assert ("api_offers", "claude-opus-5.5") not in fresh  # 2026-09-22: 74 days old
    assert ("api_offers", "gpt-4o-mini") in fresh


def test_cli_stale_json(capsys):
    assert main(["catalog", "stale", "--json", "--days", "100000"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert all(r["as_of"] is None for r in data["stale"])  # only undated rents are older than anything
    assert set(data["freshness"]) == {"api_offers", "asic_offers", "gpu_rents"}


def test_catalog_show_lists_four_providers_for_the_big_gpus(capsys):
    for gid in ("h100-sxm", "h200", "b200", "mi300x"):
        assert main(["catalog", "show", gid, "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert len({r["provider"] for r in data["rents"]}) >= 4
        assert all(r["source"].startswith("https://") for r in data["rents"])


def test_stale_warning_uses_the_recommended_entrys_own_date():
    from ttcplanner.model.planner import evaluate
    from ttcplanner.model.scenario import Scenario
    from ttcplanner.present.reasons import warning_texts

    plan = evaluate(Scenario(task_id="maths-olympiad", requests_per_day=1000), CATALOG)
    rec = plan.recommended
    warned = [w for w in warning_texts(plan) if w.startswith("Prices behind")]
    age = (dt.date.today() - dt.date.fromisoformat(plan.options.as_of[rec])).days
    assert bool(warned) == (age > 90)
    if warned:
        assert plan.options.as_of[rec] in warned[0]


def test_a_row_with_the_wrong_number_of_columns_is_skipped(tmp_path):
    path = _csv(
        tmp_path, "api,gpt-5,output_usd_per_mtok,8,user:deal\napi,gpt-5,output_usd_per_mtok,9,user:deal,2026-11-01\n"
    )
    res = price_import.import_prices(path, CATALOG, today=TODAY)
    assert res.skipped == [(2, "has 5 columns; the header has 6")] and len(res.applied) == 1
