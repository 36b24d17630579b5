"""A run killed at any moment leaves the previous outputs complete (SPEC §4, issue 3).

Outputs are written to a temporary file in the output folder and renamed into place. Here a
second run, whose outputs differ from the first's, is killed with SIGKILL the moment its first
temporary output file appears (that is, mid-write); every output file must then be exactly the
first run's or exactly the second run's complete version. A later run cleans the leftovers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

# slow: runs killed and stopped mid-write, in subprocesses (make test runs it; plain pytest leaves
# it out)
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("touchpoints.csv", "unmatched.csv", "rejects.csv", "summary.json")


def make_inputs(folder: Path, calls: int = 60_000) -> tuple[Path, Path]:
    """Enough rows that writing touchpoints takes a noticeable moment."""
    tasks, sessions = folder / "tasks.csv", folder / "sessions.csv"
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT 'T' || lpad(i::VARCHAR, 8, '0') AS Id, "
        "'cookie' || (i % 5000)::VARCHAR AS BizibleId, "
        "strftime(TIMESTAMP '2026-03-02 00:00:00' + to_minutes(i % 9000), "
        "'%Y-%m-%dT%H:%M:%SZ') AS CreatedDate, 'Call' AS Type, "
        "'Subject ' || i::VARCHAR AS Subject FROM range($n) t(i)) TO $path (HEADER)",
        {"n": calls, "path": str(tasks)},
    )
    con.execute(
        "COPY (SELECT 'S' || i::VARCHAR AS ID, 'cookie' || (i % 5000)::VARCHAR AS COOKIE_ID, "
        "strftime(TIMESTAMP '2026-03-02 00:00:00' + to_minutes((i * 7) % 9000), "
        "'%Y-%m-%d %H:%M:%S') AS EVENT_DATE, 'Paid Search.Google' AS CHANNEL "
        "FROM range($n) t(i)) TO $path (HEADER)",
        {"n": calls // 2, "path": str(sessions)},
    )
    return tasks, sessions


def command(tasks: Path, sessions: Path, out: Path, window: str) -> list[str]:
    return [
        sys.executable, "-m", "calltouch", "run", str(tasks), str(sessions),
        "--out", str(out), "--window", window, "--quiet",
    ]  # fmt: skip


def snapshot(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in NAMES}


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_run_killed_mid_write_leaves_complete_outputs(tmp_path: Path) -> None:
    tasks, sessions = make_inputs(tmp_path)
    out = tmp_path / "out"
    subprocess.run(command(tasks, sessions, out, "30m"), check=True, capture_output=True)
    first = snapshot(out)
    reference = tmp_path / "reference"
    subprocess.run(command(tasks, sessions, reference, "5m"), check=True, capture_output=True)
    second = snapshot(reference)
    assert first["touchpoints.csv"] != second["touchpoints.csv"]

    killed_mid_write = 0
    for _attempt in range(3):
        proc = subprocess.Popen(
            command(tasks, sessions, out, "5m"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if any(n.startswith(".touchpoints.csv.") for n in os.listdir(out)):
                os.kill(proc.pid, signal.SIGKILL)
                killed_mid_write += 1
                break
            time.sleep(0.0005)
        proc.wait()
        for name in NAMES:
            now = (out / name).read_bytes()
            assert now in (first[name], second[name]), f"{name} is neither whole version"
    assert killed_mid_write, "the run was never caught writing; make the inputs larger"

    # Re-running replaces (never appends) and removes what the killed runs left behind.
    subprocess.run(command(tasks, sessions, out, "30m"), check=True, capture_output=True)
    assert snapshot(out) == first
    assert [n for n in os.listdir(out) if n.startswith(".")] == []


@pytest.mark.parametrize("output", ["unmatched", "rejects", "summary"])
@pytest.mark.parametrize("stop", ["ctrl-c", "cannot write"])
def test_a_run_stopped_while_writing_leaves_the_previous_outputs_as_a_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str, stop: str
) -> None:
    # each file was renamed into place as soon as it was written: a Ctrl-C (or a full disk,
    # an out-of-memory) after touchpoints.csv left this run's touchpoints beside the previous
    # run's unmatched.csv and summary.json, a folder that no longer reconciled
    from calltouch import outputs, queries
    from tests.harness import invoke

    tasks, sessions = make_inputs(tmp_path, calls=20_000)
    out = tmp_path / "out"
    invoke("run", tasks, sessions, "--out", out, "-q")
    first = snapshot(out)
    invoke("run", tasks, sessions, "--out", tmp_path / "second", "--window", "5m", "-q")
    assert first["touchpoints.csv"] != snapshot(tmp_path / "second")["touchpoints.csv"]
    real_execute = queries._execute
    real_write_json = outputs.write_json

    def fail() -> None:
        if stop == "ctrl-c":
            raise KeyboardInterrupt
        raise OSError(28, "No space left on device")

    def execute(con, name, statement, values):  # type: ignore[no-untyped-def]
        if name == f"export_{output}":
            fail()
        return real_execute(con, name, statement, values)

    def write_json(target, payload, files=None):  # type: ignore[no-untyped-def]
        with outputs.atomic_path(target, files):
            fail()
        return real_write_json(target, payload, files)

    monkeypatch.setattr(queries, "_execute", execute)
    monkeypatch.setattr(outputs, "write_json", write_json)
    monkeypatch.setattr("calltouch.pipeline.write_json", write_json)
    result = invoke("run", tasks, sessions, "--out", out, "--window", "5m", "-q", ok=False)
    assert result.exit_code == (130 if stop == "ctrl-c" else 5), result.output
    assert snapshot(out) == first
    assert sorted(os.listdir(out)) == sorted(NAMES)  # no temporary file left


def test_an_attribute_stopped_while_writing_leaves_the_previous_outputs_as_a_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # attribute's files were renamed into place one by one too: a Ctrl-C while it wrote
    # unattributed.csv left its attribution.csv beside the previous run's other files
    from calltouch import queries
    from tests.harness import invoke

    sample = ROOT / "data" / "sample"
    names = ("attribution.csv", "revenue_by_channel.csv", "unattributed.csv", "rejects.csv")

    def attribute(out: Path, window: str, ok: bool = True):  # type: ignore[no-untyped-def]
        given = {"tasks": "tasks", "sessions": "sessions", "opportunities": "opportunities",
                 "contact-roles": "contact_roles", "people": "people"}  # fmt: skip
        inputs = [x for o, f in given.items() for x in (f"--{o}", sample / f"{f}.csv")]
        return invoke(
            "attribute", *inputs, "-o", out,
            "--as-of", "2026-03-31", "--window", window, "-q", ok=ok,
        )  # fmt: skip

    out = tmp_path / "out"
    attribute(out, "30m")
    first = {name: (out / name).read_bytes() for name in names}
    attribute(tmp_path / "second", "2m")
    assert (tmp_path / "second" / "attribution.csv").read_bytes() != first["attribution.csv"]
    real_execute = queries._execute

    def execute(con, name, statement, values):  # type: ignore[no-untyped-def]
        if name == "export_unattributed":
            raise KeyboardInterrupt
        return real_execute(con, name, statement, values)

    monkeypatch.setattr(queries, "_execute", execute)
    assert attribute(out, "2m", ok=False).exit_code == 130
    assert {name: (out / name).read_bytes() for name in names} == first
    assert sorted(os.listdir(out)) == sorted(names)


def test_a_signal_during_the_renames_lands_once_all_are_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the renames held Ctrl-C and SIGTERM by blocking them in the main thread only: DuckDB's
    # threads took the signal, Python ran its handler in the main thread after the first
    # rename, and the folder held one new output beside the previous run's others
    import threading

    from calltouch import outputs

    targets = [tmp_path / f"{name}.csv" for name in ("touchpoints", "unmatched", "summary")]
    for target in targets:
        target.write_text("previous run")
    files = outputs.OutputSet()
    for target in targets:
        with files.path(target, by_duckdb=False) as tmp:
            tmp.write_text("this run")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # a thread the signal may go to, as DuckDB's
    other.start()
    real = os.replace
    renamed: list[str] = []

    def replace(source: str, target: str) -> None:
        real(source, target)
        renamed.append(target)
        if len(renamed) == 1:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.3)  # its handler runs meanwhile, unless the signal is held

    monkeypatch.setattr(outputs.os, "replace", replace)
    monkeypatch.setattr(outputs, "DONE_BEFORE_STOP", [])
    try:
        with pytest.raises(KeyboardInterrupt):
            files.commit()
    finally:
        stop.set()
        other.join()
    assert [target.read_text() for target in targets] == ["this run"] * 3
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    # said before "Interrupted.": the stop alone read as if the previous outputs were kept
    said = outputs.DONE_BEFORE_STOP
    assert said == [
        f"This run's touchpoints.csv, unmatched.csv, summary.csv were written to {tmp_path}, "
        "before it stopped."
    ]


class _Stopped(Exception):
    """What the test's SIGTERM handler raises (the default one would end pytest)."""


