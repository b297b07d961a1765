"""What the commands print: query rows as a table, CSV or JSON, search hits, a run's summary,
and the progress bar of a run. Nothing here opens the warehouse."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TextIO
from uuid import UUID

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

if TYPE_CHECKING:
    from newsmill.warehouse.search import Hit

#: Widest column of `newsmill sql --format table`; longer values are cut with an ellipsis.
TABLE_COLUMN_WIDTH = 60
#: Narrowest a column is made to fit a table into the terminal (room for "2026-03-0…").
TABLE_MIN_WIDTH = 10
#: Rejections listed after a run; the rest are counted, to be read in the rejections table.
REJECTIONS_SHOWN = 50


def plural(count: int, word: str) -> str:
    """``"1 row"``, ``"2 rows"``."""
    return f"{count} {word}{'s' if count != 1 else ''}"


def plain(value: Any) -> Any:
    """A query value as JSON can hold it: dates and times as ISO text, decimals as floats,
    lists (DuckDB LIST, ARRAY) and structs or maps (STRUCT, MAP) as JSON arrays and objects,
    their members likewise."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _is_json_type(type_code: Any) -> bool:
    # DuckDB's Python client describes a JSON column's type as JSON; its values come as text.
    return str(type_code).upper() == "JSON"


def json_values(row: Sequence[Any], json_columns: Sequence[bool]) -> list[Any]:
    """A row's values as JSON holds them: a JSON column's text parsed back into its value."""
    out = []
    for value, is_json in zip(row, json_columns, strict=True):
        if is_json and isinstance(value, str):
            try:
                out.append(json.loads(value))
                continue
            except ValueError:  # not valid JSON after all: kept as the text it is
                pass
        out.append(plain(value))
    return out


