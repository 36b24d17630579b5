"""Breaking any single rule of R1-R9 in the SQL makes the rule tests fail.

Each mutation below edits one template the way a plausible bug would (a `<=` turned into `<`, a
tie-break reversed, ...). The test copies sql/ to a temporary folder, applies the mutation, points
the query layer at the copy and runs the rule tests of tests/test_rules.py until one fails. A
mutation that no rule test notices is a hole in the tests, and fails here.
"""

from __future__ import annotations

import inspect
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from calltouch import pipeline, queries
from calltouch.errors import QueryError, TemplateError
from tests import test_rules

# slow: every rule broken in turn, each running the rule tests: about 1.5 min (make test runs it;
# plain pytest leaves it out)
pytestmark = pytest.mark.slow

MUTATIONS: list[tuple[str, ...]] = [
    # (rule, template file, text to replace, replacement[, match strategy when not the default])
    (
        "R1",
        "match.sql.j2",
        "FROM tasks AS t\nJOIN ct_cookies AS k",
        "FROM tasks AS t\nLEFT JOIN ct_cookies AS k",
    ),
    ("R1", "session_setup.sql", "chr(32) || chr(9)", "chr(32)"),
    ("R2", "match.sql.j2", "c.call_time >= s.session_start", "c.call_time > s.session_start"),
    ("R2", "match.sql.j2", "c.call_time >= s.session_start", "c.call_time <= s.session_start"),
    (
        "R2",
        "match.sql.j2",
        "s.session_start <= c.call_time",
        "s.session_start < c.call_time",
        "range",
    ),
    (
        "R2",
        "match.sql.j2",
        "JOIN ct_cookies AS k ON k.bizible_id = r.cookie_id\n    WHERE",
        "JOIN ct_cookies AS k ON lower(k.bizible_id) = lower(r.cookie_id)\n    WHERE",
    ),
    ("R2", "match.sql.j2", "max(s.session_start) AS", "min(s.session_start) AS", "range"),
    (
        "R2",
        "load_sessions.sql.j2",
        "ct__calling{% else %}NULL{% endif %}\n            AS calling",
        "NOT ct__calling{% else %}NULL{% endif %}\n            AS calling",
    ),
    ("R2", "match.sql.j2", " AND s.session_start <= c.call_time", "", "range"),
    ("R3", "match.sql.j2", "<= $window_us", "< $window_us"),
    ("R3", "match.sql.j2", "<= $window_us", "<= 1800000000"),
    # the minutes of a call just past a window above 30m must not read as the window
    ("R3", "touchpoints.sql.j2", "<= $window_us", "<= 1800000000"),
    # a merged session must keep its details: it may start in the span before its call's
    ("R3", "calling_spans.sql", "(VALUES (0), (1))", "(VALUES (0))"),
    ("R3", "load_sessions.sql.j2", "CASE WHEN ct__span THEN", "CASE WHEN NOT ct__span THEN"),
    ("R4", "touchpoints.sql.j2", "coalesce(t.task_type, s.medium)", "s.medium"),
    ("R4", "touchpoints.sql.j2", "THEN 'Web Visit' ELSE", "THEN 'CRM Activity' ELSE"),
    # a call log's profile default (Call) must fill a blank Type only, not replace the log's
    (
        "R4",
        "load_tasks.sql.j2",
        "coalesce({{ load.text(cols.task_type) }}, $default_task_type)",
        "coalesce($default_task_type, {{ load.text(cols.task_type) }})",
    ),
    (
        "R4",
        "touchpoints.sql.j2",
        "CASE WHEN merged THEN s.campaign END",
        "CASE WHEN merged THEN s.ad_name END",
    ),
    ("R5", "touchpoints.sql.j2", "ELSE 'Other' END AS channel", "ELSE s.channel END AS channel"),
    (
        "R5",
        "touchpoints.sql.j2",
        "ELSE 'CRM Activity' END AS touchpoint_source",
        "END AS touchpoint_source",
    ),
    ("R5", "match.sql.j2", "WHEN k._cookie_key IS NOT NULL THEN", "WHEN false THEN"),
    (
        "R5",
        "match.sql.j2",
        "WHEN r.session_id IS NOT NULL THEN 'outside_window'",
        "WHEN false THEN 'x'",
    ),
    ("R6", "match.sql.j2", "ORDER BY call_time, task_id)", "ORDER BY call_time, task_id DESC)"),
    ("R6", "match.sql.j2", "ORDER BY call_time, task_id)", "ORDER BY task_id)"),
    (
        "R6",
        "match.sql.j2",
        "{% if per_session == 'one' %} AND r.rank_in_session = 1{% endif %}",
        "",
    ),
    (
        "R7",
        "match.sql.j2",
        "min(s.session_id) AS session_id, arg_min(s._row, s.session_id)",
        "max(s.session_id) AS session_id, arg_max(s._row, s.session_id)",
    ),
    (
        "R7",
        "export_touchpoints.sql.j2",
        "ORDER BY touchpoints.touchpoint_date, touchpoints.task_id",
        "ORDER BY touchpoints.task_id",
    ),
    (  # the output cells (ISO text) instead of the instants
        "R7",
        "export_touchpoints.sql.j2",
        "ORDER BY touchpoints.touchpoint_date, touchpoints.task_id",
        "ORDER BY touchpoint_date, task_id",
    ),
    (  # ct_ts: an instant's wall clock in another zone instead of UTC
        "R8",
        "session_setup.sql",
        "timezone('UTC', CASE WHEN s ILIKE",
        "timezone('America/New_York', CASE WHEN s ILIKE",
    ),
    (  # ct_iso_ts: a time with UTC+05:30 not read (it was read with its minutes dropped)
        "R8",
        "session_setup.sql",
        "THEN CASE WHEN NOT contains(ct_offset_tidy(upper(s)), 'UTC')",
        "THEN CASE WHEN false",
    ),
    (  # an offset no place has read as one
        "R8",
        "session_setup.sql",
        "MACRO ct_offset_ok(s) AS NOT regexp_matches(s,",
        "MACRO ct_offset_ok(s) AS true OR regexp_matches(s,",
    ),
    (
        "R8",
        "session_setup.sql",
        "CASE WHEN ts >= TIMESTAMP '0001-01-01' AND ts < TIMESTAMP '10000-01-01' THEN ts END;",
        "ts;",
    ),
    # nanoseconds rounded by the cast, or truncated towards 1970
    ("R8", "_load.sql.j2", "{% if col.nanos %}", "{% if false %}"),
    (
        "R8",
        "session_setup.sql",
        " - CASE WHEN epoch_ns(ns) % 1000 < 0 THEN 1 ELSE 0 END",
        "",
    ),
    (  # ct_ts: the lower-case z and t not read
        "R8",
        "session_setup.sql",
        "try_cast(upper(s) AS TIMESTAMPTZ),\n"
        "                                       try_cast(ct_offset_tidy(upper(s)) AS TIMESTAMPTZ))",
        "try_cast(s AS TIMESTAMPTZ))",
    ),
    ("R8", "set_time_zone.sql", "SET TimeZone = $tz;", "SELECT $tz;"),
    (
        "R8",
        "session_setup.sql",
        "strftime(ts, '%Y-%m-%dT%H:%M:%SZ')",
        "strftime(ts, '%Y-%m-%d %H:%M:%S')",
    ),
    (
        "R9",
        "_copies.sql.j2",
        "{% set LAST_FIRST = 'modstamp DESC NULLS LAST, _file_id DESC, _rid DESC' %}",
        "{% set LAST_FIRST = 'modstamp ASC NULLS LAST, _file_id DESC, _rid DESC' %}",
    ),
    (
        "R9",
        "_copies.sql.j2",
        "{% set LAST_FIRST = 'modstamp DESC NULLS LAST, _file_id DESC, _rid DESC' %}",
        "{% set LAST_FIRST = 'modstamp DESC NULLS LAST, _file_id DESC, _rid ASC' %}",
    ),
    (  # a deleted last copy removes its task (R9 chooses among the deleted records too)
        "R9",
        "_copies.sql.j2",
        """{% set CHOSEN = "(_error_field IS NULL OR _error_code = 'deleted')" %}""",
        """{% set CHOSEN = "(_error_field IS NULL)" %}""",
    ),
    (  # R9's order among a session id's copies (the sessions view and the matchable ones)
        "R9",
        "_copies.sql.j2",
        "'modstamp DESC NULLS LAST, _file_id DESC, _ord DESC NULLS LAST, _rid DESC'",
        "'modstamp ASC NULLS LAST, _file_id DESC, _ord DESC NULLS LAST, _rid DESC'",
    ),
    (
        "R9",
        "_copies.sql.j2",
        "_ord DESC NULLS LAST, _rid DESC'",
        "_ord ASC NULLS LAST, _rid DESC'",
    ),
    (
        "R9",
        "match.sql.j2",
        "GROUP BY task_id HAVING count(*) > 1",
        "GROUP BY task_id HAVING count(*) > 2",
    ),
    (
        "R9",
        "_copies.sql.j2",
        "GROUP BY session_id\nHAVING count(*) > 1",
        "GROUP BY session_id\nHAVING count(*) > 2",
    ),
    # one-shot runs find repeated ids in the load (repeated_session_keys), a workspace in match
    ("R9", "repeated_session_keys.sql", "WHERE h = previous", "WHERE h < previous"),
    ("R9", "session_setup.sql", "THEN id || ct_sf18_chunk(id, 0)", "THEN id || 'A'"),
]


