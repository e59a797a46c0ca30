"""The fit-only model figures (fit_serving.FIT_MODELS) are consistent with themselves and say where they came from."""

import pytest

from ttcplanner.model import fit_serving


@pytest.mark.parametrize("m", fit_serving.FIT_MODELS, ids=lambda m: m["id"])
def test_kv_bytes_follow_from_the_layout(m):
    # GQA: K and V per layer, per KV head, head_dim values of 2 bytes; MLA (kv_heads 1, head_dim 576): the latent.
    assert m["kv_bytes_per_token_bf16"] == 2 * m["layers"] * m["kv_heads"] * m["head_dim"] * 2 // (
        2 if m["head_dim"] == 576 else 1
    )


@pytest.mark.parametrize("m", fit_serving.FIT_MODELS, ids=lambda m: m["id"])
def test_every_figure_names_its_config_and_an_honest_confidence(m):
    assert m["confidence"] in ("high", "medium", "low")
    assert "config" in m["notes"] and "https://" in m["notes"]
    if m["confidence"] != "high":
        assert "not read" in m["notes"] or "not from" in m["notes"]  # says what was not checked


def test_fit_models_build_catalog_entries():
    models = fit_serving.fit_models()
    assert set(models) == {m["id"] for m in fit_serving.FIT_MODELS}
    assert all(models[m["id"]].confidence == m["confidence"] for m in fit_serving.FIT_MODELS)
