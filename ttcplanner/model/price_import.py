"""Keep prices current: import LiteLLM's price table, and let the user edit a price by hand.

Usage (CLI ``ttcplanner catalog import-litellm FILE``, GUI Catalog > Edit prices)::

    from ttcplanner.model import price_import
    from ttcplanner.model.catalog import load_catalog
    from ttcplanner.paths import user_catalog_dir
    res = price_import.import_litellm("model_prices_and_context_window.json")   # no network
    print(len(res.updated), "updated,", len(res.added), "added,", len(res.skipped), "skipped")
    price_import.save_offers(res.offers, user_catalog_dir())        # merged into api_offers.json
    cat = load_catalog()                                              # imported prices now override
    price_import.edit_price(cat, "gpt-5", output_usd_per_mtok=9.0)    # saved to the user catalog
    price_import.edit_price(cat, "h100-sxm", rent_usd_per_gpu_hour=2.1)

Why: shipped prices age; LiteLLM's community-maintained table is the most complete machine-readable
source. Only prices (and limits LiteLLM states) are taken from it; what it does not state (speed,
TTFT, batch discount, cache price, long-context tier, context window) is kept from the matching
shipped offer, or labelled an estimate. Every bad value is reported per entry, never a traceback.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from ttcplanner.model.catalog import (
    SCHEMA_VERSION,
    Catalog,
    Entry,
    Gpu,
    TokenOffer,
    checked_fields,
    entry_to_json,
    from_json,
    load_file,
)
from ttcplanner.model.errors import InputError
from ttcplanner.model.jsonio import make_folder, read_input_text, read_json, write_json_atomic

LITELLM_SOURCE = "https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json"
CHAT_MODES = ("chat", "responses")
ESTIMATED_SPEED_TOKENS_PER_S = 50.0
ESTIMATED_SPEED_SOURCE = "estimate: not in LiteLLM data"
EDITED_SOURCE = "user:edited"
KIND_FILES = {"api_offers": "api_offers.json", "asic_offers": "asic_offers.json", "gpus": "gpus.json"}

# litellm_provider -> vendor shown in the planner; the first-party ones may update a shipped offer.
VENDORS = {
    "openai": "OpenAI",
    "text-completion-openai": "OpenAI",
    "anthropic": "Anthropic",
    "gemini": "Google",
    "deepseek": "DeepSeek",
    "xai": "xAI",
    "mistral": "Mistral",
    "moonshot": "Moonshot",
    "azure": "Microsoft Azure",
    "azure_ai": "Microsoft Azure AI",
    "vertex_ai-language-models": "Google Vertex AI",
    "vertex_ai-anthropic_models": "Google Vertex AI",
    "bedrock": "AWS Bedrock",
    "bedrock_converse": "AWS Bedrock",
    "openrouter": "OpenRouter",
    "groq": "Groq",
    "cerebras": "Cerebras",
    "sambanova": "SambaNova",
    "together_ai": "Together AI",
    "fireworks_ai": "Fireworks AI",
    "deepinfra": "DeepInfra",
    "perplexity": "Perplexity",
}
FIRST_PARTY = {
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "gemini": "Google",
    "deepseek": "DeepSeek",
    "xai": "xAI",
    "mistral": "Mistral",
    "moonshot": "Moonshot",
}
_PRICE_KEYS = (
    "input_usd_per_mtok",
    "cached_input_usd_per_mtok",
    "output_usd_per_mtok",
    "long_input_usd_per_mtok",
    "long_cached_input_usd_per_mtok",
    "long_output_usd_per_mtok",
)
_LONG_INPUT_KEY = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")
_EDIT_NOTE = re.compile(r"^edited by the user on \d{4}-\d{2}-\d{2}; catalog source was (\S+?)\.(?: |$)")


@dataclass
class ImportResult:
    offers: list[TokenOffer] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (LiteLLM key, reason)
    updated: list[str] = field(default_factory=list)  # shipped offer ids whose prices the import replaces
    added: list[str] = field(default_factory=list)  # new offer ids


class _Skip(Exception):
    pass


def _number(entry: Mapping[str, Any], key: str) -> float | None:
    """A non-negative finite number; LiteLLM sometimes writes them as strings ("1e-06")."""
    if key not in entry or entry[key] is None:
        return None
    raw = entry[key]
    if isinstance(raw, bool):
        raise _Skip(f"{key} is not a number ({raw!r})")
    if isinstance(raw, str):
        try:
            value = float(raw.strip())
        except ValueError:
            raise _Skip(f"{key} is not a number ({raw[:40]!r})") from None
    elif isinstance(raw, (int, float)):
        value = float(raw)
    else:
        raise _Skip(f"{key} is not a number ({type(raw).__name__})")
    if not math.isfinite(value):
        raise _Skip(f"{key} is not finite ({raw!r})")
    if value < 0:
        raise _Skip(f"{key} is negative ({raw!r})")
    return value


def _per_mtok(entry: Mapping[str, Any], key: str) -> float | None:
    value = _number(entry, key)
    return None if value is None else round(value * 1e6, 9)


def _tokens(entry: Mapping[str, Any], key: str) -> int | None:
    value = _number(entry, key)
    if value is None:
        return None
    if value < 1 or value != int(value):
        raise _Skip(f"{key} must be a whole number of tokens ({entry[key]!r})")
    return int(value)


def _stripped(key: str) -> str:
    """The model name without provider prefixes: 'bedrock/anthropic.claude-x:0' -> 'anthropic.claude-x-0'."""
    return key.rsplit("/", 1)[-1].lower().replace(":", "-")


def _match_key(name: str) -> str:
    """Shipped ids write versions with dots (claude-sonnet-4.5); LiteLLM with dashes (claude-sonnet-4-5)."""
    return name.lower().replace(".", "-")


def _effort_levels(entry: Mapping[str, Any]) -> list[str]:
    if entry.get("supports_reasoning") is not True:
        return []
    levels = ["low", "medium", "high"]
    if entry.get("supports_minimal_reasoning_effort") is True:
        levels.insert(0, "minimal")
    if entry.get("supports_none_reasoning_effort") is True:
        levels.insert(0, "none")
    if entry.get("supports_xhigh_reasoning_effort") is True:
        levels.append("xhigh")
    return levels


def _long_tier(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The lowest 'above_<N>k_tokens' tier (200k for Gemini/Claude, 272k for newer OpenAI models)."""
    tiers = sorted(int(m.group(1)) for k in entry if (m := _LONG_INPUT_KEY.match(k)))
    for n in tiers:
        long_in = _per_mtok(entry, f"input_cost_per_token_above_{n}k_tokens")
        if long_in is None:
            continue
        return {
            "long_context_threshold_tokens": n * 1000,
            "long_input_usd_per_mtok": long_in,
            "long_output_usd_per_mtok": _per_mtok(entry, f"output_cost_per_token_above_{n}k_tokens"),
            "long_cached_input_usd_per_mtok": _per_mtok(entry, f"cache_read_input_token_cost_above_{n}k_tokens"),
        }
    return {}


