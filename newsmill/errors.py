"""One small error hierarchy for the whole pipeline.

* :class:`TransientError` — worth retrying as is: timeouts, connection resets, HTTP 429/5xx,
  a DuckDB file locked by another process. Prefect retries only these.
* :class:`Rejection` — terminal for one document: the input is bad (empty, binary, no article,
  404 ...). It becomes a row in ``rejections`` with a short ``reason`` code and a ``detail`` for
  people; it never aborts the batch.
* :class:`WarehouseError` — terminal for the run: a schema or constraint problem that retrying
  cannot fix.
"""

from __future__ import annotations


class NewsmillError(Exception):
    """Base of every error newsmill raises on purpose."""


class TransientError(NewsmillError):
    """A failure that may succeed if the same thing is tried again later."""


class Rejection(NewsmillError):
    """A document that cannot be processed, with the reason recorded for people to read.

    ``stage`` names the stage that refused it (``discover``, ``fetch``, ``extract``,
    ``normalise``, ``nlp``); ``reason`` is a short stable code analysts can group by.
    """

    def __init__(self, stage: str, reason: str, detail: str) -> None:
        super().__init__(f"{stage}/{reason}: {detail}")
        self.stage = stage
        self.reason = reason
        self.detail = detail

    def __reduce__(self) -> tuple[type[Rejection], tuple[str, str, str]]:
        # Rejections cross process boundaries (the extraction worker): pickle the fields.
        return (Rejection, (self.stage, self.reason, self.detail))


class WarehouseError(NewsmillError):
    """A database failure that retrying will not fix (bad SQL, constraint, corrupt file)."""


class Interrupted(KeyboardInterrupt):
    """A signal (Ctrl-C, the SIGTERM of a cancelled Prefect flow run) stopped a warehouse
    statement. DuckDB reports it as its own error and the signal's exception is lost, so it
    is raised again as this: like Ctrl-C it stops the run, which ends ``cancelled``, rather
    than failing one batch and going on."""
