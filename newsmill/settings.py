"""The one settings object, read from ``NEWSMILL_*`` environment variables.

The CLI, the flows and the tests all build it with :func:`Settings.from_env`, optionally with
explicit overrides (a CLI flag, a flow parameter). It is frozen: code that needs a variant makes
a new one with :meth:`Settings.replace`. Every field is documented in its ``metadata``; the
README's settings table is generated from the same text (``newsmill settings``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from newsmill.system import available_cores

ENV_PREFIX = "NEWSMILL_"

#: The value of ``spacy_model`` that means "the best pipeline installed".
AUTO_MODEL = "auto"

#: Values of ``task_runner``: batches in worker processes on this machine (the default), one
#: after another in the run's process, or on a Dask cluster.
TASK_RUNNERS = ("processes", "threads", "dask")


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


@dataclass(frozen=True)
class Settings:
    """Every knob of a newsmill run. Environment: ``NEWSMILL_<FIELD NAME IN CAPITALS>``."""

    db: Path = field(
        default=Path("data/newsmill.duckdb"),
        metadata=_doc("DuckDB file the warehouse lives in (created with its folder if missing)."),
    )
    spacy_model: str = field(
        default=AUTO_MODEL,
        metadata=_doc(
            "spaCy pipeline: an installed package name, a model directory, or 'auto' for the "
            "best installed (en_core_web_md, then en_core_web_sm)."
        ),
    )
    spacy_models: str = field(
        default="",
        metadata=_doc(
            "Pipelines for other languages, as lang=pipeline pairs (fr=fr_core_news_sm,"
            "de=de_core_news_sm). A document in a language with no pipeline is stored, "
            "searchable, without entities and quotes, and says why."
        ),
    )
    batch_size: int = field(
        default=200,
        metadata=_doc(
            "Documents per batch. A batch is one Prefect task run and one warehouse "
            "transaction; large enough that orchestration stays a small share of run time."
        ),
    )
    nlp_batch_size: int = field(
        default=32,
        metadata=_doc("Texts spaCy's nlp.pipe processes together inside a batch."),
    )
    max_input_bytes: int = field(
        default=10_000_000,
        metadata=_doc("Largest file or response body accepted; bigger inputs are rejected."),
    )
    fetch_timeout: float = field(
        default=20.0,
        metadata=_doc("Seconds allowed to connect, and to wait for the next bytes of a response."),
    )
    fetch_total_timeout: float = field(
        default=60.0,
        metadata=_doc("Seconds allowed for a whole response, however slowly it arrives."),
    )
    fetch_retries: int = field(
        default=2,
        metadata=_doc("Extra attempts for a URL after a transient failure (timeout, 429, 5xx)."),
    )
    fetch_allow_hosts: str = field(
        default="",
        metadata=_doc(
            "Hosts, IPs and CIDRs that may be fetched although they are loopback, private or "
            "link-local (comma-separated). Empty: only public addresses are fetched."
        ),
    )
    fetch_concurrency: int = field(
        default=8,
        metadata=_doc("Requests in flight at once, over all hosts."),
    )
    fetch_per_host: int = field(
        default=2,
        metadata=_doc("Requests in flight at once to one host."),
    )
    fetch_host_delay: float = field(
        default=1.0,
        metadata=_doc(
            "Seconds between the starts of two requests to one host (a larger robots.txt "
            "Crawl-delay wins, up to 30 s)."
        ),
    )
    fetch_max_redirects: int = field(
        default=5,
        metadata=_doc("Redirects followed before a URL is rejected."),
    )
    respect_robots: bool = field(
        default=True,
        metadata=_doc("Obey robots.txt (cached per site for 24 hours in the warehouse)."),
    )
    archive_dir: str = field(
        default="",
        metadata=_doc(
            "Folder for the WARC files that keep every fetched response; empty means "
            "'warc' beside the DuckDB file."
        ),
    )
    writer_memory_mb: int = field(
        default=256,
        metadata=_doc(
            "Memory (MB) DuckDB may use in the pipeline's writer connection, its cache of "
            "blocks read included, and at least 64 per core; beyond it DuckDB evicts or spills "
            "to disk. 0: DuckDB's default, 80% of the machine, which lets a writer's memory "
            "grow with the warehouse."
        ),
    )
    snapshot_minutes: float = field(
        default=0.0,
        metadata=_doc(
            "Publish the read-only copy of the warehouse for readers that keep a connection "
            "open (<db>.snapshot.duckdb) after a run that loads documents, when the copy is "
            "older than this many minutes; 0: only on request (`newsmill snapshot`). Each "
            "publication copies the whole warehouse."
        ),
    )
    user_agent: str = field(
        default="newsmill/0.1 (news research pipeline; set NEWSMILL_USER_AGENT to add a contact)",
        metadata=_doc("User-Agent header sent with every HTTP request."),
    )
    extract_timeout: float = field(
        default=30.0,
        metadata=_doc("Seconds one page's extraction may take before it is rejected."),
    )
    extract_memory_mb: int = field(
        default=1536,
        metadata=_doc("Memory (MB) the extraction worker may use; more rejects the page."),
    )
    max_html_bytes: int = field(
        default=5_000_000,
        metadata=_doc("Largest HTML page sent to extraction (larger pages are rejected)."),
    )
    min_text_chars: int = field(
        default=200,
        metadata=_doc("Shortest clean text kept as an article; shorter pages are rejected."),
    )
    max_text_chars: int = field(
        default=1_000_000,
        metadata=_doc("Longest clean text sent to spaCy; longer documents are rejected."),
    )
    nlp_seconds_per_document: float = field(
        default=60.0,
        metadata=_doc(
            "Seconds the entity and quote rules may take over one document (after spaCy's "
            "parse); a document that takes longer is rejected as nlp/too_slow."
        ),
    )
    nlp_memory_mb: int = field(
        default=4096,
        metadata=_doc(
            "Memory (MB) spaCy's parse of one document may take, estimated from its length "
            "(about 4,000 bytes a character); a longer document is rejected as nlp/too_large "
            "without being parsed, and spaCy is given texts in runs whose parses fit in it."
        ),
    )
    speaker_name_fallback: bool = field(
        default=False,
        metadata=_doc(
            "Give a quoted person the article says nothing of the gender of their given name "
            "in tasks/resources/first_names.txt (gender_method 'first-name', with its own "
            "confidence). Off: only the article's words (pronouns, honorifics, gendered "
            "nouns) decide, and a name is never counted as evidence."
        ),
    )

    task_runner: str = field(
        default="processes",
        metadata=_doc(
            "How batches run: 'processes', the read, extraction and NLP of several batches at "
            "once in NEWSMILL_WORKERS processes on this machine; 'threads', one batch after "
            "another in the run's process; or 'dask', the same as 'processes' on a Dask "
            "cluster. Batches are committed in order by the run's process (docs/scale-out.md)."
        ),
    )
    workers: int = field(
        default=0,
        metadata=_doc(
            "Worker processes of the processes runner and of a local Dask cluster, one batch "
            "at a time each. 0: one per CPU core newsmill may use (its CPU affinity and "
            "cgroup quota)."
        ),
    )
    dask_address: str = field(
        default="",
        metadata=_doc(
            "With the dask runner: the scheduler to use (tcp://host:8786). Empty: a local "
            "cluster of NEWSMILL_WORKERS processes, started and stopped with the run."
        ),
    )
    staging_dir: str = field(
        default="",
        metadata=_doc(
            "Folder where Dask workers leave their batches for the run's process to commit; "
            "empty means 'staging' beside the DuckDB file. Shared storage with remote workers."
        ),
    )

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, **overrides: Any
    ) -> Settings:
        """Build settings from ``env`` (default: ``os.environ``), then apply ``overrides``.

        Overrides whose value is ``None`` are ignored, so a CLI can pass its optional flags
        straight through.
        """
        source = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = source.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _parse(f, raw)
        for name, value in overrides.items():
            if value is None:
                continue
            if name not in {f.name for f in fields(cls)}:
                raise TypeError(f"unknown setting {name!r}")
            field_ = next(f for f in fields(cls) if f.name == name)
            values[name] = _parse(field_, value) if isinstance(value, str) else value
        settings = cls(**values)
        settings.validate()
        return settings

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied and validated."""
        new = dataclasses.replace(self, **changes)
        new.validate()
        return new

    def validate(self) -> None:
        """Refuse values that cannot work, with a message naming the variable."""
        positive = ("batch_size", "nlp_batch_size", "max_input_bytes", "max_text_chars",
                    "fetch_concurrency", "fetch_per_host", "extract_timeout",
                    "extract_memory_mb", "max_html_bytes",
                    "nlp_seconds_per_document")
        for name in positive:
            if getattr(self, name) <= 0:
                raise ValueError(f"{ENV_PREFIX}{name.upper()} must be positive")
        for name in ("fetch_timeout", "fetch_total_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{ENV_PREFIX}{name.upper()} must be positive")
        for name in ("fetch_retries", "min_text_chars", "fetch_max_redirects",
                     "fetch_host_delay", "snapshot_minutes", "writer_memory_mb", "workers"):
            if getattr(self, name) < 0:
                raise ValueError(f"{ENV_PREFIX}{name.upper()} cannot be negative")
        if self.task_runner not in TASK_RUNNERS:
            raise ValueError(f"{ENV_PREFIX}TASK_RUNNER must be one of {', '.join(TASK_RUNNERS)}, "
                             f"not {self.task_runner!r}")
        for pair in filter(None, (p.strip() for p in self.spacy_models.split(","))):
            if "=" not in pair:
                raise ValueError(f"{ENV_PREFIX}SPACY_MODELS: {pair!r} is not lang=pipeline")
        if self.nlp_memory_mb <= 0:
            raise ValueError(f"{ENV_PREFIX}NLP_MEMORY_MB must be positive")
        if self.min_text_chars > self.max_text_chars:
            raise ValueError(f"{ENV_PREFIX}MIN_TEXT_CHARS ({self.min_text_chars}) is above "
                             f"{ENV_PREFIX}MAX_TEXT_CHARS ({self.max_text_chars})")

    def pipelines(self) -> dict[str, str]:
        """spaCy pipeline per language: English from ``spacy_model``, others from
        ``spacy_models``."""
        found = {"en": self.spacy_model}
        for pair in self.spacy_models.split(","):
            language, _, pipeline = pair.partition("=")
            if language.strip() and pipeline.strip():
                found[language.strip().lower()] = pipeline.strip()
        return found

    def worker_count(self) -> int:
        """The worker processes to start: ``workers``, or the cores available when it is 0."""
        return self.workers or available_cores()

    @property
    def archive_path(self) -> Path:
        """Where WARC files are written."""
        return Path(self.archive_dir) if self.archive_dir else self.db.parent / "warc"

    @property
    def staging_path(self) -> Path:
        """Where Dask workers write their batches for the loader."""
        return Path(self.staging_dir) if self.staging_dir else self.db.parent / "staging"

    def as_record(self) -> dict[str, Any]:
        """A JSON-ready dict of every field, stored with each run."""
        return {f.name: str(v) if isinstance(v, Path) else v for f, v in self._items()}

    def _items(self) -> list[tuple[Any, Any]]:
        return [(f, getattr(self, f.name)) for f in fields(self)]

    @classmethod
    def describe(cls) -> list[tuple[str, str, str]]:
        """(environment variable, default, description) for every field."""
        out = []
        for f in fields(cls):
            out.append((ENV_PREFIX + f.name.upper(), str(f.default), f.metadata["doc"]))
        return out


def _parse(f: dataclasses.Field[Any], raw: str) -> Any:
    kind = f.type if isinstance(f.type, type) else {
        "Path": Path, "str": str, "int": int, "float": float, "bool": bool
    }[str(f.type)]
    try:
        if kind is bool:
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        return kind(raw)
    except ValueError as exc:
        raise ValueError(f"{ENV_PREFIX}{f.name.upper()}={raw!r}: {exc}") from exc