def _batch_discount(entry: Mapping[str, Any], input_p: float, output_p: float) -> float | None:
    """1 - batch/normal; the smaller of the input and output discounts (conservative); None: not stated."""
    b_in, b_out = _per_mtok(entry, "input_cost_per_token_batches"), _per_mtok(entry, "output_cost_per_token_batches")
    if b_in is None or b_out is None or input_p <= 0 or output_p <= 0:
        return None
    discount = min(1 - b_in / input_p, 1 - b_out / output_p)
    if discount < 0 or discount > 0.95:
        raise _Skip(f"batch prices imply a discount of {discount:.0%}, outside 0..95%")
    return round(discount, 6)


def _shipped_api_offers() -> dict[str, TokenOffer]:
    from ttcplanner.paths import catalog_dir

    _, _, entries = load_file(catalog_dir() / "api_offers.json")
    return entries  # type: ignore[return-value]


def _file_date(path: Path) -> str:
    return _dt.date.fromtimestamp(path.stat().st_mtime).isoformat()


def _check_date(value: Any, what: str) -> str:
    if isinstance(value, _dt.date):
        return value.isoformat()
    try:
        return _dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise InputError(f"must be a date YYYY-MM-DD, got {value!r}"[:120], field=what) from None


def import_litellm(
    path: str | Path,
    as_of: str | _dt.date | None = None,
    *,
    shipped: Mapping[str, TokenOffer] | None = None,
    providers: Iterable[str] | None = None,
    only_shipped: bool = False,
) -> ImportResult:
    """Read LiteLLM's model_prices_and_context_window.json into API offers ($ per million tokens).

    ``shipped``: offers to update by prefix-stripped id (default: the shipped api_offers.json).
    ``providers``: keep only these litellm_provider values. ``only_shipped``: keep only updates.
    """
    path = Path(path)
    data = read_json(path, "LiteLLM price file")
    if not isinstance(data, dict):
        raise InputError(f"must be a JSON object of model name -> prices, got {type(data).__name__}", source=str(path))
    as_of = _check_date(as_of, "as_of") if as_of is not None else _file_date(path)
    shipped = _shipped_api_offers() if shipped is None else dict(shipped)
    by_match = {_match_key(o.id): o for o in shipped.values()}
    wanted = set(providers) if providers is not None else None
    res = ImportResult()
    taken: dict[str, str] = {}  # offer id -> LiteLLM key it came from
    # Unprefixed keys first, so 'gpt-5' (openai) wins over 'openai/gpt-5' for the shipped id.
    for key in sorted(data, key=lambda k: k.count("/")):
        raw = data[key]
        if key == "sample_spec":
            res.skipped.append((key, "LiteLLM's schema example, not a model"))
            continue
        if not isinstance(raw, dict):
            res.skipped.append((key, f"not an object ({type(raw).__name__})"))
            continue
        provider = raw.get("litellm_provider")
        provider = provider if isinstance(provider, str) and provider else "unknown"
        if wanted is not None and provider not in wanted:
            continue
        try:
            offer, is_update = _offer(key, raw, provider, as_of, shipped, by_match, taken)
        except _Skip as exc:
            res.skipped.append((key, str(exc)))
            continue
        except InputError as exc:
            res.skipped.append((key, str(exc)))
            continue
        if only_shipped and not is_update:
            continue
        taken[offer.id] = key
        res.offers.append(offer)
        (res.updated if is_update else res.added).append(offer.id)
    return res