def test_an_ignored_ctrl_c_leaves_a_sigterm_held_in_the_renames_to_land(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a script's background job ignores Ctrl-C: its recording took the place of a SIGTERM
    # that came after it, re-raised into the ignoring handler, and the run ended with exit 0
    from calltouch import outputs

    def stopped(signum: int, frame: object) -> None:
        raise _Stopped

    target = tmp_path / "touchpoints.csv"
    files = outputs.OutputSet()
    with files.path(target, by_duckdb=False) as tmp:
        tmp.write_text("this run")
    real = os.replace

    def replace(source: str, destination: str) -> None:
        real(source, destination)
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.1)

    monkeypatch.setattr(outputs.os, "replace", replace)
    monkeypatch.setattr(outputs, "DONE_BEFORE_STOP", [])
    before = signal.signal(signal.SIGINT, signal.SIG_IGN), signal.signal(signal.SIGTERM, stopped)
    try:
        with pytest.raises(_Stopped):
            files.commit()
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before[0])
        signal.signal(signal.SIGTERM, before[1])
    assert target.read_text() == "this run"


def test_a_signal_before_the_renames_are_held_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a signal handled as the commit began (before its handlers were swapped) left every
    # written temporary file beside the previous outputs
    from contextlib import contextmanager

    from calltouch import outputs

    @contextmanager
    def too_late() -> object:
        raise KeyboardInterrupt
        yield  # a generator, as the real one

    monkeypatch.setattr(outputs, "_signals_held", too_late)
    target = tmp_path / "touchpoints.csv"
    target.write_text("previous run")
    with (
        pytest.raises(KeyboardInterrupt),
        outputs.output_set() as files,
        files.path(target, by_duckdb=False) as tmp,
    ):
        tmp.write_text("this run")
    assert target.read_text() == "previous run"
    assert [p.name for p in tmp_path.iterdir()] == ["touchpoints.csv"]
