"""End to end, as a user runs newsmill from the Prefect UI: a real `prefect server` on
loopback, the work pool, `prefect deploy --all` from prefect.yaml, a process worker, a flow run
created through the REST API exactly as the UI creates one, and the warehouse checked after.

Every process started here is stopped here: the worker first (a worker whose server is gone
sits in a long backoff), both with SIGINT (workers ignore SIGTERM for 30 s).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.model]

ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))
#: Measured here: 16–25 s for a server on an empty database, 6–18 s from a created run to
#: its completion; these bounds leave room for a busy CI machine.
SERVER_START_TIMEOUT = 180
RUN_TIMEOUT = 300


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes], grace: float = 30) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    })
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("prefect server did not start: "
                                   + (home / "server.log").read_text()[-2000:])
            time.sleep(1)
        yield env
    finally:
        _stop(process)
        log.close()


def _cli(env: dict[str, str], *args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run([PREFECT, *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=180, check=False)
    assert done.returncode == 0, f"prefect {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def worker(server: dict[str, str], tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[dict[str, str]]:
    _cli(server, "work-pool", "create", "newsmill", "--type", "process")
    _cli(server, "--no-prompt", "deploy", "--all")
    log = (tmp_path_factory.mktemp("worker") / "worker.log").open("wb")
    process = subprocess.Popen([PREFECT, "worker", "start", "--pool", "newsmill"], env=server,
                               cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        yield server
    finally:
        _stop(process)  # the worker before the server
        log.close()


def test_ui_triggered_run_loads_the_warehouse(worker: dict[str, str], tmp_path: Path,
                                              corpus: Path) -> None:
    api = worker["PREFECT_API_URL"]
    articles = tmp_path / "articles"
    articles.mkdir()
    for name in ("harbour-gazette-port-strike.html", "kenya-drought-herders.txt", "empty.txt"):
        shutil.copy(corpus / name, articles / name)
    db = tmp_path / "e2e.duckdb"

    with httpx.Client(base_url=api, timeout=30) as client:
        names = {d["name"] for d in client.post("/deployments/filter", json={}).json()}
        assert {"ingest-files", "ingest-urls", "ingest-feeds", "reextract"} <= names
        feeds = client.get("/deployments/name/ingest/ingest-feeds").json()
        assert feeds["schedules"] and not feeds["schedules"][0]["active"]  # paused by default

        deployment = client.get("/deployments/name/ingest/ingest-files").json()
        # What the UI's "Run" form sends.
        created = client.post(f"/deployments/{deployment['id']}/create_flow_run",
                              json={"parameters": {"sources": [str(articles)], "db": str(db)}})
        assert created.status_code == 201, created.text
        run_id = created.json()["id"]

        deadline = time.monotonic() + RUN_TIMEOUT
        state = None
        while time.monotonic() < deadline:
            state = client.get(f"/flow_runs/{run_id}").json()["state"]
            if state["type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}:
                break
            time.sleep(2)
        assert state is not None and state["type"] == "COMPLETED", state

        bad = client.post(f"/deployments/{deployment['id']}/create_flow_run",
                          json={"parameters": {"sources": [], "db": str(db)}})
        assert bad.status_code == 409 or bad.status_code == 422  # refused before any run

        artifacts = client.post("/artifacts/filter", json={
            "artifacts": {"flow_run_id": {"any_": [run_id]}}}).json()
    kinds = {a["type"] for a in artifacts}
    assert {"markdown", "table"} <= kinds
    summary = next(a for a in artifacts if a["type"] == "markdown")["data"]
    assert "loaded" in summary and "extract/empty" in summary

    conn = duckdb.connect(str(db), read_only=True)
    try:
        assert conn.execute("select count(*) from documents").fetchone() == (2,)
        assert conn.execute("select status from runs").fetchone() == ("completed",)
        assert conn.execute("select reason from rejections").fetchall() == [("empty",)]
        quotes = conn.execute("select count(*) from quotes").fetchone()
        assert quotes is not None and quotes[0] > 3
    finally:
        conn.close()
