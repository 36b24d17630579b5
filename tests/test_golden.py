"""Golden outputs: the shipped sample gives exactly the files in tests/golden/sample/.

A deliberate change to the outputs is reviewed by regenerating them with
``.venv/bin/python -m pytest tests/test_golden.py --update-golden`` and reading the diff.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from calltouch import queries
from calltouch.pipeline import RunSettings, run

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "sample"
FILES = ("touchpoints.csv", "unmatched.csv", "rejects.csv", "summary.json")


@pytest.fixture(scope="module")
def sample_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "out"
    # Relative paths, as a user in the repository would type them: the outputs name the inputs.
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        con = queries.connect()
        try:
            run(con, "data/sample/tasks.csv", "data/sample/sessions.csv", out, RunSettings())
        finally:
            con.close()
    return out


@pytest.mark.parametrize("name", FILES)
def test_sample_output_matches_golden(sample_outputs: Path, name: str, update_golden: bool) -> None:
    produced = sample_outputs / name
    expected = GOLDEN / name
    if update_golden:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(produced, expected)
    assert produced.read_bytes() == expected.read_bytes(), (
        f"{name} differs from {expected.relative_to(ROOT)}; if the change is intended, "
        "rerun with --update-golden and review the diff"
    )


def test_sample_summary_counts(sample_outputs: Path) -> None:
    """The sample's deliberate cases (data/make_sample.py) give these counts."""
    summary = json.loads((sample_outputs / "summary.json").read_text(encoding="utf-8"))
    assert summary["reconciled"] is True
    tasks = summary["tasks"]
    assert tasks["read"] == 765
    assert tasks["merged"] == 449
    assert tasks["unmatched"] == 54
    assert tasks["duplicates"] == 10
    assert tasks["rejected"] == 2
    assert summary["reasons"]["standalone"] == {
        "outside_window": 136,
        "no_session_for_id": 73,
        "only_later_sessions": 36,
        "session_already_used": 5,
    }
    assert summary["sessions"] == {
        **summary["sessions"],
        "read": 3864,
        "duplicates": 10,
        "rejected": 1,
    }
