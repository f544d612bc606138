"""Shared fixtures: the xince CLI (XINCE_BIN, else target/debug/xince or target/release/xince) and the repository."""

import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _cli() -> str:
    env = os.environ.get("XINCE_BIN")
    if env:
        return env
    for profile in ("debug", "release"):
        p = ROOT / "target" / profile / "xince"
        if p.exists():
            return str(p)
    found = shutil.which("xince")
    if found:
        return found
    pytest.exit("the xince CLI is needed: build it (cargo build) or set XINCE_BIN", returncode=2)


@pytest.fixture(scope="session")
def cli():
    path = _cli()

    def run(*args, check=True):
        out = subprocess.run([path, *map(str, args)], cwd=ROOT, capture_output=True, text=True)
        if check and out.returncode != 0:
            raise AssertionError(f"xince {' '.join(map(str, args))} failed:\n{out.stderr}")
        return out

    return run


@pytest.fixture(scope="session")
def root():
    return ROOT