def _offer(
    key: str,
    raw: Mapping[str, Any],
    provider: str,
    as_of: str,
    shipped: Mapping[str, TokenOffer],
    by_match: Mapping[str, TokenOffer],
    taken: Mapping[str, str],
) -> tuple[TokenOffer, bool]:
    mode = raw.get("mode")
    if mode not in CHAT_MODES:
        raise _Skip(f"mode {mode!r} is not chat or responses" if mode is not None else "no mode (not a chat model)")
    input_p, output_p = _per_mtok(raw, "input_cost_per_token"), _per_mtok(raw, "output_cost_per_token")
    if input_p is None or output_p is None:
        raise _Skip("no input_cost_per_token" if input_p is None else "no output_cost_per_token")
    cached_p = _per_mtok(raw, "cache_read_input_token_cost")
    batch = _batch_discount(raw, input_p, output_p)
    long = _long_tier(raw)
    context = _tokens(raw, "max_input_tokens") or _tokens(raw, "max_tokens")
    stripped = _stripped(key)
    vendor = VENDORS.get(provider, provider)
    match = by_match.get(_match_key(stripped))
    is_update = match is not None and FIRST_PARTY.get(provider) == match.vendor
    if is_update and match.id in taken:
        raise _Skip(f"same offer as {match.id!r}, already imported from {taken[match.id]!r}")
    offer_id = match.id if is_update else key.lower().replace("/", "-").replace(":", "-")
    if not is_update and offer_id in shipped:  # e.g. unprefixed 'gemini-2.5-pro' priced by Vertex AI
        offer_id = f"{provider.lower()}-{offer_id}"
    if offer_id in taken:
        raise _Skip(f"id {offer_id!r} already imported from {taken[offer_id]!r}")
    if len(offer_id) > 120:
        raise _Skip("id longer than 120 characters")
    notes = f"imported from LiteLLM (key {key!r}, provider {provider})"
    values: dict[str, Any] = {
        "id": offer_id,
        "kind": "api",
        "source": LITELLM_SOURCE,
        "as_of": as_of,
        "confidence": "medium",
        "input_usd_per_mtok": input_p,
        "output_usd_per_mtok": output_p,
        "reasoning_billed_as_output": True,
    }
    if match is not None:  # same model (any vendor): its accuracy curve and speed apply
        values.update(
            accuracy_id=match.accuracy_id or match.id,
            open_model_id=match.open_model_id,
            output_tokens_per_s_per_user=match.output_tokens_per_s_per_user,
            ttft_s=match.ttft_s,
            speed_is_estimate=match.speed_is_estimate,
            speed_source=match.speed_source,
        )
    else:
        values.update(
            accuracy_id=stripped,
            output_tokens_per_s_per_user=ESTIMATED_SPEED_TOKENS_PER_S,
            speed_is_estimate=True,
            speed_source=ESTIMATED_SPEED_SOURCE,
        )
    if is_update:
        kept = []
        values.update(
            name=match.name, vendor=match.vendor, hardware=match.hardware, context_tokens=match.context_tokens
        )  # shipped: total window; LiteLLM: input cap only
        kept.append("context_tokens")
        if cached_p is None:
            cached_p = match.cached_input_usd_per_mtok
            kept.append("cached price")
        if batch is None:
            batch = match.batch_discount
            kept.append("batch_discount")
        if not long and match.long_context_threshold_tokens is not None:
            long = {
                k: getattr(match, k)
                for k in (
                    "long_context_threshold_tokens",
                    "long_input_usd_per_mtok",
                    "long_output_usd_per_mtok",
                    "long_cached_input_usd_per_mtok",
                )
            }
            kept.append("long-context tier")
        values["effort_levels"] = _effort_levels(raw) if "supports_reasoning" in raw else list(match.effort_levels)
        notes += f"; updates shipped offer {match.id!r}; kept from the shipped catalog: {', '.join(kept)}"
    else:
        values.update(name=f"{vendor}: {key.rsplit('/', 1)[-1]}", vendor=vendor, effort_levels=_effort_levels(raw))
        if context is not None:
            values["context_tokens"] = context
        else:
            notes += "; no max_input_tokens/max_tokens in LiteLLM data: context 128000 is a placeholder"
        if match is None:
            notes += "; speed 50 tok/s and TTFT 1.0 s are placeholders"
    values.update(
        cached_input_usd_per_mtok=cached_p,
        batch_discount=batch or 0.0,
        notes=notes,
        **{k: v for k, v in long.items() if v is not None},
    )
    zero = [k for k in _PRICE_KEYS if values.get(k) == 0]
    if zero:  # LiteLLM writes 0 for unknown as well as free; a $0 offer would win every plan
        raise _Skip(
            f"LiteLLM lists {zero[0]} as $0; not imported"
            + (f", the shipped price of {match.id!r} stays" if is_update else "")
        )
    return from_json(TokenOffer, values, key, "LiteLLM price file"), is_update