def _rule_tests() -> Iterator[tuple[str, Callable[[Path], None]]]:
    """The rule tests that take only tmp_path, then the worked examples."""
    for name, func in inspect.getmembers(test_rules, inspect.isfunction):
        if name.startswith(("test_r", "test_worked_example_")) and list(
            inspect.signature(func).parameters
        ) == ["tmp_path"]:
            yield name, func
    for case in test_rules.WORKED_EXAMPLES:

        def run_example(tmp: Path, case: tuple = case) -> None:
            test_rules.test_worked_example(tmp, *case[1:])

        yield f"test_worked_example[{case[0]}]", run_example


@pytest.fixture
def mutated_sql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    target = tmp_path / "sql"
    shutil.copytree(queries.sql_dir(), target)
    monkeypatch.setattr(queries, "sql_dir", lambda: target)
    queries.environment.cache_clear()
    queries.info.cache_clear()
    yield target
    queries.environment.cache_clear()
    queries.info.cache_clear()


@pytest.mark.parametrize(
    ("rule", "template", "old", "new", "strategy"),
    [(*m, None)[:5] for m in MUTATIONS],
    ids=[f"{m[0]}-{i}" for i, m in enumerate(MUTATIONS)],
)
def test_breaking_a_rule_fails_a_rule_test(
    mutated_sql: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rule: str,
    template: str,
    old: str,
    new: str,
    strategy: str | None,
) -> None:
    if strategy is not None:  # a mutation of the other strategy's SQL: run the tests with it
        monkeypatch.setattr(pipeline, "MATCH_STRATEGY", strategy)
    path = mutated_sql / template
    text = path.read_text(encoding="utf-8")
    assert old in text, f"mutation for {rule} is stale: {old!r} not in {template}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    # The tests named after the broken rule run first; any failing rule test is enough.
    ordered = sorted(_rule_tests(), key=lambda t: not t[0].startswith(f"test_{rule.lower()}_"))
    for index, (name, func) in enumerate(ordered):
        workdir = tmp_path / f"case{index}"
        workdir.mkdir()
        try:
            func(workdir)
        except (TemplateError, QueryError):
            raise  # the mutation broke the SQL outright: no rule test caught a broken rule
        except Exception:  # an assertion, or the run's own checks (reconciliation)
            return
        assert name  # keep looking
    pytest.fail(f"breaking {rule} in {template} ({old!r} -> {new!r}) fails no rule test")
