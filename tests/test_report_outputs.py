"""The report's outputs on a tiny workspace whose campaigns look like spreadsheet formulas: every
CSV path (``report -f csv``, ``report --revenue -f csv``, ``export report -o x.csv``) neutralises
them in SQL, with the one cell macro of the exports; the other forms keep them as they are. And
report refuses the options of the report it is not making."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import duckdb
import pytest
import typer

from calltouch import queries
from calltouch.cli import user_errors
from calltouch.errors import InputError
from calltouch.reporting import pct
from tests.harness import invoke

EVIL = '=HYPERLINK("http://evil")'
NUL = "@SUM(1\x00)"  # a formula with a NUL byte, which breaks CSV readers
SAFE = {EVIL: "'" + EVIL, NUL: "'@SUM(1\ufffd)"}
CONTACT = "0035e000000Pp3WAAS"
AS_OF = ("--as-of", "2026-03-31")


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three calls, each merged with a session whose campaign is a formula (two channels, one of
    them with two subchannels), one won opportunity of a caller, and a call without BizibleId
    (a reason calls did not merge)."""
    return workspace_of(tmp_path_factory.mktemp("formulas"), EVIL, NUL)


def workspace_of(folder: Path, first: str, second: str) -> Path:
    """The workspace of ``db`` in ``folder``, its campaigns named ``first`` (sessions S1 and
    S3) and ``second`` (S2)."""
    db = folder / "w.duckdb"
    files = {
        "tasks": write(
            folder / "tasks.csv",
            ["Id", "BizibleId", "CreatedDate", "Type", "WhoId"],
            [
                ["00T5e0000kBRaogEAD", "abc", "2026-03-02T12:40:00Z", "Call", CONTACT],
                ["00T5e0000kBRaohEAD", "abc", "2026-03-01T12:30:00Z", "Call", CONTACT],
                ["00T5e0000kBRaoiEAD", "", "2026-03-02T18:40:00Z", "Call", ""],
                ["00T5e0000kBRaojEAD", "def", "2026-03-03T09:10:00Z", "Call", ""],
            ],
        ),
        "sessions": write(
            folder / "sessions.csv",
            ["ID", "COOKIE_ID", "EVENT_DATE", "CHANNEL", "CAMPAIGN_NAME"],
            [
                ["S1", "abc", "2026-03-02T12:17:00Z", "Paid Search.AdWords", first],
                ["S2", "abc", "2026-03-01T12:17:00Z", "Email.Newsletter", second],
                ["S3", "def", "2026-03-03T09:00:00Z", "Paid Search.Bing", first],
            ],
        ),
        "opportunities": write(
            folder / "opportunities.csv",
            ["ID", "AMOUNT", "CREATEDDATE", "CLOSEDATE", "ISWON", "ISCLOSED", "STAGENAME"],
            [
                [
                    "0065e00000GmSdlAAF",
                    "1000",
                    "2026-03-03T05:21:49Z",
                    "2026-03-20",
                    "true",
                    "true",
                    "Closed Won",
                ]
            ],
        ),
        "contact-roles": write(
            folder / "roles.csv",
            ["ID", "OPPORTUNITYID", "CONTACTID", "ISPRIMARY", "ROLE"],
            [["00K5e0000o1pgpqEAA", "0065e00000GmSdlAAF", CONTACT, "true", "Decision Maker"]],
        ),
        "people": write(folder / "people.csv", ["ID", "BizibleId"], [[CONTACT, "abc"]]),
    }
    for role, path in files.items():
        invoke("load", role, path, "--db", db)
    invoke("match", "--db", db, "--quiet")
    return db


def labels(text: str, column: str) -> list[str]:
    return [row[column] for row in csv.DictReader(io.StringIO(text))]


def test_report_csv_neutralises_formulas_in_sql(db: Path) -> None:
    text = invoke("report", "--by", "campaign", "-f", "csv", "--db", db).stdout
    assert sorted(labels(text, "campaign")) == sorted([SAFE[EVIL], SAFE[NUL], "Total"])