def _save_entries(entries: Iterable[Entry], folder: str | Path, kind: str) -> Path:
    """Merge entries into <folder>/<kind>.json (same id replaces, other ids kept), written atomically."""
    folder = Path(folder)
    make_folder(folder, "folder")
    path = folder / KIND_FILES[kind]
    merged: dict[str, Any] = {}
    if path.exists():
        file_kind, _, existing = load_file(path, kind)
        if file_kind != kind:
            raise InputError(f"holds kind {file_kind!r}, not {kind}", field="kind", source=str(path))
        merged.update({k: entry_to_json(v) for k, v in existing.items()})
    for entry in entries:
        raw = entry_to_json(entry)
        from_json(type(entry), raw, f"{kind}/{entry.id}", str(path))  # never write what the loader rejects
        merged[entry.id] = raw
    as_of = max(e["as_of"] for e in merged.values())
    write_json_atomic(
        path, {"schema_version": SCHEMA_VERSION, "kind": kind, "as_of": as_of, "entries": list(merged.values())}
    )
    return path


def save_offers(offers: Iterable[TokenOffer], folder: str | Path) -> list[Path]:
    """Save offers into <folder>/api_offers.json (and asic_offers.json for ASIC offers); returns the files."""
    groups: dict[str, list[TokenOffer]] = {}
    for o in offers:
        groups.setdefault("api_offers" if o.kind == "api" else "asic_offers", []).append(o)
    return [_save_entries(group, folder, kind) for kind, group in groups.items()]


