"""End to end, as a user runs newsmill from the Prefect UI: a real `prefect server` on
loopback set up with the README's own commands (a Prefect profile pointing at it, the work
pool, `prefect deploy --all` from prefect.yaml, a process worker), `newsmill serve` beside
them, flow runs created through the REST API exactly as the UI creates them, the runs' log
views read back, and the warehouse checked after.

Every process started here is stopped here: the worker and `newsmill serve` first (a worker
whose server is gone sits in a long backoff), all with SIGINT (workers ignore SIGTERM for 30 s).
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.model]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PREFECT = str(BIN / "prefect")
NEWSMILL = str(BIN / "newsmill")
#: Measured here: 16–25 s for a server on an empty database, 6–18 s from a created run to
#: its completion; these bounds leave room for a busy CI machine.
SERVER_START_TIMEOUT = 180
SERVE_START_TIMEOUT = 120
RUN_TIMEOUT = 300
#: The README's default server port, replaced by a free one here.
README_PORT = "4200"
#: Deployments of prefect.yaml (served ones add "-served").
DEPLOYMENTS = {"ingest-files", "ingest-urls", "ingest-feeds", "reextract", "reprocess", "report"}


def readme_prefect_commands() -> list[str]:
    """The commands of the README's "From Prefect" block, comments dropped."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("### From Prefect", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    lines = (line.split("#", 1)[0].strip() for line in block.splitlines())
    return [line for line in lines if line]


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


