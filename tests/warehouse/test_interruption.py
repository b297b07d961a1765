"""A warehouse statement stopped by a signal stops the run instead of failing one batch."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pytest

from newsmill.errors import Interrupted
from newsmill.warehouse.connection import execute, transaction


def test_a_statement_stopped_by_a_signal_stops_the_run(tmp_path: Path) -> None:
    # DuckDB reports a signal that arrived mid-statement as its own error, and the signal's
    # exception (KeyboardInterrupt, Prefect's TerminationSignal) is gone: it must come out as
    # an interruption, not as a warehouse error that fails one batch while the run goes on.
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    timer = threading.Timer(0.3, conn.interrupt)
    timer.start()
    with pytest.raises(Interrupted):
        execute(conn, "long", text="select count(*) from range(100000000000) t(i) "
                                   "where i % 7 = 3")
    timer.join()
    conn.close()
    assert issubclass(Interrupted, KeyboardInterrupt)


def test_an_interrupted_transaction_rolls_back_and_says_so(tmp_path: Path) -> None:
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    conn.execute("create table t (i integer)")
    timer = threading.Timer(0.3, conn.interrupt)
    timer.start()
    with pytest.raises(Interrupted), transaction(conn):
        conn.execute("insert into t values (1)")
        conn.execute("select count(*) from range(100000000000) t(i) where i % 7 = 3")
    timer.join()
    assert conn.execute("select count(*) from t").fetchall() == [(0,)]
    conn.close()


class _Termination(BaseException):
    """Stands for Prefect's TerminationSignal, raised by its SIGTERM handler."""


def test_the_signal_s_own_exception_comes_out_when_duckdb_kept_it(tmp_path: Path) -> None:
    # Prefect ends a cancelled flow run as cancelled only if its own TerminationSignal
    # reaches it; raised as an interruption instead, the run was recorded as crashed.
    import signal

    def terminate(_signum: int, _frame: object) -> None:
        raise _Termination("SIGALRM")

    previous = signal.signal(signal.SIGALRM, terminate)
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(_Termination):
            execute(conn, "long", text="select count(*) from range(100000000000) t(i) "
                                       "where i % 7 = 3")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        conn.close()
