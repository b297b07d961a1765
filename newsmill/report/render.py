"""The report as one self-contained HTML page: a section per chart, tables beside two of them.

Each section says what it counts and over which period; a section without rows says "no
data". Everything the page needs (style, charts, script) is written into it, and its content
security policy forbids loading anything else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

import duckdb

from newsmill.report import charts
from newsmill.report.assets import CONTENT_SECURITY_POLICY, ERROR_SCRIPT, PAGE_SCRIPT, STYLE
from newsmill.report.charts import Series
from newsmill.report.data import ENTITY_LINES, ReportData, Scope, load

#: Width of the charts that have a section to themselves (the others share it with a table).
WIDE = 960
#: Width of a chart beside a table: about its width on a laptop screen, so its text is not
#: shrunk.
NARROW = 540
#: Sites drawn one by one in "documents per day"; the rest are one series, "other sites".
SITE_SERIES = 8
QUOTE_KINDS = ("direct", "indirect", "mixed")


def write_report(conn: duckdb.DuckDBPyConnection, scope: Scope, out: Path, *,
                 source: str = "") -> Path:
    """Render the report of ``scope`` from the warehouse behind ``conn`` into ``out``,
    replacing it whole (a reader never sees half a page)."""
    return write_page(load(conn, scope), out, source=source)


def write_page(data: ReportData, out: Path, *, source: str = "") -> Path:
    """Render ``data`` into ``out``, replacing it whole."""
    page = render(data, source=source)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_text(page, encoding="utf-8")
    partial.replace(out)
    return out


def render(data: ReportData, *, source: str = "",
           generated_at: datetime | None = None) -> str:
    made = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        _documents_daily(data),
        _entities(data),
        _speakers(data),
        _quote_kinds(data),
        _rejections(data),
        _feeds(data),
    ]
    origin = f" from {escape(source)}" if source else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">
<title>newsmill report: {escape(_scope_title(data))}</title>
<script>{ERROR_SCRIPT}</script>
<style>{STYLE}</style>
</head>
<body>
<main>
<header>
<h1>newsmill report</h1>
<p class="scope">{escape(_scope_line(data))}</p>
<nav>{_contents()}</nav>
</header>
{"".join(sections)}
<footer>Made by <code>newsmill report</code>{origin} at {made}. This page is self-contained:
it opens offline and prints as it is shown.</footer>
</main>
<div id="tip" role="tooltip" hidden></div>
<script>{PAGE_SCRIPT}</script>
</body>
</html>
"""


#: The sections in page order: anchor and heading.
SECTIONS = (("documents", "Documents per day"), ("entities", "Top entities"),
            ("speakers", "Speakers"), ("kinds", "Quote kinds"),
            ("rejections", "Rejections"), ("feeds", "Feed health"))


def _contents() -> str:
    return " · ".join(f'<a href="#{anchor}">{escape(name)}</a>' for anchor, name in SECTIONS)


# --- wording ----------------------------------------------------------------------------------

def day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def period_text(since: date | None, until: date | None, first: date | None,
                last: date | None) -> str:
    """The days a chart covers: the bounds asked for, else those of the data."""
    low, high = since or first, until or last
    if low is None and high is None:
        return "on any date"
    if low is None:
        return f"up to {day_text(high)}" if high else "on any date"
    if high is None:
        return f"from {day_text(low)}"
    if low == high:
        return f"on {day_text(low)}"
    return f"from {day_text(low)} to {day_text(high)}"


def _published(data: ReportData) -> str:
    scope, period = data.scope, data.period
    text = "published " + period_text(scope.since, scope.until, period.first_day,
                                      period.last_day)
    if scope.since is None and scope.until is None and period.undated:
        text += f" (and {_count(period.undated, 'undated article')})"
    return text


def _sites(scope: Scope) -> str:
    return f"on sites matching “{scope.site}”" if scope.site else "on every site"


def _scope_title(data: ReportData) -> str:
    return period_text(data.scope.since, data.scope.until, data.period.first_day,
                       data.period.last_day)


def _scope_line(data: ReportData) -> str:
    scope, period = data.scope, data.period
    undated = f", {period.undated} of them undated" if period.undated else ""
    days = period_text(scope.since, scope.until, period.first_day, period.last_day)
    return (f"Articles published {days}, {_sites(scope)}: "
            f"{_count(period.documents, 'document')}{undated}.")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _section(anchor: str, title: str, what: str, body: str) -> str:
    return (f'<section id="{anchor}"><h2>{escape(title)}</h2>'
            f'<p class="what">{escape(what)}</p>{body}</section>')


def _figure(anchor: str, svg: str, names: Sequence[str]) -> str:
    key = charts.legend(names) if names else ""
    return f'<figure class="chart" id="chart-{anchor}">{svg}{key}</figure>'


def _no_data(what: str) -> str:
    return f'<p class="empty">no data: {escape(what)}</p>'


def _href(url: str | None) -> str | None:
    """A link for an article or feed: a web address as it is, a stored file as a file: URL
    when it is there to open."""
    if not url:
        return None
    if url.startswith(("http://", "https://", "file://")):
        return url
    path = Path(url)
    return path.resolve().as_uri() if path.exists() else None


