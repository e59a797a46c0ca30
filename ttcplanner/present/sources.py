"""How sources are shown: cleaned of tracking parameters and ranked, vendor and primary pages first.

A reader weighs a figure by where it comes from: the vendor's own page or the primary data first, then
papers, then secondary sites and blogs. The rank is decided from the URL alone (no network); a URL is
otherwise kept exactly as catalogued (order of parameters, encoding, fragment).
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["SOURCE_TIERS", "clean_url", "rank_sources", "source_tier"]

# tier -> heading, best first
SOURCE_TIERS = ("Vendor and primary pages", "Papers", "Secondary sites and blogs")

TRACKING_PARAMS = frozenset(
    {
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "spm",
        "trk",
        "trkcampaign",
        "si",
        "sr_share",
        "s_cid",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "hsa_", "vero_", "oly_")

PAPER_HOSTS = (
    "arxiv.org",
    "openreview.net",
    "aclanthology.org",
    "doi.org",
    "dl.acm.org",
    "ieeexplore.ieee.org",
    "proceedings.neurips.cc",
    "papers.nips.cc",
    "proceedings.mlr.press",
    "semanticscholar.org",
    "biorxiv.org",
    "ssrn.com",
    "jmlr.org",
    "usenix.org",
)
# the makers and sellers behind the catalogued figures: clouds, API providers, model and chip makers, and where
# they publish code, data and model cards. Any other site ranks as secondary.
VENDOR_HOSTS = (
    "openai.com",
    "anthropic.com",
    "claude.com",
    "google.dev",
    "cloud.google.com",
    "deepmind.google",
    "x.ai",
    "mistral.ai",
    "deepseek.com",
    "kimi.ai",
    "moonshot.ai",
    "qwenlm.github.io",
    "alibabacloud.com",
    "aliyun.com",
    "azure.com",
    "spheron.network",
    "meta.com",
    "llama.com",
    "microsoft.com",
    "amazon.com",
    "amazonaws.com",
    "oracle.com",
    "nvidia.com",
    "nvidia.github.io",
    "amd.com",
    "intel.com",
    "groq.com",
    "cerebras.ai",
    "cerebras.net",
    "sambanova.ai",
    "together.ai",
    "fireworks.ai",
    "deepinfra.com",
    "baseten.co",
    "fal.ai",
    "hyperbolic.xyz",
    "venice.ai",
    "runpod.io",
    "lambda.ai",
    "lambdalabs.com",
    "coreweave.com",
    "crusoe.ai",
    "nebius.com",
    "vast.ai",
    "hyperstack.cloud",
    "akash.network",
    "digitalocean.com",
    "paperspace.com",
    "scaleway.com",
    "ovhcloud.com",
    "hetzner.com",
    "verda.com",
    "datacrunch.io",
    "fluidstack.io",
    "tensordock.com",
    "jarvislabs.ai",
    "voltagepark.com",
    "genesiscloud.com",
    "vllm.ai",
    "sglang.ai",
    "readthedocs-hosted.com",
    "readthedocs.io",
    "github.com",
    "githubusercontent.com",
    "huggingface.co",
    "arcprize.org",
    "swebench.com",
    "mlcommons.org",
)


def _host(url: str) -> str:
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def _on(host: str, domains) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def source_tier(url: str) -> int:
    """0: a vendor's or maker's own page, its code, data or model card (primary); 1: a paper; 2: any other
    site (a news site, an aggregator, a reseller) and any blog post, a vendor's own included. Anything that
    is not a web address ranks last."""
    host = _host(url)
    if not host:
        return 2
    if _on(host, PAPER_HOSTS):
        return 1
    path = urlsplit(url.strip()).path.lower()
    blog = "blog" in host.split(".") or host.endswith(".blogspot.com") or "/blog" in path or "/posts/" in path
    return 0 if _on(host, VENDOR_HOSTS) and not blog else 2


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def clean_url(url: str) -> str:
    """``url`` without tracking parameters (utm_*, ref, fbclid, gclid, ...); everything else untouched."""
    url = url.strip()
    head, hash_, fragment = url.partition("#")
    base, q, query = head.partition("?")
    if not q:
        return url
    kept = [p for p in query.split("&") if p and not _is_tracking(p.split("=", 1)[0])]
    return base + ("?" + "&".join(kept) if kept else "") + hash_ + fragment


def rank_sources(urls) -> list[tuple[int, str]]:
    """(tier, cleaned URL) for each distinct URL, best tier first, then in the order given."""
    seen: dict[str, int] = {}
    for u in urls:
        c = clean_url(u)
        if c and c not in seen:
            seen[c] = source_tier(c)
    return sorted(((t, u) for u, t in seen.items()), key=lambda tu: tu[0])
