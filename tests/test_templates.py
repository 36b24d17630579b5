"""The query layer's contract: every template declares name, purpose, binds and context; the
context it declares is the context it uses; identifiers are quoted by one filter; values only
travel as bind parameters; the query layer runs without typer or rich."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import jinja2
import pytest

from calltouch import queries
from calltouch.errors import QueryError, TemplateError

ROOT = Path(__file__).resolve().parents[1]
SQL_FILES = sorted(p for p in (ROOT / "sql").iterdir() if p.suffix in {".sql", ".j2"})


def test_sql_folder_is_the_one_the_package_uses() -> None:
    assert queries.sql_dir().resolve() == (ROOT / "sql").resolve()


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: p.name)
def test_every_template_starts_with_a_complete_header(path: Path) -> None:
    info = queries.parse_header(path)
    assert info.name == path.name.removesuffix(".j2").removesuffix(".sql")
    assert len(info.purpose) > 15
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("-- name: ")


@pytest.mark.parametrize("name", queries.template_names())
def test_declared_context_is_exactly_the_used_context(name: str) -> None:
    assert queries.used_context(name) == queries.info(name).context


def test_template_names_cover_the_runnable_files() -> None:
    runnable = {p.name.removesuffix(".j2").removesuffix(".sql") for p in SQL_FILES}
    assert set(queries.template_names()) == {n for n in runnable if not n.startswith("_")}


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("channel", '"channel"'),
        ('we"ird', '"we""ird"'),
        ("Robert'); DROP TABLE tasks;--", '"Robert\'); DROP TABLE tasks;--"'),
        ("émoji 📞", '"émoji 📞"'),
        ("", '""'),
    ],
)
def test_quote_identifier_wraps_and_doubles_quotes(name: str, quoted: str) -> None:
    assert queries.quote_identifier(name) == quoted


def test_quoted_identifier_round_trips_through_duckdb() -> None:
    con = duckdb.connect()
    for name in ['we"ird', "a b", "select", "Robert'); DROP TABLE t;--", "Ünïcode"]:
        cursor = con.execute(f"SELECT 1 AS {queries.quote_identifier(name)}")
        assert cursor.description[0][0] == name


def test_quote_identifier_refuses_nul() -> None:
    with pytest.raises(TemplateError):
        queries.quote_identifier("a\x00b")


def test_environment_is_strict_and_does_not_escape() -> None:
    env = queries.environment()
    assert env.undefined is jinja2.StrictUndefined
    assert env.autoescape is False
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ nope }}").render()


def test_render_refuses_undeclared_and_missing_context() -> None:
    with pytest.raises(TemplateError, match="not declared: extra"):
        queries.render("drop_table", table="x", extra=1)
    with pytest.raises(TemplateError, match="missing: table"):
        queries.render("drop_table")


def test_run_refuses_unknown_and_missing_binds() -> None:
    con = queries.connect()
    with pytest.raises(TemplateError, match="not declared"):
        queries.run(con, "check_time_zone", {"tz": "UTC", "other": 1})
    with pytest.raises(TemplateError, match="no value given"):
        queries.run(con, "check_time_zone", {})


def test_values_travel_as_binds_not_sql_text() -> None:
    con = queries.connect()
    hostile = "UTC'; DROP TABLE x; --"
    assert queries.run(con, "check_time_zone", {"tz": hostile}).fetchall() == []
    assert hostile not in queries.render("check_time_zone")


def test_duckdb_errors_are_wrapped_once_with_the_template_name() -> None:
    con = queries.connect()
    with pytest.raises(QueryError) as info:
        queries.run(con, "file_load_counts", {"file_id": 0}, table="no_such_table")
    assert info.value.template == "file_load_counts"
    assert "file_load_counts:" in str(info.value)
    assert "no_such_table" in str(info.value)


def test_connections_compute_in_utc_whatever_the_machine_zone() -> None:
    code = (
        "from calltouch import queries; con = queries.connect(); "
        "print(con.execute(\"SELECT current_setting('TimeZone')\").fetchone()[0])"
    )
    for zone in ("America/Los_Angeles", "Asia/Kolkata"):
        done = subprocess.run(
            [sys.executable, "-c", code],
            env={"TZ": zone, "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        )
        assert done.stdout.strip() == "UTC"


def test_query_layer_imports_neither_typer_nor_rich() -> None:
    code = (
        "import sys; import calltouch.pipeline, calltouch.queries, calltouch.load, "
        "calltouch.outputs, calltouch.inputs; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'typer', 'rich', 'click'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


SQL_KEYWORDS = re.compile(r"\b(SELECT|FROM|WHERE|INSERT|COPY|ATTACH|CREATE|DROP)\b")


def test_no_python_module_builds_sql_from_strings() -> None:
    """f-strings and .format() never produce SQL: every query lives in sql/."""
    offenders = []
    for path in sorted((ROOT / "calltouch").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                text = "".join(
                    v.value
                    for v in node.values
                    if isinstance(v, ast.Constant) and isinstance(v.value, str)
                )
                if SQL_KEYWORDS.search(text):
                    offenders.append(f"{path.name}:{node.lineno}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"execute", "sql", "query"}
                and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "queries")
                and path.name != "queries.py"
            ):
                offenders.append(f"{path.name}:{node.lineno} calls .{node.func.attr}()")
    assert offenders == []


def _bind_names(path: Path) -> set[str]:
    """The ``$name`` binds a template's text uses, outside Jinja and SQL comments, with those
    of the macro files it imports."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.DOTALL)
    text = re.sub(r"--[^\n]*", "", text)
    names = set(re.findall(r"\$([A-Za-z_]\w*)", text))
    for imported in re.findall(r"(?:import|from|include)\s+'(_[\w.]+)'", text):
        names |= _bind_names(path.parent / imported)
    return names


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: p.name)
def test_declared_binds_are_used(path: Path) -> None:
    """The header's binds are the ones its statements (or the macros it imports) can use:
    running already refuses a bind used but not declared; this refuses one declared in vain."""
    declared = set(queries.parse_header(path).binds)
    assert declared <= _bind_names(path), declared - _bind_names(path)


