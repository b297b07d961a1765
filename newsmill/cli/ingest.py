"""The commands that run the pipeline: ``ingest``, ``reextract``, ``reprocess``, and ``serve``.

The three run commands differ only in the flow they start and its arguments; one helper,
:func:`dispatch`, does the rest for all of them: Prefect's environment, the progress bar, the
choice between a flow run on a Prefect API and a direct run in this process, failures, and
the summary. Prefect and the flows are imported only when a command runs, so that ``--help``
and the read commands start quickly.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsmill.cli.output import ProgressHandler, print_run_summary

if TYPE_CHECKING:
    from newsmill.cli.options import SharedFlags, Subcommands
    from newsmill.settings import Settings


@dataclass(frozen=True)
class RunCommand:
    """How one run command starts: ``flow`` names its Prefect flow in
    ``newsmill.flows.ingest`` and ``parameters`` gives that flow's parameters for these
    arguments and settings (a flow run on the configured API); ``direct`` calls the same
    wiring in this process with these settings. ``needs_warehouse``: the command works on
    what a warehouse holds, so a missing one is an error (opening it would make an empty
    one)."""

    flow: str
    parameters: Callable[[argparse.Namespace, Settings], dict[str, Any]]
    direct: Callable[[argparse.Namespace, Settings], Any]
    needs_warehouse: bool = False

    def as_flow(self, args: argparse.Namespace, settings: Settings) -> Any:
        """Run the flow (imports Prefect: ~3.5 s) and return its flow run's final state."""
        from newsmill.flows import ingest as flows

        return getattr(flows, self.flow)(**self.parameters(args, settings), return_state=True)