def test_export_report_csv_neutralises_formulas_like_report(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "rep.csv"
    invoke("export", "report", "--by", "campaign", "-o", target, "--db", db)
    exported = labels(target.read_text(encoding="utf-8"), "label")
    assert sorted(exported) == sorted([SAFE[EVIL], SAFE[NUL], "Total"])
    reported = labels(
        invoke("report", "--by", "campaign", "-f", "csv", "--db", db).stdout, "campaign"
    )
    assert exported == reported


@pytest.mark.slow
@pytest.mark.parametrize(
    ("campaigns", "total"), [(("Total", "x"), "(total)"), (("Total", "(total)"), "(total 2)")]
)
def test_a_group_named_total_is_told_from_the_total_in_csv(
    tmp_path: Path, campaigns: tuple[str, str], total: str
) -> None:
    """In CSV the label alone tells the total row: with a campaign named Total it is (total)
    (the first such name no group has), in the calls and the revenue report alike."""
    db = workspace_of(tmp_path, *campaigns)
    for args in (("report",), ("report", "--revenue", *AS_OF)):
        text = invoke(*args, "--by", "campaign", "-f", "csv", "--db", db).stdout
        *groups, last = labels(text, "campaign")
        assert (sorted(groups), last) == (sorted(campaigns), total), args


def test_revenue_report_csv_neutralises_formulas(db: Path) -> None:
    text = invoke("report", "--revenue", "--by", "campaign", *AS_OF, "-f", "csv", "--db", db).stdout
    assert sorted(labels(text, "campaign")) == sorted([SAFE[EVIL], SAFE[NUL], "Total"])


def test_the_other_forms_keep_the_labels_as_they_are(db: Path, tmp_path: Path) -> None:
    report = json.loads(invoke("report", "--by", "campaign", "-f", "json", "--db", db).stdout)
    assert sorted(g["label"] for g in report["groups"]) == sorted([EVIL, NUL])
    revenue = invoke("report", "--revenue", "--by", "campaign", *AS_OF, "-f", "json", "--db", db)
    assert sorted(g["label"] for g in json.loads(revenue.stdout)["groups"]) == sorted([EVIL, NUL])
    target = tmp_path / "rep.json"
    invoke("export", "report", "--by", "campaign", "-o", target, "--db", db)
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert sorted(r["label"] for r in exported if r["level"] == "group") == sorted([EVIL, NUL])
    markdown = invoke("report", "--by", "campaign", "-f", "markdown", "--db", db).stdout
    assert f"| {EVIL} |" in markdown


@pytest.mark.parametrize(
    ("args", "flags"),
    [
        (("--model", "first-touch"), "--model needs"),
        (("--model", "w-shaped"), "--model needs"),  # the default, given: refused too
        (AS_OF, "--as-of needs"),
        (("--weights", "ft=1"), "--weights needs"),
        (("--model", "custom", "--weights", "ft=1", *AS_OF), "--model, --as-of, --weights need"),
    ],
)
def test_revenue_options_without_revenue_are_refused(db: Path, args: tuple, flags: str) -> None:
    result = invoke("report", "--db", db, *args, ok=False)
    assert result.exit_code == 2
    assert f"{flags} --revenue" in " ".join(result.stderr.split())
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "flags"),
    [
        (("--status", "merged"), "--status applies"),
        (("--status", "all"), "--status applies"),  # the default, given: refused too
        (("--since", "2026-03-01", "--top", "3"), "--since, --top apply"),
    ],
)
def test_calls_report_options_with_revenue_are_refused(db: Path, args: tuple, flags: str) -> None:
    result = invoke("report", "--db", db, "--revenue", *AS_OF, *args, ok=False)
    assert result.exit_code == 2
    assert f"{flags} to the calls report, not to --revenue" in " ".join(result.stderr.split())