def test_the_loads_plans_hold_no_join(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A load keeps a file's rows in file order (R9's "last read", the rejected rows' lines)
    only while its plan has no join: DuckDB plans an IN list of five or more constants as one,
    and ct_bool's did, so a large CSV with a flag column (IsDeleted, HAS_FORM, IsWon) loaded
    into a workspace out of order. Every flag and time column is read here, and each load's
    plan is checked. (A one-shot session load joins on purpose, to check the cookies, and
    places its rows otherwise: see load_sessions.)"""
    from calltouch import cli  # noqa: F401  (the command registers the workspace commands)
    from tests.harness import invoke

    plans: dict[str, str] = {}
    execute = queries._execute

    def explained(con, name, statement, values):  # type: ignore[no-untyped-def]
        if name.startswith("load_") and statement.type == duckdb.StatementType.INSERT:
            rows = con.execute("EXPLAIN " + statement.query, values).fetchall()
            plans[name] = "\n".join(str(row[1]) for row in rows)
        return execute(con, name, statement, values)

    monkeypatch.setattr(queries, "_execute", explained)
    files = {
        "tasks": "Id,BizibleId,CreatedDate,LastModifiedDate,IsDeleted\n"
        "T1,c1,2026-03-02T12:40:00Z,2026-03-03T00:00:00Z,false\n",
        "sessions": "ID,COOKIE_ID,EVENT_DATE,CHANNEL,MODIFIED_DATE,HAS_FORM,IS_DELETED\n"
        "S1,c1,2026-03-02 12:17:00,Email,2026-03-03 00:00:00,TRUE,false\n",
        "opportunities": "Id,Amount,CreatedDate,CloseDate,IsWon,IsClosed,IsDeleted\n"
        "0065e0000vqB9fVAAS,100,2026-03-01T00:00:00Z,2026-03-10,true,true,false\n",
        "people": "Id,bizible2__BizibleId__c,ConvertedContactId,IsDeleted\n"
        "00Q5e0000ziMYsjEAG,c1,,false\n",
    }
    db = tmp_path / "w.duckdb"
    for role, text in files.items():
        path = tmp_path / f"{role}.csv"
        path.write_text(text, encoding="utf-8")
        invoke("load", role, path, "--db", db, "-q")
    assert set(plans) == {"load_tasks", "load_sessions", "load_records"}
    for name, plan in plans.items():
        assert "JOIN" not in plan.upper(), f"{name} plans a join:\n{plan}"


# An aggregate's FILTER clause followed by OVER, across lines and nested parentheses.
WINDOWED_FILTER = re.compile(r"\bFILTER\s*\((?:[^()]|\([^()]*\))*\)\s*OVER\b", re.IGNORECASE)


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: p.name)
def test_no_windowed_aggregate_uses_filter(path: Path) -> None:
    """DuckDB evaluates a windowed aggregate with FILTER row by row over its partition when
    the partition is also sorted for another window: attribution_shares' count(*) FILTER
    took 63-72 s on a bot cookie's journeys (80k sessions, 40k calls), 3.5 s as a sum of CASE.
    Windowed aggregates use CASE WHEN ... END inside the aggregate instead."""
    text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
    assert not WINDOWED_FILTER.search(text), WINDOWED_FILTER.search(text)