def edit_price(
    catalog: Catalog,
    offer_id: str,
    *,
    input_usd_per_mtok: float | None = None,
    cached_input_usd_per_mtok: float | None = None,
    output_usd_per_mtok: float | None = None,
    batch_discount: float | None = None,
    rent_usd_per_gpu_hour: float | None = None,
    purchase_usd: float | None = None,
    as_of: str | _dt.date | None = None,
    folder: str | Path | None = None,
) -> Entry:
    """Change prices of one catalog entry (API/ASIC offer or GPU) and save it in the user catalog.

    The entry's source becomes 'user:edited'; its notes keep the catalog URL it came from.
    Values are validated by the catalog's own field bounds; bad values raise InputError.
    """
    from ttcplanner.paths import user_catalog_dir

    kind = catalog.kind_of(offer_id)
    if kind not in KIND_FILES:
        raise InputError(
            f"unknown offer or GPU id {offer_id!r}"
            if kind is None
            else f"{offer_id!r} is in {kind}; only offer and GPU prices can be edited",
            field="id",
        )
    entry = catalog.get(kind, offer_id)
    token_changes = {
        "input_usd_per_mtok": input_usd_per_mtok,
        "cached_input_usd_per_mtok": cached_input_usd_per_mtok,
        "output_usd_per_mtok": output_usd_per_mtok,
        "batch_discount": batch_discount,
    }
    gpu_changes = {"rent_usd_per_gpu_hour": rent_usd_per_gpu_hour, "purchase_usd": purchase_usd}
    own, other = (gpu_changes, token_changes) if kind == "gpus" else (token_changes, gpu_changes)
    wrong = [k for k, v in other.items() if v is not None]
    if wrong:
        raise InputError(
            f"{offer_id!r} has no {wrong[0]} ({'a GPU' if kind == 'gpus' else 'a per-token offer'})", field=wrong[0]
        )
    changes = {k: v for k, v in own.items() if v is not None}
    if not changes:
        raise InputError("no price given to change", field=offer_id)
    date = _check_date(as_of if as_of is not None else _dt.date.today(), "as_of")
    raw = entry_to_json(entry)
    raw.update(changes, as_of=date, source=EDITED_SOURCE, notes=_edited_notes(entry, date))
    if isinstance(entry, Gpu):
        for key, note in (("rent_usd_per_gpu_hour", "rent_note"), ("purchase_usd", "purchase_note")):
            if key in changes:
                was = getattr(entry, key)
                was = "was not set" if was is None else f"was {was}"
                raw[note] = f"edited by the user on {date} ({was}); {getattr(entry, note)}"[:4000]
    edited = from_json(type(entry), raw, f"{kind}/{offer_id}", "edit price")
    _save_entries([edited], folder if folder is not None else user_catalog_dir(), kind)
    return edited


def _edited_notes(entry: Any, date: str) -> str:
    notes = entry.notes or ""
    m = _EDIT_NOTE.match(notes)
    if m:  # edited before: keep the original catalog URL once
        url, notes = m.group(1), notes[m.end() :]
    else:
        url = entry.source
    return f"edited by the user on {date}; catalog source was {url}. {notes}".strip()[:4000]