def test_rejects_are_exported_in_a_total_order() -> None:
    """Rejects that share file, line and column are ordered by their error."""
    con = duckdb.connect()
    queries.run(con, "session_setup")
    queries.run(con, "create_schema", packed_details=False)
    for error in ("z: the last error", "a: the first error"):
        con.execute(
            'INSERT INTO rejects (role, file_id, file, line, "column", error, raw) '
            "VALUES ('tasks', 0, 'tasks.csv', 2, 'CreatedDate', ?, 'T1,,x')",
            [error],
        )
    rows = queries.run(con, "export_rejects", fmt="csv", to_file=False, stale=False).fetchall()
    assert [row[3] for row in rows] == ["a: the first error", "z: the last error"]


def test_the_readmes_calls_by_channel_example_shows_each_row_once(db: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    example = re.search(r'^duckdb calltouch\.duckdb -c "(.*calls_by_channel.*)"$', readme, re.M)
    assert example is not None
    con = duckdb.connect(str(db), read_only=True)
    try:
        cursor = con.execute(example.group(1))
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    keys = [tuple(v for v in row.values() if not isinstance(v, int | float)) for row in rows]
    assert len(keys) == len(set(keys)) == 3, rows  # Paid Search twice: AdWords and Bing


MARKUP = "<img src=x onerror=alert(1)> *big* _it_ [link](http://e) `code` a|b ~s~ \\ &copy;"


def test_markdown_reports_show_markup_in_labels_as_text(tmp_path: Path) -> None:
    """A channel (or campaign) is the warehouse's text: in a Markdown report it must read as
    that text, not become HTML, emphasis, a link or code where the table is rendered."""
    db = tmp_path / "w.duckdb"
    tasks = write(
        tmp_path / "tasks.csv",
        ["Id", "BizibleId", "CreatedDate"],
        [["00T5e0000kBRaogEAD", "abc", "2026-03-02T12:40:00Z"]],
    )
    sessions = write(
        tmp_path / "sessions.csv",
        ["ID", "COOKIE_ID", "EVENT_DATE", "CHANNEL", "CAMPAIGN_NAME"],
        [["S1", "abc", "2026-03-02T12:17:00Z", MARKUP, f"line\r\nbreak {MARKUP}"]],
    )
    invoke("load", "tasks", tasks, "--db", db)
    invoke("load", "sessions", sessions, "--db", db)
    invoke("match", "--db", db, "--quiet")
    escaped = (
        r"\<img src=x onerror=alert(1)\> \*big\* \_it\_ \[link\](http://e) \`code\` a\|b "
        r"\~s\~ \\ \&copy;"
    )
    channel = invoke("report", "-f", "markdown", "--db", db).stdout
    assert f"| {escaped} | 1 | 1 | 0 | 100.0% | 100.0% |" in channel
    campaign = invoke("report", "--by", "campaign", "-f", "markdown", "--db", db).stdout
    assert f"| line break {escaped} | 1 |" in campaign


def test_json_outputs_write_amounts_exactly(tmp_path: Path) -> None:
    # a float cannot hold 98765432109876.54: report --revenue -f json and journey -f json
    # wrote 98765432109876.55 (and 1e+16 near 1e16), where the CSV outputs had the cents
    amount = "98765432109876.54"
    db = tmp_path / "w.duckdb"
    files = {
        "tasks": write(
            tmp_path / "tasks.csv",
            ["Id", "BizibleId", "CreatedDate", "Type", "WhoId"],
            [["00T5e0000kBRaogEAD", "abc", "2026-03-02T12:40:00Z", "Call", CONTACT]],
        ),
        "sessions": write(
            tmp_path / "sessions.csv",
            ["ID", "COOKIE_ID", "EVENT_DATE", "CHANNEL"],
            [["S1", "abc", "2026-03-02T12:17:00Z", "Paid Search.AdWords"]],
        ),
        "opportunities": write(
            tmp_path / "opportunities.csv",
            ["ID", "AMOUNT", "CREATEDDATE", "CLOSEDATE", "ISWON", "ISCLOSED"],
            [["0065e00000GmSdlAAF", amount, "2026-03-03T05:21:49Z", "2026-03-20", "true", "true"]],
        ),
        "contact-roles": write(
            tmp_path / "roles.csv",
            ["ID", "OPPORTUNITYID", "CONTACTID", "ISPRIMARY"],
            [["00K5e0000o1pgpqEAA", "0065e00000GmSdlAAF", CONTACT, "true"]],
        ),
    }
    for role, path in files.items():
        invoke("load", role, path, "--db", db)
    invoke("match", "--db", db, "--quiet")
    report = invoke("report", "--revenue", *AS_OF, "-f", "json", "--db", db).stdout
    assert f'"won_revenue": {amount},' in report and "98765432109876.55" not in report
    journey = invoke("journey", "0065e00000GmSdlAAF", "-f", "json", "--db", db).stdout
    assert f'"amount": {amount},' in journey
    assert json.loads(journey)["opportunity"]["amount"] == float(amount)  # still a number


CONTROLS = "esc \x1b[31mRED\x1b[0m \x1b]0;TITLE\x07 cr\rmid"


@pytest.fixture(scope="module")
def controls_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One merged call whose campaign (a utm_campaign anyone can set) holds a colour escape,
    an OSC title sequence, a BEL and a CR; and a second call whose campaign holds a CRLF."""
    folder = tmp_path_factory.mktemp("controls")
    db = folder / "w.duckdb"
    tasks = write(
        folder / "tasks.csv",
        ["Id", "BizibleId", "CreatedDate"],
        [
            ["00T5e0000kBRaogEAD", "abc", "2026-03-02T12:40:00Z"],
            ["00T5e0000kBRaohEAD", "def", "2026-03-02T12:40:00Z"],
        ],
    )
    sessions = write(
        folder / "sessions.csv",
        ["ID", "COOKIE_ID", "EVENT_DATE", "CHANNEL", "CAMPAIGN_NAME"],
        [
            ["S1", "abc", "2026-03-02T12:17:00Z", "Direct", CONTROLS],
            ["S2", "def", "2026-03-02T12:17:00Z", "Direct", "two\r\nlines"],
        ],
    )
    invoke("load", "tasks", tasks, "--db", db)
    invoke("load", "sessions", sessions, "--db", db)
    invoke("match", "--db", db, "--quiet")
    return db


def test_terminal_views_show_control_characters_never_send_them(controls_db: Path) -> None:
    """A label's ESC would recolour the terminal or set its title, its CR or LF split the
    row: the table and the dashboard show each as its Unicode picture (␛, ␇, ␍, ␊)."""
    for args in (("report", "--by", "campaign"), ("dashboard", "--by", "campaign")):
        shown = invoke(*args, "--db", controls_db).stdout
        assert "\x1b" not in shown and "\x07" not in shown and "\r" not in shown, args
        assert "esc ␛[31mRED" in shown, args
        assert "two␍␊lines" in shown, args


def _two_channels_db(tmp_path: Path, first: str, second: str) -> Path:
    """A workspace of two merged calls, of channels ``first`` and ``second``, whose campaigns
    hold a C1 CSI (U+009B) and a left-to-right isolate (U+2066)."""
    db = tmp_path / "w.duckdb"
    tasks = write(
        tmp_path / "tasks.csv",
        ["Id", "BizibleId", "CreatedDate"],
        [["T1", "c1", "2026-03-02T12:40:00Z"], ["T2", "c2", "2026-03-02T12:40:00Z"]],
    )
    sessions = write(
        tmp_path / "sessions.csv",
        ["ID", "COOKIE_ID", "EVENT_DATE", "CHANNEL", "CAMPAIGN_NAME"],
        [
            ["S1", "c1", "2026-03-02T12:17:00Z", first, "\x9b2J"],
            ["S2", "c2", "2026-03-02T12:17:00Z", second, "x\u2066y"],
        ],
    )
    invoke("load", "tasks", tasks, "--db", db)
    invoke("load", "sessions", sessions, "--db", db)
    invoke("match", "--db", db, "--quiet")
    return db


def test_markdown_json_and_tables_never_send_c1_or_bidi_controls(tmp_path: Path) -> None:
    """report -f markdown printed a label's ESC as itself (an ESC c reset the terminal), -f
    json a C1 CSI (U+009B) and a right-to-left override (U+202E) raw, which the tables
    printed raw too: the rest of the row, figures included, read reversed."""
    db = _two_channels_db(tmp_path, "Paid\x1bc", "\u202eEmail")
    raw = ("\x1b", "\x9b", "\u202e", "\u2066")
    for by in ("channel", "campaign"):
        markdown = invoke("report", "--by", by, "-f", "markdown", "--db", db).stdout
        shown = invoke("report", "--by", by, "--db", db).stdout
        text = invoke("report", "--by", by, "-f", "json", "--db", db).stdout
        for said in (markdown, shown, text):
            assert not any(c in said for c in raw), (by, said)
        labels = {g["label"] for g in json.loads(text)["groups"]}  # the same data, escaped
        assert labels == (
            {"Paid\x1bc", "\u202eEmail"} if by == "channel" else {"\x9b2J", "x\u2066y"}
        )
    assert "Paid␛c" in invoke("report", "-f", "markdown", "--db", db).stdout


def test_error_messages_show_control_characters_never_send_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The messages quote what a user or a file gave with repr(), escaping controls; should
    one quote it as it is, the printer still shows its controls, and keeps the message's own
    line breaks."""
    with pytest.raises(typer.Exit) as stop, user_errors():
        raise InputError("no task 00T\x1b]0;TITLE\x07 here\nsecond line", hint="a\rb")
    assert stop.value.exit_code == 2
    said = capsys.readouterr().err
    assert "\x1b" not in said and "\r" not in said
    assert "00T␛]0;TITLE␇ here\nsecond line" in said and "a␍b" in said


def test_load_and_inspect_show_a_headers_control_characters(tmp_path: Path) -> None:
    """A header's ESC reached the terminal through load's notes and inspect's description."""
    tasks = tmp_path / "t.csv"
    tasks.write_text(
        "Id,BizibleId,CreatedDate,Note\x1b[31mRED,Note\x1b[31mRED\n"
        "T1,ck1,2026-03-02T10:00:00Z,a,b\n",
        encoding="utf-8",
    )
    loaded = invoke("load", "tasks", tasks, "--db", tmp_path / "w.duckdb", "-q")
    inspected = invoke("inspect", tasks)
    for said in (loaded.stderr, inspected.stdout):
        assert "\x1b" not in said and "Note␛[31mRED" in said


@pytest.mark.parametrize("fmt", ["csv", "markdown", "html", "json"])
def test_a_report_on_stdout_is_the_bytes_of_its_file(
    controls_db: Path, tmp_path: Path, fmt: str
) -> None:
    """``report -f FMT`` on stdout, redirected to a file, gives the file ``-o`` writes: a CR or
    BEL in a label is the data's, kept in both (rich, printing text, would drop them)."""
    target = tmp_path / f"report.{ {'markdown': 'md'}.get(fmt, fmt) }"
    printed = invoke("report", "--by", "campaign", "-f", fmt, "--db", controls_db).stdout_bytes
    invoke("report", "--by", "campaign", "-f", fmt, "-o", target, "--db", controls_db)
    assert printed == target.read_bytes()
    if fmt == "csv":
        assert b"cr\rmid" in printed and b"\x07" in printed


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, ""),
        (0.0, "0.0%"),
        (0.00025, "<0.1%"),
        (0.0005, "0.1%"),
        (0.4567, "45.7%"),
        (0.9994, "99.9%"),
        (0.9995, ">99.9%"),
        (1999 / 2000, ">99.9%"),
        (1.0, "100.0%"),
    ],
)
def test_a_rate_short_of_all_never_reads_100_percent(value: float | None, shown: str) -> None:
    # 1,999 of 2,000 calls merged read "100.0%" beside a headline of one standalone call
    assert pct(value) == shown


