"""LiteLLM price import, saving into the user catalog, and hand-edited prices that survive a restart."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from ttcplanner.model import price_import
from ttcplanner.model.catalog import load_catalog, load_file
from ttcplanner.model.errors import InputError
from ttcplanner.model.jsonio import MAX_FILE_BYTES

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "litellm_prices_sample.json"
AS_OF = "2026-11-20"


@pytest.fixture(autouse=True)
def user_dir(tmp_path, monkeypatch):
    """Never touch the real user catalog: XDG_DATA_HOME (and APPDATA/HOME elsewhere) go to tmp."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("APPDATA", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    from ttcplanner.paths import user_catalog_dir

    return user_catalog_dir()


@pytest.fixture
def result():
    return price_import.import_litellm(SAMPLE, as_of=AS_OF)


def _by_id(res):
    return {o.id: o for o in res.offers}


def test_first_party_entries_update_the_shipped_offers(result):
    offers = _by_id(result)
    assert sorted(result.updated) == [
        "claude-sonnet-4.5",
        "deepseek-reasoner",
        "gemini-2.5-flash-lite",
        "gemini-2.5-pro",
        "gpt-5",
    ]
    gpt5 = offers["gpt-5"]
    assert (gpt5.input_usd_per_mtok, gpt5.cached_input_usd_per_mtok, gpt5.output_usd_per_mtok) == (1.25, 0.125, 10.0)
    assert gpt5.source == price_import.LITELLM_SOURCE and gpt5.as_of == AS_OF and gpt5.confidence == "medium"
    assert gpt5.notes.startswith("imported from LiteLLM")
    assert gpt5.effort_levels == ["minimal", "low", "medium", "high"]  # supports_minimal_reasoning_effort
    assert gpt5.reasoning_billed_as_output and gpt5.accuracy_id == "gpt-5"
    # LiteLLM states no batch price for gpt-5: the shipped 50% batch discount is kept, and said so
    assert gpt5.batch_discount == 0.5 and "batch_discount" in gpt5.notes
    # dotted shipped id matched by LiteLLM's dashed name; its curve key is kept
    claude = offers["claude-sonnet-4.5"]
    assert claude.accuracy_id == "claude-sonnet-4.5" and claude.vendor == "Anthropic"
    assert (
        claude.long_context_threshold_tokens,
        claude.long_input_usd_per_mtok,
        claude.long_output_usd_per_mtok,
        claude.long_cached_input_usd_per_mtok,
    ) == (200_000, 6.0, 22.5, 0.6)
    lite = offers["gemini-2.5-flash-lite"]  # 4e-07 * 1e6 is 0.39999999999999997 before rounding
    assert (lite.input_usd_per_mtok, lite.cached_input_usd_per_mtok, lite.output_usd_per_mtok) == (0.1, 0.01, 0.4)
    ds = offers["deepseek-reasoner"]
    assert ds.accuracy_id == "deepseek-v3.2" and ds.input_usd_per_mtok == 0.28 and ds.cached_input_usd_per_mtok == 0.028


def test_gemini_long_context_tier_from_above_200k_keys(result):
    g = _by_id(result)["gemini-2.5-pro"]
    assert g.input_usd_per_mtok == 1.25 and g.output_usd_per_mtok == 10.0 and g.cached_input_usd_per_mtok == 0.125
    assert g.long_context_threshold_tokens == 200_000
    assert (g.long_input_usd_per_mtok, g.long_output_usd_per_mtok, g.long_cached_input_usd_per_mtok) == (
        2.5,
        15.0,
        0.25,
    )


def test_batch_discount_from_batch_prices_and_new_entries(result):
    offers = _by_id(result)
    g3 = offers["gemini-gemini-3-pro-preview"]  # not shipped: added, with its own curve key
    assert g3.id in result.added and g3.vendor == "Google" and g3.accuracy_id == "gemini-3-pro-preview"
    assert g3.batch_discount == pytest.approx(0.5) and g3.context_tokens == 1_048_576
    assert (g3.long_input_usd_per_mtok, g3.long_output_usd_per_mtok) == (4.0, 18.0)
    assert g3.output_tokens_per_s_per_user == 50 and g3.speed_is_estimate
    assert g3.speed_source == price_import.ESTIMATED_SPEED_SOURCE
    o3pro = offers["o3-pro"]  # mode "responses" is a chat model too
    assert o3pro.input_usd_per_mtok == 20.0 and o3pro.output_usd_per_mtok == 80.0 and o3pro.batch_discount == 0.5


