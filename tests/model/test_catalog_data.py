"""Checks on the shipped catalog data: it loads, the ids other modules rely on exist, every entry is
sourced and dated, and the figures are physically plausible (catches unit slips such as sparse FLOPS,
GB/s for TB/s, or a KV-cache size that does not match the architecture)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ttcplanner.model.catalog import Gpu, OpenModel, TokenOffer, load_file

CATALOG = Path(__file__).resolve().parents[2] / "resources" / "catalog"
OWNED = ("gpus", "open_models", "api_offers", "asic_offers")

REQUIRED_GPUS = {
    "a100-80gb",
    "h100-sxm",
    "h100-pcie",
    "h200",
    "b200",
    "gb200",
    "mi300x",
    "mi325x",
    "l40s",
    "l4",
    "rtx-4090",
    "rtx-5090",
    # issue 19 (the serving developer sizes these ids)
    "b300",
    "gb300",
    "mi355x",
    "rtx-pro-6000",
    "rtx-5080",
    "rtx-5060-ti-16gb",
    "rtx-4080",
    "rtx-3090",
    "tpu-v6e",
    "trainium2",
}
REQUIRED_MODELS = {
    "llama-3.1-8b",
    "llama-3.3-70b",
    "llama-3.1-405b",
    "qwen3-32b",
    "qwen3-30b-a3b",
    "qwen3-235b-a22b",
    "gpt-oss-20b",
    "gpt-oss-120b",
    "deepseek-r1",
    "mixtral-8x7b",
}
REQUIRED_API = {
    "gpt-5",
    "gpt-5-mini",
    "gpt-5-nano",
    "o3",
    "o4-mini",
    "gpt-4.1",
    "claude-opus-4.5",
    "claude-sonnet-4.5",
    "claude-haiku-4.5",
    "gemini-2.5-pro",
    "gemini-2.5-flash",
    "gemini-2.5-flash-lite",
    "deepseek-reasoner",
}
BIG_FOUR = {"OpenAI", "Anthropic", "Google", "DeepSeek"}
GEFORCE = {"rtx-4090", "rtx-5090", "rtx-5080", "rtx-5060-ti-16gb"}
MLA_LATENT_VALUES = 576  # DeepSeek-V3/R1: kv_lora_rank 512 + rope 64, one latent per layer for K and V


def _load(kind: str) -> tuple[str, dict]:
    loaded_kind, as_of, entries = load_file(CATALOG / f"{kind}.json")
    assert loaded_kind == kind
    return as_of, entries


@pytest.fixture(scope="module")
def catalog() -> dict[str, dict]:
    return {kind: _load(kind)[1] for kind in OWNED}


def test_every_shipped_file_loads():
    files = sorted(CATALOG.glob("*.json"))
    assert {f.stem for f in files} >= set(OWNED)
    for path in files:
        kind, as_of, entries = load_file(path)
        assert entries, f"{path.name} has no entries"
        dt.date.fromisoformat(as_of)


@pytest.mark.parametrize("kind", OWNED)
def test_file_as_of_is_a_real_entry_date_not_later_than_any_price(kind):
    as_of, entries = _load(kind)
    dates = {e.as_of for e in entries.values()}
    assert as_of in dates
    if kind == "gpus":
        dates = {e.as_of for e in entries.values() if e.rents}  # issue 19: dated rents replace the single figure
    assert as_of == min(dates)


@pytest.mark.parametrize(
    "kind, required", [("gpus", REQUIRED_GPUS), ("open_models", REQUIRED_MODELS), ("api_offers", REQUIRED_API)]
)
def test_required_ids_present(catalog, kind, required):
    missing = required - set(catalog[kind])
    assert not missing, f"{kind} lacks {sorted(missing)}"


@pytest.mark.parametrize("kind", OWNED)
def test_every_entry_is_sourced_and_dated(catalog, kind):
    for entry_id, e in catalog[kind].items():
        assert e.source.startswith(("http://", "https://")), entry_id
        date = dt.date.fromisoformat(e.as_of)
        # 2020: entries without a rent are dated by their spec sheet (RTX 3090, RTX 4080)
        assert dt.date(2020, 1, 1) <= date <= dt.date(2026, 12, 31), entry_id
        assert e.name and e.confidence in ("high", "medium", "low"), entry_id


def test_gpu_figures_are_dense_and_plausible(catalog):
    for gid, g in catalog["gpus"].items():
        assert isinstance(g, Gpu)
        if g.not_sized_reason:  # priced accelerators the serving model does not size (TPU, Trainium)
            assert g.rents, gid
            continue
        assert 0.2 <= g.mem_bw_tb_s <= 10, gid
        assert 16 <= g.memory_gb <= 300, gid
        assert 40 <= g.bf16_tflops <= 5_000, gid  # 40: the RTX 5060 Ti's 47.4 (FP32 accumulate)
        assert 50 <= g.tdp_w <= 1_500, gid
        # each halving of precision at most doubles the rate (2.05: NVIDIA's L40S sheet says 362 BF16 / 733 FP8);
        # GeForce Blackwell halves FP8 with FP32 accumulate but not FP4, so FP4 may reach 4x FP8 there
        if g.fp8_tflops is not None:
            assert g.bf16_tflops <= g.fp8_tflops <= 2.05 * g.bf16_tflops, gid
        if g.fp4_tflops is not None:
            # Blackwell Ultra raises FP4 only: 14-15 PF dense against 4.5-5 PF FP8, about 3x (Verda, gpu_specs.csv)
            fp4_over_fp8 = 4.05 if gid in GEFORCE or gid in ("b300", "gb300") else 2.05
            assert g.fp8_tflops is not None and g.fp8_tflops <= g.fp4_tflops <= fp4_over_fp8 * g.fp8_tflops, gid
        if g.rent_usd_per_gpu_hour is not None:
            assert 0.1 <= g.rent_usd_per_gpu_hour <= 20 and g.rent_note, gid
        if g.purchase_usd is not None:
            assert 400 <= g.purchase_usd <= 100_000, gid  # 400: consumer cards' launch MSRPs
            assert g.purchase_note, gid
    gpus = catalog["gpus"]
    assert gpus["a100-80gb"].fp8_tflops is None  # Ampere has no FP8 tensor cores
    assert gpus["gb200"].max_gpus_per_node == 72
    assert {gpus[g].interconnect for g in ("l40s", "l4", "rtx-4090", "rtx-5090", "h100-pcie")} == {"pcie"}
    assert {gpus[g].interconnect for g in ("mi300x", "mi325x")} == {"xgmi"}
    # the HGX B200 datasheet's per-GPU figures (180 GB, 7.7 TB/s), not the raw 192 GB / 8 TB/s
    assert (gpus["b200"].memory_gb, gpus["b200"].mem_bw_tb_s) == (180, 7.7)
    assert gpus["tpu-v6e"].not_sized_reason and gpus["trainium2"].not_sized_reason
    # sanity: the H100 SXM bandwidth from the datasheet (3.35 TB/s), not GB/s or a sparse FLOPS figure
    assert gpus["h100-sxm"].mem_bw_tb_s == pytest.approx(3.35)
    assert gpus["h100-sxm"].bf16_tflops == pytest.approx(989)
    # GeForce dense BF16 with FP32 accumulate (whitepapers), not the sparse figure
    assert gpus["rtx-5090"].bf16_tflops == pytest.approx(209.5)
    assert gpus["rtx-4090"].bf16_tflops == pytest.approx(165.2)


def test_open_models_are_consistent(catalog):
    for mid, m in catalog["open_models"].items():
        assert isinstance(m, OpenModel)
        assert m.accuracy_id == mid
        if m.experts_total:
            assert m.active_params_b < m.total_params_b, mid
            assert 0 < m.experts_active < m.experts_total, mid
        else:
            assert m.active_params_b == m.total_params_b, mid
        if mid in ("deepseek-r1", "deepseek-r1-0528", "deepseek-v3"):  # one architecture (MLA)
            assert m.kv_bytes_per_token_bf16 == m.layers * MLA_LATENT_VALUES * 2 == 70272
        else:  # GQA: K and V, per layer, per KV head, head_dim values of 2 bytes
            assert m.kv_bytes_per_token_bf16 == 2 * m.layers * m.kv_heads * m.head_dim * 2, mid
            assert m.attn_heads % m.kv_heads == 0, mid
    models = catalog["open_models"]
    for oss in ("gpt-oss-20b", "gpt-oss-120b"):
        assert models[oss].native_precision == "fp4"
        assert models[oss].sliding_window_layer_fraction == 0.5 and models[oss].sliding_window_tokens == 128
    assert models["deepseek-r1"].native_precision == "fp8"
    assert models["qwen3-32b"].context_tokens == 32768


def _check_offer(oid: str, o: TokenOffer) -> None:
    assert o.output_usd_per_mtok >= o.input_usd_per_mtok, oid
    if o.cached_input_usd_per_mtok is not None:
        assert o.cached_input_usd_per_mtok < o.input_usd_per_mtok, oid
    assert o.output_tokens_per_s_per_user > 0 and o.ttft_s >= 0, oid
    assert o.speed_source, oid
    if o.speed_is_estimate:
        assert "estimate" in o.speed_source, oid
    assert o.accuracy_id, oid
    assert all(isinstance(level, str) and level for level in o.effort_levels), oid


def test_api_offers(catalog):
    offers = catalog["api_offers"]
    big_four = [o for o in offers.values() if o.vendor in BIG_FOUR]
    assert len(big_four) >= 20
    assert {o.vendor for o in big_four} == BIG_FOUR
    for oid, o in offers.items():
        _check_offer(oid, o)
        assert o.kind == "api" and not o.open_model_id, oid
        assert o.batch_discount in (0.0, 0.5), oid
    pro = offers["gemini-2.5-pro"]
    assert pro.long_context_threshold_tokens == 200000
    assert pro.long_input_usd_per_mtok > pro.input_usd_per_mtok
    assert pro.long_output_usd_per_mtok > pro.output_usd_per_mtok
    assert offers["gpt-5"].effort_levels == ["minimal", "low", "medium", "high"]
    assert offers["gpt-5"].reasoning_billed_as_output and not offers["gpt-4.1"].reasoning_billed_as_output


def test_asic_offers_link_to_open_models(catalog):
    offers = catalog["asic_offers"]
    assert len(offers) >= 6
    assert {"Groq", "Cerebras", "SambaNova"} <= {o.vendor for o in offers.values()}
    for oid, o in offers.items():
        _check_offer(oid, o)
        assert o.kind == "asic" and o.hardware, oid
        assert o.open_model_id in catalog["open_models"], oid
        if o.confidence != "low":  # a low-confidence entry must say why
            continue
        assert o.notes, oid
