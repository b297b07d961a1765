"""The robots.txt records workers need, read for them by the run's process.

Workers — the processes runner's and Dask's — never open the warehouse (DuckDB lets one process
write a file while no other has it open), so the records the warehouse already has for the
origins of each batch's URLs are read here, once, and sent with the batch. Kept apart from the
Dask module so that the default runner does not import Dask (0.3–0.9 s a process).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from newsmill.settings import Settings
from newsmill.tasks.fetch.gather import urls_origins
from newsmill.tasks.models import Source
from newsmill.warehouse.connection import open_writer
from newsmill.warehouse.fetching import robots_for_origins

RobotsRecords = dict[str, tuple[datetime, int, str]]


def robots_by_batch(batches: Sequence[Sequence[Source]], settings: Settings
                    ) -> list[RobotsRecords]:
    """For each batch, the robots.txt records the warehouse already has for its URLs'
    origins (read once, here: workers do not open the warehouse)."""
    wanted = [urls_origins(batch) for batch in batches]
    every = set().union(*wanted)
    if not every:
        return [{} for _ in batches]
    with open_writer(settings.db) as conn:
        known = robots_for_origins(conn, every)
    return [{o: known[o] for o in origins if o in known} for origins in wanted]
