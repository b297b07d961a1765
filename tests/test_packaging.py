"""The installed package: one top-level import root, and `newsmill serve` from any folder."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(out), str(ROOT)], check=True, capture_output=True)
    (found,) = out.glob("newsmill-*.whl")
    return found


def test_wheel_has_one_top_level_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top == {"newsmill"}
    for expected in ("newsmill/tasks/batch.py", "newsmill/flows/prefect.yaml",
                     "newsmill/warehouse/migrations/001_initial.sql",
                     "newsmill/tasks/resources/speech_verbs.txt"):
        assert expected in names


def test_installed_serve_reads_its_own_prefect_yaml(wheel: Path, tmp_path: Path) -> None:
    # Unpacked away from the checkout and run from another folder, as after `pip install .`:
    # the old code looked for prefect.yaml beside site-packages and failed here.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = ("import importlib.util, sys, newsmill.flows.serve as s; "
            "assert s.__file__.startswith(sys.argv[1]), s.__file__; "
            "assert [importlib.util.find_spec(n) for n in ('tasks', 'flows', 'warehouse')] "
            "== [None] * 3; "
            "print(sorted(d.name for d in s.deployments_from_yaml()))")
    done = subprocess.run([sys.executable, "-c", code, str(site)], cwd=elsewhere,
                          capture_output=True, text=True, env={"PYTHONPATH": str(site)},
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "ingest-files" in done.stdout and "reprocess" in done.stdout