def _wait_for(log: Path, text: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{text!r} never came:\n" + log.read_text()[-3000:])
        time.sleep(1)


def _cli(env: dict[str, str], command: str, cwd: Path = ROOT) -> str:
    args = shlex.split(command)
    if args[:2] == ["prefect", "deploy"]:
        args.insert(1, "--no-prompt")  # no terminal to answer its questions here
    done = subprocess.run([str(BIN / args[0]), *args[1:]], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The README's "From Prefect" commands run as written (the port aside), in a fresh
    Prefect home and an environment with no PREFECT_API_URL: the profile they set up is what
    points every command at the server. Then `newsmill serve`, started from another folder
    after `prefect deploy`. Yields the API address."""
    home = tmp_path_factory.mktemp("prefect-home")
    logs = tmp_path_factory.mktemp("logs")
    port = str(_free_port())
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
    })
    api = f"http://127.0.0.1:{port}/api"
    started: list[tuple[subprocess.Popen[bytes], Any]] = []

    def start(name: str, args: list[str], cwd: Path = ROOT) -> tuple[subprocess.Popen[bytes], Path]:
        path = logs / f"{name}.log"
        log = path.open("wb")
        process = subprocess.Popen(args, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        started.append((process, log))
        return process, path

    try:
        for command in readme_prefect_commands():
            command = command.replace(README_PORT, port)
            if command.startswith("prefect server start"):
                server, server_log = start("server", [PREFECT, *shlex.split(command)[1:],
                                                      "--host", "127.0.0.1", "--port", port])
                deadline = time.monotonic() + SERVER_START_TIMEOUT
                while True:
                    try:
                        if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("prefect server did not start: "
                                           + server_log.read_text()[-2000:])
                    time.sleep(1)
            elif command.startswith("prefect worker start"):
                start("worker", [PREFECT, *shlex.split(command)[1:]])
            else:
                _cli(env, command)
        served, served_log = start("serve", [NEWSMILL, "serve"],
                                   cwd=tmp_path_factory.mktemp("elsewhere"))
        _wait_for(served_log, "being served", served, SERVE_START_TIMEOUT)
        yield api
    finally:
        for process, log in reversed(started):  # serve and the worker before the server
            _stop(process)
            log.close()


def _create_run(client: httpx.Client, name: str, parameters: dict[str, Any]) -> str:
    """Create a flow run of ``flow/deployment`` as the UI's "Run" form does; its id."""
    deployment = client.get(f"/deployments/name/{name}").json()
    # The server answers 503 while its SQLite database is locked by the worker's and serve's
    # polling (seen on a loaded 2-core machine); the UI's form would be retried the same way.
    for attempt in range(6):
        created = client.post(f"/deployments/{deployment['id']}/create_flow_run",
                              json={"parameters": parameters})
        if created.status_code != 503:
            break
        time.sleep(2 + 2 * attempt)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _wait_for_end(client: httpx.Client, run_id: str) -> dict[str, Any]:
    """The flow run's final state (or its last one seen after RUN_TIMEOUT)."""
    deadline = time.monotonic() + RUN_TIMEOUT
    state: dict[str, Any] = {}
    while time.monotonic() < deadline:
        answer = client.get(f"/flow_runs/{run_id}")
        if answer.status_code == 503:  # busy, as above: ask again
            time.sleep(2)
            continue
        state = answer.json()["state"]
        if state["type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}:
            break
        time.sleep(2)
    return state


def _run_deployment(client: httpx.Client, name: str, parameters: dict[str, Any]
                    ) -> tuple[str, dict[str, Any]]:
    """Create a flow run of ``flow/deployment`` as the UI does; wait for its end."""
    run_id = _create_run(client, name, parameters)
    return run_id, _wait_for_end(client, run_id)


def _log_lines(client: httpx.Client, run_id: str, wanted: str, attempts: int = 20
               ) -> list[str]:
    """The messages of the flow run's log view (as the UI shows them), once ``wanted`` is
    among them or after ``attempts`` seconds or so (logs reach the server in batches)."""
    messages: list[str] = []
    for _ in range(attempts):
        found = client.post("/logs/filter", json={
            "logs": {"flow_run_id": {"any_": [run_id]}}, "limit": 200}).json()
        messages = [entry["message"] for entry in found]
        if any(wanted in m for m in messages):
            break
        time.sleep(1)
    return messages


def _run_events(client: httpx.Client, run_id: str) -> list[dict[str, Any]]:
    """The newsmill.run.* events related to the flow run (events reach the server a moment
    after the run ends)."""
    found: list[dict[str, Any]] = []
    for _ in range(20):
        answer = client.post("/events/filter", json={"filter": {
            "event": {"prefix": ["newsmill.run."]},
            "related": {"resources_in_roles": [[f"prefect.flow-run.{run_id}", "flow-run"]]},
            "occurred": {"since": "2000-01-01T00:00:00Z"}}})
        if answer.status_code == 200:
            found = answer.json()["events"]
            if found:
                break
        time.sleep(1)
    return found


def _articles(folder: Path, corpus: Path) -> Path:
    folder.mkdir()
    for name in ("harbour-gazette-port-strike.html", "kenya-drought-herders.txt", "empty.txt"):
        shutil.copy(corpus / name, folder / name)
    return folder


def _check_warehouse(db: Path) -> None:
    conn = duckdb.connect(str(db), read_only=True)
    try:
        assert conn.execute("select count(*) from documents").fetchone() == (2,)
        assert conn.execute("select status from runs").fetchone() == ("completed",)
        assert conn.execute("select reason from rejections").fetchall() == [("empty",)]
        quotes = conn.execute("select count(*) from quotes").fetchone()
        assert quotes is not None and quotes[0] > 3
    finally:
        conn.close()


def test_ui_triggered_run_loads_the_warehouse(stack: str, tmp_path: Path, corpus: Path) -> None:
    articles = _articles(tmp_path / "articles", corpus)
    db = tmp_path / "e2e.duckdb"

    with httpx.Client(base_url=stack, timeout=30) as client:
        names = {d["name"] for d in client.post("/deployments/filter", json={}).json()}
        assert names >= DEPLOYMENTS
        feeds = client.get("/deployments/name/ingest/ingest-feeds").json()
        assert feeds["schedules"] and not feeds["schedules"][0]["active"]  # paused by default
        # `newsmill serve` came after `prefect deploy`, and left the pool's deployment whole.
        deployment = client.get("/deployments/name/ingest/ingest-files").json()
        assert deployment["work_pool_name"] == "newsmill"
        assert deployment["pull_steps"], "the folder to run from is gone"

        run_id, state = _run_deployment(client, "ingest/ingest-files",
                                        {"sources": [str(articles)], "db": str(db)})
        assert state["type"] == "COMPLETED", state

        bad = client.post(f"/deployments/{deployment['id']}/create_flow_run",
                          json={"parameters": {"sources": [], "db": str(db)}})
        assert bad.status_code == 409 or bad.status_code == 422  # refused before any run

        artifacts = client.post("/artifacts/filter", json={
            "artifacts": {"flow_run_id": {"any_": [run_id]}}}).json()
        # newsmill's own INFO lines, in the run's log view (PREFECT_LOGGING_EXTRA_LOGGERS).
        messages = _log_lines(client, run_id, "loaded spaCy pipeline")
        events = _run_events(client, run_id)
    # The run's outcome as an event an automation can be triggered by.
    assert [e["event"] for e in events] == ["newsmill.run.loaded"], events
    assert (events[0]["payload"]["loaded"], events[0]["payload"]["rejected"]) == (2, 1)
    assert any(m.startswith("applied warehouse migration") for m in messages), messages
    assert any(m.startswith("loaded spaCy pipeline") for m in messages), messages
    kinds = {a["type"] for a in artifacts}
    assert {"markdown", "table"} <= kinds
    summary = next(a for a in artifacts if a["type"] == "markdown")["data"]
    assert "loaded" in summary and "extract/empty" in summary
    _check_warehouse(db)


def test_served_deployments_run_beside_the_pools(stack: str, tmp_path: Path,
                                                 corpus: Path) -> None:
    articles = _articles(tmp_path / "articles", corpus)
    db = tmp_path / "served.duckdb"
    with httpx.Client(base_url=stack, timeout=30) as client:
        names = {d["name"] for d in client.post("/deployments/filter", json={}).json()}
        assert names >= DEPLOYMENTS | {f"{name}-served" for name in DEPLOYMENTS}
        served = client.get("/deployments/name/ingest/ingest-files-served").json()
        assert served["work_pool_name"] is None  # this process runs it, not the worker
        run_id, state = _run_deployment(client, "ingest/ingest-files-served",
                                        {"sources": [str(articles)], "db": str(db)})
        assert state["type"] == "COMPLETED", state
        messages = _log_lines(client, run_id, "loaded spaCy pipeline")
    assert any(m.startswith("loaded spaCy pipeline") for m in messages), messages
    _check_warehouse(db)


def test_a_run_cancelled_from_the_ui_is_recorded_as_cancelled(stack: str, tmp_path: Path,
                                                              corpus: Path) -> None:
    """The UI's "Cancel": the run goes to CANCELLING, the worker stops its process, and the
    run's row says cancelled, not failed; the batches committed before stay."""
    db = tmp_path / "cancelled.duckdb"
    with httpx.Client(base_url=stack, timeout=30) as client:
        # One document per batch: many batches, so that the cancel lands inside the run.
        run_id = _create_run(client, "ingest/ingest-files",
                             {"sources": [str(corpus)], "db": str(db), "batch_size": 1})
        messages = _log_lines(client, run_id, "batch done", attempts=RUN_TIMEOUT // 2)
        assert any(m.startswith("batch done") for m in messages), messages
        cancelled = client.post(f"/flow_runs/{run_id}/set_state", json={
            "state": {"type": "CANCELLING", "name": "Cancelling"}, "force": True})
        assert cancelled.status_code in (200, 201), cancelled.text
        state = _wait_for_end(client, run_id)
        logs = _log_lines(client, run_id, "", attempts=1)
    conn = duckdb.connect(str(db), read_only=True)
    try:
        status, loaded, error = conn.execute(
            "select status, docs_loaded, error from runs").fetchone() or (None, None, None)
        documents = conn.execute("select count(*) from documents").fetchone()
    finally:
        conn.close()
    assert state["type"] == "CANCELLED", (state, status, error, logs[-8:])
    assert status == "cancelled", (status, error)
    assert documents is not None and documents[0] == loaded  # whole batches only
    assert loaded is not None and loaded < len(list(corpus.glob("*.html")) + list(
        corpus.glob("*.txt")))  # stopped before the end
