"""Providers whose LiteLLM prices are imported by default: the labs' own APIs, whose list prices the
catalog's other offers are compared with (resellers repeat them with their own margins)."""

FIRST_PARTY_PROVIDERS = ("openai", "anthropic", "gemini", "deepseek", "xai", "mistral")
