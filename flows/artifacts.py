"""The artifacts every run publishes in the Prefect UI: a summary and a rejections table."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from newsmill.settings import Settings
from newsmill.warehouse.connection import open_writer
from newsmill.warehouse.report import RunFindings, run_findings

if TYPE_CHECKING:
    from newsmill.tasks.batch import BatchReport


def _cell(value: object, width: int = 160) -> str:
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def summary_markdown(flow: str, run_id: str, report: BatchReport, status: str,
                     findings: RunFindings) -> str:
    lines = [
        f"# newsmill {flow} run `{run_id[:12]}` — {status}",
        "",
        "| seen | loaded | unchanged | rejected |",
        "|---:|---:|---:|---:|",
        f"| {report.seen} | {report.loaded} | {report.unchanged} | {report.rejected} |",
    ]
    reasons = Counter(f"{stage}/{reason}" for _s, stage, reason, _d in findings.rejections)
    if reasons:
        lines += ["", "## Rejections by reason", "", "| reason | documents |", "|---|---:|"]
        lines += [f"| `{reason}` | {count} |" for reason, count in reasons.most_common()]
    if findings.top_entities:
        lines += ["", "## Top entities", "", "| entity | label | mentions | documents |",
                  "|---|---|---:|---:|"]
        lines += [f"| {_cell(n)} | {lbl} | {m} | {d} |" for n, lbl, m, d in findings.top_entities]
    if findings.top_speakers:
        lines += ["", "## Most-quoted speakers", "", "| speaker | quotes |", "|---|---:|"]
        lines += [f"| {_cell(s)} | {q} |" for s, q in findings.top_speakers]
    if findings.sample_quotes:
        lines += ["", "## New quotes", ""]
        for speaker, text, title, source in findings.sample_quotes:
            link = f"[{_cell(title or source, 80)}]({source})" if str(source).startswith(
                "http") else _cell(title or source, 80)
            # One list item per quote: consecutive blockquotes merge into one when rendered.
            lines.append(f"- “{_cell(text, 300)}” — **{_cell(speaker, 60)}**, {link}")
    timing = ", ".join(f"{stage} {seconds:.1f}s" for stage, seconds in
                       sorted(report.stage_seconds.items(), key=lambda kv: -kv[1]))
    if timing:
        lines += ["", f"Stage time: {timing}."]
    return "\n".join(lines)


def publish_run_artifacts(settings: Settings, flow: str, run_id: str, report: BatchReport,
                          status: str) -> None:
    """Publish the summary and the rejections of a run (needs a Prefect run context)."""
    with open_writer(settings.db) as conn:
        findings = run_findings(conn, run_id)
    key = f"newsmill-{flow}"
    create_markdown_artifact(summary_markdown(flow, run_id, report, status, findings),
                             key=f"{key}-summary", description="What this run loaded and found")
    create_table_artifact(
        [{"source": s, "stage": st, "reason": r, "detail": d}
         for s, st, r, d in findings.rejections] or [{"source": "", "stage": "", "reason": "",
                                                      "detail": "no rejections"}],
        key=f"{key}-rejections", description="Every input this run refused, with the reason",
    )
