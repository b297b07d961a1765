"""Parquet export: the hand-off to a lake when one DuckDB file is not enough.

Every table goes to ``DIR/<table>/``; documents, mentions and quotes are partitioned by
publication month (``published_month=2026-03/``, Hive style, which DuckDB, Polars and Spark
read as a column). Export is incremental: ``DIR/_newsmill_export.json`` lists the runs already
exported, and each export writes only the rows of finished runs not in it, as new files
(``part-<run>-*.parquet``) beside the old ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from newsmill.warehouse import sql
from newsmill.warehouse.connection import fetch_all

MANIFEST = "_newsmill_export.json"
#: Tables written partitioned by publication month; the others unpartitioned.
BY_MONTH = ("documents", "mentions", "quotes")
TABLES = ("runs", "documents", "document_sources", "rejections", "entities", "entity_links",
          "mentions", "quotes", "fetches")


@dataclass(frozen=True)
class ExportReport:
    runs: int
    rows: dict[str, int]


def export_parquet(conn: duckdb.DuckDBPyConnection, folder: Path) -> ExportReport:
    """Write the rows of finished, not yet exported runs to ``folder`` as Parquet."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest_path = folder / MANIFEST
    done: list[str] = (json.loads(manifest_path.read_text())["runs"]
                       if manifest_path.exists() else [])
    finished = [r[0] for r in fetch_all(conn, "export_finished_runs")]
    new = [run for run in finished if run not in set(done)]
    rows: dict[str, int] = {}
    if new:
        tag = new[-1][:12]
        for table in TABLES:
            relation = conn.sql(sql.query(f"export_{table}"), params={"runs": new})
            count = len(relation)
            rows[table] = count
            if not count:
                continue
            target = folder / table
            target.mkdir(exist_ok=True)
            if table in BY_MONTH:
                relation.write_parquet(str(target), partition_by=["published_month"],
                                       append=True, filename_pattern=f"part-{tag}-{{uuid}}")
            else:
                relation.write_parquet(str(target / f"part-{tag}.parquet"))
        manifest_path.write_text(json.dumps({"runs": done + new}, indent=1))
    return ExportReport(runs=len(new), rows=rows)
