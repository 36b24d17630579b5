"""The HTML report (issue 4, point 4): one self-contained page, escaped, deterministic, and
really rendered by a headless Chromium (DOM and screenshot checked).

Chromium is looked up on PATH (``make browser`` installs it). Without it the browser tests skip
with the reason, except under CI=true, where they fail: CI must have installed it.
"""

from __future__ import annotations

import collections
import itertools
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from calltouch import html_report, queries, reporting
from calltouch.pipeline import RunSettings, run
from calltouch.reporting import Report, ReportOptions

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FALLBACK = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Console messages of the page go to stderr as "INFO:CONSOLE...] "text", source: URL (line)".
    "--enable-logging=stderr",
    "--v=0",
)
# Tags the page may contain: nothing that runs code or fetches anything.
ALLOWED_TAGS = {
    *("html", "head", "meta", "title", "style", "body", "main", "header", "footer", "section"),
    *("div", "p", "span", "h1", "h2", "code"),
    *("table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"),
    *("svg", "desc", "defs", "clippath", "g", "rect", "text", "tspan", "line", "circle"),
    *("polyline", "polygon"),
}
HOSTILE = "<script>alert(1)</script>"
HOSTILE_CAMPAIGN = "</svg><img src=x onerror=alert(1)>"
NB = "\u00a0"  # no-break space
DASH = "\u2013"  # en dash
MERGED_RGB = (0x2F, 0x5B, 0xD3)  # --merged in report.css
STANDALONE_RGB = (0xE8, 0xA2, 0x3D)  # --standalone in report.css


# --- reports to render ----------------------------------------------------------------------


def sample_report_for(tmp: Path, by: str = "channel", **options: Any) -> Report:
    con = queries.connect()
    try:
        run(con, SAMPLE / "tasks.csv", SAMPLE / "sessions.csv", tmp, RunSettings())
        return reporting.build(con, ReportOptions(by=by, **options), extras=True)
    finally:
        con.close()


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return sample_report_for(tmp_path_factory.mktemp("sample-run"))


@pytest.fixture(scope="module")
def sample_html(sample_report: Report) -> str:
    return html_report.render_html(sample_report, source="data/sample")


def row(label: str, calls: int, merged: int, *, level: str = "group", of: int = 0) -> dict:
    return {
        "level": level,
        "label": label,
        "calls": calls,
        "merged": merged,
        "standalone": calls - merged,
        "merge_rate": round(merged / calls, 6) if calls else None,
        "share": round(calls / of, 6) if of else None,
    }


def hostile_report() -> Report:
    """Hand-made rows with markup, rich markup, quotes and big numbers in them."""
    total = 1_234_567 + 1_000
    return Report(
        options=ReportOptions("campaign"),
        groups=[
            row(HOSTILE, 1_234_567, 1_000_000, of=total),
            row("[bold]Brand[/bold] & \"quoted\" 'name'", 1_000, 1_000, of=total),
            row("Total", total, 1_001_000, level="total", of=total),
        ],
        reasons=[{"status": "unmatched", "reason": "<b>odd</b>", "calls": 12_345}],
        headline={
            "calls": total,
            "merged": 1_001_000,
            "standalone": total - 1_001_000,
            "unmatched": 12_345,
            "merge_rate": round(1_001_000 / total, 6),
            "first_call": "2025-12-29T08:00:00Z",
            "last_call": "2026-01-11T17:30:00.500Z",
        },
        weekly=[
            row("2026-W01", 600_000, 500_000, of=total),
            row("2026-W02", total - 600_000, 501_000, of=total),
        ],
        campaigns=[row(HOSTILE_CAMPAIGN, total, 1_001_000, of=total)],
    )


def empty_report() -> Report:
    """No touchpoints at all (every task lacked a BizibleId)."""
    return Report(
        options=ReportOptions(),
        groups=[row("Total", 0, 0, level="total")],
        reasons=[{"status": "unmatched", "reason": "no_bizible_id", "calls": 3}],
        headline={
            "calls": 0,
            "merged": 0,
            "standalone": 0,
            "unmatched": 3,
            "merge_rate": None,
            "first_call": None,
            "last_call": None,
        },
    )


# --- reading the page -------------------------------------------------------------------------


