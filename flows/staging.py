"""Batches handed from Dask workers to the loader through staging files.

With the Dask runner (``NEWSMILL_TASK_RUNNER=dask``) a worker does the first half of a batch,
everything that needs no warehouse (:func:`tasks.batch.produce_batch`: read or fetch, extract,
normalise, spaCy, entities, quotes, MinHash), and writes it to
``<staging>/<run id>/batch-<index>.json``. Its task result is a :class:`StagedBatch`: the
path and a small report, never page texts. The run's process, the warehouse's one writer,
commits the staged batches in order (:func:`commit_staged`) and deletes each file once its
transaction has committed.

The file is JSON so that it can be read anywhere (a shared folder between machines, a person
debugging a batch); :func:`dump` and :func:`load` round-trip a
:class:`~tasks.batch.ProducedBatch` exactly.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import types
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from newsmill.errors import Rejection
from newsmill.settings import Settings
from newsmill.tasks.batch import BatchReport, ProducedBatch, commit_batch, produce_batch
from newsmill.tasks.models import Source

log = logging.getLogger(__name__)

#: Bumped when the file layout changes, so that a loader never misreads an older worker's file.
FORMAT = 1


@dataclass(frozen=True)
class StagedBatch:
    """A worker's task result: where its batch is, and what it did so far (small)."""

    run_id: str
    index: int
    path: str
    report: BatchReport


def run_folder(settings: Settings, run_id: str) -> Path:
    """The staging folder of one run."""
    return settings.staging_path / run_id


def batch_path(settings: Settings, run_id: str, index: int) -> Path:
    return run_folder(settings, run_id) / f"batch-{index:05d}.json"


def stage_batch(
    sources: Sequence[Source], settings: Settings, run_id: str, index: int,
    robots: Mapping[str, tuple[datetime, int, str]] | None = None,
) -> StagedBatch:
    """On a worker: produce batch ``index`` of the run without touching the warehouse, and
    leave it in the run's staging folder. ``robots``: robots.txt records the run's process
    read for the batch's origins."""
    produced = produce_batch(sources, settings, run_id, use_warehouse=False, robots=robots)
    path = batch_path(settings, run_id, index)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written under a temporary name and renamed: the loader never sees half a file.
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    partial.write_text(dump(produced), encoding="utf-8")
    os.replace(partial, path)
    report = dataclasses.replace(produced.report, stage_seconds=dict(
        produced.report.stage_seconds), reasons=dict(produced.report.reasons))
    return StagedBatch(run_id=run_id, index=index, path=str(path), report=report)


def commit_staged(staged: StagedBatch, settings: Settings) -> BatchReport:
    """In the run's process: commit a staged batch in one transaction, then delete its file
    (a failed commit keeps it, so that a retry can read it again)."""
    path = Path(staged.path)
    produced = load(path.read_text(encoding="utf-8"))
    if produced.run_id != staged.run_id:
        raise ValueError(f"{path} belongs to run {produced.run_id}, not {staged.run_id}")
    report = commit_batch(produced, settings)
    path.unlink(missing_ok=True)
    return report


def discard_run(settings: Settings, run_id: str) -> None:
    """Remove a run's staging folder with whatever is left in it (batches not committed
    because the run failed or was interrupted: their sources are read again next run)."""
    folder = run_folder(settings, run_id)
    if folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)
        log.debug("removed staging folder %s", folder)


# -- the file format ----------------------------------------------------------------------------

_DATETIME = "$datetime"
_REJECTION = "$rejection"


def _encode(value: object) -> object:
    if isinstance(value, datetime):
        return {_DATETIME: value.isoformat()}
    if isinstance(value, Rejection):
        return {_REJECTION: [value.stage, value.reason, value.detail]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    raise TypeError(f"cannot stage a {type(value).__name__}")


def _tagged(obj: dict[str, Any]) -> object:
    if len(obj) == 1:
        if _DATETIME in obj:
            return datetime.fromisoformat(obj[_DATETIME])
        if _REJECTION in obj:
            return Rejection(*obj[_REJECTION])
    return obj


def dump(produced: ProducedBatch) -> str:
    """A produced batch as JSON text."""
    return json.dumps({"format": FORMAT, "batch": produced}, default=_encode,
                      ensure_ascii=False, separators=(",", ":"))


def load(text: str) -> ProducedBatch:
    """The produced batch :func:`dump` wrote."""
    document = json.loads(text, object_hook=_tagged)
    if document.get("format") != FORMAT:
        raise ValueError(f"staging file format {document.get('format')!r}, expected {FORMAT}")
    batch = _rebuild(ProducedBatch, document["batch"])
    assert isinstance(batch, ProducedBatch)
    return batch


def _rebuild(kind: Any, value: Any) -> Any:
    """``value`` (parsed JSON) as an instance of the annotated type ``kind``: dataclasses,
    tuples and the values of lists and dicts are rebuilt from their annotations."""
    if value is None:
        return None
    origin = get_origin(kind)
    if origin is Union or origin is types.UnionType:
        options = [a for a in get_args(kind) if a is not type(None)]
        return _rebuild(options[0], value) if len(options) == 1 else value
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = get_type_hints(kind)
        return kind(**{f.name: _rebuild(hints[f.name], value[f.name])
                       for f in dataclasses.fields(kind) if f.name in value})
    if origin is list:
        (item,) = get_args(kind) or (Any,)
        return [_rebuild(item, v) for v in value]
    if origin is tuple:
        args = get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_rebuild(args[0], v) for v in value)
        return tuple(_rebuild(a, v) for a, v in zip(args, value, strict=True)) if args \
            else tuple(value)
    if origin is dict:
        _key, item = get_args(kind) or (Any, Any)
        return {k: _rebuild(item, v) for k, v in value.items()}
    return value
