"""How commands end when something outside calltouch goes wrong: an output folder that cannot
be written, a memory limit too small for anything, a reader that closes the pipe early, a
Ctrl-C at any moment, a workspace file that is not one. Each ends with its documented exit code
and a message, never "This is a bug" (exit 1) and never a traceback; and a run that fails
leaves no earlier run's touchpoints behind to pass for its own."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from calltouch import errors, queries
from calltouch.cli import app
from calltouch.errors import ExitCode
from tests.harness import SESSION_HEADER, TASK_HEADER, session, task, write_rows

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
ABC = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
runner = CliRunner(env={"COLUMNS": "1000", "FORCE_COLOR": None, "CALLTOUCH_DB": None})


def invoke(*args: object):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "This is a bug" not in result.output
    return result


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("ws") / "calltouch.duckdb"
    for role, name in (("tasks", "tasks.csv"), ("sessions", "sessions.csv")):
        assert invoke("load", role, SAMPLE / name, "--db", db, "-q").exit_code == 0
    assert invoke("match", "--db", db, "-q").exit_code == 0
    return db


# ------------------------------------------------------------------------------- outputs


@pytest.fixture
def read_only_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every folder refuses new files, as a read-only mount does (tests run as root, for
    whom permission bits do not)."""

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)


def test_run_into_a_folder_that_refuses_files_is_an_output_error(
    tmp_path: Path, read_only_folders: None
) -> None:
    result = invoke(
        "run", SAMPLE / "tasks.csv", SAMPLE / "sessions.csv", "--out", tmp_path / "o", "-q"
    )
    assert result.exit_code == ExitCode.OUTPUT, result.output
    assert "Output error: cannot write" in result.stderr
    assert "Permission denied" in result.stderr


def test_a_run_that_cannot_remove_the_other_formats_outputs_still_writes_its_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # e.g. unmatched.csv held open by a spreadsheet: exit 5 naming it, but the summary.json
    # beside the new outputs is this run's, listing what it did remove
    out = tmp_path / "out"
    first = invoke("run", SAMPLE / "tasks.csv", SAMPLE / "sessions.csv", "--out", out, "-q")
    assert first.exit_code == 0
    assert "removed" not in json.loads((out / "summary.json").read_text(encoding="utf-8"))
    (out / "summary.json").write_text("{}", encoding="utf-8")  # stands for the old summary
    real_unlink = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if self.name == "unmatched.csv":
            raise PermissionError(13, "Permission denied")
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    result = invoke(
        "run", SAMPLE / "tasks.csv", SAMPLE / "sessions.csv", "--out", out, "-q", "-f", "parquet"
    )
    assert result.exit_code == ExitCode.OUTPUT, result.output
    assert "cannot remove the previous run's" in result.stderr and "unmatched.csv" in result.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["removed"] == ["touchpoints.csv"]
    assert summary["tasks"]["read"] > 0
    assert (out / "touchpoints.parquet").is_file() and not (out / "touchpoints.csv").exists()


def test_run_out_naming_a_file_says_out_is_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "touchpoints.csv"
    target.write_text("keep me\n", encoding="utf-8")
    result = invoke("run", SAMPLE / "tasks.csv", SAMPLE / "sessions.csv", "--out", target, "-q")
    assert result.exit_code == ExitCode.OUTPUT, result.output
    assert "--out names a folder" in " ".join(result.stderr.split())
    assert target.read_text(encoding="utf-8") == "keep me\n"