# --- Your own prices from a CSV (issue 19) ---------------------------------------------------------------------

PRICE_CSV_COLUMNS = ("kind", "id", "field", "value", "source", "as_of")
PRICE_CSV_MAX_BYTES = 5_000_000
_KIND_ALIASES = {
    "gpu": "gpus",
    "gpus": "gpus",
    "api": "api_offers",
    "api_offers": "api_offers",
    "asic": "asic_offers",
    "asic_offers": "asic_offers",
}
PRICE_FIELDS = {
    "gpus": ("rent_usd_per_gpu_hour", "purchase_usd", "server_usd_per_8_gpus", "system_kw_per_8_gpus"),
    "api_offers": (
        "input_usd_per_mtok",
        "cached_input_usd_per_mtok",
        "output_usd_per_mtok",
        "batch_discount",
        "cache_write_usd_per_mtok",
        "long_input_usd_per_mtok",
        "long_cached_input_usd_per_mtok",
        "long_output_usd_per_mtok",
        "peak_input_usd_per_mtok",
        "peak_cached_input_usd_per_mtok",
        "peak_output_usd_per_mtok",
    ),
}
PRICE_FIELDS["asic_offers"] = PRICE_FIELDS["api_offers"]


@dataclass
class PriceRowsResult:
    entries: list[Entry] = field(default_factory=list)  # changed entries, ready to save
    applied: list[tuple[int, str, str, str, float]] = field(default_factory=list)  # (line, kind, id, field, value)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def read_price_rows(path: str | Path) -> list[tuple[int, dict[str, str]]]:
    """The CSV's rows as (line number, {column: text}); a file that is not such a CSV is a fatal InputError."""
    import csv
    import io

    p = Path(path)
    src = str(p)
    text = read_input_text(p, "price file", max_bytes=PRICE_CSV_MAX_BYTES)
    if "\0" in text:
        raise InputError("not a text file (NUL byte)", source=src)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = next(reader, None)
        if header is None:
            raise InputError("price file is empty", source=src)
        names = [h.strip().lower() for h in header]
        missing = [c for c in PRICE_CSV_COLUMNS if c not in names]
        if missing:
            raise InputError(
                f"the header must name the columns {', '.join(PRICE_CSV_COLUMNS)}; missing {', '.join(missing)}",
                field="header",
                source=src,
            )
        rows = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            row = {n: (values[i].strip() if i < len(values) else "") for i, n in enumerate(names)}
            if len(values) != len(names):
                row["__error__"] = f"has {len(values)} columns; the header has {len(names)}"
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise InputError(f"not a valid CSV file ({exc})", source=src) from None
    if not rows:
        raise InputError("no price rows below the header", source=src)
    return rows