def _link(url: str | None, text: str | None) -> str:
    label = escape(text or url or "")
    href = _href(url)
    if href is None:
        return label
    return f'<a href="{escape(href, quote=True)}">{label}</a>'


def _table(head: Sequence[tuple[str, bool]], rows: Iterable[Sequence[str]]) -> str:
    """Cells are HTML already; ``head`` says which columns are numbers."""
    cols = "".join(f'<th{" class=n" if number else ""}>{escape(name)}</th>'
                   for name, number in head)
    body = "".join(
        "<tr>" + "".join(f'<td{" class=n" if head[i][1] else ""}>{cell}</td>'
                         for i, cell in enumerate(row)) + "</tr>"
        for row in rows)
    return f"<table><thead><tr>{cols}</tr></thead><tbody>{body}</tbody></table>"


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _day_labels(days: Sequence[date]) -> list[str]:
    one_year = len({d.year for d in days}) <= 1
    return [f"{d.day} {d:%b}" if one_year else f"{d.day} {d:%b %y}" for d in days]


def _by_day(rows: Sequence[dict[str, Any]], key: str, value: str
            ) -> tuple[list[date], list[str], dict[str, dict[date, float]]]:
    """Rows of ``day``, ``key``, ``value`` as every day from the first to the last, the keys
    (largest total first) and each key's value per day."""
    values: dict[str, dict[date, float]] = defaultdict(dict)
    for row in rows:
        per_day = values[str(row[key])]
        per_day[row["day"]] = per_day.get(row["day"], 0) + float(row[value])
    days = _days(min(r["day"] for r in rows), max(r["day"] for r in rows))
    keys = sorted(values, key=lambda k: (-sum(values[k].values()), k))
    return days, keys, values


# --- sections ---------------------------------------------------------------------------------

def _documents_daily(data: ReportData) -> str:
    title = "Documents per day, by site"
    what = (f"Documents (distinct article texts, syndicated copies included) per publication "
            f"day, stacked by site; articles {_published(data)}, {_sites(data.scope)}.")
    rows = data.documents_daily
    if not rows:
        return _section("documents", title, what, _no_data("no dated documents in scope"))
    days, sites, values = _by_day(rows, "site", "documents")
    if len(sites) > SITE_SERIES:
        kept, rest = sites[:SITE_SERIES - 1], sites[SITE_SERIES - 1:]
        other: dict[date, float] = defaultdict(float)
        for site in rest:
            for day, n in values[site].items():
                other[day] += n
        values["other sites"] = other
        sites = [*kept, "other sites"]
    series = [Series(site, [values[site].get(d, 0) for d in days]) for site in sites]
    svg = charts.stacked_columns(_day_labels(days), series, unit="documents", title=title,
                                 width=WIDE)
    copies = sum(int(r["documents"]) - int(r["stories"]) for r in rows)
    note = (f'<p class="small">{_count(copies, "syndicated copy")} within a site and day '
            "(counted here, once per copy).</p>") if copies else ""
    return _section("documents", title, what, _figure("documents", svg, sites) + note)


def _entities(data: ReportData) -> str:
    title = "Top entities over time"
    what = (f"Mentions per publication day of the {ENTITY_LINES} entities named in the most "
            f"stories, articles {_published(data)}, {_sites(data.scope)}; a story's "
            "syndicated copies are counted once (its largest count among them). The table "
            "lists the top entities with the article that mentions each most.")
    if not data.top_entities:
        return _section("entities", title, what, _no_data("no entity mentions in scope"))
    names = {r["entity_id"]: str(r["entity_name"]) for r in data.top_entities}
    lines = [r["entity_id"] for r in data.top_entities[:ENTITY_LINES]]
    if data.entities_daily:
        days, _, values = _by_day(data.entities_daily, "entity_id", "mentions")
        series = [Series(names[e], [values[e].get(d, 0) for d in days])
                  for e in lines if e in values]
        svg = charts.lines(_day_labels(days), series, unit="mentions", title=title,
                           width=NARROW)
        figure = _figure("entities", svg, [s.name for s in series])
    else:
        figure = _no_data("no dated mentions to draw over time")
    table = _table(
        [("#", True), ("entity", False), ("stories", True), ("mentions", True),
         ("most mentioned in", False)],
        ([str(i), f'{escape(str(r["entity_name"]))} <span class="small">'
                  f'{escape(str(r["entity_label"]))}</span>',
          f'{r["stories"]:,}', f'{r["mentions"]:,}', _link(r["article_url"], r["title"])]
         for i, r in enumerate(data.top_entities, 1)))
    return _section("entities", title, what, f'<div class="pair">{figure}{table}</div>')


