"""What the commands print: query rows as a table, CSV or JSON, search hits, a run's summary,
and the progress bar of a run. Nothing here opens the warehouse."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TextIO

from rich.progress import Progress, TaskID

if TYPE_CHECKING:
    from newsmill.warehouse.search import Hit

#: Widest column of `newsmill sql --format table`; longer values are cut with an ellipsis.
TABLE_COLUMN_WIDTH = 60
#: Rejections listed after a run; the rest are counted, to be read in the rejections table.
REJECTIONS_SHOWN = 50


def plural(count: int, word: str) -> str:
    """``"1 row"``, ``"2 rows"``."""
    return f"{count} {word}{'s' if count != 1 else ''}"


def plain(value: Any) -> Any:
    """A query value as JSON and CSV can hold it: dates as ISO text, decimals as floats."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def cut(value: str, width: int) -> str:
    """``value`` on one line, at most ``width`` characters (an ellipsis marks a cut)."""
    value = value.replace("\n", " ")
    return value if len(value) <= width else value[: width - 1] + "…"


def write_rows(out: TextIO, fmt: str, columns: Sequence[str],
               rows: Sequence[tuple[Any, ...]]) -> None:
    """Query results in ``fmt``: ``json`` (a list of objects), ``csv`` (a header line, then
    the rows) or ``table`` (aligned columns, NULL spelled out, and a row count)."""
    if fmt == "json":
        json.dump([{c: plain(v) for c, v in zip(columns, row, strict=True)} for row in rows],
                  out, ensure_ascii=False, default=str)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows([[plain(v) for v in row] for row in rows])
    else:
        cells = [[("NULL" if v is None else str(plain(v))) for v in row] for row in rows]
        widths = [min(TABLE_COLUMN_WIDTH, max([len(c)] + [len(r[i]) for r in cells]))
                  for i, c in enumerate(columns)]
        out.write("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + "\n")
        out.write("  ".join("-" * w for w in widths) + "\n")
        for r in cells:
            out.write("  ".join(cut(v, w).ljust(w) for v, w in zip(r, widths, strict=True))
                      + "\n")
        out.write(f"({plural(len(rows), 'row')})\n")


def write_hits(out: TextIO, hits: Sequence[Hit], method: str) -> None:
    """Search results, best first: title, site, day and score; the snippet; the source."""
    for rank, hit in enumerate(hits, 1):
        when = hit.published_at.date().isoformat() if hit.published_at else "undated"
        out.write(f"{rank}. {hit.title or hit.source}  [{hit.site_name or '?'}, {when}, "
                  f"score {hit.score:.2f}]\n   {hit.snippet}\n   {hit.source}\n")
    out.write(f"({plural(len(hits), 'result')}, {method} search)\n")


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


class ProgressHandler(logging.Handler):
    """A rich progress bar fed by the flow's progress log records (``done``, ``total``)."""

    def __init__(self) -> None:
        super().__init__()
        self.progress = Progress(transient=True)
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