def _figures_table():
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAVY, pad_edge=False, collapse_padding=True, title="Calls")
    table.add_column("Channel", no_wrap=True, max_width=26, overflow="ellipsis")
    for name in ("Calls", "Merged", "Standalone", "Merge %", "Share"):
        table.add_column(name, justify="right")
    table.add_column("", no_wrap=True, width=8)
    table.add_row(
        "Paid Search Campaign Spring", "1,195,300", "1,000", "234", "81.0%", "100.0%", "█" * 8
    )
    table.add_row("Email", "1", "1", "0", "100.0%", "0.1%", "█")
    return table


@pytest.mark.parametrize("width", [120, 80, 60, 50, 40, 30, 16])
def test_a_fitted_table_never_cuts_a_figure_and_says_what_it_leaves_out(width: int) -> None:
    # rich cut figures short to fit (1,195,3… for 1,195,300, 10… for 100.0%) and at 40
    # columns left whole columns out without a word: a Total row without Calls read wrongly
    from rich.console import Console

    from calltouch.report import Fitted

    console = Console(width=width, record=True, file=io.StringIO())
    console.print(Fitted(_figures_table(), "use --format csv or json"))
    text = console.export_text()
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines)
    header = lines[next(i for i, line in enumerate(lines) if "━" in line) - 1]
    figures = {
        "Calls": ("1,195,300", "1"), "Merged": ("1,000",), "Standalone": ("234",),
        "Merge %": ("81.0%", "100.0%"), "Share": ("100.0%", "0.1%"),
    }  # fmt: skip
    shown = [name for name in figures if name in header]
    for name in shown:
        assert all(figure in text for figure in figures[name]), name
    assert not re.search(r"\d…", text)
    said = " ".join(text.split())
    if width >= 80:
        assert "Too narrow" not in said and "Share" in shown
    else:
        assert (
            "Too narrow to show" in said
            and f"({width} columns): widen the terminal, or use --format csv or json." in said
        )
        assert "Calls" in shown  # the label gives way first, then columns from the right


