"""The task's own columns carried into unmatched.csv: every column of the file keeps its value,
whatever its header repeats and however wide the file is (Salesforce "all fields" Task exports
have 100-300 columns)."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from calltouch import queries
from calltouch.cli import app
from tests.harness import SESSION_HEADER, read_csv, session, write_rows

runner = CliRunner(env={"COLUMNS": "1000", "FORCE_COLOR": None, "TTY_COMPATIBLE": None})
ABC = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


def run_tasks(
    tmp_path: Path, header: list[str], rows: list[list[str]]
) -> dict[str, dict[str, str]]:
    """Run calltouch on a task file of ``header`` and ``rows``; unmatched.csv by task id."""
    tasks = tmp_path / "tasks.csv"
    with tasks.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    sessions = write_rows(tmp_path / "sessions.csv", [session("S1", ABC, "12:17")], SESSION_HEADER)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(tasks), str(sessions), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return {row["task_id"]: row for row in read_csv(out / "unmatched.csv")}


def test_a_repeated_header_beside_a_real_suffixed_column_loses_no_value(tmp_path: Path) -> None:
    header = ["Id", "BizibleId", "CreatedDate", "Subject", "Subject", "Subject_2"]
    unmatched = run_tasks(tmp_path, header, [["T1", "", "2026-03-02T12:40:00Z", "a", "b", "c"]])
    row = unmatched["T1"]
    # the real Subject_2 keeps its name; the second Subject takes the first free suffix
    assert (row["Subject"], row["Subject_2"], row["Subject_3"]) == ("a", "c", "b")


def test_repeated_and_empty_headers_get_names_no_other_column_has(tmp_path: Path) -> None:
    header = ["Id", "BizibleId", "CreatedDate", "", "column_4", "x", "x", "x_2", "x_3"]
    values = ["T1", "", "2026-03-02T12:40:00Z", "e", "c4", "x1", "x2", "real2", "real3"]
    row = run_tasks(tmp_path, header, [values])["T1"]
    assert sorted(row.values()) == sorted(["T1", "no_bizible_id", *values])
    assert (row["column_4"], row["x"], row["x_2"], row["x_3"]) == ("c4", "x1", "real2", "real3")


def test_a_reserved_name_stands_in_under_no_name_a_file_column_has(tmp_path: Path) -> None:
    # a file's own task_id went out as task_id_input, and its real task_id_input was renamed
    # task_id_input_: each value under the other's name
    header = ["Id", "BizibleId", "CreatedDate", "task_id", "task_id_input", "reason",
              "reason_input", "REASON_INPUT_"]  # fmt: skip
    values = ["T1", "", "2026-03-02T12:40:00Z", "D", "E", "F", "G", "H"]
    row = run_tasks(tmp_path, header, [values])["T1"]
    assert (row["task_id"], row["reason"]) == ("T1", "no_bizible_id")
    assert (row["task_id_input"], row["reason_input"], row["REASON_INPUT_"]) == ("E", "G", "H")
    assert (row["task_id_input_"], row["reason_input__"]) == ("D", "F")


def test_a_nul_in_a_header_cell_is_shown_and_draws_no_encoding_advice(tmp_path: Path) -> None:
    # shown as U+FFFD, a NUL (valid UTF-8) drew "its header holds bytes that are not UTF-8
    # ... read it with --encoding tasks=windows-1252", which changed nothing
    header = ["Id", "BizibleId", "CreatedDate", "bad\x00name"]
    tasks = tmp_path / "tasks.csv"
    tasks.write_text(",".join(header) + "\nT1,,2026-03-02T12:40:00Z,x\n", encoding="utf-8")
    sessions = write_rows(tmp_path / "sessions.csv", [session("S1", ABC, "12:17")], SESSION_HEADER)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(tasks), str(sessions), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert "not UTF-8" not in result.output and "--encoding" not in result.output
    assert read_csv(out / "unmatched.csv")[0]["bad\u2400name"] == "x"


def test_a_wide_task_file_keeps_every_columns_value(tmp_path: Path) -> None:
    extra = [f"Field_{i}__c" for i in range(495)]
    header = ["Id", "BizibleId", "CreatedDate", "Type", "Subject", *extra]
    rows = [
        [f"T{r}", "" if r % 2 else ABC, f"2026-03-02T12:{r:02d}:00Z", "Call", f"s{r}"]
        + [f"v{r}_{i}" for i in range(len(extra))]
        for r in range(20)
    ]
    unmatched = run_tasks(tmp_path, header, rows)
    assert sorted(unmatched) == sorted(f"T{r}" for r in range(1, 20, 2))
    for r in range(1, 20, 2):
        row = unmatched[f"T{r}"]
        assert list(row) == ["task_id", "reason", *header]
        assert [row[name] for name in extra] == [f"v{r}_{i}" for i in range(len(extra))]
        assert row["Subject"] == f"s{r}"


def test_the_unmatched_query_grows_linearly_with_the_width() -> None:
    """Each carried column is an index into lists computed once per row: neither the bound
    positions nor a cell-writing macro is repeated per column (both made DuckDB's planning
    time grow with the square of the columns)."""

    def rendered(width: int) -> str:
        names = [f"c{i}" for i in range(width)]
        return queries.render(
            "export_unmatched", fmt="csv", to_file=True, raw_names=names, raw_types=[None] * width
        )

    narrow, wide = rendered(3), rendered(300)
    for repeated in ("$raw_positions", "$raw_numeric", "ct_csv_safe", "ct_iso"):
        assert wide.count(repeated) == narrow.count(repeated), repeated
    # whether a cell is a typed number is one index per cell, not a search of the file's
    # typed columns (list_contains made 1500 DOUBLE columns export 8x slower than 300)
    assert "_numeric[i]" in wide and "list_contains" not in wide


def test_files_naming_a_column_in_other_cases_share_one_column(tmp_path: Path) -> None:
    # an API export (Id, Note) and a Data Loader one (ID, NOTE, in another order): each
    # value under one column, named as the first file names it
    folder = tmp_path / "tasks"
    folder.mkdir()
    (folder / "a.csv").write_text(
        "Id,BizibleId,CreatedDate,Note\nA1,,2026-03-02T12:40:00Z,noteA\n", encoding="utf-8"
    )
    (folder / "b.csv").write_text(
        "NOTE,CREATEDDATE,BIZIBLEID,ID,Extra\nnoteB,2026-03-02T12:40:00Z,,B1,ex\n",
        encoding="utf-8",
    )
    sessions = write_rows(tmp_path / "sessions.csv", [session("S1", ABC, "12:17")], SESSION_HEADER)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(folder), str(sessions), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    rows = read_csv(out / "unmatched.csv")
    assert list(rows[0]) == ["task_id", "reason", "Id", "BizibleId", "CreatedDate", "Note", "Extra"]
    assert [(r["Id"], r["Note"], r["Extra"]) for r in rows] == [
        ("A1", "noteA", ""),
        ("B1", "noteB", "ex"),
    ]


def test_a_header_repeated_in_another_case_keeps_both_columns(tmp_path: Path) -> None:
    header = ["Id", "BizibleId", "CreatedDate", "Subject", "SUBJECT"]
    row = run_tasks(tmp_path, header, [["T1", "", "2026-03-02T12:40:00Z", "a", "b"]])["T1"]
    assert (row["Subject"], row["SUBJECT_2"]) == ("a", "b")


def test_a_parquet_file_repeating_a_column_name_gets_the_csv_files_note(tmp_path: Path) -> None:
    """Parquet allows two columns named alike (pyarrow writes them); DuckDB reads the second
    as ID_1. The run says so, as it does for a CSV header, and keeps both values."""
    tasks = tmp_path / "tasks.parquet"
    duckdb.sql(
        "COPY (SELECT 'T1' AS Id, '' AS BizibleId, TIMESTAMP '2026-03-02 12:40:00' AS "
        f"CreatedDate, 'X1' AS QZ, {{'a': [1, 2]}} AS Nested, 'w' AS Last) TO '{tasks}'"
    )
    # rename QZ to ID in the footer (same length, so every offset holds): Id and ID now clash
    data = tasks.read_bytes()
    assert data.count(b"QZ") == 2  # the schema element and the column chunk's path
    tasks.write_bytes(data.replace(b"QZ", b"ID"))
    sessions = write_rows(tmp_path / "sessions.csv", [session("S1", ABC, "12:17")], SESSION_HEADER)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(tasks), str(sessions), "--out", str(out)])
    assert result.exit_code == 0, result.output
    note = (
        "duplicate headers, fields read from the first column of each (or the one --map names, "
        "case included); all are carried into unmatched: ID (read as ID_1)"
    )
    assert note in result.output
    (loaded,) = json.loads((out / "summary.json").read_text("utf-8"))["tasks"]["files"]
    assert loaded["notes"] == [note]  # the nested column's children are not columns
    (row,) = read_csv(out / "unmatched.csv")
    assert (row["Id"], row["ID_1"], row["Last"]) == ("T1", "X1", "w")


def test_columns_typed_as_numbers_are_never_neutralised_in_csv(tmp_path: Path) -> None:
    """SPEC §4: formula-like text is neutralised in CSV output, except in columns known to be
    numeric. A Parquet file's DOUBLE or BIGINT column is known numeric: -1.5 stays -1.5. The
    same cell of a CSV file is text (its type unknown), as is a text column of the Parquet."""
    folder = tmp_path / "tasks"
    folder.mkdir()
    (folder / "a.csv").write_text(
        "Id,BizibleId,CreatedDate,dbl,big,txt\nT1,,2026-03-02T12:40:00Z,-1.5,-3,-x\n", "utf-8"
    )
    duckdb.sql(
        "COPY (SELECT 'T2' AS Id, '' AS BizibleId, TIMESTAMP '2026-03-02 12:40:00' AS "
        "CreatedDate, -1.5::DOUBLE AS dbl, -3::BIGINT AS big, '-x' AS txt, "
        f"-2.50::DECIMAL(9, 2) AS dec) TO '{folder / 'b.parquet'}'"
    )
    sessions = write_rows(tmp_path / "sessions.csv", [session("S1", ABC, "12:17")], SESSION_HEADER)
    for fmt in ("csv", "parquet"):
        out = tmp_path / fmt
        result = runner.invoke(app, ["run", str(folder), str(sessions), "-o", str(out), "-f", fmt])
        assert result.exit_code == 0, result.output
    rows = {r["task_id"]: r for r in read_csv(tmp_path / "csv" / "unmatched.csv")}
    assert [rows["T1"][c] for c in ("dbl", "big", "txt", "dec")] == ["'-1.5", "'-3", "'-x", ""]
    assert [rows["T2"][c] for c in ("dbl", "big", "txt", "dec")] == ["-1.5", "-3", "'-x", "-2.50"]
    kept = duckdb.sql(
        f"SELECT dbl, big, txt FROM '{tmp_path / 'parquet' / 'unmatched.parquet'}' ORDER BY 1"
    ).fetchall()
    assert kept == [("-1.5", "-3", "-x")] * 2


def test_a_parquet_output_keeps_a_parquet_files_column_types(tmp_path: Path) -> None:
    """SPEC §3: other columns are carried through untouched. A Parquet task file's typed
    columns came out of unmatched.parquet as text ('-5', 'true'); they keep their types now,
    in a run and in a workspace's export. A column a CSV file also has stays text."""
    tasks = tmp_path / "t.parquet"
    duckdb.sql(
        "COPY (SELECT 'T1' AS Id, '' AS BizibleId, TIMESTAMP '2026-03-02 12:40:00' AS "
        "CreatedDate, -5::INTEGER AS num, 0.1::DOUBLE AS dbl, true AS flag, "
        "-7.25::DECIMAL(10, 2) AS amount, DATE '2026-01-02' AS day, "
        "TIMESTAMPTZ '2026-01-01 10:00:00+02' AS at_tz, "
        "TIMESTAMP '2026-01-01 10:00:00.5' AS naive, "
        f"[1, 2] AS list, 'x' AS txt, NULL::BIGINT AS nothing) TO '{tasks}'"
    )
    sessions = write_rows(tmp_path / "sessions.csv", [session("S1", ABC, "12:17")], SESSION_HEADER)
    expected_types = {
        "num": "INTEGER", "dbl": "DOUBLE", "flag": "BOOLEAN", "amount": "DECIMAL(10,2)",
        "day": "DATE", "at_tz": "TIMESTAMP WITH TIME ZONE", "naive": "TIMESTAMP",
        "list": "VARCHAR", "txt": "VARCHAR", "nothing": "BIGINT",
    }  # fmt: skip
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(tasks), str(sessions), "-o", str(out), "-f", "parquet"])
    assert result.exit_code == 0, result.output
    db = tmp_path / "w.duckdb"
    for role, path in (("tasks", tasks), ("sessions", sessions)):
        loaded = runner.invoke(app, ["load", role, str(path), "--db", str(db), "-q"])
        assert loaded.exit_code == 0, loaded.output
    assert runner.invoke(app, ["match", "--db", str(db), "-q"]).exit_code == 0
    exported = tmp_path / "u.parquet"
    done = runner.invoke(app, ["export", "unmatched", "-o", str(exported), "--db", str(db)])
    assert done.exit_code == 0, done.output
    for written in (out / "unmatched.parquet", exported):
        described = duckdb.sql(f"DESCRIBE SELECT * FROM '{written}'").fetchall()
        schema = {str(r[0]): str(r[1]) for r in described}
        assert {c: schema[c] for c in expected_types} == expected_types, written
        (row,) = duckdb.sql(
            f"SELECT num, dbl, flag, amount, CAST(at_tz AS VARCHAR) LIKE '2026-01-01 08:00:00%', "
            f"naive, list, nothing FROM '{written}'"
        ).fetchall()
        assert row[:5] == (-5, 0.1, True, Decimal("-7.25"), True)
        assert (str(row[5]), row[6], row[7]) == ("2026-01-01 10:00:00.500000", "[1, 2]", None)
    # beside a CSV file with the same column, the column is text: the files disagree
    folder = tmp_path / "both"
    folder.mkdir()
    (folder / "a.csv").write_text("Id,BizibleId,CreatedDate,num\nT0,,2026-03-02T12:40:00Z,n/a\n")
    (folder / "b.parquet").write_bytes(tasks.read_bytes())
    mixed = tmp_path / "mixed"
    result = runner.invoke(
        app, ["run", str(folder), str(sessions), "-o", str(mixed), "-f", "parquet"]
    )
    assert result.exit_code == 0, result.output
    cells = duckdb.sql(
        f"SELECT num, dbl FROM '{mixed / 'unmatched.parquet'}' ORDER BY task_id"
    ).fetchall()
    assert cells == [("n/a", None), ("-5", 0.1)]