def _speakers(data: ReportData) -> str:
    title = "Most-quoted speakers"
    what = (f"Quotes attributed to each resolved speaker, direct or reported, in articles "
            f"{_published(data)}, {_sites(data.scope)}; a story's syndicated copies are "
            "counted once. The table links to the article that quotes each speaker most.")
    rows = data.speakers
    if not rows:
        return _section("speakers", title, what, _no_data("no attributed quotes in scope"))
    direct = [float(r["direct_quotes"] or 0) for r in rows]
    reported = [max(0.0, float(r["quotes"]) - d) for r, d in zip(rows, direct, strict=True)]
    series = [Series("direct", direct), Series("indirect or mixed", reported)]
    svg = charts.stacked_bars([str(r["speaker"]) for r in rows], series, unit="quotes",
                              title=title, width=NARROW)
    table = _table(
        [("speaker", False), ("quotes", True), ("direct", True), ("stories", True),
         ("quoted most in", False)],
        ([escape(str(r["speaker"])), f'{r["quotes"]:,}', f'{r["direct_quotes"] or 0:,}',
          f'{r["stories"]:,}', _link(r["article_url"], r["title"])] for r in rows))
    figure = _figure("speakers", svg, [s.name for s in series])
    return _section("speakers", title, what, f'<div class="pair">{figure}{table}</div>')


def _quote_kinds(data: ReportData) -> str:
    title = "Quote kinds per site"
    what = (f"Quotes per site by kind (direct, indirect, mixed), speaker resolved or not, in "
            f"articles {_published(data)}, {_sites(data.scope)}; every copy counts, as each "
            "site carrying a story carries its quotes.")
    rows = data.quote_kinds
    if not rows:
        return _section("kinds", title, what, _no_data("no quotes in scope"))
    counts: dict[str, dict[str, float]] = defaultdict(dict)
    for r in rows:
        counts[str(r["site"])][str(r["quote_kind"])] = float(r["quotes"])
    kinds = [*QUOTE_KINDS, *sorted({k for c in counts.values() for k in c} - set(QUOTE_KINDS))]
    sites = sorted(counts, key=lambda s: (-sum(counts[s].values()), s))
    series = [Series(kind, [counts[s].get(kind, 0) for s in sites]) for kind in kinds]
    svg = charts.stacked_bars(sites, series, unit="quotes", title=title, width=WIDE)
    return _section("kinds", title, what, _figure("kinds", svg, kinds))


def _rejections(data: ReportData) -> str:
    title = "Rejections by reason over time"
    rows = data.rejections
    first = min((r["day"] for r in rows), default=None)
    last = max((r["day"] for r in rows), default=None)
    when = period_text(data.scope.since, data.scope.until, first, last)
    what = (f"Inputs refused per day of rejection, by stage and reason, {when}. A refused "
            "input has no site, so the site filter does not apply.")
    if not rows:
        return _section("rejections", title, what, _no_data("no rejected inputs in scope"))
    days, reasons, values = _by_day(rows, "reason", "rejected")
    series = [Series(reason, [values[reason].get(d, 0) for d in days]) for reason in reasons]
    svg = charts.stacked_columns(_day_labels(days), series, unit="inputs", title=title,
                                 width=NARROW)
    totals: dict[str, int] = defaultdict(int)
    examples: dict[str, str] = {}
    for r in rows:
        totals[r["reason"]] += int(r["rejected"])
        examples.setdefault(r["reason"], str(r["example_source"]))
    table = _table([("stage: reason", False), ("inputs", True), ("for example", False)],
                   ([escape(reason), f"{totals[reason]:,}",
                     _link(examples[reason], examples[reason])] for reason in reasons))
    figure = _figure("rejections", svg, reasons)
    return _section("rejections", title, what, f'<div class="pair">{figure}{table}</div>')


def _feeds(data: ReportData) -> str:
    title = "Feed health"
    rows = data.feeds
    attempts = [r["last_attempt_at"] for r in rows if r["last_attempt_at"] is not None]
    when = (period_text(None, None, min(attempts).date(), max(attempts).date())
            if attempts else "")
    what = ("Items each feed, sitemap or home page listed and the new articles among them, "
            "since it was first read, with its health at its last attempt"
            f"{' (' + when + ')' if when else ''}; not filtered by date or site.")
    if not rows:
        return _section("feeds", title, what, _no_data("no feeds, sitemaps or home pages read"))
    labels = [f"{r['health']}: {str(r['feed_url']).split('://', 1)[-1]}" for r in rows]
    new = [float(r["new_articles"] or 0) for r in rows]
    known = [max(0.0, float(r["items_seen"] or 0) - n) for r, n in zip(rows, new, strict=True)]
    series = [Series("new articles", new), Series("items already known", known)]
    svg = charts.stacked_bars(labels, series, unit="items", title=title, width=WIDE)
    table = _table(
        [("feed", False), ("kind", False), ("health", False), ("failures", True),
         ("last success", False), ("last error", False)],
        ([_link(str(r["feed_url"]), str(r["feed_url"])), escape(str(r["kind"])),
          escape(str(r["health"])), f'{r["consecutive_failures"] or 0:,}',
          escape(f"{r['last_success_at']:%Y-%m-%d %H:%M}") if r["last_success_at"] else "never",
          escape(str(r["last_error"] or ""))] for r in rows))
    figure = _figure("feeds", svg, [s.name for s in series])
    return _section("feeds", title, what, figure + table)