class Page(HTMLParser):
    """The elements of a page as (tag, attributes, classes), in document order, plus its text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], set[str]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.elements.append((tag, values, set(values.get("class", "").split())))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str, cls: str | None = None) -> list[dict[str, str]]:
        return [a for t, a, c in self.elements if t == tag and (cls is None or cls in c)]

    def inside(self, cls: str) -> list[tuple[str, dict[str, str], set[str]]]:
        """The elements from the one with class ``cls`` up to the next top-level chart."""
        start = next(i for i, (_, _, c) in enumerate(self.elements) if cls in c)
        rest = self.elements[start + 1 :]
        end = next((i for i, (t, _, c) in enumerate(rest) if "chart" in c), len(rest))
        return rest[:end]


def percent_width(value: str) -> float:
    assert value.endswith("%"), value
    return float(value[:-1])


def polyline_points(points: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in (p.split(",") for p in points.split())]


# --- the page as text --------------------------------------------------------------------------


def test_page_is_one_self_contained_document(sample_html: str) -> None:
    assert sample_html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<meta charset="utf-8">' in sample_html
    assert '<meta name="viewport"' in sample_html
    assert f"<title>Calls by channel · 1{NB}{DASH} 31{NB}Mar{NB}2026</title>" in sample_html
    lowered = sample_html.lower()
    # Nothing fetched and nothing run: no script, no link, no resource attribute, no URL at all.
    for needle in ("<script", "<link", "<img", "<iframe", "<object", "<embed", "@import"):
        assert needle not in lowered, needle
    assert "http://" not in lowered
    assert "https://" not in lowered
    assert not re.search(r"\s(src|href|srcset|xlink:href|action|poster|data)\s*=", lowered)
    assert set(re.findall(r"url\(([^)]*)\)", lowered)) == {"#bar-label-clip"}  # in-page only
    assert {tag for tag, _, _ in Page(sample_html).elements} <= ALLOWED_TAGS


def test_the_title_names_the_grouping(tmp_path: Path) -> None:
    # "Calls by channel" headed a page grouped by campaign or week
    for by, title in (("campaign", "Calls by campaign"), ("week", "Calls by week")):
        page = html_report.render_html(sample_report_for(tmp_path / by, by=by))
        assert f"<title>{title} · " in page and f"<h1>{title}</h1>" in page, by


def test_a_bars_tooltip_says_one_call_not_one_calls() -> None:
    report = Report(
        options=ReportOptions(),
        groups=[row("Direct", 1, 1), row("Email", 2, 1), row("Total", 3, 2, level="total")],
        reasons=[],
        headline={"calls": 3, "merged": 2, "standalone": 1, "unmatched": 0, "merge_rate": 2 / 3,
                  "first_call": None, "last_call": None},
    )  # fmt: skip
    page = html_report.render_html(report)
    assert "<title>Direct: 1 call, 1 merged" in page and "<title>Email: 2 calls, " in page


def test_headline_numbers_and_date_range(sample_report: Report, sample_html: str) -> None:
    h = sample_report.headline
    for key in ("calls", "merged", "standalone", "unmatched"):
        assert f'<p class="kpi-value">{h[key]:,}</p>' in sample_html
    assert f'<p class="kpi-value">{h["merge_rate"] * 100:.1f}%</p>' in sample_html
    assert f'<p class="kpi-value kpi-dates">1{NB}{DASH} 31{NB}Mar{NB}2026</p>' in sample_html


def test_hostile_names_are_escaped_and_shown_literally() -> None:
    html = html_report.render_html(hostile_report(), title="<i>title</i>", source="<b>src</b>")
    assert HOSTILE not in html
    assert HOSTILE_CAMPAIGN not in html
    assert "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;/svg&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;i&gt;title&lt;/i&gt;" in html
    assert "&lt;b&gt;src&lt;/b&gt;" in html
    assert "[bold]Brand[/bold] &amp; &#34;quoted&#34; &#39;name&#39;" in html
    page = Page(html)
    assert {tag for tag, _, _ in page.elements} <= ALLOWED_TAGS
    text = "".join(page.text)
    assert HOSTILE in text  # what a reader sees: the name itself
    assert HOSTILE_CAMPAIGN in text
    assert "[bold]Brand[/bold] & \"quoted\" 'name'" in text


def test_thousands_separators_and_one_decimal_percentages() -> None:
    html = html_report.render_html(hostile_report())
    assert '<td class="num">1,234,567</td>' in html
    assert '<p class="kpi-value">1,235,567</p>' in html  # calls
    assert '<p class="kpi-value">12,345</p>' in html  # unmatched
    assert '<p class="kpi-value">81.0%</p>' in html  # 1,001,000 / 1,235,567
    assert '<td class="num">12,345</td>' in html
    assert re.findall(r'<td class="num">(\d+\.\d+%)</td>', html)
    data_only = re.sub(r'<text class="axis"[^>]*>\d+%</text>', "", html)  # 0% ... 100% ticks
    for value in re.findall(r">(\d+(?:\.\d+)?)%<", data_only):
        assert re.fullmatch(r"\d+\.\d", value), value
    assert f"29{NB}Dec{NB}2025{NB}{DASH} 11{NB}Jan{NB}2026" in html


def bar_spans(page: Page) -> list[list[float]]:
    """The widths (in % of the chart) of the segments of each bar, bar by bar."""
    spans: list[list[float]] = []
    for tag, attrs, classes in page.inside("chart-bars"):
        if tag == "g" and "bar" in classes:
            spans.append([])
        elif tag == "rect" and classes & {"seg-merged", "seg-standalone"}:
            spans[-1].append(percent_width(attrs["width"]))
    return spans


@pytest.mark.slow
@pytest.mark.parametrize("by", ["channel", "subchannel", "campaign", "week"])
def test_one_bar_per_group(tmp_path: Path, by: str) -> None:
    report = sample_report_for(tmp_path, by)
    page = Page(html_report.render_html(report))
    assert len(page.find("g", "bar")) == len(report.rows) > 0
    spans = bar_spans(page)
    assert len(spans) == len(report.rows)
    assert all(segments and all(w > 0 for w in segments) for segments in spans)
    # The group with the most calls spans the whole width.
    assert max(sum(segments) for segments in spans) == pytest.approx(100, abs=0.02)


def test_bar_widths_are_proportional(sample_report: Report, sample_html: str) -> None:
    chart = Page(sample_html).inside("chart-bars")
    merged = [percent_width(a["width"]) for t, a, c in chart if "seg-merged" in c]
    standalone = [percent_width(a["width"]) for t, a, c in chart if "seg-standalone" in c]
    top = max(r["calls"] for r in sample_report.rows)
    assert merged == pytest.approx(
        [100 * r["merged"] / top for r in sample_report.rows if r["merged"]], abs=0.01
    )
    assert standalone == pytest.approx(
        [100 * r["standalone"] / top for r in sample_report.rows if r["standalone"]], abs=0.01
    )


def test_line_chart_has_one_point_per_week(sample_report: Report, sample_html: str) -> None:
    weeks = sample_report.weekly
    assert len(weeks) >= 2
    page = Page(sample_html)
    assert len(page.find("g", "point")) == len(weeks)
    assert len(page.find("circle")) == len(weeks)
    (line,) = page.find("polyline", "line")
    points = polyline_points(line["points"])
    assert len(points) == len(weeks)
    xs = [x for x, _ in points]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)  # weeks left to right
    # Higher merge rate, higher on the chart (smaller y).
    by_rate = sorted(zip((w["merge_rate"] for w in weeks), (y for _, y in points), strict=True))
    assert [y for _, y in by_rate] == sorted((y for _, y in by_rate), reverse=True)
    for week in weeks:
        assert f"{week['label']}: merge rate {week['merge_rate'] * 100:.1f}%" in sample_html


def test_groups_table_has_every_group_and_the_total(
    sample_report: Report, sample_html: str
) -> None:
    total = sample_report.total
    assert total["calls"] == sample_report.headline["calls"]
    foot = sample_html.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    assert '<th scope="row">Total</th>' in foot
    for key in ("calls", "merged", "standalone"):
        assert f'<td class="num">{total[key]:,}</td>' in foot
    assert f'<td class="num">{total["merge_rate"] * 100:.1f}%</td>' in foot
    body = sample_html.split('id="h-groups"', 1)[1].split("</table>", 1)[0]
    for group in sample_report.rows:
        assert f'<th scope="row" class="label">{group["label"]}</th>' in body
    for heading in ("Calls", "Merged", "Standalone", "Merge rate", "Share"):
        assert f">{heading}</th>" in body


def test_campaigns_and_reasons_tables(sample_report: Report, sample_html: str) -> None:
    campaigns = sample_html.split('id="h-campaigns"', 1)[1].split("</table>", 1)[0]
    assert len(re.findall(r'<th scope="row"', campaigns)) == len(sample_report.campaigns)
    assert "<tfoot>" not in campaigns
    for campaign in sample_report.campaigns:
        assert f">{campaign['label']}</th>" in campaigns
    reasons = sample_html.split('id="h-reasons"', 1)[1].split("</table>", 1)[0]
    assert sample_report.reasons
    for reason in sample_report.reasons:
        assert f"<code>{reason['reason']}</code>" in reasons
        assert f'<td class="num">{reason["calls"]:,}</td>' in reasons
        assert html_report.REASON_TEXT[reason["reason"]].replace("'", "&#39;") in reasons


def test_same_report_same_bytes(sample_report: Report, sample_html: str, tmp_path: Path) -> None:
    assert html_report.render_html(sample_report, source="data/sample") == sample_html
    again = sample_report_for(tmp_path)
    assert html_report.render_html(again, source="data/sample") == sample_html


def test_machine_time_zone_and_locale_do_not_reach_the_page(
    sample_html: str, tmp_path: Path
) -> None:
    code = (
        "import sys; from pathlib import Path\n"
        "from calltouch import html_report, queries, reporting\n"
        "from calltouch.pipeline import RunSettings, run\n"
        "con = queries.connect()\n"
        f"run(con, Path({str(SAMPLE / 'tasks.csv')!r}), Path({str(SAMPLE / 'sessions.csv')!r}),"
        f" Path({str(tmp_path / 'out')!r}), RunSettings())\n"
        "r = reporting.build(con, reporting.ReportOptions(by='channel'), extras=True)\n"
        "sys.stdout.write(html_report.render_html(r, source='data/sample'))\n"
    )
    env = {**os.environ, "TZ": "Pacific/Kiritimati", "LC_ALL": "C.UTF-8", "LANG": "de_DE.UTF-8"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, check=True, cwd=tmp_path
    )
    assert done.stdout.decode("utf-8") == sample_html


def test_no_touchpoints_renders_a_sensible_page() -> None:
    html = html_report.render_html(empty_report())
    page = Page(html)
    assert not page.find("g", "bar")
    assert not page.find("polyline")
    assert "No calls in this report." in html
    assert "<span>no calls</span>" in html
    assert f'<p class="kpi-value">{DASH}</p>' in html  # merge rate of nothing
    assert '<th scope="row">Total</th>' in html
    assert "<code>no_bizible_id</code>" in html
    assert "Every call merged" not in html


def test_a_period_without_calls_renders(tmp_path: Path) -> None:
    report = sample_report_for(tmp_path, since=date(2001, 1, 1), until=date(2001, 1, 31))
    assert report.headline["calls"] == 0 and not report.weekly and not report.campaigns
    html = html_report.render_html(report)
    assert "No calls in this report." in html
    assert "from 2001-01-01" in html and "until 2001-01-31" in html
    assert html == html_report.render_html(report)


def test_html_environment_escapes_and_sql_environment_does_not() -> None:
    env = html_report.environment()
    assert env.autoescape is True
    assert env.undefined.__name__ == "StrictUndefined"
    assert queries.environment().autoescape is False


def test_date_and_number_formats() -> None:
    assert html_report.date_range(None, None) == DASH
    assert html_report.date_range("2026-03-02T12:00:00Z", "2026-03-02T13:00:00Z") == (
        f"2{NB}Mar{NB}2026"
    )
    assert html_report.date_range("2026-03-01T00:00:00Z", "2026-04-30T00:00:00Z") == (
        f"1{NB}Mar{NB}{DASH} 30{NB}Apr{NB}2026"
    )
    assert html_report.number(1234567) == "1,234,567"
    assert html_report.number(None) == DASH
    assert html_report.percent(0.64234) == "64.2%"
    assert html_report.percent(1.0) == "100.0%"
    assert html_report.percent(None) == DASH
    assert html_report.week_label("2026-W09", with_year=False) == "W09"
    assert html_report.week_label("2026-W09", with_year=True) == "2026-W09"


def test_installed_wheel_finds_the_templates(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(dist)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("calltouch-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        f"calltouch/templates/{p.name}" for p in (ROOT / "calltouch" / "templates").iterdir()
    }
    assert shipped <= names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import sys\n"
        "from calltouch import html_report\n"
        "from calltouch.reporting import Report, ReportOptions\n"
        "head = {'calls': 0, 'merged': 0, 'standalone': 0, 'unmatched': 0, 'merge_rate': None,"
        " 'first_call': None, 'last_call': None}\n"
        "total = {'level': 'total', 'label': 'Total', 'calls': 0, 'merged': 0, 'standalone': 0,"
        " 'merge_rate': None, 'share': None}\n"
        "print(html_report.environment().loader.get_source(html_report.environment(),"
        " 'report.html.j2')[1])\n"
        "sys.stdout.write(html_report.render_html(Report(ReportOptions(), [total], [], head)))\n"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=elsewhere,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    source, _, page = done.stdout.partition("\n")
    assert Path(source) == site / "calltouch" / "templates" / "report.html.j2"
    assert "No calls in this report." in page


# --- the page in a real browser ----------------------------------------------------------------


def find_chromium() -> str | None:
    """The first Chromium found: on PATH by its usual names, else /usr/bin/chromium."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return str(CHROMIUM_FALLBACK) if CHROMIUM_FALLBACK.is_file() else None


