"""Shared fixtures: the repository's folders and the `trustsim` binary the Python results are
compared with (`TRUSTSIM_BIN`, by default the debug build `cargo test` leaves in target/)."""

from __future__ import annotations

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def root() -> pathlib.Path:
    return ROOT


@pytest.fixture(scope="session")
def trustsim_bin() -> pathlib.Path:
    given = os.environ.get("TRUSTSIM_BIN")
    path = pathlib.Path(given) if given else ROOT / "target" / "debug" / "trustsim"
    if not path.exists():
        subprocess.run(
            ["cargo", "build", "--quiet", "-p", "trustsim-cli"], cwd=ROOT, check=True
        )
    assert path.exists(), f"no trustsim binary at {path}; set TRUSTSIM_BIN"
    return path