@pytest.mark.parametrize("command", [("export", "touchpoints"), ("report",)])
def test_an_output_file_under_a_file_says_so_not_out(
    ws: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    # export -o and report -o name a file: the hint spoke of --out, which they do not take
    blocking = tmp_path / "tp.csv"
    blocking.write_text("keep me\n", encoding="utf-8")
    result = invoke(*command, "-o", blocking / "x.csv", "--db", ws)
    assert result.exit_code == ExitCode.OUTPUT, result.output
    message = " ".join(result.stderr.split())
    assert f"{blocking} is a file, so {blocking / 'x.csv'} cannot be written" in message
    assert "--out" not in message and blocking.read_text(encoding="utf-8") == "keep me\n"


@pytest.mark.parametrize("folder", ["touchpoints.csv", "unmatched.csv", "summary.json"])
def test_run_refuses_an_output_that_is_a_folder_before_replacing_any(
    tmp_path: Path, folder: str
) -> None:
    # each output is renamed into place in turn: a rename onto a folder used to fail after
    # the earlier ones, leaving new files beside an old summary.json
    out = tmp_path / "out"
    out.mkdir()
    for name in ("touchpoints.csv", "unmatched.csv", "rejects.csv", "summary.json"):
        if name == folder:
            (out / name).mkdir()
        else:
            (out / name).write_text("old\n", encoding="utf-8")
    result = invoke("run", SAMPLE / "tasks.csv", SAMPLE / "sessions.csv", "--out", out, "-q")
    assert result.exit_code == ExitCode.OUTPUT, result.output
    assert f"cannot write {out / folder}: it is a folder" in " ".join(result.stderr.split())
    for path in out.iterdir():
        assert path.is_dir() or path.read_text(encoding="utf-8") == "old\n", path


def test_attribute_and_demo_refuse_what_would_overwrite_a_workspace_or_a_folder(
    tmp_path: Path,
) -> None:
    # attribute on a workspace named out/attribution.csv replaced it with its output (exit
    # 0); demo --out renamed its outputs one at a time onto a folder named summary.json
    out = tmp_path / "out"
    db = out / "attribution.csv"
    out.mkdir()
    for role, name in (
        ("tasks", "tasks"),
        ("sessions", "sessions"),
        ("opportunities", "opportunities"),
        ("contact-roles", "contact_roles"),
        ("people", "people"),
    ):
        assert invoke("load", role, SAMPLE / f"{name}.csv", "--db", db, "-q").exit_code == 0
    assert invoke("match", "--db", db, "-q").exit_code == 0
    before = db.read_bytes()
    result = invoke("attribute", "--db", db, "--out", out, "--as-of", "2026-03-31", "-q")
    assert result.exit_code == ExitCode.INPUT, result.output
    assert "is the workspace --db" in " ".join(result.stderr.split())
    assert db.read_bytes() == before
    demo = tmp_path / "demo"
    (demo / "summary.json").mkdir(parents=True)
    result = invoke("demo", "--out", demo)
    assert result.exit_code == ExitCode.OUTPUT, result.output
    assert [p.name for p in demo.iterdir()] == ["summary.json"]


def test_attribute_refuses_an_output_that_is_a_folder_before_replacing_any(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    (out / "unattributed.csv").mkdir(parents=True)
    (out / "attribution.csv").write_text("old\n", encoding="utf-8")
    result = invoke(
        "attribute",
        *(("--tasks", SAMPLE / "tasks.csv", "--sessions", SAMPLE / "sessions.csv")),
        *(("--opportunities", SAMPLE / "opportunities.csv")),
        *(("--contact-roles", SAMPLE / "contact_roles.csv", "--people", SAMPLE / "people.csv")),
        *(("--out", out, "--as-of", "2026-03-31", "-q")),
    )
    assert result.exit_code == ExitCode.OUTPUT, result.output
    assert "unattributed.csv: it is a folder" in " ".join(result.stderr.split())
    assert (out / "attribution.csv").read_text(encoding="utf-8") == "old\n"


@pytest.mark.parametrize("option", ["--tz", "--tasks-tz", "--sessions-tz"])
def test_an_empty_time_zone_is_refused_whichever_option(option: str, tmp_path: Path) -> None:
    # an empty --tasks-tz / --sessions-tz used to fall back to --tz without a word
    result = invoke(
        "run", SAMPLE / "tasks.csv", SAMPLE / "sessions.csv", "--out", tmp_path, "-q", option, ""
    )
    assert result.exit_code == ExitCode.INPUT, result.output
    assert f'Usage error: an empty argument ("") follows {option}' in result.stderr


@pytest.mark.parametrize(
    "command",
    [("report", "-f", "csv", "-o"), ("export", "touchpoints", "-o")],
    ids=["report", "export"],
)
def test_workspace_outputs_into_a_folder_that_refuses_files_are_output_errors(
    ws: Path, tmp_path: Path, read_only_folders: None, command: tuple[str, ...]
) -> None:
    result = invoke(*command, tmp_path / "out.csv", "--db", ws)
    assert result.exit_code == ExitCode.OUTPUT, result.output
    assert f"cannot write {tmp_path / 'out.csv'}" in result.stderr


def test_report_into_a_missing_folder_creates_it(ws: Path, tmp_path: Path) -> None:
    target = tmp_path / "new" / "folder" / "report.csv"
    result = invoke("report", "-f", "csv", "-o", target, "--db", ws)
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("channel")


def test_a_failed_run_removes_the_previous_runs_touchpoints(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke(
        "run", SAMPLE / "tasks.csv", SAMPLE / "sessions.csv", "--out", out, "-q"
    ).exit_code == 0  # fmt: skip
    second = invoke(
        "run", SAMPLE / "tasks.csv", SAMPLE / "sessions.csv", "--out", out, "-q",
        "-f", "parquet",
    )  # fmt: skip
    assert second.exit_code == 0
    # a run that succeeds removes the other format's outputs of the run before it too
    other = {"touchpoints.csv", "unmatched.csv", "rejects.csv"}
    assert not other & {p.name for p in out.iterdir()}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert sorted(summary["removed"]) == sorted(other)
    assert "Removed the previous run's" in second.stderr
    for name in ("touchpoints.csv", "unmatched.csv"):  # left by some other tool or run
        (out / name).write_text("task_id\nT0\n", encoding="utf-8")
    stale = {
        "touchpoints.csv",
        "unmatched.csv",
        "touchpoints.parquet",
        "unmatched.parquet",
        "rejects.parquet",  # the other format's rejects: this run writes rejects.csv
    }
    assert stale <= {p.name for p in out.iterdir()}
    tasks = write_rows(
        tmp_path / "tasks.csv",
        [task("T1", ABC, "12:40"), task("T2", ABC, "not a time")],
        TASK_HEADER,
    )
    sessions = write_rows(tmp_path / "sessions.csv", [session("S1", ABC, "12:17")], SESSION_HEADER)
    result = invoke("run", tasks, sessions, "--out", out, "-q", "--max-rejects", "0")
    assert result.exit_code == ExitCode.TOO_MANY_REJECTS, result.output
    left = {p.name for p in out.iterdir()}
    assert not stale & left, left
    assert {"rejects.csv", "summary.json"} <= left
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert sorted(summary["removed"]) == sorted(stale)
    assert "were removed" in result.stderr


def test_out_inside_an_input_folder_is_refused(tmp_path: Path) -> None:
    """An input folder is read with every file in it (and a glob with every file it
    matches): outputs written there would be read as exports by the next run."""
    exports = tmp_path / "exports"
    exports.mkdir()
    tasks = write_rows(exports / "tasks.csv", [task("T1", ABC, "12:40")], TASK_HEADER)
    sessions = write_rows(tmp_path / "sessions.csv", [session("S1", ABC, "12:17")], SESSION_HEADER)
    (tmp_path / "link").symlink_to(exports)
    (tmp_path / "elsewhere").mkdir()
    (exports / "linked").symlink_to(tmp_path / "elsewhere")
    for spec, out in (
        (exports, exports),
        (exports, exports / "out"),
        (f"{exports}/*.csv", exports),
        (f"{exports}/**/*.csv", exports / "deeper" / "out"),  # ** reaches subfolders
        (f"{tmp_path}/link/*.csv", exports),  # through a symlink
        (f"{exports}/../exports/*.csv", exports),
        (f"{exports}/*/*.csv", tmp_path / "elsewhere"),  # exports/linked -> elsewhere
    ):
        result = invoke("run", spec, sessions, "--out", out, "-q")
        assert result.exit_code == ExitCode.INPUT, (spec, out, result.output)
        assert "the next run would read these outputs as tasks exports" in " ".join(
            result.stderr.split()
        )
        assert not (out / "touchpoints.csv").exists()
    # a file (or a pattern no output matches) beside the outputs is fine, and * stays in
    # its folder: exports/*.csv never reads exports/out/
    for spec, out in (
        (f"{exports}/**/*.csv", exports / ".hidden"),  # glob skips dot-names
        (f"{exports}/*.csv", exports / "out"),  # before the others write into exports/
        (tasks, exports),
        (f"{exports}/tasks*.csv", exports),
    ):
        result = invoke("run", spec, sessions, "--out", out, "-q")
        assert result.exit_code == 0, (spec, out, result.output)


def test_an_input_file_that_is_one_of_the_outputs_is_refused(tmp_path: Path) -> None:
    """An export named like an output in the --out folder (rejects.csv given as tasks, the
    other format's touchpoints.parquet, which a CSV run removes) was replaced by the output,
    exit 0; and so was an export a workspace loaded, by attribute's outputs. Refused, exit 2,
    the export left as it was."""
    folder = tmp_path / "d"
    folder.mkdir()
    sessions = folder / "sessions.csv"
    sessions.write_bytes((SAMPLE / "sessions.csv").read_bytes())
    original = (SAMPLE / "tasks.csv").read_bytes()
    opportunities = ("--opportunities", SAMPLE / "opportunities.csv", "--as-of", "2026-03-31")
    for name, command in (
        ("rejects.csv", ("run",)),
        ("touchpoints.csv", ("run", "-f", "parquet")),
        ("rejects.csv", ("attribute", *opportunities)),
    ):
        tasks = folder / name
        tasks.write_bytes(original)
        if command[0] == "run":
            args = ("run", tasks, sessions, *command[1:])
        else:
            args = ("attribute", "--tasks", tasks, "--sessions", sessions, *command[1:])
        result = invoke(*args, "--out", folder, "-q")
        assert result.exit_code == ExitCode.INPUT, (name, command, result.output)
        said = " ".join(result.stderr.split())
        assert f"the tasks file {tasks} is {folder / name}, one of the files this" in said
        assert tasks.read_bytes() == original
        tasks.unlink()
    # a workspace's attribute over an opportunities export it loaded
    db = tmp_path / "w.duckdb"
    loaded = folder / "unattributed.csv"
    loaded.write_bytes((SAMPLE / "opportunities.csv").read_bytes())
    for role, path in (
        ("tasks", SAMPLE / "tasks.csv"),
        ("sessions", SAMPLE / "sessions.csv"),
        ("opportunities", loaded),
    ):
        assert invoke("load", role, path, "--db", db, "-q").exit_code == 0
    assert invoke("match", "--db", db, "-q").exit_code == 0
    result = invoke("attribute", "--db", db, "--out", folder, "-q")
    assert result.exit_code == ExitCode.INPUT, result.output
    assert "is the opportunities export" in " ".join(result.stderr.split())
    assert loaded.read_bytes() == (SAMPLE / "opportunities.csv").read_bytes()


def test_an_output_path_that_is_a_link_or_a_pipe_is_not_replaced(ws: Path, tmp_path: Path) -> None:
    """The atomic rename replaced the node itself: report -o a FIFO, a device or a symbolic
    link left a plain file in its place, exit 0 (a /dev/full was lost so). A link is written
    through, the file it names replaced and the link kept; a pipe or a device is refused
    (a device is not written to here, even by a broken calltouch: see the next test)."""
    target = tmp_path / "target.csv"
    target.write_text("keep\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    result = invoke("report", "--db", ws, "-o", link, "-f", "csv")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and target.read_text().startswith("channel,calls")
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    refused = invoke("report", "--db", ws, "-o", fifo, "-f", "csv")
    assert refused.exit_code == ExitCode.OUTPUT, refused.output
    said = " ".join(refused.stderr.split())
    assert f"cannot write {fifo}: it is a named pipe (FIFO), not a file" in said
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    # run's outputs are files in a folder, and -o is its folder: "leave out -o" was no way
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "touchpoints.csv")
    ran = invoke("run", SAMPLE / "tasks.csv", SAMPLE / "sessions.csv", "-o", out, "-q")
    said = " ".join(ran.stderr.split())
    assert ran.exit_code == ExitCode.OUTPUT and "move it away, or write elsewhere" in said
    assert "leave out -o" not in said


def test_a_device_is_told_apart_from_a_file() -> None:
    from calltouch.outputs import _special_kind

    assert _special_kind(Path(os.devnull)) == "a device"
    assert _special_kind(Path(__file__)) is None
    assert _special_kind(Path(__file__).parent) is None


def test_out_named_like_a_file_is_refused(tmp_path: Path) -> None:
    """report and export take -o as a file: `run -o result.csv` had made a folder named
    result.csv holding the outputs, exit 0. An existing folder of such a name is used."""
    tasks, sessions = SAMPLE / "tasks.csv", SAMPLE / "sessions.csv"
    revenue = ("--opportunities", SAMPLE / "opportunities.csv", "--as-of", "2026-03-31")
    for args in (
        ("run", tasks, sessions, "--out", tmp_path / "result.csv"),
        ("run", tasks, sessions, "-o", tmp_path / "out.PARQUET", "-f", "parquet"),
        (
            "attribute",
            "--tasks",
            tasks,
            "--sessions",
            sessions,
            *revenue,
            "-o",
            tmp_path / "r.json",
        ),
        ("demo", "--out", tmp_path / "demo.csv"),
    ):
        result = invoke(*args, "-q") if args[0] != "demo" else invoke(*args)
        assert result.exit_code == ExitCode.INPUT, (args, result.output)
        message = " ".join(result.stderr.split())
        assert "names a file, but --out is the folder the outputs are written into" in message
        assert not any(tmp_path.iterdir()), list(tmp_path.iterdir())
    (tmp_path / "kept.csv").mkdir()
    result = invoke("run", tasks, sessions, "--out", tmp_path / "kept.csv", "-q")
    assert result.exit_code == 0 and (tmp_path / "kept.csv" / "touchpoints.csv").exists()


def test_out_named_like_a_file_with_a_trailing_slash_is_a_folder(tmp_path: Path) -> None:
    """`--out result.csv/` says a folder as plainly as can be: it was refused as a file name
    (pathlib drops the slash), in every spelling of the option and in each command."""
    tasks, sessions = SAMPLE / "tasks.csv", SAMPLE / "sessions.csv"
    revenue = ("--opportunities", SAMPLE / "opportunities.csv", "--as-of", "2026-03-31")
    for args, written in (
        (("run", tasks, sessions, "--out", f"{tmp_path / 'a.csv'}/", "-q"), "a.csv"),
        (("run", tasks, sessions, f"--out={tmp_path / 'b.csv'}/", "-q"), "b.csv"),
        (("run", tasks, sessions, f"-o{tmp_path / 'c.parquet'}/", "-q"), "c.parquet"),
        (("run", tasks, sessions, f"-qo{tmp_path / 'e.csv'}/"), "e.csv"),  # grouped flags
        (
            ("attribute", "--tasks", tasks, "--sessions", sessions, *revenue, "-q",
             "-o", f"{tmp_path / 'r.json'}/"),
            "r.json",
        ),
        (("demo", "--out", f"{tmp_path / 'demo.csv'}/"), "demo.csv"),
        (("generate", "--sessions", 10, "--calls", 2, "-o", f"{tmp_path / 'g.csv'}/"), "g.csv"),
    ):  # fmt: skip
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.output)
        assert (tmp_path / written).is_dir() and any((tmp_path / written).iterdir()), args
    refused = invoke("run", tasks, sessions, "--out", tmp_path / "d.csv", "-q")
    assert refused.exit_code == ExitCode.INPUT and "d.csv/" in refused.stderr


# ------------------------------------------------------------------------------- resources


def test_a_memory_limit_too_small_for_anything_is_an_out_of_memory_error(tmp_path: Path) -> None:
    result = invoke(
        "run", SAMPLE / "tasks.csv", SAMPLE / "sessions.csv", "--out", tmp_path,
        "--memory-limit", "10KB", "-q",
    )  # fmt: skip
    assert result.exit_code == ExitCode.OUT_OF_MEMORY, result.output
    assert "Out of memory" in result.stderr and "--memory-limit" in result.stderr
    assert "(memory limit 10KB)" in " ".join(result.stderr.split())  # not '?'


def test_a_file_that_is_not_a_workspace_stops_the_dashboard(tmp_path: Path) -> None:
    db = tmp_path / "notes.duckdb"
    db.write_text("not a database", encoding="utf-8")
    result = invoke("dashboard", "--db", db)
    assert result.exit_code == ExitCode.INPUT, result.output
    assert "is not a calltouch workspace" in result.stderr


# ------------------------------------------------------------------------------- processes


def calltouch(*args: object) -> list[str]:
    return [sys.executable, "-m", "calltouch", *(str(a) for a in args)]


def test_messages_to_a_log_file_keep_each_file_name_on_one_line(tmp_path: Path) -> None:
    # cron's 2>log: messages wrapped at 80 columns split a long file name across two lines,
    # which grep and copy-paste then missed (COLUMNS=20 split even short ones)
    folder = tmp_path / "exports" / "weekly_salesforce_exports_2026" / "march"
    folder.mkdir(parents=True)
    tasks = folder / "call_tracking_tasks_2026-03-02_to_2026-03-08_final.csv"
    tasks.write_text("Id,BizibleId,CreatedDate\nT1,ab,2026-03-02T12:40:00Z\nT2,ab,soon\n")
    log = tmp_path / "log.txt"
    with log.open("w", encoding="utf-8") as handle:
        done = subprocess.run(
            calltouch("run", tasks, SAMPLE / "sessions.csv", "-o", tmp_path / "o"),
            stdout=subprocess.DEVNULL,
            stderr=handle,
            env={**os.environ, "COLUMNS": "20"},
            check=False,
        )
    assert done.returncode == ExitCode.TOO_MANY_REJECTS
    assert f"{tasks}:3: 'soon' is not a date-time" in log.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_closed_standard_output_is_an_output_error(ws: Path) -> None:
    # report -f csv >&- was "Internal error: ... 'NoneType' object has no attribute 'write'"
    # (exit 1); the table and status -f json were lost without a word (exit 0)
    for args in (("report", "-f", "csv"), ("report",), ("status", "-f", "json"), ("--help",)):
        closed = subprocess.run(
            calltouch(*args, *(("--db", ws) if args[0] != "--help" else ())),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=lambda: os.close(1),  # the child starts with its stdout closed
            check=False,
        )
        said = " ".join(closed.stderr.split())
        assert closed.returncode == ExitCode.OUTPUT, (args, said)
        assert "cannot write to the standard output: it is closed" in said
    quiet = subprocess.run(
        calltouch("match", "--db", ws, "-q"), stdout=subprocess.DEVNULL,
        preexec_fn=lambda: os.close(1), check=False,
    )  # fmt: skip
    assert quiet.returncode == 0  # printing nothing, it is not stopped


@pytest.mark.slow
def test_the_printed_bytes_do_not_depend_on_the_terminals_encoding_or_width(
    tmp_path: Path,
) -> None:
    # a Latin-1 locale crashed (exit 1, 'This is a bug') on the report's box characters and
    # wrote a CSV on stdout in Latin-1; COLUMNS=0 printed nothing at all, errors included
    import os

    campaign = "Caf\u00e9 \u2013 Fr\u00fchling"
    db = tmp_path / "ws.duckdb"
    sessions = tmp_path / "sessions.csv"
    sessions.write_text(
        f"ID,COOKIE_ID,EVENT_DATE,CAMPAIGN_NAME\nS1,{ABC},2026-03-02 12:17:00,{campaign}\n",
        encoding="utf-8",
    )
    tasks = tmp_path / "tasks.csv"
    tasks.write_text(f"Id,BizibleId,CreatedDate\nT1,{ABC},2026-03-02T12:40:00Z\n", "utf-8")
    base = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "PYTHONIOENCODING")}
    for role, path in (("tasks", tasks), ("sessions", sessions)):
        subprocess.run(calltouch("load", role, path, "--db", db, "-q"), check=True, env=base)
    subprocess.run(calltouch("match", "--db", db, "-q"), check=True, env=base)
    printed = []
    for extra in ({}, {"PYTHONIOENCODING": "latin-1", "COLUMNS": "0"}, {"COLUMNS": "\u00b2"}):
        env = {**base, **extra}
        report = subprocess.run(
            calltouch("report", "--db", db, "--by", "campaign", "-f", "csv"),
            capture_output=True,
            env=env,
        )
        assert report.returncode == 0, report.stderr
        table = subprocess.run(
            calltouch("report", "--db", db, "--by", "campaign"), capture_output=True, env=env
        )
        assert table.returncode == 0, table.stderr
        assert campaign in table.stdout.decode("utf-8")
        missing = subprocess.run(
            calltouch("report", "--db", tmp_path / "none.duckdb"), capture_output=True, env=env
        )
        assert missing.returncode == ExitCode.INPUT
        assert b"none.duckdb" in missing.stderr
        printed.append(report.stdout)
    assert printed[0] == printed[1] == printed[2]
    assert campaign.encode() in printed[0]


