"""The ``report`` flow: the warehouse's report page, written on a schedule from Prefect.

It writes the same page as ``newsmill report`` (``newsmill.report``) to the path the
deployment gives, and leaves two artifacts on the flow run: a link to the page and the
headline numbers, so the UI shows what the report holds without opening it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from prefect import flow, get_run_logger
from prefect.artifacts import create_link_artifact, create_markdown_artifact

from newsmill.flows.parameters import (
    DAY_PATTERN,
    RELATIVE_PATHS,
    Warehouse,
    day,
    form_field,
    or_none,
)
from newsmill.report import Scope
from newsmill.report.data import load
from newsmill.report.render import write_page
from newsmill.settings import Settings
from newsmill.warehouse.connection import connect

#: How long the flow waits for a run's commit before giving up on this report (seconds).
READ_LOCK_WAIT = 60.0


@flow(name="report", log_prints=False, persist_result=False)
def report(
    out: Annotated[str, form_field(
        "Page to write",
        "The HTML file to write. " + RELATIVE_PATHS, min_length=1, pattern=r"\S")
    ] = "data/report.html",
    db: Warehouse = "",
    since: Annotated[str, form_field(
        "Published since",
        "Only articles published on or after this day (YYYY-MM-DD). Empty: from the first.",
        pattern=DAY_PATTERN)] = "",
    until: Annotated[str, form_field(
        "Published until",
        "Only articles published on or before this day (YYYY-MM-DD). Empty: to the last.",
        pattern=DAY_PATTERN)] = "",
    site: Annotated[str, form_field(
        "Sites matching",
        "Only sites whose name matches this pattern (SQL ILIKE: % is any text, e.g. "
        "%ledger%). Empty: every site.")] = "",
) -> str:
    """Write the warehouse's report page and link it from the flow run.

    Args:
        out: the HTML file to write (relative paths: the worker's folder).
        db: DuckDB file to report on ("": NEWSMILL_DB, else data/newsmill.duckdb).
        since: only articles published on or after this day (YYYY-MM-DD; "": no bound).
        until: only articles published on or before this day (YYYY-MM-DD; "": no bound).
        site: only sites whose name matches this ILIKE pattern ("": every site).
    """
    first, last = day(since, "since"), day(until, "until")
    if first and last and first > last:
        raise ValueError(f"since {since} is after until {until}")
    settings = Settings.from_env(db=or_none(db))
    scope = Scope(first, last, or_none(site))
    conn = connect(settings.db, read_only=True, wait=READ_LOCK_WAIT)
    try:
        data = load(conn, scope)
    finally:
        conn.close()
    path = write_page(data, Path(out), source=str(settings.db)).resolve()
    period = data.period
    get_run_logger().info("report of %d documents written to %s", period.documents, path)
    create_link_artifact(link=path.as_uri(), link_text=path.name, key="newsmill-report",
                         description="The newsmill report page (opens offline).")
    days = (f"{period.first_day} to {period.last_day}" if period.first_day else "no dated article")
    create_markdown_artifact(key="newsmill-report-summary", markdown=(
        f"## newsmill report\n\n- documents: {period.documents} "
        f"({period.undated} undated)\n- published: {days}\n- written to `{path}`\n"))
    return str(path)