@pytest.mark.parametrize(("width", "whole"), [(200, True), (150, True), (80, False)])
def test_a_fitted_label_is_whole_where_the_terminal_has_room(width: int, whole: bool) -> None:
    # the label stopped at its column's max_width (26-30) on any terminal: two landing pages
    # differing after their 30th character read alike even at 200 columns
    from rich.console import Console

    from calltouch.report import Fitted

    pages = [f"https://www.example.com/products/pumps/{n}?utm_source=google&x=1" for n in "ab"]
    table = _figures_table()
    for page in pages:
        table.add_row(page, "7", "7", "0", "100.0%", "1.0%", "█")
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(Fitted(table))
    text = console.export_text()
    assert all(len(line) <= width for line in text.splitlines())
    assert "1,195,300" in text and not re.search(r"\d…", text)
    assert [page in text for page in pages] == [whole] * 2, text


def test_report_csv_quotes_a_label_with_a_lone_carriage_return(controls_db: Path) -> None:
    # the csv module quotes only its line terminator's characters: a campaign's lone CR was
    # written bare, and every CSV reader split its row in two (export report quoted it)
    text = invoke("report", "--by", "campaign", "-f", "csv", "--db", controls_db).stdout
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert {len(row) for row in rows} == {6}
    assert CONTROLS in [row[0] for row in rows] and rows[-1][0] == "Total"