@pytest.mark.parametrize(
    ("second", "code"), [("sessions.csv", ExitCode.OK), ("empty", ExitCode.INPUT)]
)
def test_a_reader_that_stops_early_changes_no_exit_code(
    tmp_path: Path, second: str, code: ExitCode
) -> None:
    # calltouch inspect A B | head: the reader is gone before calltouch writes a byte (its
    # end of the pipe is closed at once), so every write fails. What it wanted it has: the
    # command ends with its own code, 0, or 2 for the empty second file, never 1 and
    # without a word on stderr about the pipe.
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    files = [SAMPLE / "tasks.csv", SAMPLE / "sessions.csv" if second != "empty" else empty]
    proc = subprocess.Popen(
        calltouch("inspect", *files), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == code, err
    assert "Traceback" not in err and "pipe" not in err.lower()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("second", "code"),
    [("sessions.csv", ExitCode.OK), ("missing", ExitCode.INPUT), ("--bogus", ExitCode.INPUT)],
)
def test_a_message_reader_that_stops_early_changes_no_exit_code(
    tmp_path: Path, second: str, code: ExitCode
) -> None:
    # calltouch run ... 2>&1 | head -1: stderr's reader is gone before calltouch writes its
    # messages. The run still writes its outputs and ends with its own code (rich would exit
    # 1, the code of a bug), also for a usage error, which Typer's own console prints.
    sessions = SAMPLE / "sessions.csv" if second == "sessions.csv" else tmp_path / "missing.csv"
    out = tmp_path / "out"
    args = calltouch("run", SAMPLE / "tasks.csv", sessions, "--out", out)
    if second == "--bogus":
        args.append(second)
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stderr is not None
    proc.stderr.close()
    assert proc.wait(timeout=120) == code
    assert (out / "summary.json").exists() == (code == ExitCode.OK)