def import_prices(path: str | Path, catalog: Catalog, today: _dt.date | None = None) -> PriceRowsResult:
    """Negotiated or internal prices from a CSV (columns kind, id, field, value, source, as_of): each row is
    validated on its own (known id, a price field, the catalog's bounds, a URL or 'user:' source, a real date
    not in the future); rows that fail are listed with the reason, the others change their entries (not saved
    here: ``save_price_entries``)."""
    today = today or _dt.date.today()
    changes: dict[tuple[str, str], dict[str, Any]] = {}
    result = PriceRowsResult()
    for line, row in read_price_rows(path):
        try:
            if "__error__" in row:
                raise InputError(row["__error__"])
            kind = _KIND_ALIASES.get(row["kind"].lower())
            if kind is None:
                raise InputError(f"kind must be gpu, api or asic, got {row['kind'][:40]!r}")
            entry_id, name = row["id"], row["field"]
            if entry_id not in getattr(catalog, kind):
                raise InputError(f"unknown {kind} id {entry_id[:60]!r}")
            if name not in PRICE_FIELDS[kind]:
                raise InputError(f"field must be one of {', '.join(PRICE_FIELDS[kind])}, got {name[:60]!r}")
            cls = type(getattr(catalog, kind)[entry_id])
            try:
                number = float(row["value"].replace(",", "").replace("$", ""))
            except ValueError:
                raise InputError(f"value is not a number ({row['value'][:40]!r})") from None
            value = checked_fields(cls, {name: number}, f"{kind}/{entry_id}", "price file")[name]
            source = row["source"]
            if not source.startswith(("http://", "https://", "user:")):
                raise InputError("source must be a URL (http/https) or 'user:<what>', e.g. user:contract-2026")
            date = _check_date(row["as_of"], "as_of")
            if _dt.date.fromisoformat(date) > today:
                raise InputError(f"as_of {date} is in the future")
        except InputError as exc:
            result.skipped.append((line, str(exc)))
            continue
        slot = changes.setdefault((kind, entry_id), {"fields": {}, "sources": [], "dates": []})
        slot["fields"][name] = value
        slot["sources"].append(f"{name} = {value:g} from {source} ({date}, line {line})")
        slot["dates"].append(date)
        result.applied.append((line, kind, entry_id, name, value))
    for (kind, entry_id), slot in changes.items():
        entry = getattr(catalog, kind)[entry_id]
        raw = entry_to_json(entry)
        raw.update(slot["fields"])
        date = max(slot["dates"])
        raw.update(
            as_of=date,
            source=EDITED_SOURCE.replace("edited", "imported"),
            notes=(f"prices imported by the user: {'; '.join(slot['sources'])}. " + _edited_notes(entry, date))[:4000],
        )
        result.entries.append(from_json(type(entry), raw, f"{kind}/{entry_id}", "price file"))
    return result


def save_price_entries(entries: Iterable[Entry], folder: str | Path) -> list[Path]:
    """Save imported entries into the user catalog folder (one file per kind, merged by id, atomically)."""
    groups: dict[str, list[Entry]] = {}
    for e in entries:
        kind = "gpus" if isinstance(e, Gpu) else ("api_offers" if e.kind == "api" else "asic_offers")
        groups.setdefault(kind, []).append(e)
    return [_save_entries(group, folder, kind) for kind, group in groups.items()]


# --- Freshness -----------------------------------------------------------------------------------------------

STALE_DAYS = 180


def stale_entries(catalog: Catalog, days: int = STALE_DAYS, today: _dt.date | None = None) -> list[dict[str, Any]]:
    """Prices older than ``days`` (or undated): API and ASIC offers by their as_of, GPUs by each listed rent."""
    today = today or _dt.date.today()
    out = []

    def age(as_of):
        return None if as_of is None else (today - _dt.date.fromisoformat(as_of)).days

    for kind in ("api_offers", "asic_offers"):
        for e in getattr(catalog, kind).values():
            a = age(e.as_of)
            if a > days:
                out.append({"kind": kind, "id": e.id, "as_of": e.as_of, "age_days": a, "source": e.source})
    for g in catalog.gpus.values():
        for r in g.rents:
            a = age(r.as_of)
            if a is None or a > days:
                out.append(
                    {
                        "kind": "gpus",
                        "id": g.id,
                        "provider": r.provider,
                        "pricing": r.pricing,
                        "usd_per_gpu_hour": r.usd_per_gpu_hour,
                        "as_of": r.as_of,
                        "age_days": a,
                        "source": r.source,
                    }
                )
    return sorted(out, key=lambda x: (x["as_of"] or "", x["kind"], x["id"]))


def freshness(catalog: Catalog) -> dict[str, dict[str, Any]]:
    """Median and oldest as_of per kind of price (GPU rents counted one by one; undated rents counted apart)."""
    dates = {
        "api_offers": [e.as_of for e in catalog.api_offers.values()],
        "asic_offers": [e.as_of for e in catalog.asic_offers.values()],
        "gpu_rents": [r.as_of for g in catalog.gpus.values() for r in g.rents],
    }
    out = {}
    for kind, values in dates.items():
        dated = sorted(v for v in values if v)
        out[kind] = {
            "entries": len(values),
            "undated": len(values) - len(dated),
            "median_as_of": dated[(len(dated) - 1) // 2] if dated else None,
            "oldest_as_of": dated[0] if dated else None,
        }
    return out