def test_resellers_are_added_with_the_models_curve_and_speed(result):
    offers = _by_id(result)
    azure = offers["azure-gpt-5"]  # prices given as strings
    assert azure.vendor == "Microsoft Azure" and azure.accuracy_id == "gpt-5"
    assert (azure.input_usd_per_mtok, azure.cached_input_usd_per_mtok, azure.output_usd_per_mtok) == (1.25, 0.125, 10.0)
    assert azure.context_tokens == 272_000 and azure.batch_discount == 0.0
    vertex = offers["vertex_ai-claude-sonnet-4-5"]
    assert vertex.accuracy_id == "claude-sonnet-4.5" and vertex.vendor == "Google Vertex AI"
    bedrock = offers["bedrock-anthropic.claude-haiku-4-5-20251001-v1-0"]
    assert bedrock.accuracy_id == "anthropic.claude-haiku-4-5-20251001-v1-0" and bedrock.effort_levels == []
    assert bedrock.input_usd_per_mtok == 1.1 and bedrock.output_usd_per_mtok == 5.5  # no float noise
    assert "gpt-5" not in result.added and len(result.offers) == len(result.updated) + len(result.added) == 10


def test_odd_entries_are_skipped_with_reasons(result):
    skipped = dict(result.skipped)
    assert set(skipped) == {
        "_about",
        "sample_spec",
        "text-embedding-3-small",
        "dall-e-3",
        "no-mode-model",
        "openai/gpt-5",
        "broken/missing-output",
        "broken/non-numeric",
        "broken/negative",
        "broken/nan-string",
    }
    assert "embedding" in skipped["text-embedding-3-small"]
    assert "image_generation" in skipped["dall-e-3"]
    assert "output_cost_per_token" in skipped["broken/missing-output"]
    assert "not a number" in skipped["broken/non-numeric"] and "'free'" in skipped["broken/non-numeric"]
    assert skipped["broken/negative"] == "output_cost_per_token is negative (-2e-06)"
    assert "finite" in skipped["broken/nan-string"]
    assert "gpt-5" in skipped["openai/gpt-5"]  # the same offer twice is not added as a duplicate


def test_filters_and_file_date(tmp_path):
    only = price_import.import_litellm(SAMPLE, as_of=AS_OF, only_shipped=True)
    assert sorted(o.id for o in only.offers) == sorted(only.updated) and not only.added
    openai = price_import.import_litellm(SAMPLE, as_of=AS_OF, providers=["openai"])
    assert {o.vendor for o in openai.offers} == {"OpenAI"}
    copy = tmp_path / "prices.json"
    copy.write_bytes(SAMPLE.read_bytes())
    stamp = dt.datetime(2026, 3, 14, 12, 0).timestamp()
    os.utime(copy, (stamp, stamp))
    assert {o.as_of for o in price_import.import_litellm(copy).offers} == {"2026-03-14"}


@pytest.mark.parametrize(
    "text, message", [("not json {", "not valid JSON"), ("[1, 2]", "must be a JSON object"), ('{"a": NaN}', "NaN")]
)
def test_bad_files_raise_input_error_naming_the_file(tmp_path, text, message):
    p = tmp_path / "bad_prices.json"
    p.write_text(text)
    with pytest.raises(InputError, match=message) as err:
        price_import.import_litellm(p)
    assert "bad_prices.json" in str(err.value)


def test_bad_as_of_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        price_import.import_litellm(SAMPLE, as_of="yesterday")
    with pytest.raises(InputError, match="not found"):
        price_import.import_litellm(tmp_path / "nope.json")


def test_a_file_the_size_of_the_real_one_is_accepted(tmp_path):
    """The real table is about 1.6 MB (Nov 2026); the reader's limit must leave room for growth."""
    entry = json.loads(SAMPLE.read_text())["gpt-5"]
    data = {f"reseller{i}/model-{i}": dict(entry, litellm_provider="openrouter") for i in range(2300)}
    p = tmp_path / "big.json"
    p.write_text(json.dumps(data, indent=4))
    assert 2_000_000 < p.stat().st_size < MAX_FILE_BYTES
    res = price_import.import_litellm(p, as_of=AS_OF)
    assert len(res.added) == 2300 and not res.skipped