@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        reason = (
            "no headless Chromium found (looked for "
            + ", ".join(CHROMIUM_NAMES)
            + f" on PATH and {CHROMIUM_FALLBACK}); run `make browser` to install it"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    return found


def run_chromium(
    chromium: str, page: Path, tmp: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def console_messages(stderr: str) -> list[str]:
    """What the page wrote to its console (Chromium's own log lines are not counted)."""
    return [line for line in stderr.splitlines() if re.search(r"CONSOLE[:(]", line)]


def page_requests(net_log: Path) -> list[str]:
    """URLs fetched on behalf of a file:// page (Chromium's own update pings are not)."""
    text = net_log.read_text(encoding="utf-8", errors="replace")
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # the log of a browser that did not exit cleanly
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    return sorted(
        {
            e["params"]["url"]
            for e in log["events"]
            if "url" in e.get("params", {})
            and "file://" in str(e["params"].get("network_isolation_key", ""))
        }
    )


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit, non-interlaced RGB or RGBA PNG (stdlib only)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks = 8, []
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            chunks.append(body)
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    prev = bytearray(stride)
    rows: list[bytes] = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:  # Sub
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 255
        elif kind == 2:  # Up
            line = bytearray((a + b) & 255 for a, b in zip(line, prev, strict=True))
        elif kind == 3:  # Average
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif kind == 4:  # Paeth
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = prev[i]
                c = prev[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rgb = bytes(line) if channels == 3 else bytes(v for i, v in enumerate(line) if i % 4 != 3)
        rows.append(rgb)
        prev = line
    return width, height, rows


def near(color: bytes, target: tuple[int, int, int], tolerance: int = 8) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(color, target, strict=True))


@pytest.mark.slow
@pytest.mark.browser
def test_harness_sees_console_messages_and_requests(chromium: str, tmp_path: Path) -> None:
    """The two checks below would catch a broken page: proven on one that is."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html lang="en"><title>bad</title>'
        '<img src="https://calltouch.invalid/x.png">'
        '<script>console.error("calltouch-probe")</script></html>',
        encoding="utf-8",
    )
    net_log = tmp_path / "net.json"
    done = run_chromium(chromium, bad, tmp_path, f"--log-net-log={net_log}", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert any("calltouch-probe" in m for m in console_messages(done.stderr)), done.stderr
    assert page_requests(net_log) == ["https://calltouch.invalid/x.png"]


@pytest.mark.browser
def test_report_renders_in_chromium(
    chromium: str, sample_report: Report, sample_html: str, tmp_path: Path
) -> None:
    page_file = tmp_path / "report.html"
    page_file.write_text(sample_html, encoding="utf-8")
    net_log = tmp_path / "net.json"
    done = run_chromium(chromium, page_file, tmp_path, f"--log-net-log={net_log}", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert console_messages(done.stderr) == []
    assert page_requests(net_log) == []
    dom = Page(done.stdout)
    assert dom.find("title")
    assert len(dom.find("svg", "chart")) == 2
    for svg in dom.find("svg", "chart"):
        assert svg["role"] == "img" and svg["aria-labelledby"]
    bars = dom.inside("chart-bars")
    assert sum(1 for t, _, c in bars if t == "g" and "bar" in c) == len(sample_report.rows)
    widths = [percent_width(a["width"]) for t, a, c in bars if "seg-merged" in c]
    widths += [percent_width(a["width"]) for t, a, c in bars if "seg-standalone" in c]
    assert widths and all(w > 0 for w in widths)
    line = dom.inside("chart-line")
    (polyline,) = [a for t, a, c in line if t == "polyline"]
    assert len(polyline_points(polyline["points"])) == len(sample_report.weekly)
    assert sum(1 for t, _, _ in line if t == "circle") == len(sample_report.weekly)


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), [(1280, 1800), (390, 2400)])
def test_screenshot_shows_the_charts(
    chromium: str, sample_html: str, tmp_path: Path, width: int, height: int
) -> None:
    page_file = tmp_path / "report.html"
    page_file.write_text(sample_html, encoding="utf-8")
    png = tmp_path / "report.png"
    done = run_chromium(
        chromium, page_file, tmp_path, f"--screenshot={png}", f"--window-size={width},{height}"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert console_messages(done.stderr) == []
    assert png.is_file()
    got_width, got_height, rows = read_png(png)
    assert (got_width, got_height) == (width, height)
    pixels = collections.Counter(
        row[i : i + 3]
        for row in rows
        for i in range(0, len(row), 3 * 2)  # every other pixel
    )
    sampled = sum(pixels.values())
    most = pixels.most_common(1)[0][1]
    # A blank or failed page is one or two colours; text, cards and charts give hundreds.
    assert len(pixels) > 200, len(pixels)
    assert most / sampled < 0.9
    # The bars (and the line) were painted in the report's two series colours.
    merged = sum(n for color, n in pixels.items() if near(color, MERGED_RGB))
    standalone = sum(n for color, n in pixels.items() if near(color, STANDALONE_RGB))
    assert merged > 0.002 * sampled, merged
    assert standalone > 0.0005 * sampled, standalone


def test_merged_calls_only_do_not_claim_every_call_merged(tmp_path: Path) -> None:
    """--status merged has no reasons by choice: the page said "Every call merged" of the
    sample, whose 250 standalone calls that scope leaves out."""
    html = html_report.render_html(sample_report_for(tmp_path, status="merged"))
    assert "Every call merged" not in html
    assert "Reasons are not shown for merged calls only" in html


def test_the_weekly_line_is_placed_in_time() -> None:
    """Weeks without calls keep their place on the axis and cut the line (they have no merge
    rate): W02, W03 and W11 were drawn evenly spaced and joined, as if neighbours; the year's
    end does not count as a gap."""
    report = hostile_report()
    total = 10
    report.weekly = [
        row("2025-W52", 2, 1, of=total),
        row("2026-W01", 2, 2, of=total),
        row("2026-W02", 2, 1, of=total),
        row("2026-W11", 4, 1, of=total),
    ]
    page = Page(html_report.render_html(report))
    line = page.inside("chart-line")
    xs = [percent_width(a["cx"]) for t, a, _ in line if t == "circle"]
    step = (100 - 2 * html_report.TREND_PAD) / 11  # 2025-W52 to 2026-W11: 11 weeks apart
    assert xs == pytest.approx([4, 4 + step, 4 + 2 * step, 96], abs=0.01)
    (polyline,) = [a for t, a, c in line if t == "polyline"]  # W11 stands alone
    assert [x / 10 for x, _ in polyline_points(polyline["points"])] == pytest.approx(
        xs[:3], abs=0.01
    )
    assert any("(4 of the 12 weeks" in text for text in page.text)  # weeks with calls


def test_trend_labels_weeks_an_eighth_of_the_width_apart() -> None:
    """Labels are chosen by place, not by count: clustered weeks do not overlap."""
    weekly = [row(f"2026-W{w:02d}", 1, 1) for w in (1, 2, 3, 4, 40, 41, 52)]
    points = html_report.trend(weekly)["points"]
    ticks = [p["x"] for p in points if p["tick"]]
    assert all(b - a >= 100 / 8 for a, b in itertools.pairwise(ticks))
    assert points[0]["tick"] and points[0]["phone"]
    assert [p["label"] for p in points if p["tick"]] == ["2026-W01", "2026-W40", "2026-W52"]
    labels = ["first", "second"]  # not ISO weeks: evenly spaced, in their order
    assert [p["x"] for p in html_report.trend([row(x, 1, 1) for x in labels])["points"]] == [4, 96]


def test_the_charts_text_counts_its_bars_in_words() -> None:
    # a one-channel chart's text alternative said "1 channel values"
    one = replace(
        hostile_report(),
        groups=[row("Direct", 3, 2, of=3), row("Total", 3, 2, level="total", of=3)],
    )
    assert "; 1 campaign value," in html_report.render_html(one)
    assert "; 2 campaign values," in html_report.render_html(hostile_report())
