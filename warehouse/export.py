"""Parquet export: the hand-off to a lake when one DuckDB file is not enough.

Every table goes to ``DIR/<table>/``; documents, mentions and quotes are partitioned by
publication month (``published_month=2026-03/``, Hive style, which DuckDB, Polars and Spark
read as a column). Export is incremental: ``DIR/_newsmill_export.json`` lists the runs already
exported, and each export writes only the rows of finished runs not in it, as new files
(``part-<run>-*.parquet``) beside the old ones.

A reprocess changes rows of earlier runs in place: it replaces documents' mentions, quotes and
entity links and updates their NLP status. An export that takes in a reprocess run therefore
rewrites those tables whole, from the rows of every exported run as they now stand (a
reprocess reads every stored document, or every one of a language, so this costs about what
the reprocess did); the other tables, and exports without a reprocess, only add files. The
rewrite is made beside the lake (``DIR/.<table>.<run>.new``) and swapped in by renaming.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from newsmill.warehouse import sql
from newsmill.warehouse.connection import fetch_all

MANIFEST = "_newsmill_export.json"
#: Tables written partitioned by publication month; the others unpartitioned.
BY_MONTH = ("documents", "mentions", "quotes")
TABLES = ("runs", "documents", "document_sources", "rejections", "entities", "entity_links",
          "mentions", "quotes", "fetches", "speaker_evidence", "speaker_attributes")
#: Flows whose runs change rows of earlier runs, and the tables whose rows they change.
REWRITES = {"reprocess": ("documents", "mentions", "quotes", "entity_links",
                          "speaker_evidence")}
#: Tables every run may change a row of (a speaker's sums grow with each document that quotes
#: them): written whole by every export. One row per speaker, so small beside the others.
ALWAYS_REWRITTEN = ("speaker_attributes",)


@dataclass(frozen=True)
class ExportReport:
    runs: int
    #: Rows written per table: a rewritten table's whole content.
    rows: dict[str, int]
    #: The tables rewritten whole rather than added to.
    rewritten: tuple[str, ...] = ()


def export_parquet(conn: duckdb.DuckDBPyConnection, folder: Path) -> ExportReport:
    """Write the rows of finished, not yet exported runs to ``folder`` as Parquet; after a
    reprocess, the tables it changed are written again whole."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest_path = folder / MANIFEST
    done: list[str] = (json.loads(manifest_path.read_text())["runs"]
                       if manifest_path.exists() else [])
    exported = set(done)
    new = [(run, flow) for run, flow in fetch_all(conn, "export_finished_runs")
           if run not in exported]
    if not new:
        return ExportReport(runs=0, rows={})
    runs = [run for run, _flow in new]
    rewritten = tuple(t for t in TABLES if t in ALWAYS_REWRITTEN
                      or any(t in REWRITES.get(f, ()) for _r, f in new))
    tag = runs[-1][:12]
    rows: dict[str, int] = {}
    for table in TABLES:
        if table in rewritten:
            rows[table] = _rewrite(conn, folder, table, done + runs, tag)
        else:
            relation = _rows_of(conn, table, runs)
            rows[table] = len(relation)
            if rows[table]:
                (folder / table).mkdir(exist_ok=True)
                _write(relation, folder / table, table, tag)
    manifest_path.write_text(json.dumps({"runs": done + runs}, indent=1))
    return ExportReport(runs=len(new), rows=rows, rewritten=rewritten)


def _rows_of(conn: duckdb.DuckDBPyConnection, table: str, runs: list[str]
             ) -> duckdb.DuckDBPyRelation:
    return conn.sql(sql.query(f"export_{table}"), params={"runs": runs})


def _write(relation: duckdb.DuckDBPyRelation, target: Path, table: str, tag: str) -> None:
    if table in BY_MONTH:
        relation.write_parquet(str(target), partition_by=["published_month"], append=True,
                               filename_pattern=f"part-{tag}-{{uuid}}")
    else:
        relation.write_parquet(str(target / f"part-{tag}.parquet"))


def _rewrite(conn: duckdb.DuckDBPyConnection, folder: Path, table: str, runs: list[str],
             tag: str) -> int:
    """Replace ``folder/table`` with the table's rows of ``runs`` as they now stand."""
    relation = _rows_of(conn, table, runs)
    count = len(relation)
    fresh, stale = folder / f".{table}.{tag}.new", folder / f".{table}.{tag}.old"
    for leftover in (fresh, stale):  # of an export that stopped half-way
        shutil.rmtree(leftover, ignore_errors=True)
    if count:
        fresh.mkdir()
        _write(relation, fresh, table, tag)
    target = folder / table
    if target.exists():
        target.rename(stale)
    if count:
        fresh.rename(target)
    shutil.rmtree(stale, ignore_errors=True)
    return count
