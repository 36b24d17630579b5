"""Shared pytest configuration: the --update-golden flag for tests/golden/, and a check that
the tests leave no file in the repository."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the golden files in tests/golden/ from the current outputs.",
    )


@pytest.fixture(scope="session")
def bench() -> ModuleType:
    """bench/bench.py as a module (it is a script, not part of the package)."""
    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("calltouch_bench", root / "bench" / "bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module's names
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def _untracked_root_entries() -> set[str]:
    """The working folder's entries git neither tracks nor ignores (none, normally)."""
    root = Path(__file__).resolve().parents[1]
    if not (root / ".git").exists():
        return set()
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard", "--directory"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return set(listed.stdout.split()) if listed.returncode == 0 else set()


@pytest.fixture(scope="session", autouse=True)
def no_files_left_in_the_repository() -> Iterator[None]:
    """Tests write under tmp_path only: a file a test leaves in the repository (a database
    named None, once) fails the run instead of being committed by accident."""
    before = _untracked_root_entries()
    yield
    left = _untracked_root_entries() - before
    assert not left, f"tests left files in the repository: {sorted(left)}"
