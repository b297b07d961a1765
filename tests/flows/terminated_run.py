"""A run as a Prefect flow run's process makes it, for tests/flows/test_processes.py: the run
goes on in a thread of its own while the main thread takes the SIGTERM a cancel sends to the
whole process group (Prefect acts on it there, in its own time).

``python terminated_run.py DB FOLDER``; prints a line when each batch is done.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path

from newsmill.flows.pipeline import Steps, ingest_run
from newsmill.settings import Settings


def _run(db: Path, folder: str) -> None:
    settings = Settings.from_env(db=db, batch_size=4, snapshot_minutes=0, workers=2)
    ingest_run([folder], settings, Steps())


if __name__ == "__main__":
    received = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: received.set())
    logging.basicConfig(level=logging.WARNING, stream=sys.stdout)
    logging.getLogger("newsmill.flows.pipeline").setLevel(logging.INFO)
    worker = threading.Thread(target=_run, args=(Path(sys.argv[1]), sys.argv[2]))
    worker.start()
    worker.join()
    print("SIGTERM received" if received.is_set() else "no SIGTERM", flush=True)
