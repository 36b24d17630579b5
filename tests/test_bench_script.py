"""bench/bench.py's own checks, which need neither the bench extra nor any data: sizes it
cannot bench and missing engines are refused as usage errors before anything is generated."""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest


@pytest.mark.parametrize("text", ["0/10", "1M/0", "10/0.4"])
def test_a_size_without_sessions_or_calls_is_a_usage_error(
    bench: ModuleType, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # --sizes 0/10 ended in a calltouch.errors.UsageError traceback from the generator
    with pytest.raises(argparse.ArgumentTypeError, match="give at least one of each"):
        bench.parse_sizes(text)
    with pytest.raises(SystemExit) as stopped:
        bench.main(["--sizes", text])
    assert stopped.value.code == 2
    assert "give at least one of each" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("absent", "engines"),
    [("polars", None), ("pandas", "floor,calltouch,match,pandas"), ("calltouch", None)],
)
def test_missing_modules_are_named_before_any_work(
    bench: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    absent: str,
    engines: str | None,
) -> None:
    # without the bench extra the data was generated, then a bare ModuleNotFoundError
    # traceback (or, for pandas, after timing the other engines, its worker's traceback)
    # only `absent` is missing, whether or not this Python has the bench extra
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == absent else object()
    )
    monkeypatch.setattr(bench, "dataset", lambda *a: pytest.fail("data was generated"))
    argv = ["--quick"] + (["--engines", engines] if engines else [])
    with pytest.raises(SystemExit) as stopped:
        bench.main(argv)
    assert stopped.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"cannot import {absent}" in err and "make bench" in err


def test_the_engines_without_the_extra_need_only_calltouch(bench: ModuleType) -> None:
    assert bench.missing_modules(["floor", "calltouch", "match"]) == []


def test_a_size_beyond_the_generator_is_a_usage_error(
    bench: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # --sizes 1M/100k,20G/1k timed the first size, then ended in the generator's traceback
    from calltouch.generate import MAX_ROWS

    assert bench.MAX_ROWS == MAX_ROWS
    assert bench.parse_sizes("10G/10G") == [(MAX_ROWS, MAX_ROWS)]
    monkeypatch.setattr(bench, "dataset", lambda *a: pytest.fail("data was generated"))
    with pytest.raises(SystemExit) as stopped:
        bench.main(["--sizes", "1M/100k,20G/1k", "--engines", "floor,calltouch,match"])
    assert stopped.value.code == 2
    assert "'20G/1k' is larger than calltouch generate makes: at most 10G" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize("formats", ["", ",", " , "])
def test_no_format_is_a_usage_error(
    bench: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    formats: str,
) -> None:
    # --formats= ran nothing, exited 0 and --write replaced the recorded table by an empty one
    recorded = tmp_path / "BENCHMARKS.md"
    recorded.write_text("<!-- bench:begin -->\nthe table\n<!-- bench:end -->\n")
    monkeypatch.setattr(bench, "dataset", lambda *a: pytest.fail("data was generated"))
    argv = ["--quick", f"--formats={formats}", "--engines", "floor,calltouch,match"]
    with pytest.raises(SystemExit) as stopped:
        bench.main([*argv, "--write", str(recorded)])
    assert stopped.value.code == 2
    assert "--formats names no format" in capsys.readouterr().err
    assert "the table" in recorded.read_text()


def test_the_recorded_command_names_no_path_of_this_machine(bench: ModuleType) -> None:
    # --write's path went into BENCHMARKS.md as given (/tmp/...), --json's was left out
    assert bench.recorded_args(
        ["--quick", "--json", "/tmp/x/runs.json", "--write", "/tmp/x/B.md", "--runs", "2"]
    ) == ["--quick", "--write", "B.md", "--runs", "2"]
    assert bench.recorded_args(["--write=/tmp/x/B.md", "--json=/tmp/r.json"]) == ["--write=B.md"]


@pytest.mark.parametrize("given", [["--sizes", "1M/100k"], ["--runs", "5"]])
def test_quick_refuses_the_options_it_would_ignore(
    bench: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    given: list[str],
) -> None:
    # --quick ran 20k / 2k once whatever --sizes and --runs said, and recorded them
    monkeypatch.setattr(bench, "dataset", lambda *a: pytest.fail("data was generated"))
    with pytest.raises(SystemExit) as stopped:
        bench.main(["--quick", *given, "--engines", "floor,calltouch,match"])
    assert stopped.value.code == 2
    assert "--quick runs 20k / 2k once" in capsys.readouterr().err


def test_quick_does_not_replace_a_full_runs_table(
    bench: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    # a quick run's table (its times mean nothing) replaced the recorded 10M/1M table
    recorded = tmp_path / "BENCHMARKS.md"
    full = "<!-- bench:begin -->\nwith `python bench/bench.py --sizes 10M/1M`\n<!-- bench:end -->\n"
    recorded.write_text(full)
    monkeypatch.setattr(bench, "dataset", lambda *a: pytest.fail("data was generated"))
    with pytest.raises(SystemExit) as stopped:
        bench.main(["--quick", "--engines", "floor,calltouch,match", "--write", str(recorded)])
    assert stopped.value.code == 2
    assert "records a full run's table" in capsys.readouterr().err
    assert recorded.read_text() == full
    # a file with no table, or a quick one, may take it
    assert bench.recorded_quick(tmp_path / "new.md")
    recorded.write_text("<!-- bench:begin -->\n`python bench/bench.py --quick`\n<!-- bench:end -->")
    assert bench.recorded_quick(recorded)