def test_a_zoned_nanosecond_time_reads_as_a_zoned_time(tmp_path: Path) -> None:
    """pandas writes a column with a zone as TIMESTAMP(NANOS, UTC), which DuckDB names
    TIMESTAMPTZ_NS: it was read as text, so unmatched carried it in --tz's zone
    ('2026-03-02 07:40:00.123456789-05'), a Parquet output typed it VARCHAR, and the load
    noted that its 'times without a zone' were read in --tz. A microsecond one was right."""
    out: dict[str, dict] = {}
    for unit in ("TIMESTAMPTZ", "TIMESTAMPTZ_NS"):
        tasks, sessions = tmp_path / f"{unit}_t.parquet", tmp_path / f"{unit}_s.parquet"
        duckdb.sql(
            "COPY (SELECT * FROM (VALUES ('T1', 'ab', CAST('2026-03-02 12:40:00.123456789+00' "
            f"AS {unit})), ('T2', NULL, CAST('2026-03-02 12:40:00.987654321+00' AS {unit}))) "
            f"AS t(Id, BizibleId, CreatedDate)) TO '{tasks}'"
        )
        duckdb.sql(
            f"COPY (SELECT 'S1' AS ID, 'ab' AS COOKIE_ID, CAST('2026-03-02 12:17:00+00' AS "
            f"{unit}) AS EVENT_DATE) TO '{sessions}'"
        )
        csv_out, parquet_out = tmp_path / f"{unit}_csv", tmp_path / f"{unit}_parquet"
        said = runner.invoke(
            app,
            ["run", str(tasks), str(sessions), "-o", str(csv_out), "--tz", "America/New_York"],
        )
        assert said.exit_code == 0, said.output
        assert "without a zone" not in " ".join(said.output.split())
        args = ["run", str(tasks), str(sessions), "-o", str(parquet_out), "-f", "parquet", "-q"]
        assert runner.invoke(app, args).exit_code == 0
        (touchpoint,) = read_csv(csv_out / "touchpoints.csv")
        (unmatched,) = read_csv(csv_out / "unmatched.csv")
        summary = json.loads((csv_out / "summary.json").read_text(encoding="utf-8"))
        (typed,) = duckdb.sql(
            f"SELECT typeof(CreatedDate), CAST(CreatedDate AS VARCHAR) FROM "
            f"'{parquet_out / 'unmatched.parquet'}'"
        ).fetchall()
        out[unit] = {
            "touchpoint": (touchpoint["touchpoint_date"], touchpoint["session_start"]),
            "styles": [f["time_styles"] for f in summary["tasks"]["files"]],
            "carried": unmatched["CreatedDate"],
            "typed": typed,
        }
    micro, nano = out["TIMESTAMPTZ"], out["TIMESTAMPTZ_NS"]
    # matched on the microsecond below (as a text time's further digits are)
    assert nano["touchpoint"] == micro["touchpoint"]
    assert nano["touchpoint"] == ("2026-03-02T12:40:00.123456Z", "2026-03-02T12:17:00Z")
    assert nano["styles"] == micro["styles"]
    # carried as the file holds it: in UTC, its nanoseconds kept; typed back in Parquet
    assert micro["carried"] == "2026-03-02T12:40:00.987654Z"
    assert nano["carried"] == "2026-03-02T12:40:00.987654321Z"
    assert nano["typed"][0] == "TIMESTAMPTZ_NS"
    assert nano["typed"][1].startswith("2026-03-02") and ".987654321" in nano["typed"][1]