def _common_parameters(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    # The flows' parameters have no None (the UI's form): "" means "the settings decide",
    # and the batch size is given as this process's settings resolved it.
    return {"db": args.db or "", "batch_size": settings.batch_size,
            "spacy_model": args.model or ""}


def ingest_parameters(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    """The ``ingest`` flow's parameters for ``newsmill ingest`` with these arguments."""
    # An empty SOURCE among others is skipped, as a direct run skips it (the flow refuses it).
    return {"sources": [s for s in args.sources if s.strip()], **_common_parameters(args, settings),
            "urls_are": args.urls_are or "auto", "max_articles": args.max_articles or 0,
            "refresh": args.refresh, "sites": list(args.sites),
            "captured_since": args.since.isoformat() if args.since else "",
            "captured_until": args.until.isoformat() if args.until else ""}


def _ingest_direct(args: argparse.Namespace, settings: Settings) -> Any:
    from newsmill.flows.pipeline import Steps, ingest_run
    from newsmill.tasks.backfill import CaptureFilter

    return ingest_run(list(args.sources), settings, Steps(), urls_are=args.urls_are,
                      max_articles=args.max_articles, refresh=args.refresh,
                      captures=CaptureFilter(tuple(args.sites), args.since, args.until))


def reextract_parameters(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    """The ``reextract`` flow's parameters for ``newsmill reextract``."""
    return {**_common_parameters(args, settings), "run": args.run or ""}


def _reextract_direct(args: argparse.Namespace, settings: Settings) -> Any:
    from newsmill.flows.pipeline import Steps, reextract_run

    return reextract_run(settings, Steps(), run=args.run)


def reprocess_parameters(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    """The ``reprocess`` flow's parameters for ``newsmill reprocess``."""
    return {**_common_parameters(args, settings), "language": args.language or ""}


def _reprocess_direct(args: argparse.Namespace, settings: Settings) -> Any:
    from newsmill.flows.pipeline import Steps, reprocess_run
    from newsmill.flows.reprocess import reprocess_batch

    return reprocess_run(settings, Steps(batch=reprocess_batch), language=args.language)


INGEST = RunCommand("ingest", ingest_parameters, _ingest_direct)
REEXTRACT = RunCommand("reextract", reextract_parameters, _reextract_direct,
                       needs_warehouse=True)
REPROCESS = RunCommand("reprocess", reprocess_parameters, _reprocess_direct,
                       needs_warehouse=True)


def ingest_then_report(args: argparse.Namespace) -> int:
    """``newsmill ingest``, then, when it completed and ``--report`` names a file, the
    report page of the warehouse it loaded (as ``newsmill report --out FILE``)."""
    code = dispatch(INGEST, args)
    if code != 0 or args.report is None:
        return code
    from newsmill.cli.read import run_report

    return run_report(argparse.Namespace(db=args.db, since=None, until=None, site=None,
                                         out=args.report))


def dispatch(command: RunCommand, args: argparse.Namespace) -> int:
    """Run ``command`` and print its summary: 0 when the run completed (rejections or
    not), 1 when the run itself failed or its warehouse is missing or unusable, 2 when
    nothing was given to ingest."""
    if getattr(args, "sources", None) is not None and not any(s.strip() for s in args.sources):
        print("newsmill: nothing to ingest: every SOURCE given is empty (give a file, a "
              "folder, a URL or @list.txt)", file=sys.stderr)
        return 2
    from newsmill.flows.runtime import api_configured, apply_prefect_defaults

    apply_prefect_defaults()
    if not args.verbose:
        # Set before Prefect is imported: its console handler reads this once.
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from newsmill.errors import NewsmillError
    from newsmill.flows.pipeline import PROGRESS_LOGGER
    from newsmill.settings import Settings

    settings = Settings.from_env(db=args.db, spacy_model=args.model,
                                 batch_size=getattr(args, "batch_size", None))
    if command.needs_warehouse and not Path(settings.db).is_file():
        what = "a folder, not a DuckDB file" if Path(settings.db).is_dir() else "no such file"
        print(f"newsmill: no warehouse at {settings.db} ({what}): `{args.command}` works on "
              "what `newsmill ingest` stored; check --db or NEWSMILL_DB", file=sys.stderr)
        return 1
    handler = None if args.no_progress or not sys.stderr.isatty() else ProgressHandler()
    if handler:
        progress_logger = logging.getLogger(PROGRESS_LOGGER)
        progress_logger.addHandler(handler)
        progress_logger.setLevel(logging.INFO)
        progress_logger.propagate = False  # the bar shows it; no log line per batch
    flow_run_url = None
    try:
        # With a Prefect API configured (a server, Cloud, a test harness) the run is a flow
        # run there; without one it runs the same flow function directly, which starts in
        # seconds instead of waiting for Prefect's temporary server.
        if args.prefect or api_configured():
            state = command.as_flow(args, settings)
            # The temporary server of a bare --prefect is gone when the run ends: no address.
            flow_run_url = _flow_run_url(state) if api_configured() else None
            result = state.result()  # raises what failed the flow run
        else:
            result = command.direct(args, settings)
    except (NewsmillError, ValueError, RuntimeError) as exc:
        print(f"newsmill: run failed: {exc}", file=sys.stderr)
        if flow_run_url:
            print(f"newsmill: flow run: {flow_run_url}", file=sys.stderr)
        return 1
    finally:
        if handler:
            handler.close()
    print_run_summary(result, _rejections(result), flow_run_url=flow_run_url,
                      nothing_seen=_why_nothing(args))
    return 0


def _why_nothing(args: argparse.Namespace) -> str:
    """Why a run of this command saw nothing at all."""
    if args.command == "reextract":
        return ("the warehouse holds no archived page" + (f" fetched by run {args.run}"
                                                          if args.run else ""))
    if args.command == "reprocess":
        return ("the warehouse holds no document" + (f" in language {args.language!r}"
                                                     if args.language else ""))
    return ("the sources given named no file or URL (empty lines and # comments of an "
            "@list are skipped)")


def _flow_run_url(state: Any) -> str | None:
    """The Prefect UI's page of the flow run that ended in ``state`` (None without a UI)."""
    from prefect.utilities.urls import url_for

    flow_run_id = state.state_details.flow_run_id
    return url_for("flow-run", obj_id=flow_run_id) if flow_run_id else None


def _rejections(result: Any) -> list[tuple[str, ...]]:
    """The run's rejections, ``(source, stage, reason, detail)``, read back from the
    warehouse (nothing is read when there were none)."""
    if not result.report.rejected:
        return []
    from newsmill.warehouse.connection import connect
    from newsmill.warehouse.runs import rejections_for_run

    conn = connect(result.db, read_only=True)
    try:
        return list(rejections_for_run(conn, result.run_id))
    finally:
        conn.close()


def serve(args: argparse.Namespace) -> int:
    """Serve every deployment of the packaged prefect.yaml from this process."""
    from newsmill.flows.runtime import apply_prefect_defaults

    apply_prefect_defaults()
    # What prefect.yaml sets for the pool's runs: newsmill's lines in each run's log view.
    # Before Prefect is imported; the served runs' processes inherit it.
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "newsmill")
    from newsmill.flows.serve import serve_all

    serve_all()
    return 0


def add_commands(sub: Subcommands, shared: SharedFlags) -> None:
    ingest = sub.add_parser("ingest", parents=[shared.run],
                            help="ingest files, folders, URLs or @lists")
    ingest.add_argument("sources", nargs="+", metavar="SOURCE",
                        help="a .html/.htm/.txt file, a folder, an http(s) URL, or @list.txt")
    ingest.add_argument("--batch-size", type=int, help="documents per batch")
    kind = ingest.add_mutually_exclusive_group()
    kind.add_argument("--feed", dest="urls_are", action="store_const", const="feed",
                      help="every URL given is an RSS/Atom/JSON feed")
    kind.add_argument("--sitemap", dest="urls_are", action="store_const", const="sitemap",
                      help="every URL given is a sitemap (or sitemap index)")
    kind.add_argument("--discover", dest="urls_are", action="store_const", const="homepage",
                      help="every URL given is a home page: read its feeds, or its article links")
    ingest.add_argument("--max-articles", type=int, metavar="N",
                        help="fetch at most N new articles")
    ingest.add_argument("--refresh", action="store_true",
                        help="fetch pages already stored again (conditional GET)")
    ingest.add_argument("--site", dest="sites", action="append", default=[], metavar="SUFFIX",
                        help="WARC backfill: only pages of this site (a host suffix such as "
                             "bbc.co.uk; may be given again)")
    ingest.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD",
                        help="WARC backfill: only pages captured on or after this day")
    ingest.add_argument("--until", type=date.fromisoformat, metavar="YYYY-MM-DD",
                        help="WARC backfill: only pages captured on or before this day")
    ingest.add_argument("--report", type=Path, metavar="FILE",
                        help="after a completed run, write the report page (newsmill report) "
                             "to FILE")
    ingest.set_defaults(handler=ingest_then_report)

    again = sub.add_parser("reextract", parents=[shared.run],
                           help="extract stored pages again from the WARC archive (no fetching)")
    again.add_argument("--run", metavar="RUN_ID", help="only the pages fetched by this run")
    again.set_defaults(handler=functools.partial(dispatch, REEXTRACT))

    redo = sub.add_parser("reprocess", parents=[shared.run],
                          help="analyse stored documents again with the current NLP settings")
    redo.add_argument("--language", help="only documents in this language (e.g. en)")
    redo.set_defaults(handler=functools.partial(dispatch, REPROCESS))

    served = sub.add_parser("serve", help="serve every deployment of prefect.yaml from this "
                                          "process (schedules included) instead of a work "
                                          "pool and worker")
    served.set_defaults(handler=serve)
