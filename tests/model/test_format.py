"""Number formatting shared by the card, the table, the CLI and the PDF."""

from __future__ import annotations

import pytest

from ttcplanner.model.format import duration, money, whole


@pytest.mark.parametrize("n, text", [(1, "1"), (28, "28"), (999, "999"), (20144, "20,144"), (1_234_567.0, "1,234,567")])
def test_whole_numbers_get_thousands_separators(n, text):
    assert whole(n) == text


@pytest.mark.parametrize("usd, text", [(37_800, "$37.8k"), (27_200_000, "$27.2M"), (0.62, "$0.62")])
def test_money_is_short_and_keeps_three_figures(usd, text):
    assert money(usd) == text


@pytest.mark.parametrize("seconds, text", [(16, "16.0 s"), (300, "5.0 min"), (7200, "2.0 h")])
def test_duration_picks_a_readable_unit(seconds, text):
    assert duration(seconds) == text
