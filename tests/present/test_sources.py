"""Sources are cleaned of tracking parameters and ranked: vendor and primary pages, papers, then the rest."""

from ttcplanner.present.sources import SOURCE_TIERS, clean_url, rank_sources, source_tier


def test_tracking_parameters_are_removed_and_the_rest_kept_byte_for_byte():
    assert clean_url("https://a.example/p?utm_source=x&utm_medium=y") == "https://a.example/p"
    assert (
        clean_url("https://a.example/p?id=3&ref=hn&fbclid=AB&gclid=1&Q=%20a#sec-2")
        == "https://a.example/p?id=3&Q=%20a#sec-2"
    )
    assert clean_url("https://a.example/p?UTM_Campaign=z&page=2&mc_eid=9") == "https://a.example/p?page=2"
    assert clean_url("  https://a.example/p#top ") == "https://a.example/p#top"
    # a parameter that only starts like a tracking one, or a value that looks like one, stays
    assert clean_url("https://a.example/p?reference=1&q=utm_source") == "https://a.example/p?reference=1&q=utm_source"
    assert clean_url("not a url") == "not a url"


def test_tiers_vendor_then_paper_then_secondary_and_blogs():
    assert source_tier("https://developers.openai.com/api/docs/pricing") == 0
    assert source_tier("https://www.runpod.io/pricing") == 0
    assert source_tier("https://github.com/vllm-project/vllm") == 0
    assert source_tier("https://huggingface.co/openai/gpt-oss-120b") == 0
    assert source_tier("https://arxiv.org/abs/2508.10925") == 1
    assert source_tier("https://blog.vllm.ai/2026/04/22/fp8-kvcache.html") == 2  # a vendor's blog is still a blog
    assert source_tier("https://developer.nvidia.com/blog/some-post") == 2
    assert source_tier("https://medium.com/@someone/gpu-prices") == 2
    assert source_tier("https://gpu-price-aggregator.example.com/h100") == 2  # unknown sites are secondary
    assert source_tier("notes in the catalog") == 2
    assert source_tier("https://evilopenai.com/pricing") == 2  # a look-alike host is not the vendor


def test_rank_sources_orders_by_tier_keeps_order_within_a_tier_and_deduplicates_after_cleaning():
    urls = [
        "https://medium.com/post?utm_source=tw",
        "https://arxiv.org/abs/1",
        "https://deepinfra.com/pricing?ref=x",
        "https://groq.com/pricing",
        "https://deepinfra.com/pricing",
        "https://medium.com/post",
    ]
    assert rank_sources(urls) == [
        (0, "https://deepinfra.com/pricing"),
        (0, "https://groq.com/pricing"),
        (1, "https://arxiv.org/abs/1"),
        (2, "https://medium.com/post"),
    ]
    assert len(SOURCE_TIERS) == 3