def as_text(value: Any) -> str:
    """A value as a CSV cell or a table cell shows it: nested values as compact JSON."""
    value = plain(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def cut(value: str, width: int) -> str:
    """``value`` on one line, at most ``width`` characters (an ellipsis marks a cut)."""
    value = value.replace("\n", " ")
    return value if len(value) <= width else value[: width - 1] + "…"


def fit_widths(widths: Sequence[int], room: int | None) -> list[int]:
    """Column widths narrowed, widest first, until the table (two spaces between columns)
    fits in ``room`` characters, no column below TABLE_MIN_WIDTH (or its own width) ; as given
    when there is room or no limit."""
    fitted = list(widths)
    if room is None:
        return fitted
    floor = [min(w, TABLE_MIN_WIDTH) for w in fitted]
    excess = sum(fitted) + 2 * (len(fitted) - 1) - room
    while excess > 0:
        widest = max(range(len(fitted)), key=lambda i: fitted[i] - floor[i])
        if fitted[widest] <= floor[widest]:
            break  # as narrow as it goes: the terminal wraps the rest
        fitted[widest] -= 1
        excess -= 1
    return fitted


def write_rows(out: TextIO, fmt: str, columns: Sequence[str],
               rows: Sequence[tuple[Any, ...]], *, types: Sequence[Any] | None = None,
               width: int | None = None) -> None:
    """Query results in ``fmt``: ``json`` (a list of objects; JSON, LIST and STRUCT columns
    as JSON values), ``csv`` (a header line, then the rows; nested values as JSON text) or
    ``table`` (aligned columns, NULL spelled out, cells cut to fit ``width`` characters when
    given, and a row count). ``types`` are the columns' DuckDB types."""
    json_columns = [_is_json_type(t) for t in (types or [None] * len(columns))]
    if fmt == "json":
        json.dump([dict(zip(columns, json_values(row, json_columns), strict=True))
                   for row in rows], out, ensure_ascii=False, default=str)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows([["" if v is None else as_text(v) for v in row] for row in rows])
    else:
        cells = [[("NULL" if v is None else as_text(v)) for v in row] for row in rows]
        widths = [min(TABLE_COLUMN_WIDTH, max([len(c)] + [len(r[i]) for r in cells]))
                  for i, c in enumerate(columns)]
        widths = fit_widths(widths, width)
        out.write("  ".join(cut(c, w).ljust(w) for c, w in zip(columns, widths, strict=True))
                  + "\n")
        out.write("  ".join("-" * w for w in widths) + "\n")
        for r in cells:
            out.write("  ".join(cut(v, w).ljust(w) for v, w in zip(r, widths, strict=True))
                      + "\n")
        out.write(f"({plural(len(rows), 'row')})\n")


#: How a matched word is shown: bold on a terminal, between ** elsewhere (a file, a pipe).
TERMINAL_MARK = ("\x1b[1m", "\x1b[0m")
TEXT_MARK = ("**", "**")
#: Printed under an empty result: what else the query could have said.
NO_RESULTS_HINT = ('every word is required: `a OR b` finds either, "a phrase" its words in '
                   'order, -word leaves documents out (newsmill search --help)')


def marked(text: str, marks: Sequence[tuple[int, int]], mark: tuple[str, str]) -> str:
    """``text`` with each ``(start, end)`` stretch between ``mark``'s two strings."""
    out, at = [], 0
    for start, end in sorted(marks):
        if start < at:
            continue
        out += [text[at:start], mark[0], text[start:end], mark[1]]
        at = end
    return "".join(out) + text[at:]


def write_hits(out: TextIO, hits: Sequence[Hit], method: str,
               mark: tuple[str, str] = TEXT_MARK) -> None:
    """Search results, best first: title, site, day and score; the snippet with its matched
    words marked; the source. An empty result says what else the query could have said."""
    for rank, hit in enumerate(hits, 1):
        when = hit.published_at.date().isoformat() if hit.published_at else "undated"
        out.write(f"{rank}. {hit.title or hit.source}  [{hit.site_name or '?'}, {when}, "
                  f"score {hit.score:.2f}]\n   {marked(hit.snippet, hit.marks, mark)}\n"
                  f"   {hit.source}\n")
    out.write(f"({plural(len(hits), 'result')}, {method} search)\n")
    if not hits:
        out.write(f"  {NO_RESULTS_HINT}\n")


def print_run_summary(result: Any, rejections: Sequence[tuple[str, ...]], *,
                      flow_run_url: str | None = None, nothing_seen: str | None = None) -> None:
    """What a run saw, loaded, found unchanged and rejected, with each rejection's reason,
    and where its flow run is in the Prefect UI when it ran as one.

    ``result`` is the flows' ``IngestResult`` (typed loosely so that printing does not import
    the flows); ``rejections`` are the run's ``(source, stage, reason, detail)`` rows;
    ``nothing_seen`` says why a run that saw nothing had nothing to do.
    """
    r = result.report
    print(f"run {result.run_id} {result.status} → {result.db}")
    if flow_run_url:
        print(f"  flow run: {flow_run_url}")
    print(f"  seen {r.seen}   loaded {r.loaded}   unchanged {r.unchanged}   "
          f"rejected {r.rejected}")
    if not r.seen:
        print(f"  nothing done: {nothing_seen or 'there was nothing to work on'}")
    if getattr(result, "skipped_known", 0):
        print(f"  ({result.skipped_known} URLs already stored were not fetched again; "
              "--refresh fetches them conditionally)")
    if r.rejected:
        print("  rejected:")
        for source, stage, reason, detail in rejections[:REJECTIONS_SHOWN]:
            print(f"    {source}: {stage}/{reason} — {detail}")
        if len(rejections) > REJECTIONS_SHOWN:
            print(f"    … and {len(rejections) - REJECTIONS_SHOWN} more: see the rejections "
                  "table")


class RateColumn(ProgressColumn):
    """Documents per second, over rich's recent updates (a batch at a time)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f} docs/s" if speed else "… docs/s", style="progress.data.speed")


def progress_bar() -> Progress:
    """The bar of a run: documents done of the total, percentage, rate, time left."""
    return Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                    MofNCompleteColumn(), TextColumn("documents"),
                    TextColumn("[progress.percentage]{task.percentage:>3.0f}%"), RateColumn(),
                    TimeRemainingColumn(), transient=True)


class ProgressHandler(logging.Handler):
    """A rich progress bar fed by the flow's progress log records (``done``, ``total``)."""

    def __init__(self) -> None:
        super().__init__()
        self.progress = progress_bar()
        self.task_id: TaskID | None = None
    def emit(self, record: logging.LogRecord) -> None:
        done, total = getattr(record, "done", 0), getattr(record, "total", 0)
        if self.task_id is None:
            self.progress.start()
            self.task_id = self.progress.add_task("ingesting", total=total or None)
        self.progress.update(self.task_id, completed=done, total=total or None)

    def close(self) -> None:
        if self.task_id is not None:
            self.progress.stop()
        super().close()