@pytest.mark.parametrize("width", [100, 60, 50, 40])
def test_journey_and_status_never_cut_a_figure_and_say_what_they_leave_out(
    width: int,
) -> None:
    # their tables were not fitted: at 50 columns journey showed the Lead share 100% as "10"
    # and dropped W and Full without a word (the legend still named them); status showed
    # 3,864 rows as "3,8…" and left the # and File columns out
    from rich.console import Console

    from calltouch import views

    journey = {
        "kind": "opportunity", "settings": {"weights": None},
        "opportunity": {
            "opportunity_id": "0065e00000e9cs3AAA", "status": "won", "stage": None,
            "amount": 1000, "created_date": "2026-03-01", "close_date": "2026-03-20",
            "journey_until": "2026-03-20", "contacts": ["0035e0000YzcJIvAQM"],
            "unattributed_models": [], "unattributed_reason": None,
        },
        "touchpoints": [
            {
                "seq": 1, "touchpoint_date": "2026-03-03T12:47:00Z", "kind": "call",
                "touchpoint_type": "Inbound Call", "channel": "Paid Search",
                "subchannel": "Google", "positions": ["FT", "LC"], "first_touch": 1,
                "lead_creation": 1, "u_shaped": 0.5, "w_shaped": 0.333333, "full_path": 0.3,
            },
        ],
    }  # fmt: skip
    loads = [
        {
            "load_id": 1, "role": "sessions", "path": "exports/2026-03/sessions.csv",
            "rows_read": 3864, "rows_rejected": 1, "rows_deleted": 0,
            "first": "2026-03-02T00:00:12Z", "last": "2026-03-31T23:50:32Z",
        },
    ]  # fmt: skip
    status = {
        "database": "calltouch.duckdb", "loads": loads, "last_match": None, "stale": False,
        "totals": {}, "unread_columns": [], "stale_reason": "up to date",
    }  # fmt: skip
    for view, figures in (
        (views.journey(journey), ("100%", "50%", "33.3%", "30%")),
        (views.status(status), ("3,864", "2026-03-02", "2026-03-31")),
    ):
        console = Console(width=width, record=True, file=io.StringIO())
        console.print(view)
        text = console.export_text()
        assert all(len(line) <= width for line in text.splitlines())
        assert not re.search(r"\d…", text), text
        said = " ".join(text.split())
        header = next(line for line in text.splitlines() if "#" in line)
        left_out = [figure for figure in figures if figure not in text]
        if left_out:
            assert "Too narrow to show" in said and "use --format json" in said, text
        assert "#" in header and ("File" in header or "Touchpoint" in header), header
        if width >= 100:
            assert not left_out, text