@pytest.mark.parametrize("failing_statement", [0, 3, 8, 15, 25])
def test_ctrl_c_during_any_query_exits_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing_statement: int
) -> None:
    # DuckDB's Python client reports a query stopped by Ctrl-C as a bare RuntimeError
    real = queries._execute
    count = iter(range(10**6))

    def interrupted(con, name, statement, values):  # type: ignore[no-untyped-def]
        if next(count) == failing_statement:
            raise RuntimeError("Query interrupted")
        return real(con, name, statement, values)

    monkeypatch.setattr(queries, "_execute", interrupted)
    result = invoke("run", SAMPLE / "tasks.csv", SAMPLE / "sessions.csv", "--out", tmp_path, "-q")
    assert result.exit_code == ExitCode.INTERRUPTED, result.output
    assert "Interrupted." in result.stderr


def test_ctrl_c_after_a_match_was_saved_says_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a Ctrl-C while the summary prints: the match is already in the workspace, and
    # "Interrupted." alone made it look lost
    from calltouch import cli_workspace

    db = tmp_path / "w.duckdb"
    assert invoke("load", "tasks", SAMPLE / "tasks.csv", "--db", db, "-q").exit_code == 0
    assert invoke("load", "sessions", SAMPLE / "sessions.csv", "--db", db, "-q").exit_code == 0

    def pressed(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_workspace, "print_run_summary", pressed)
    result = invoke("match", "--db", db)
    assert result.exit_code == ExitCode.INTERRUPTED
    assert "Interrupted." in result.stderr
    assert f"The match was saved in {db}" in " ".join(result.stderr.split())
    status = json.loads(invoke("status", "--db", db, "-f", "json").stdout)
    assert status["last_match"] is not None


@pytest.mark.slow
@pytest.mark.parametrize(
    "when", ["after the commit", "before the commit", "after the commit, as DuckDB says it"]
)
def test_ctrl_c_in_a_match_says_whether_it_was_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    # a Ctrl-C in the match's last moments, once committed, printed "Interrupted." alone
    # though status then showed the new match; before the commit nothing is saved
    from calltouch import workspace

    db = tmp_path / "w.duckdb"
    assert invoke("load", "tasks", SAMPLE / "tasks.csv", "--db", db, "-q").exit_code == 0
    assert invoke("load", "sessions", SAMPLE / "sessions.csv", "--db", db, "-q").exit_code == 0
    real_commit = duckdb.DuckDBPyConnection.commit

    class Connection:  # the workspace's connection, its commit followed or preceded by a Ctrl-C
        def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
            self._con = con

        def __getattr__(self, name: str) -> object:
            return getattr(self._con, name)

        def commit(self) -> object:
            if when == "before the commit":
                raise KeyboardInterrupt
            real_commit(self._con)
            if when.endswith("as DuckDB says it"):  # its own exception, the signal caught
                raise duckdb.InterruptException("INTERRUPT Error: Interrupted!")
            raise KeyboardInterrupt

    real_match = workspace.match_workspace
    monkeypatch.setattr(
        workspace, "match_workspace", lambda con, settings: real_match(Connection(con), settings)
    )
    result = invoke("match", "--db", db, "-q")
    assert result.exit_code == ExitCode.INTERRUPTED
    saved = f"The match was saved in {db}" in " ".join(result.stderr.split())
    assert saved == when.startswith("after the commit")
    status = json.loads(invoke("status", "--db", db, "-f", "json").stdout)
    assert (status["last_match"] is not None) == saved


