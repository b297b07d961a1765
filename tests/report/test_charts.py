"""The SVG charts and the report's wording, without a warehouse or a browser."""

from __future__ import annotations

import re
from datetime import date

from newsmill.report import charts
from newsmill.report.charts import Series
from newsmill.report.render import period_text


def marks(svg: str) -> list[str]:
    return re.findall(r'<(?:rect|circle) class="mark"[^>]*/>', svg)


def test_ticks_are_whole_round_numbers_reaching_the_top() -> None:
    assert charts.ticks(0) == [0, 1]
    assert charts.ticks(3) == [0, 1, 2, 3]
    assert charts.ticks(11) == [0, 5, 10, 15]
    assert charts.ticks(180) == [0, 50, 100, 150, 200]


def test_a_column_per_non_zero_value_stacked_with_its_total() -> None:
    svg = charts.stacked_columns(["9 Mar", "10 Mar"], [Series("A", [1, 0]), Series("B", [2, 3])],
                                 unit="documents", title="t")
    found = marks(svg)
    assert len(found) == 3
    assert 'data-tip="B · 10 Mar: 3 documents"' in svg
    heights = [float(h) for h in re.findall(r'height="([\d.]+)"', "".join(found))]
    assert abs(heights[0] * 2 - heights[1]) < 0.2  # 1 and 2 documents, one scale
    assert '>3</text>' in svg  # totals above the columns


def test_a_point_per_non_zero_value_and_a_line_per_series() -> None:
    svg = charts.lines(["a", "b", "c"], [Series("X", [1, 0, 2]), Series("Y", [0, 0, 4])],
                       unit="mentions", title="t")
    assert len(marks(svg)) == 3
    assert len(re.findall(r'<path class="line"', svg)) == 2


def test_bars_keep_the_full_label_and_say_zero() -> None:
    name = "https://a-very-long-feed-address.example/with/a/long/path/rss.xml"
    svg = charts.stacked_bars([name, "short"], [Series("new", [0, 4])], unit="items",
                              title="t")
    assert len(marks(svg)) == 1
    assert f"<title>{name}</title>" in svg and "…" in svg
    assert '>0</text>' in svg


def test_names_are_escaped_everywhere() -> None:
    evil = '<script>alert("x")</script>'
    svg = charts.stacked_bars([evil], [Series(evil, [1])], unit="quotes", title=evil)
    key = charts.legend([evil])
    assert "<script>" not in svg + key
    assert "&lt;script&gt;" in svg and "&lt;script&gt;" in key


def test_legend_buttons_name_their_series() -> None:
    key = charts.legend(["direct", "indirect"])
    assert re.findall(r'data-series="(\d)"', key) == ["0", "1"]
    assert key.count('aria-pressed="true"') == 2


def test_period_wording() -> None:
    first, last = date(2026, 3, 9), date(2026, 3, 13)
    assert period_text(None, None, first, last) == "from 9 Mar 2026 to 13 Mar 2026"
    assert period_text(date(2026, 3, 10), None, first, last) == "from 10 Mar 2026 to 13 Mar 2026"
    assert period_text(None, None, first, first) == "on 9 Mar 2026"
    assert period_text(None, None, None, None) == "on any date"
    assert period_text(None, date(2026, 3, 1), None, None) == "up to 1 Mar 2026"