def test_html_shows_control_and_bidi_characters_as_signs(tmp_path: Path) -> None:
    # the page wrote a label's ESC, BEL and C1 CSI raw (html5lib: invalid-codepoint), and a
    # channel's unclosed U+202E reversed the rest of its bar's tooltip, figures included
    db = _two_channels_db(tmp_path, "Paid\x1b]0;T\x07", "\u202eEmail 12")
    for by in ("channel", "campaign"):
        page = tmp_path / f"{by}.html"
        invoke("report", "--by", by, "-o", page, "--db", db)
        html = page.read_text(encoding="utf-8")
        controls = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
        assert not re.search(controls, html), by
    assert "Paid␛]0;T␇" in (tmp_path / "channel.html").read_text(encoding="utf-8")
    assert "\ufffdEmail 12: 1 call, 1 merged" in (tmp_path / "channel.html").read_text("utf-8")


def test_csv_printed_on_a_terminal_shows_control_characters_as_signs(
    controls_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # report -f csv on a terminal sent a label's OSC (it set the terminal's title) and its
    # CSI as they are; piped or written with -o they stay the file's bytes
    from calltouch import cli_workspace

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    text = invoke("report", "--by", "campaign", "-f", "csv", "--db", controls_db).stdout
    assert "\x1b]0;TITLE\x07" in text  # not a terminal: the CSV as -o writes it
    shown = Terminal()
    monkeypatch.setattr(cli_workspace.sys, "stdout", shown)
    cli_workspace._emit(text, None, "report")
    printed = shown.getvalue()
    assert "\x1b" not in printed and "\x07" not in printed and "\r" not in printed
    assert "esc ␛[31mRED␛[0m ␛]0;TITLE␇ cr␍mid" in printed
    assert printed.count("\n") == text.count("\n")  # CSV's CRLF ends are line ends still