class _InterruptedClose:
    """A workspace connection whose close is followed by a Ctrl-C (the signal landing as the
    command closes the file, its work committed)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def __getattr__(self, name: str) -> object:
        return getattr(self._con, name)

    def close(self) -> None:
        self._con.close()
        raise KeyboardInterrupt


def test_ctrl_c_as_a_match_closes_the_workspace_says_it_was_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a Ctrl-C while the matched workspace was closed said only "Interrupted."
    from calltouch import workspace

    db = tmp_path / "w.duckdb"
    assert invoke("load", "tasks", SAMPLE / "tasks.csv", "--db", db, "-q").exit_code == 0
    assert invoke("load", "sessions", SAMPLE / "sessions.csv", "--db", db, "-q").exit_code == 0
    real_open = workspace.open_workspace

    monkeypatch.setattr(
        workspace, "open_workspace", lambda *a, **k: _InterruptedClose(real_open(*a, **k))
    )
    result = invoke("match", "--db", db, "-q")
    assert result.exit_code == ExitCode.INTERRUPTED
    assert f"The match was saved in {db}" in " ".join(result.stderr.split())
    monkeypatch.setattr(workspace, "open_workspace", real_open)
    status = json.loads(invoke("status", "--db", db, "-f", "json").stdout)
    assert status["last_match"] is not None


@pytest.mark.parametrize("when", ["in the load", "after the commit", "in the close"])
def test_ctrl_c_in_a_load_never_says_less_than_what_was_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    # a Ctrl-C (or SIGTERM) as the load committed, or as it closed the file, said only
    # "Interrupted." though status then showed the file loaded
    from calltouch import cli_workspace, workspace

    db = tmp_path / "w.duckdb"
    assert invoke("load", "tasks", SAMPLE / "tasks.csv", "--db", db, "-q").exit_code == 0
    real_load, real_say = workspace.load, cli_workspace._say_loaded

    def load(*args: object, **kwargs: object) -> object:
        loaded = real_load(*args, **kwargs)  # type: ignore[arg-type]
        if when == "in the load":
            raise KeyboardInterrupt  # as the load returns: committed, or not (told alike)
        return loaded

    def say(*args: object, **kwargs: object) -> None:
        real_say(*args, **kwargs)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    real_open = workspace.open_workspace

    monkeypatch.setattr(workspace, "load", load)
    if when == "after the commit":
        monkeypatch.setattr(cli_workspace, "_say_loaded", say)
    if when == "in the close":
        monkeypatch.setattr(
            workspace, "open_workspace", lambda *a, **k: _InterruptedClose(real_open(*a, **k))
        )
    result = invoke("load", "sessions", SAMPLE / "sessions.csv", "--db", db, "-q")
    said = " ".join(result.stderr.split())
    assert result.exit_code == ExitCode.INTERRUPTED and "Interrupted." in said
    if when == "in the load":
        assert f"The workspace {db} holds this load whole or not at all" in said
    else:
        assert f"The load was saved in {db}." in said
    monkeypatch.setattr(workspace, "open_workspace", real_open)
    status = json.loads(invoke("status", "--db", db, "-f", "json").stdout)
    assert [f["role"] for f in status["loads"]] == ["tasks", "sessions"]


@pytest.mark.parametrize("step", ["create_schema", "workspace_schema"])
def test_a_first_load_stopped_while_the_workspace_is_made_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    # the workspace was created before the load's clean-up could run: a Ctrl-C (or SIGTERM)
    # while its tables were made left an empty workspace, which status then took for one
    from calltouch import queries

    real_run = queries.run

    def run(con, name, binds=None, **context):  # type: ignore[no-untyped-def]
        if name == step:
            raise KeyboardInterrupt
        return real_run(con, name, binds, **context)

    monkeypatch.setattr(queries, "run", run)
    db = tmp_path / "w.duckdb"
    result = invoke("load", "tasks", SAMPLE / "tasks.csv", "--db", db, "-q")
    assert result.exit_code == ExitCode.INTERRUPTED
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Exports large enough that loading them takes a second or more."""
    out = tmp_path_factory.mktemp("big")
    args = ("generate", "--sessions", 400_000, "--calls", 40_000, "--out", out, "--format", "csv")
    assert invoke(*args).exit_code == 0
    return out


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [("run", "{d}/tasks.csv", "{d}/sessions.csv", "--out", "{t}/out"),
     ("load", "sessions", "{d}/sessions.csv", "--db", "{t}/w.duckdb")],
    ids=["run", "workspace-load"],
)  # fmt: skip
@pytest.mark.parametrize(
    ("stop", "code", "word"),
    [(signal.SIGINT, ExitCode.INTERRUPTED, "Interrupted."),
     (signal.SIGTERM, ExitCode.TERMINATED, "Terminated.")],
    ids=["ctrl-c", "sigterm"],
)  # fmt: skip
def test_a_real_ctrl_c_or_sigterm_stops_cleanly_without_a_traceback(
    big: Path,
    tmp_path: Path,
    command: tuple[str, ...],
    stop: signal.Signals,
    code: ExitCode,
    word: str,
) -> None:
    # The signal as soon as DuckDB's library is loaded (still importing, after calltouch.main
    # holds the signal), then later; a process that finished first is tried again with the
    # signal sooner. Delays count from the library's loading, not the process's start: on a
    # busy machine the interpreter alone can take longer than a fixed delay, and a Ctrl-C
    # before calltouch's code runs at all is Python's to report. A SIGTERM (timeout, a CI
    # cancel) killed the process with no word, leaving its temporary files and a workspace
    # file behind; it now stops as a Ctrl-C does. A signal while Typer built the commands or
    # imported its option parsing (seconds on a busy machine) ended the process with a
    # traceback, or with Typer's silent exit 130 (a SIGTERM too): both are held now.
    args = [c.format(d=big, t=tmp_path) for c in command]
    for delay in (0.0, 1.0, 0.5, 0.3):
        proc = subprocess.Popen(
            calltouch(*args, "-q"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
        )
        wait_for_library(proc, "duckdb")
        time.sleep(delay)
        proc.send_signal(stop)
        out, err = proc.communicate(timeout=300)
        if proc.returncode == 0 and delay > 0:
            continue  # done before the signal: sooner
        text = (out + err).decode()
        assert proc.returncode == code, (delay, text)
        assert word in text and "Traceback" not in text and "bug" not in text
        left = sorted(p.name for p in tmp_path.rglob("*"))
        assert left in ([], ["out"]), left  # no temporary file, no half workspace
        if delay > 0:
            return
    pytest.fail("every run finished before its signal")


def wait_for_library(proc: subprocess.Popen[bytes], name: str) -> None:
    """Return once ``proc`` has mapped a shared library whose path holds ``name`` (or has
    ended); where /proc does not tell, after 0.5 s."""
    maps = Path(f"/proc/{proc.pid}/maps")
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if name in maps.read_text(encoding="utf-8", errors="replace"):
                return
        except OSError:
            time.sleep(0.5)
            return
        time.sleep(0.002)


@pytest.mark.parametrize(
    ("command", "advice"),
    [
        (("explain", "00T5e0000kBRaogEAD", "-w", "45m"), "calltouch match --window 45m"),
        (
            ("explain", "00T5e0000kBRaogEAD", "--tz", "Europe/Paris", "--map", "tasks.x=y"),
            "load the exports again with --tz, --map",
        ),
        (("attribute", "-o", "{tmp}/a", "--window", "3d"), "calltouch match --window 3d"),
        (("compare", "--tz", "UTC"), "load the exports again with --tz"),
        (("journey", "0065e00000e9cs3AAA", "--date-order", "dmy"), "again with --date-order"),
        # load has --tz only (one input per command): the advice names what it takes
        (
            ("explain", "00T5e0000kBRaogEAD", "--tasks-tz", "UTC", "--sessions-tz", "UTC"),
            "load the exports again with --tz (calltouch load",
        ),
    ],
    ids=["explain-window", "explain-tz-map", "attribute", "compare", "journey", "explain-role-tz"],
)
def test_file_options_on_the_workspace_are_refused_not_ignored(
    ws: Path, tmp_path: Path, command: tuple[str, ...], advice: str
) -> None:
    # the workspace answers with its loads and last match: a window given here would be
    # silently ignored, so it is refused, with where the option does apply
    args = [c.format(tmp=tmp_path) for c in command]
    result = invoke(*args, "--db", ws)
    assert result.exit_code == ExitCode.INPUT, result.output
    text = " ".join(result.stderr.split())
    assert "(reading files); on the workspace this command uses" in text
    assert advice in text
    if "match" not in advice:  # match takes no reading options: it must not be advised
        assert "calltouch match --" not in text


def test_a_temp_dir_duckdb_could_not_spill_into_is_refused_before_any_work(
    tmp_path: Path,
) -> None:
    # DuckDB creates the folder only when it first spills, inside an existing one: a run
    # would otherwise fail minutes in, or never notice until the day it spills
    files = (SAMPLE / "tasks.csv", SAMPLE / "sessions.csv", "--out", tmp_path / "out", "-q")
    missing = invoke("run", *files, "--temp-dir", tmp_path / "no" / "spill")
    assert missing.exit_code == ExitCode.INPUT
    assert "does not exist" in missing.stderr and not (tmp_path / "out").exists()
    a_file = tmp_path / "spill.txt"
    a_file.write_text("x", encoding="utf-8")
    assert invoke("run", *files, "--temp-dir", a_file).exit_code == ExitCode.INPUT
    # under a file: said so (it was "the folder spill.txt does not exist")
    under = invoke("run", *files, "--temp-dir", a_file / "x")
    assert under.exit_code == ExitCode.INPUT
    assert f"{a_file} is a file, not a folder" in " ".join(under.stderr.split())
    assert invoke("run", *files, "--temp-dir", tmp_path / "spill").exit_code == 0


def test_a_temp_dir_calltouch_may_not_write_in_is_refused_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a folder of another user's (DuckDB makes its spill folder 0755): the run failed only
    # once it spilled, minutes in, as "out of memory". Tests run as root, whom permission
    # bits do not stop, so the folder's permission is what os.access answers here.
    import os

    theirs = tmp_path / "theirs"
    theirs.mkdir()
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda path, mode: (
            real_access(path, mode) and not (Path(path) == theirs and mode & os.W_OK)
        ),
    )
    files = (SAMPLE / "tasks.csv", SAMPLE / "sessions.csv", "--out", tmp_path / "out", "-q")
    for target in (theirs, theirs / "spill"):  # the folder, or the one it would be made in
        result = invoke("run", *files, "--temp-dir", target)
        assert result.exit_code == ExitCode.INPUT
        text = " ".join(result.stderr.split())
        assert f"calltouch may not write in the folder {theirs}" in text, text
        assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_new_temp_dir_is_made_private_and_removed(tmp_path: Path) -> None:
    # DuckDB made a --temp-dir that did not exist 0755, its spill files 0644: spilled rows
    # readable by every local user (the default folder was private, a given one not)
    target = tmp_path / "spill"
    con = queries.connect(temp_directory=target)
    try:
        assert stat.S_IMODE(target.stat().st_mode) == 0o700
    finally:
        con.close()
    code = (
        "from pathlib import Path; from calltouch import queries; "
        f"queries.connect(temp_directory=Path({str(tmp_path / 'new')!r})).close()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert not (tmp_path / "new").exists()  # made by this process: removed as it ends
    kept = tmp_path / "kept"
    kept.mkdir(mode=0o755)
    code = code.replace("'new'", "'kept'").replace(str(tmp_path / "new"), str(kept))
    subprocess.run([sys.executable, "-c", code], check=True)
    assert kept.is_dir() and stat.S_IMODE(kept.stat().st_mode) == 0o755  # the user's own


def test_the_default_spill_folder_is_the_users_own(tmp_path: Path) -> None:
    # one calltouch-spill folder for every user of a machine: DuckDB makes it 0755, so a second
    # user's run failed (exit 6) as soon as it spilled
    import os

    folder = queries.default_spill_dir()
    assert folder.parent == Path(tempfile.gettempdir())
    if hasattr(os, "getuid"):
        assert folder.name == f"calltouch-spill-{os.getuid()}"
    con = queries.connect()
    try:
        setting = con.execute("SELECT current_setting('temp_directory')").fetchone()
    finally:
        con.close()
    assert setting == (str(folder),)


def _spill_folders(monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """The spill folders, as DuckDB has them, of the connections calltouch opens from now on,
    by database (":memory:" for a run's or a command's on files)."""
    seen: dict[str, set[str]] = {}
    real_connect = queries.connect

    def connect(database: object = ":memory:", **kwargs: object) -> duckdb.DuckDBPyConnection:
        con = real_connect(database, **kwargs)  # type: ignore[arg-type]
        row = con.execute("SELECT current_setting('temp_directory')").fetchone()
        seen.setdefault(str(database), set()).add(str(row[0]) if row else "")
        return con

    monkeypatch.setattr(queries, "connect", connect)
    return seen


def test_match_and_attribute_spill_into_their_temp_dir(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the spill error advised --temp-dir to match and attribute, which had no such option
    spill = tmp_path / "spill"
    seen = _spill_folders(monkeypatch)
    assert invoke("match", "--db", ws, "--temp-dir", spill, "--rebuild", "-q").exit_code == 0
    assert seen[str(ws)] == {str(spill)}
    seen.clear()
    on_files = (
        "--tasks", SAMPLE / "tasks.csv", "--sessions", SAMPLE / "sessions.csv",
        "--opportunities", SAMPLE / "opportunities.csv",
        "--contact-roles", SAMPLE / "contact_roles.csv", "--people", SAMPLE / "people.csv",
    )  # fmt: skip
    result = invoke("attribute", *on_files, "--out", tmp_path / "rev", "--temp-dir", spill, "-q")
    assert result.exit_code == 0, result.output
    assert str(spill) in seen[":memory:"]
    # on the workspace (which has no opportunities: refused for that, once opened)
    seen.clear()
    invoke("attribute", "--db", ws, "--out", tmp_path / "rev2", "--temp-dir", spill, "-q")
    assert seen[str(ws)] == {str(spill)}
    # checked as run checks it, before any work
    a_file = tmp_path / "spill.txt"
    a_file.write_text("x", encoding="utf-8")
    for command in (("match", "--db", ws), ("attribute", "--db", ws, "-o", tmp_path / "r3")):
        refused = invoke(*command, "--temp-dir", a_file, "-q")
        assert refused.exit_code == ExitCode.INPUT
        assert "is a file, not a folder" in refused.stderr


def test_the_spill_advice_names_options_the_commands_have(tmp_path: Path) -> None:
    # "point --temp-dir at another (run, load, match and attribute take it)": true for each
    # (load too, which reads a month of sessions into the workspace, and was told to raise a
    # --memory-limit it did not take)
    for command in ("run", "load", "match", "attribute"):
        shown = invoke(command, "--help").output
        for option in ("--temp-dir", "--threads", "--memory-limit"):
            assert option in shown, (command, option)
    db = tmp_path / "w.duckdb"
    short = invoke("load", "sessions", SAMPLE / "sessions.csv", "--db", db, "--memory-limit", "1KB")
    said = " ".join(short.stderr.split())
    assert short.exit_code == ExitCode.OUT_OF_MEMORY, said
    assert "memory limit 1KB" in said and "(run, load, match and attribute take all three)" in said
    spill = tmp_path / "spill"
    spill.mkdir()
    loaded = invoke(
        "load", "sessions", SAMPLE / "sessions.csv", "--db", db, "--threads", "1",
        "--memory-limit", "200MB", "--temp-dir", spill, "-q",
    )  # fmt: skip
    assert loaded.exit_code == 0, loaded.output


# ----------------------------------------------------------------------------- damaged inputs

INPUTS = ROOT / "tests" / "inputs"


@pytest.mark.parametrize(
    ("command", "damaged"),
    [
        (("inspect",), "fatal_damaged_page.parquet"),
        (("inspect", "--role", "sessions"), "fatal_damaged_session_ids.parquet"),
        (("inspect", "--role", "sessions"), "fatal_damaged_session_channels.parquet"),
        (("load", "tasks"), "fatal_damaged_page.parquet"),
        (("load", "sessions"), "fatal_damaged_session_ids.parquet"),
        (("load", "sessions"), "fatal_damaged_session_channels.parquet"),
    ],
)
def test_a_damaged_parquet_page_is_an_input_error_at_every_stage(
    command: tuple[str, ...], damaged: str, tmp_path: Path
) -> None:
    # the footer is intact, a compressed page is not: DuckDB fails only when it reads the data
    where = ("--db", tmp_path / "ws.duckdb") if command[0] == "load" else ()
    result = invoke(*command, INPUTS / damaged, *where)
    assert result.exit_code == ExitCode.INPUT, result.output
    assert "as Parquet: Invalid Input Error: Failed to read file" in result.stderr
    assert "Snappy decompression failure" in result.stderr
    assert f"{INPUTS / damaged}" in result.stderr
    assert "re-export it" in result.stderr
    assert "neither a task nor a session" not in result.stderr


@pytest.mark.parametrize("role", ["tasks", "sessions"])
@pytest.mark.parametrize("command", ["inspect", "load"])
def test_a_gz_cut_short_after_what_is_sniffed_is_an_input_error(
    command: str, role: str, tmp_path: Path
) -> None:
    # the first 64 KiB decompress; the rest of the file is missing
    damaged = INPUTS / f"fatal_truncated_{role}.csv.gz"
    args = ("--role", role) if command == "inspect" else (role,)
    where = ("--db", tmp_path / "ws.duckdb") if command == "load" else ()
    result = invoke(command, *args, damaged, *where)
    assert result.exit_code == ExitCode.INPUT, result.output
    assert f"Input error: cannot read {role} file {damaged}: " in result.stderr
    assert "Check that the file exists, is readable and is not a broken .gz archive." in (
        result.stderr
    )


@pytest.fixture(scope="module")
def parquet_inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The corpus' basic tasks and sessions as intact Parquet files."""
    folder = tmp_path_factory.mktemp("parquet")
    con = duckdb.connect()
    for name in ("basic", "sessions"):
        con.execute(
            "COPY (SELECT * FROM read_csv($src, all_varchar = true)) TO $dst (FORMAT parquet)",
            {"src": str(INPUTS / f"{name}.csv"), "dst": str(folder / f"{name}.parquet")},
        )
    con.close()
    return folder / "basic.parquet", folder / "sessions.parquet"


@pytest.mark.parametrize(
    ("tasks", "sessions", "template"),
    [
        ("basic.csv", "sessions.csv", "load_tasks"),
        ("fmt_sf_report_us.csv", "sessions.csv", "survey_dates"),
        ("basic.csv", "sessions.csv", "load_sessions"),
        ("basic.parquet", "sessions.csv", "load_tasks"),
        ("basic.parquet", "sessions.csv", "parquet_sample"),
        ("basic.csv", "sessions.parquet", "session_keys"),
        ("basic.csv", "sessions.parquet", "fetch_session_details"),
    ],
)
def test_a_bug_in_a_query_that_reads_an_input_stays_an_internal_error(
    tasks: str,
    sessions: str,
    template: str,
    parquet_inputs: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a template calling a macro that does not exist fails whatever file it reads: a bug in
    # calltouch (exit 1), not bad input (exit 2), and no fallback reader hides it
    real = queries.render

    def broken(name: str, **context: object) -> str:
        sql = real(name, **context)
        return sql + "\nSELECT ct_no_such_macro(1);\n" if name == template else sql

    monkeypatch.setattr(queries, "render", broken)
    folder = parquet_inputs[0].parent
    paths = [folder / f if f.endswith(".parquet") else INPUTS / f for f in (tasks, sessions)]
    result = runner.invoke(app, ["run", *map(str, paths), "--out", str(tmp_path), "-q"])
    assert result.exit_code == ExitCode.INTERNAL, result.output
    assert f"Query failed: {template}:" in result.stderr
    assert "ct_no_such_macro" in result.stderr
    assert "Input error" not in result.stderr


def test_a_spill_folder_that_cannot_be_written_is_said_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the default spill folder (calltouch-spill-UID in the system's temp folder) taken by a
    # file, or a full disk: by the step it hit, the failure read
    # as a damaged input ("re-export it", exit 2), a bug (exit 1) or an unwritable output
    data = tmp_path / "data"
    invoke("generate", "--sessions", 200_000, "--calls", 20_000, "--out", data,
           "--format", "parquet")  # fmt: skip
    # (a file of the default's name is now passed by for a private folder: one under a file)
    blocked = tmp_path / "taken"
    blocked.write_text("not a folder\n")
    spill = blocked / "calltouch-spill"
    monkeypatch.setattr(queries, "default_spill_dir", lambda: spill)
    result = invoke(
        "run", data / "tasks.parquet", data / "sessions.parquet", "--out", tmp_path / "out",
        "--format", "parquet", "--memory-limit", "30MB", "-q",
    )  # fmt: skip
    message = " ".join(result.stderr.split())
    assert result.exit_code == ExitCode.OUT_OF_MEMORY, message
    assert "could not spill step" in message and str(spill) in message
    assert "--temp-dir" in message and "re-export" not in message


def test_a_full_spill_disk_is_told_as_the_disk_not_the_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DuckDB 2.0 reports a full spill disk as out of memory: "Raise --memory-limit", where
    # the disk was full and the folder was never named
    real = queries._execute
    full = (
        "Out of Memory Error: failed to offload data block of size 256.0 KiB (0 bytes/216.0 "
        "KiB used). This limit was set by the 'max_temp_directory_size' setting. By default "
        "this setting utilizes the available disk space on the drive where the "
        "'temp_directory' is located."
    )

    def execute(con, name, statement, binds):  # type: ignore[no-untyped-def]
        if name == "match":
            raise duckdb.OutOfMemoryException(full)
        return real(con, name, statement, binds)

    monkeypatch.setattr(queries, "_execute", execute)
    spill = tmp_path / "spill"
    result = invoke(
        "run", SAMPLE / "tasks.csv", SAMPLE / "sessions.csv", "--out", tmp_path / "out",
        "--temp-dir", spill, "-q",
    )  # fmt: skip
    message = " ".join(result.stderr.split())
    assert result.exit_code == ExitCode.OUT_OF_MEMORY, message
    assert f"could not spill step match to disk, in {spill}" in message
    assert "on a disk with room: free space there" in message
    assert "Raise --memory-limit" not in message


@pytest.mark.parametrize(
    ("step", "error"),
    [("add_load", duckdb.IOException), ("match", duckdb.TransactionException)],
)
def test_a_full_disk_under_the_workspace_is_an_output_error_not_a_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, error: type[Exception]
) -> None:
    # a workspace on a full disk said "Internal error: ... This is a bug in calltouch" (exit
    # 1): DuckDB's write of the file or its write-ahead log found no space
    db = tmp_path / "w.duckdb"
    invoke("load", "tasks", SAMPLE / "tasks.csv", "--db", db, "-q")
    real = queries._execute

    def execute(con, name, statement, binds):  # type: ignore[no-untyped-def]
        if name == step:
            raise error(
                f'Failed to commit: Could not write file "{db}.wal": No space left on device'
            )
        return real(con, name, statement, binds)

    monkeypatch.setattr(queries, "_execute", execute)
    if step == "match":
        invoke("load", "sessions", SAMPLE / "sessions.csv", "--db", db, "-q")
        result = invoke("match", "--db", db, "-q")
    else:
        result = invoke("load", "sessions", SAMPLE / "sessions.csv", "--db", db, "-q")
    message = " ".join(result.stderr.split())
    assert result.exit_code == ExitCode.OUTPUT, message
    assert f"Output error: cannot write the workspace {db}: the disk is full" in message
    assert "Free space on that disk" in message and "bug" not in message
    monkeypatch.undo()
    status = json.loads(invoke("status", "--db", db, "-f", "json").stdout)
    assert [x["role"] for x in status["loads"]] == (
        ["tasks"] if step == "add_load" else ["tasks", "sessions"]
    )


def test_a_full_disk_under_an_exported_report_is_an_output_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # export report on a full disk said "Query failed" (exit 1); the tables said exit 5
    db = tmp_path / "w.duckdb"
    for role in ("tasks", "sessions"):
        invoke("load", role, SAMPLE / f"{role}.csv", "--db", db, "-q")
    invoke("match", "--db", db, "-q")
    real = queries._execute

    def execute(con, name, statement, binds):  # type: ignore[no-untyped-def]
        if name == "export_report":
            raise duckdb.IOException('Could not write file ".x.csv.tmp": No space left on device')
        return real(con, name, statement, binds)

    monkeypatch.setattr(queries, "_execute", execute)
    target = tmp_path / "x.csv"
    result = invoke("export", "report", "--db", db, "-o", target)
    message = " ".join(result.stderr.split())
    assert result.exit_code == ExitCode.OUTPUT, message
    assert f"Output error: cannot write {target}: export_report: " in message
    assert not target.exists()


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners and permissions")
def test_the_default_spill_folder_is_private_and_never_one_another_user_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DuckDB made it 0755 (its spill files 0644: landing pages, search phrases, a call's
    # subject readable by every local user), and a folder of that predictable name made in
    # advance by another user (or a file there) was used as it was, or failed every run
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    name = f"calltouch-spill-{os.getuid()}"
    made = queries.default_spill_dir()
    assert made == tmp_path / name and stat.S_IMODE(made.stat().st_mode) == 0o700
    made.chmod(0o755)  # as an earlier calltouch left it (DuckDB made it)
    assert queries.default_spill_dir() == made and stat.S_IMODE(made.stat().st_mode) == 0o700
    made.rmdir()
    made.write_text("in the way\n")  # a file, or a folder that is not the user's
    other = queries.default_spill_dir()
    assert other != made and other.parent == tmp_path and other.name.startswith(name)
    assert other.is_dir() and stat.S_IMODE(other.stat().st_mode) == 0o700
    if os.getuid() == 0:  # only root can give a folder to another user
        made.unlink()
        made.mkdir(mode=0o777)
        os.chown(made, 65534, 65534)
        queries._fresh_spill_dir.cache_clear()
        theirs = queries.default_spill_dir()
        assert theirs != made and stat.S_IMODE(theirs.stat().st_mode) == 0o700


def test_an_input_whose_name_is_not_utf8_is_told(tmp_path: Path) -> None:
    # a file name with a Latin-1 byte (an old archive's) stopped the run with DuckDB's "cannot
    # encode str as UTF-8", exit 1, in a folder without saying which file
    folder = tmp_path / "exports"
    folder.mkdir()
    name = os.fsdecode(b"caf\xe9.csv")
    (folder / name).write_text("Id,BizibleId,CreatedDate\nT1,abc,2026-03-02T12:40:00Z\n")
    sessions = tmp_path / "s.csv"
    sessions.write_text("ID,COOKIE_ID,EVENT_DATE\nS1,abc,2026-03-02 12:30:00\n")
    for spec in (folder / name, folder):
        result = invoke("run", spec, sessions, "--out", tmp_path / "out", "-q")
        assert result.exit_code == ExitCode.INPUT, result.output
        said = " ".join(result.stderr.split())
        assert f"tasks file {folder}/caf\\xe9.csv: its name is not UTF-8 text" in said


def test_outputs_and_workspaces_whose_names_duckdb_cannot_open_are_refused(
    tmp_path: Path,
) -> None:
    # an --out, --db, -o or --temp-dir named with a byte that is not UTF-8: exit 5 with
    # DuckDB's "Python Conversion Failure" after the folder was made, an internal error
    # (std::bad_cast) for a workspace, each named as Python escapes it ('\udce9')
    name = os.fsdecode(b"caf\xe9")
    tasks, sessions = SAMPLE / "tasks.csv", SAMPLE / "sessions.csv"
    db = tmp_path / "w.duckdb"
    invoke("load", "tasks", tasks, "--db", db, "-q")
    invoke("load", "sessions", sessions, "--db", db, "-q")
    invoke("match", "--db", db, "-q")
    cases = [
        (("run", tasks, sessions, "--out", tmp_path / name, "-q"), ExitCode.OUTPUT,
         f"cannot write {tmp_path}/caf\\xe9/touchpoints.csv: its name is not UTF-8 text"),
        (("export", "touchpoints", "-o", tmp_path / f"{name}.csv", "--db", db), ExitCode.OUTPUT,
         f"cannot write {tmp_path}/caf\\xe9.csv: its name is not UTF-8 text"),
        (("load", "tasks", tasks, "--db", tmp_path / f"{name}.duckdb"), ExitCode.INPUT,
         f"the workspace {tmp_path}/caf\\xe9.duckdb: its name is not UTF-8 text"),
        (("run", tasks, sessions, "--out", tmp_path / "o", "--temp-dir", tmp_path / name, "-q"),
         ExitCode.INPUT, f"the temp folder {tmp_path}/caf\\xe9: its name is not UTF-8 text"),
        (("generate", "--sessions", "10", "--calls", "2", "--out", tmp_path / name),
         ExitCode.OUTPUT, f"cannot write {tmp_path}/caf\\xe9/sessions.parquet: its name is not"),
    ]  # fmt: skip
    for args, code, said in cases:
        result = invoke(*args)
        assert result.exit_code == code, result.output
        told = " ".join(result.stderr.split())
        assert said in told and "Rename it (or its folder) with plain ASCII" in told, told
        assert not (tmp_path / name).exists()  # no folder left behind
    # a file Python writes, not DuckDB (report -o in any form), takes any name
    for suffix in (".md", ".html", ".csv"):
        written = tmp_path / f"{name}{suffix}"
        result = invoke("report", "-o", written, "--db", db)
        assert result.exit_code == 0 and written.is_file()
        # said with the byte as an escape, as the errors show it (not Python's \udce9)
        told = " ".join(result.stderr.split())
        assert f"to {tmp_path}/caf\\xe9{suffix}" in told and "\\udc" not in told, told


def test_a_name_the_locale_writes_in_other_bytes_than_utf8_is_a_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # under a Latin-1 locale, 'Ergebnisse_ö' is the byte F6 on disk but C3 B6 to DuckDB: run
    # --out wrote nothing (exit 5, an empty folder left), load --db wrote a workspace of
    # another name that status could not find
    monkeypatch.setattr(errors.os, "fsencode", lambda text: text.encode("latin-1"))
    monkeypatch.setattr(errors.sys, "getfilesystemencoding", lambda: "iso8859-1")
    assert errors.name_problem("Ergebnisse_ö/touchpoints.csv") == (
        "its name is written in iso8859-1 (this system's encoding of file names), and DuckDB "
        "opens names as UTF-8"
    )
    assert errors.name_problem("Ergebnisse/touchpoints.csv") is None
    assert errors.name_problem("Ergebnisse_€") is not None  # not a Latin-1 name at all


def test_small_usage_slips_get_a_hint(ws: Path, tmp_path: Path) -> None:
    # three messages that said what was wrong and not how to go on
    folder = tmp_path / "out.csv"
    folder.mkdir()
    for args, hint in [
        (("report", "--db", ws, "-o", folder, "-f", "csv"), "Name a file (-o report.csv)"),
        (("explain", "T1", "--tasks", tmp_path / "t.csv"), "Give both to explain from files"),
        (("attribute", "--db", ws, "-o", tmp_path / "a", "--weights", "ft=2"), "For example:"),
        (
            ("attribute", "--db", ws, "-o", tmp_path / "a", "--weights", "ft=.3333333333"),
            "round it to nine places",
        ),
    ]:
        result = invoke(*args)
        assert result.exit_code in (ExitCode.INPUT, ExitCode.OUTPUT), args
        assert hint in " ".join(result.stderr.split()), args


def test_report_and_export_refuse_an_output_written_as_a_folder(ws: Path, tmp_path: Path) -> None:
    # report -o ex/sub/ -f csv wrote a file named ex/sub (the slash dropped by pathlib)
    for args, example in (
        (("report", "-f", "csv", "-o", f"{tmp_path / 'sub'}/"), "report.csv"),
        (("report", "--revenue", "-f", "csv", "-o", f"{tmp_path / 'sub'}/"), "report.csv"),
        (("export", "touchpoints", "-o", f"{tmp_path / 'sub'}/"), "touchpoints.csv"),
    ):
        result = invoke(*args, "--db", ws)
        said = " ".join(result.stderr.split())
        assert result.exit_code == ExitCode.INPUT, result.output
        assert "names a folder, but -o is the file to write" in said
        assert f"{tmp_path / 'sub'}/{example}" in said
        assert not (tmp_path / "sub").exists()


@pytest.mark.parametrize(
    "error",
    [duckdb.InterruptException("INTERRUPT Error: Interrupted!"), RuntimeError("Query interrupted")],
)
def test_a_commit_stopped_by_a_signal_is_an_interruption(error: Exception) -> None:
    # the workspace's commits (load's, match's) let DuckDB's own exception through: the
    # commands' 'whole or not at all' and 'saved' messages, which wait for a KeyboardInterrupt,
    # were not said, and a load saved as SIGTERM came said only "Terminated."
    from calltouch import queries

    class Stopped:
        def commit(self) -> None:
            raise error

    with pytest.raises(KeyboardInterrupt):
        queries.commit(Stopped())  # type: ignore[arg-type]
    other = RuntimeError("some other failure")

    class Failing:
        def commit(self) -> None:
            raise other

    with pytest.raises(RuntimeError):
        queries.commit(Failing())  # type: ignore[arg-type]