def test_saved_offers_load_and_override_the_shipped_catalog(result, user_dir):
    paths = price_import.save_offers(result.offers, user_dir)
    assert paths == [user_dir / "api_offers.json"]
    kind, as_of, entries = load_file(paths[0])
    assert kind == "api_offers" and as_of == AS_OF and len(entries) == 10
    cat = load_catalog()
    assert cat.api_offers["gemini-2.5-pro"].long_input_usd_per_mtok == 2.5
    assert cat.api_offers["gpt-5"].source == price_import.LITELLM_SOURCE
    assert "claude-opus-4.5" in cat.api_offers  # shipped offers not in the import stay


def test_save_merges_and_keeps_other_user_entries(result, user_dir):
    price_import.save_offers(result.offers[:1], user_dir)
    first = result.offers[0].id
    later = [o for o in result.offers[1:]]
    price_import.save_offers(later, user_dir)
    _, _, entries = load_file(user_dir / "api_offers.json")
    assert first in entries and len(entries) == len(result.offers)


def test_save_refuses_a_foreign_file(result, tmp_path):
    (tmp_path / "api_offers.json").write_text(
        '{"schema_version": 1, "kind": "gpus", "as_of": "2026-01-01", "entries": []}'
    )
    with pytest.raises(InputError, match="gpus"):
        price_import.save_offers(result.offers, tmp_path)


def test_edited_price_survives_a_restart(user_dir):
    cat = load_catalog()
    shipped = cat.api_offers["gpt-5"]
    edited = price_import.edit_price(cat, "gpt-5", output_usd_per_mtok=9.0, as_of="2026-11-28")
    assert edited.output_usd_per_mtok == 9.0 and edited.input_usd_per_mtok == shipped.input_usd_per_mtok
    assert edited.source == "user:edited" and edited.as_of == "2026-11-28"
    assert f"catalog source was {shipped.source}" in edited.notes
    again = load_catalog()  # a new process reads the user catalog from XDG_DATA_HOME
    assert again.api_offers["gpt-5"].output_usd_per_mtok == 9.0
    assert again.api_offers["gpt-5"].notes == edited.notes
    twice = price_import.edit_price(again, "gpt-5", input_usd_per_mtok=1.0, as_of="2026-11-29")
    assert twice.notes.count("catalog source was") == 1 and shipped.source in twice.notes
    assert load_catalog().api_offers["gpt-5"].input_usd_per_mtok == 1.0


def test_edit_gpu_and_asic_prices(user_dir):
    cat = load_catalog()
    gpu_id = "h100-sxm"  # shipped without an own price: its rents are listed per provider (issue 19)
    gpu = price_import.edit_price(cat, gpu_id, rent_usd_per_gpu_hour=1.99)
    assert gpu.rent_usd_per_gpu_hour == 1.99 and "was not set" in gpu.rent_note
    assert gpu.as_of == dt.date.today().isoformat()
    asic_id = next(iter(cat.asic_offers))
    price_import.edit_price(cat, asic_id, batch_discount=0.25)
    reloaded = load_catalog()
    assert reloaded.gpus[gpu_id].rent_usd_per_gpu_hour == 1.99
    assert reloaded.asic_offers[asic_id].batch_discount == 0.25
    assert (user_dir / "gpus.json").exists() and (user_dir / "asic_offers.json").exists()


@pytest.mark.parametrize(
    "offer_id, kwargs, message",
    [
        ("gpt-5", {"input_usd_per_mtok": -1.0}, "at least 0"),
        ("gpt-5", {"output_usd_per_mtok": float("nan")}, "finite"),
        ("gpt-5", {"output_usd_per_mtok": "cheap"}, "must be a number"),
        ("gpt-5", {"output_usd_per_mtok": True}, "must be a number"),
        ("gpt-5", {"batch_discount": 0.99}, "at most 0.95"),
        ("gpt-5", {"rent_usd_per_gpu_hour": 2.0}, "per-token offer"),
        ("gpt-5", {}, "no price given"),
        ("gpt-5", {"input_usd_per_mtok": 1.0, "as_of": "soon"}, "YYYY-MM-DD"),
        ("no-such-offer", {"input_usd_per_mtok": 1.0}, "unknown"),
    ],
)
def test_bad_edits_raise_input_error_and_write_nothing(user_dir, offer_id, kwargs, message):
    cat = load_catalog()
    with pytest.raises(InputError, match=message):
        price_import.edit_price(cat, offer_id, **kwargs)
    assert not (user_dir / "api_offers.json").exists()


def test_gpu_edit_rejects_token_prices(user_dir):
    cat = load_catalog()
    with pytest.raises(InputError, match="GPU"):
        price_import.edit_price(cat, next(iter(cat.gpus)), input_usd_per_mtok=1.0)
