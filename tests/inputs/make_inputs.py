"""Write the hostile-input corpus of tests/inputs/: small exports, each awkward in ONE way.

Every file is made here, byte for byte (BOMs, UTF-16, CRLF, NUL bytes, Windows-1252 bytes, a gzip
member with a fixed mtime), so reviewers can see how each one was made and the corpus can be
regenerated identically. The expected outcome of each file lives in cases.toml next to it;
tests/test_corpus.py runs them all and checks that this script still writes the committed bytes.

Usage (standard library only):

    python tests/inputs/make_inputs.py            # rewrite the files next to this script
    python tests/inputs/make_inputs.py --out DIR  # write them into DIR instead

The shared web sessions (sessions.csv, a Marketo Measure warehouse export) are:

    S1  cookie A  2026-03-04 10:00  Paid Search.AdWords
    S2  cookie B  2026-03-04 09:00  Email.Newsletter
    S3  cookie C  1969-07-20 20:00  Display.Banner
    S4  cookie D  2101-01-01 00:00  Social.LinkedIn

so a call by cookie A at 2026-03-04 10:22 UTC merges with S1 (22 minutes), a call by cookie B at
the same moment is standalone (outside_window, 82 minutes), and a call without BizibleId is
unmatched (no_bizible_id). Most task files below hold exactly those three calls, T1, T2 and T3.
"""

from __future__ import annotations

import argparse
import base64
import csv
import gzip
import io
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent

A = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
B = "0f9e8d7c6b5a49382716f5e4d3c2b1a0"
C = "77aa88bb99cc00dd11ee22ff33aa44bb"
D = "5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"

CALL = "2026-03-04T10:22:00Z"
GENERIC = ("Id", "BizibleId", "CreatedDate", "Type", "Subject")
BASIC = (
    ("T1", A, CALL, "Call", "Inbound call"),
    ("T2", B, CALL, "Call", "Inbound call"),
    ("T3", "", CALL, "Call", "Inbound call"),
)

Row = Sequence[str]
FILES: dict[str, Callable[[], bytes]] = {}


def corpus_file(name: str) -> Callable[[Callable[[], bytes]], Callable[[], bytes]]:
    """Register the function that makes the bytes of tests/inputs/<name>."""

    def register(make: Callable[[], bytes]) -> Callable[[], bytes]:
        assert name not in FILES, name
        FILES[name] = make
        return make

    return register


def table(
    header: Row,
    rows: Sequence[Row],
    *,
    delimiter: str = ",",
    newline: str = "\n",
    quote_all: bool = False,
) -> str:
    """CSV text the way csv.writer writes it (minimal quoting unless ``quote_all``)."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=delimiter,
        lineterminator=newline,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def utf8(text: str) -> bytes:
    return text.encode("utf-8")


def basic(**options: object) -> str:
    return table(GENERIC, BASIC, **options)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- shared inputs


@corpus_file("sessions.csv")
def sessions() -> bytes:
    """The web sessions every case links to (warehouse BIZ_SESSIONS names, naive UTC)."""
    return utf8(
        table(
            ("ID", "COOKIE_ID", "EVENT_DATE", "CHANNEL", "MEDIUM", "WEB_SOURCE", "CAMPAIGN_NAME"),
            [
                ("S1", A, "2026-03-04 10:00:00", "Paid Search.AdWords", "cpc", "google", "Spring"),
                ("S2", B, "2026-03-04 09:00:00", "Email.Newsletter", "email", "mailer", "March"),
                ("S3", C, "1969-07-20 20:00:00", "Display.Banner", "display", "adnet", "Apollo"),
                ("S4", D, "2101-01-01 00:00:00", "Social.LinkedIn", "social", "linkedin", "Y2K1"),
            ],
        )
    )


@corpus_file("basic.csv")
def basic_csv() -> bytes:
    """The control: plain UTF-8, LF, comma, API names. T1 merges, T2 standalone, T3 unmatched."""
    return utf8(basic())


# ----------------------------------------------------------------------------- formats


@corpus_file("fmt_data_loader.csv")
def data_loader() -> bytes:
    """Salesforce Data Loader: upper-case API names, every field quoted, ...000Z timestamps."""
    header = (
        "ID",
        "WHOID",
        "BIZIBLE2__BIZIBLEID__C",
        "BIZIBLE2__BIZIBLE_TOUCHPOINT_DATE__C",
        "CREATEDDATE",
        "TYPE",
        "SUBJECT",
    )
    rows = [
        ("00T5e00000DLoad1AAA", "00Q5e00000Lead1AAA", A, "", "2026-03-04T10:22:00.000Z", "Call",
         "Inbound call"),
        ("00T5e00000DLoad2AAA", "", B, "2026-03-04T10:22:00.000Z", "2026-03-04T10:40:00.000Z",
         "Call", "Inbound call"),
        ("00T5e00000DLoad3AAA", "", "", "", "2026-03-04T10:22:00.000Z", "Call", "Inbound call"),
    ]  # fmt: skip
    return utf8(table(header, rows, quote_all=True))


@corpus_file("fmt_api_mixed_case.csv")
def api_mixed_case() -> bytes:
    """Salesforce API names in their own mixed case; the Buyer Touchpoint Date wins over
    CreatedDate when it is filled (T1: touchpoint date 10:22, created 10:50)."""
    header = (
        "Id",
        "WhoId",
        "bizible2__BizibleId__c",
        "bizible2__Bizible_Touchpoint_Date__c",
        "CreatedDate",
        "Type",
        "Subject",
        "LastModifiedDate",
    )
    rows = [
        ("00T5e00000ApiM1AAA", "0035e00000Cont1AAA", A, "2026-03-04T10:22:00.000+0000",
         "2026-03-04T10:50:00.000+0000", "Call", "Inbound call", "2026-03-04T11:00:00.000+0000"),
        ("00T5e00000ApiM2AAA", "", B, "", "2026-03-04T10:22:00.000+0000", "Call", "Inbound call",
         "2026-03-04T11:00:00.000+0000"),
        ("00T5e00000ApiM3AAA", "", "", "", "2026-03-04T10:22:00.000+0000", "Call", "Inbound call",
         "2026-03-04T11:00:00.000+0000"),
    ]  # fmt: skip
    return utf8(table(header, rows))


@corpus_file("fmt_warehouse_biz_crm_tasks.csv")
def warehouse() -> bytes:
    """Marketo Measure warehouse BIZ_CRM_TASKS: its own names, naive timestamps meaning UTC."""
    header = (
        "ID",
        "LEAD_ID",
        "CONTACT_ID",
        "BIZIBLE_COOKIE_ID",
        "ACTIVITY_TYPE",
        "SUBJECT",
        "CREATED_DATE",
        "MODIFIED_DATE",
    )
    rows = [
        ("00T5e00000Ware1AAA", "", "0035e00000Cont1AAA", A, "Call", "Inbound call",
         "2026-03-04 10:22:00.000", "2026-03-04 11:00:00.000"),
        ("00T5e00000Ware2AAA", "00Q5e00000Lead1AAA", "", B, "Call", "Inbound call",
         "2026-03-04 10:22:00.000", "2026-03-04 11:00:00.000"),
        ("00T5e00000Ware3AAA", "", "", "", "Call", "Inbound call", "2026-03-04 10:22:00.000",
         "2026-03-04 11:00:00.000"),
    ]  # fmt: skip
    return utf8(table(header, rows))


REPORT_HEADER = ("Task ID", "Subject", "Type", "Created Date", "BizibleId")
REPORT_FOOTER = (
    '\n\n"Grand Totals (3 records)"\n\n\n'
    '"Confidential Information - Do Not Distribute"\n'
    '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n'
)


@corpus_file("fmt_sf_report_us.csv")
def report_us() -> bytes:
    """A Salesforce report, US locale: labels as headers, 15-character ids, '3/4/2026, 10:22 AM'
    (month first: a second number above 12 tells), every cell quoted, and the report footer
    (blank lines, Grand Totals, Confidential..., Copyright...) which is footer, not rejects."""
    rows = [
        ("00T5e0000kBRaog", "Inbound call", "Call", "3/4/2026, 10:22 AM", A),
        ("00T5e0000kBRaoh", "Inbound call", "Call", "3/14/2026, 9:05 AM", B),
        ("00T5e0000kBRaoi", "Inbound call", "Call", "3/4/2026, 10:22 PM", ""),
    ]
    return utf8(table(REPORT_HEADER, rows, quote_all=True).rstrip("\n") + REPORT_FOOTER)


@corpus_file("fmt_sf_report_footer_quoted_blanks.csv")
def report_footer_quoted_blanks() -> bytes:
    """The same report whose footer separates its lines with quoted empty cells ("") instead of
    empty lines: still blank lines of the footer, not rows with too few columns."""
    rows = [
        ("00T5e0000kBRaog", "Inbound call", "Call", "3/4/2026, 10:22 AM", A),
        ("00T5e0000kBRaoh", "Inbound call", "Call", "3/14/2026, 9:05 AM", B),
        ("00T5e0000kBRaoi", "Inbound call", "Call", "3/4/2026, 10:22 PM", ""),
    ]
    footer = REPORT_FOOTER.replace("\n\n", '\n""\n')
    return utf8(table(REPORT_HEADER, rows, quote_all=True).rstrip("\n") + footer)


@corpus_file("fmt_sf_report_footer_excel_padded.csv")
def report_footer_excel_padded() -> bytes:
    """The same report opened in Excel and saved again as CSV: cells quoted only where needed,
    and every footer line padded to the header's width with empty cells ("Grand Totals (3
    records),,,,"; a blank line as ",,,,"): still the report footer, not rows to reject."""
    rows = [
        ("00T5e0000kBRaog", "Inbound call", "Call", "3/4/2026, 10:22 AM", A),
        ("00T5e0000kBRaoh", "Inbound call", "Call", "3/14/2026, 9:05 AM", B),
        ("00T5e0000kBRaoi", "Inbound call", "Call", "3/4/2026, 10:22 PM", ""),
    ]
    lines = REPORT_FOOTER.split("\n")[1:-1]  # after the last row's line end; blank ones too
    padded = [[line.strip('"'), *[""] * (len(REPORT_HEADER) - 1)] for line in lines]
    return utf8(table(REPORT_HEADER, [*rows, *padded]))


@corpus_file("fmt_sf_report_uk.csv")
def report_uk() -> bytes:
    """A Salesforce report, UK locale: '04/03/2026 10:22' is 4 March; the order is inferred from
    '13/03/2026 09:05' (a first number above 12 is a day)."""
    rows = [
        ("00T5e0000kBRaog", "Inbound call", "Call", "04/03/2026 10:22", A),
        ("00T5e0000kBRaoh", "Inbound call", "Call", "13/03/2026 09:05", B),
        ("00T5e0000kBRaoi", "Inbound call", "Call", "04/03/2026 22:22", ""),
    ]
    return utf8(table(REPORT_HEADER, rows, quote_all=True).rstrip("\n") + REPORT_FOOTER)


@corpus_file("fmt_sf_report_ambiguous_dates.csv")
def report_ambiguous() -> bytes:
    """A report whose days are all <= 12: '04/03/2026 10:22' may be 4 March or 3 April, so
    calltouch must ask for --date-order (with --date-order dmy: 4 March)."""
    rows = [
        ("00T5e0000kBRaog", "Inbound call", "Call", "04/03/2026 10:22", A),
        ("00T5e0000kBRaoh", "Inbound call", "Call", "04/03/2026 10:22", B),
        ("00T5e0000kBRaoi", "Inbound call", "Call", "05/03/2026 11:00", ""),
    ]
    return utf8(table(REPORT_HEADER, rows, quote_all=True))


@corpus_file("fmt_dotted_dates.csv")
def dotted_dates() -> bytes:
    """A German report: '04.03.2026 10:22' with no day above 12. Dotted dates are day first
    (4 March) wherever they are written, so no --date-order is needed."""
    rows = [
        ("00T5e0000kBRaog", "Eingehender Anruf", "Call", "04.03.2026 10:22", A),
        ("00T5e0000kBRaoh", "Eingehender Anruf", "Call", "04.03.2026 10:22", B),
        ("00T5e0000kBRaoi", "Eingehender Anruf", "Call", "05.03.2026 11:00", ""),
    ]
    return utf8(table(REPORT_HEADER, rows, quote_all=True))


@corpus_file("fmt_calltrackingmetrics.csv")
def ctm() -> bytes:
    """A CallTrackingMetrics call log: 'Called At' as the vendor writes it, local time with
    AM/PM and an offset ('2026-03-04 05:22 AM -05:00' = 10:22Z); the BizibleId is in the
    custom field custom_biz_uid (needs --map tasks.bizible_id=custom_biz_uid)."""
    header = ("Call ID", "Called At", "Caller Number", "Tracking Source", "Duration",
              "custom_biz_uid")  # fmt: skip
    rows = [
        ("CTM1", "2026-03-04 05:22 AM -05:00", "+1 555 0101", "Google Ads", "95", A),
        ("CTM2", "2026-03-04 05:22 AM -05:00", "+1 555 0102", "Newsletter", "30", B),
        ("CTM3", "2026-03-04 05:22 AM -05:00", "+1 555 0103", "Direct", "12", ""),
    ]
    return utf8(table(header, rows))


@corpus_file("fmt_callrail.csv")
def callrail() -> bytes:
    """A CallRail call log: 'Start Time' as '2026-03-04 10:22 AM'; BizibleId in cf_bizible."""
    header = ("Call ID", "Start Time", "Customer Phone Number", "Source", "Duration (seconds)",
              "cf_bizible")  # fmt: skip
    rows = [
        ("CAL1", "2026-03-04 10:22 AM", "(555) 010-0101", "Google Paid", "95", A),
        ("CAL2", "2026-03-04 10:22 AM", "(555) 010-0102", "Email", "30", B),
        ("CAL3", "2026-03-04 10:22 AM", "(555) 010-0103", "Direct", "12", ""),
    ]
    return utf8(table(header, rows))


@corpus_file("fmt_invoca.csv")
def invoca() -> bytes:
    """An Invoca call report: 'Start Time (UTC)' ISO, BizibleId in the custom biz_cookie_param."""
    header = ("Transaction ID", "Start Time (UTC)", "Calling Phone Number", "Media Type",
              "biz_cookie_param")  # fmt: skip
    rows = [
        ("INV-0001", "2026-03-04 10:22:00", "5550100101", "Paid Search", A),
        ("INV-0002", "2026-03-04 10:22:00", "5550100102", "Email", B),
        ("INV-0003", "2026-03-04 10:22:00", "5550100103", "Direct", ""),
    ]
    return utf8(table(header, rows))


# ----------------------------------------------------------------------------- encodings, dialects


@corpus_file("enc_utf8_bom.csv")
def utf8_bom() -> bytes:
    """UTF-8 with a byte-order mark before the first header (Excel's 'CSV UTF-8')."""
    return b"\xef\xbb\xbf" + utf8(basic())


@corpus_file("enc_utf16le_tab.txt")
def utf16le_tab() -> bytes:
    """Excel 'Unicode text': UTF-16 LE with BOM, tab-separated, CRLF line ends."""
    return b"\xff\xfe" + basic(delimiter="\t", newline="\r\n").encode("utf-16-le")


@corpus_file("enc_utf16be.csv")
def utf16be() -> bytes:
    """UTF-16 BE with BOM, comma-separated."""
    return b"\xfe\xff" + basic().encode("utf-16-be")


@corpus_file("enc_windows1252.csv")
def windows1252() -> bytes:
    """Windows-1252 (Excel on Windows): subjects with é (0xE9) and € (0x80), which are not UTF-8.
    Read right with --encoding windows-1252; without it, those two rows are rejected."""
    rows = [
        ("T1", A, CALL, "Call", "Café \u2013 5€ offer"),
        ("T2", B, CALL, "Call", "Inbound call"),
        ("T3", "", CALL, "Call", "Devis à 20 €"),
    ]
    return table(GENERIC, rows).encode("cp1252")


@corpus_file("dia_crlf.csv")
def crlf() -> bytes:
    """Windows line ends (CRLF) on every line."""
    return utf8(basic(newline="\r\n"))


@corpus_file("dia_mixed_line_endings.csv")
def mixed_line_endings() -> bytes:
    """CRLF and LF row ends in one file (an Excel export with rows appended by another tool)."""
    lines = basic().splitlines()
    ends = ("\r\n", "\r\n", "\n", "\n")
    return utf8("".join(line + end for line, end in zip(lines, ends, strict=True)))


@corpus_file("dia_blank_lines.csv")
def blank_lines() -> bytes:
    """Empty lines between the rows; the bad row after them (line 8) keeps its physical line."""
    return utf8(
        "Id,BizibleId,CreatedDate,Type,Subject\n"  # 1
        f"T1,{A},{CALL},Call,Inbound call\n"  # 2
        "\n"  # 3
        "\n"  # 4
        f"T2,{B},{CALL},Call,Inbound call\n"  # 5
        "\n"  # 6
        f"T3,,{CALL},Call,Inbound call\n"  # 7
        f"T4,{A},never,Call,Inbound call\n"  # 8
    )


@corpus_file("dia_semicolon.csv")
def semicolon() -> bytes:
    """Semicolon-separated (European Excel)."""
    return utf8(basic(delimiter=";"))


@corpus_file("dia_tab.tsv")
def tab() -> bytes:
    """Tab-separated, UTF-8."""
    return utf8(basic(delimiter="\t"))


@corpus_file("dia_pipe.csv")
def pipe() -> bytes:
    """Pipe-separated."""
    return utf8(basic(delimiter="|"))


@corpus_file("dia_embedded_newlines.csv")
def embedded_newlines() -> bytes:
    """Quoted cells spanning several physical lines, with doubled quotes inside, then a bad row
    (line 8) whose reject must carry its physical line number, not its record number."""
    return utf8(
        "Id,BizibleId,CreatedDate,Type,Subject\n"  # 1
        f'T1,{A},{CALL},Call,"Line one\n'  # 2
        'line two with ""quotes"""\n'  # 3
        f'T2,{B},{CALL},Call,"a\n'  # 4
        "\n"  # 5 (an empty line inside the quoted value)
        'c, ""d"""\n'  # 6
        f"T3,,{CALL},Call,plain\n"  # 7
        f"T4,{A},not a date,Call,plain\n"  # 8
    )


@corpus_file("dia_tasks.csv.gz")
def gzipped() -> bytes:
    """A gzip-compressed CSV (.csv.gz): fixed mtime, no stored name, and stored (level 0)
    deflate blocks, so the bytes do not depend on the zlib build that makes them."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=0) as gz:
        gz.write(utf8(basic()))
    return buffer.getvalue()


@corpus_file("dia_trailing_delimiter.csv")
def trailing_delimiter() -> bytes:
    """Every line, the header too, ends with a delimiter (an empty last column)."""
    return utf8("".join(line + ",\n" for line in basic().splitlines()))


# ----------------------------------------------------------------------------- fatal


@corpus_file("fatal_missing_bizible_id.csv")
def missing_bizible_id() -> bytes:
    """No BizibleId column under any recognised name."""
    return utf8(
        table(("Id", "CreatedDate", "Type", "Subject"), [("T1", CALL, "Call", "Inbound call")])
    )


@corpus_file("fatal_empty.csv")
def empty() -> bytes:
    """Zero bytes."""
    return b""


@corpus_file("fatal_whitespace_only.csv")
def whitespace_only() -> bytes:
    """Only spaces, tabs and line ends."""
    return b"   \n\t\n  \r\n\n"


@corpus_file("fatal_colon_delimited.csv")
def colon_delimited() -> bytes:
    """Colon-separated: with , ; tab or | every line is one column."""
    return utf8(basic(delimiter=":").replace('"', ""))


@corpus_file("fatal_not_gzip.csv.gz")
def not_gzip() -> bytes:
    """A .csv.gz that is plain CSV (a browser unpacked the download but kept the name)."""
    return utf8(basic())


@corpus_file("fatal_not_parquet.parquet")
def not_parquet() -> bytes:
    """A .parquet file that is really CSV text."""
    return utf8(basic())


@corpus_file("fatal_gzip_named_csv.csv")
def gzip_named_csv() -> bytes:
    """dia_tasks.csv.gz saved under a plain .csv name (the .gz dropped by a rename)."""
    return gzipped()


@corpus_file("fatal_excel_workbook.csv")
def excel_workbook() -> bytes:
    """An Excel workbook saved with a .csv name: a ZIP archive (fixed entry times)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        entry = zipfile.ZipInfo("[Content_Types].xml", date_time=(2026, 3, 4, 10, 0, 0))
        archive.writestr(entry, '<?xml version="1.0" encoding="UTF-8"?><Types/>')
    return buffer.getvalue()


@corpus_file("fatal_sessions_no_event_date.csv")
def sessions_no_event_date() -> bytes:
    """A sessions file without EVENT_DATE (or any session start)."""
    return utf8(
        table(
            ("ID", "COOKIE_ID", "CHANNEL", "MEDIUM"),
            [("S1", A, "Paid Search.AdWords", "cpc")],
        )
    )


# ----------------------------------------------------------------------------- loads, with notes


@corpus_file("note_duplicate_headers.csv")
def duplicate_headers() -> bytes:
    """Two columns named Subject: the first is read, the second is carried."""
    return utf8(
        table(
            (*GENERIC, "Subject"),
            [(*row, f"second {row[0]}") for row in BASIC],
        )
    )


@corpus_file("note_header_only.csv")
def header_only() -> bytes:
    """A header and no rows."""
    return utf8(table(GENERIC, []))


@corpus_file("note_empty_bizible_column.csv")
def empty_bizible_column() -> bytes:
    """The BizibleId column exists but is empty (blank or white space) on every row."""
    rows = [
        ("T1", "", CALL, "Call", "Inbound call"),
        ("T2", "   ", CALL, "Call", "Inbound call"),
        ("T3", "", CALL, "Call", "Inbound call"),
    ]
    return utf8(table(GENERIC, rows))


@corpus_file("note_mixed_zones.csv")
def mixed_zones() -> bytes:
    """One column with Z and +02:00 values: T2 at 11:10+02:00 is 09:10Z, 10 minutes after S2."""
    rows = [
        ("T1", A, "2026-03-04T10:22:00Z", "Call", "Inbound call"),
        ("T2", B, "2026-03-04T11:10:00+02:00", "Call", "Inbound call"),
        ("T3", "", "2026-03-04T12:22:00+02:00", "Call", "Inbound call"),
    ]
    return utf8(table(GENERIC, rows))


@corpus_file("note_offset_after_space.csv")
def offset_after_space() -> bytes:
    """Offsets separated from the time by a space, as Ruby's Time#to_s and several vendor APIs
    write them: '2026-03-04 12:22:00 +02:00' is 10:22Z, '2026-03-04 04:22:00 -0500' 09:22Z."""
    rows = [
        ("T1", A, "2026-03-04 12:22:00 +02:00", "Call", "Inbound call"),
        ("T2", B, "2026-03-04 04:22:00 -0500", "Call", "Inbound call"),
        ("T3", "", "2026-03-04 10:22:00 +00:00", "Call", "Inbound call"),
    ]
    return utf8(table(GENERIC, rows))


@corpus_file("note_no_seconds.csv")
def no_seconds() -> bytes:
    """Timestamps without seconds ('2026-03-04T10:22Z', '2026-03-04 09:10')."""
    rows = [
        ("T1", A, "2026-03-04T10:22Z", "Call", "Inbound call"),
        ("T2", B, "2026-03-04 09:10", "Call", "Inbound call"),
        ("T3", "", "2026-03-04 10:22", "Call", "Inbound call"),
    ]
    return utf8(table(GENERIC, rows))


@corpus_file("note_extreme_dates.csv")
def extreme_dates() -> bytes:
    """Calls before 1970 (T1, 17m40s after S3) and after 2100 (T2, 5 minutes after S4)."""
    rows = [
        ("T1", C, "1969-07-20T20:17:40Z", "Call", "Moon landing hotline"),
        ("T2", D, "2101-01-01T00:05:00Z", "Call", "Next century"),
        ("T3", "", "1900-01-01T00:00:00Z", "Call", "Old"),
    ]
    return utf8(table(GENERIC, rows))


LONG_SUBJECT = ("Call notes: " + "0123456789" * 1000)[:9999] + "!"


@corpus_file("note_long_subject.csv")
def long_subject() -> bytes:
    """A 10,000-character Subject, carried whole into touchpoints.csv."""
    assert len(LONG_SUBJECT) == 10_000
    rows = [("T1", A, CALL, "Call", LONG_SUBJECT), *BASIC[1:]]
    return utf8(table(GENERIC, rows))


@corpus_file("note_formula_subject.csv")
def formula_subject() -> bytes:
    """A Subject a spreadsheet would run: '=HYPERLINK(...)'; neutralised with a leading '."""
    rows = [("T1", A, CALL, "Call", '=HYPERLINK("http://evil.example","Click")'), *BASIC[1:]]
    return utf8(table(GENERIC, rows))


@corpus_file("note_duplicate_ids_15_18.csv")
def duplicate_ids() -> bytes:
    """The same task twice, once by its 15-character id (a report) and once by its 18-character
    id (the API): one task (R9), the later LastModifiedDate kept, one duplicate."""
    header = (*GENERIC, "LastModifiedDate")
    rows = [
        ("00T5e0000kBRaog", A, CALL, "Call", "old copy", "2026-03-04T10:30:00Z"),
        ("00T5e0000kBRaogEAD", A, CALL, "Call", "new copy", "2026-03-04T11:30:00Z"),
        ("00T5e0000kBRaoh", B, CALL, "Call", "Inbound call", "2026-03-04T11:30:00Z"),
    ]
    return utf8(table(header, rows))


# ----------------------------------------------------------------------------- bad rows


def with_row(line_no: int, raw: bytes) -> bytes:
    """basic.csv with its physical line ``line_no`` (header = 1) replaced by ``raw``."""
    lines = utf8(basic()).splitlines(keepends=True)
    lines[line_no - 1] = raw + b"\n"
    return b"".join(lines)


@corpus_file("bad_nul_in_id.csv")
def nul_in_id() -> bytes:
    """A NUL byte inside T2's id (line 3)."""
    return with_row(3, f"T\x002,{B},{CALL},Call,Inbound call".encode())


@corpus_file("bad_timestamp.csv")
def bad_timestamp() -> bytes:
    """An unparseable CreatedDate on line 3."""
    return with_row(3, f"T2,{B},yesterday at noon,Call,Inbound call".encode())


@corpus_file("bad_stray_slash_date.csv")
def stray_slash_date() -> bytes:
    """One CreatedDate written 03/02/2026 (day/month order unknowable) and with no real time,
    25:99, among ISO ones (line 3): calltouch asks for --date-order and shows that value."""
    return with_row(3, f"T2,{B},03/02/2026 25:99,Call,Inbound call".encode())


@corpus_file("bad_date_without_time.csv")
def date_without_time() -> bytes:
    """A CreatedDate that is a date without a time of day (line 3)."""
    return with_row(3, f"T2,{B},2026-03-04,Call,Inbound call".encode())


@corpus_file("bad_too_many_columns.csv")
def too_many_columns() -> bytes:
    """Line 3 has an unquoted comma in its Subject: six cells for five columns."""
    return with_row(3, f"T2,{B},{CALL},Call,Inbound, call".encode())


@corpus_file("bad_too_few_columns.csv")
def too_few_columns() -> bytes:
    """Line 3 lost its Subject and its delimiter: four cells for five columns."""
    return with_row(3, f"T2,{B},{CALL},Call".encode())


@corpus_file("bad_empty_id.csv")
def empty_id() -> bytes:
    """Line 3 has an empty Id."""
    return with_row(3, f",{B},{CALL},Call,Inbound call".encode())


@corpus_file("bad_invalid_utf8.csv")
def invalid_utf8() -> bytes:
    """Line 3 holds bytes that are not UTF-8 (0xFF 0xFE inside its Subject) in a UTF-8 file."""
    return with_row(3, f"T2,{B},{CALL},Call,Inbound ".encode() + b"\xff\xfe call")


@corpus_file("bad_unterminated_quote.csv")
def unterminated_quote() -> bytes:
    """The last row (line 4) opens a quote it never closes."""
    return with_row(4, f'T3,,{CALL},Call,"Inbound call'.encode())


@corpus_file("bad_undoubled_quote.csv")
def undoubled_quote() -> bytes:
    """Line 3 has a quote inside a quoted value that is not doubled: "ab"c."""
    return with_row(3, f'T2,{B},{CALL},Call,"ab"c'.encode())


@corpus_file("bad_one_in_three.csv")
def one_in_three() -> bytes:
    """One of three rows is bad (line 3): over the default --max-rejects of 1%."""
    return with_row(3, f"T2,{B},TBD,Call,Inbound call".encode())


@corpus_file("bad_sessions_event_date.csv")
def sessions_bad_event_date() -> bytes:
    """A sessions file whose second session (line 3) has an unreadable EVENT_DATE."""
    return utf8(
        table(
            ("ID", "COOKIE_ID", "EVENT_DATE", "CHANNEL", "MEDIUM", "WEB_SOURCE", "CAMPAIGN_NAME"),
            [
                ("S1", A, "2026-03-04 10:00:00", "Paid Search.AdWords", "cpc", "google", "Spring"),
                ("S2", B, "the ninth hour", "Email.Newsletter", "email", "mailer", "March"),
            ],
        )
    )


# ----------------------------------------------------------------------------- injection

ODD_SUBJECT = 'Sub"ject; DROP TABLE x;--'
ODD_STAMP = "Zeit\\stempel ü"
ODD_TIME = 'Zeit\\stempel ü\'); DROP TABLE task_rows;-- "x"'
ODD_NOTES = "Notes'); DELETE FROM task_rows; -- \\\\ 備考"


@corpus_file("inj_odd_headers.csv")
def odd_headers() -> bytes:
    """Carried columns named with quotes, semicolons, --, backslashes, unicode and spaces; they
    must come out unchanged as headers of unmatched.csv."""
    header = (*GENERIC, ODD_SUBJECT, ODD_STAMP, ODD_NOTES)
    rows = [(*row, "s", "2026-03-04", "n") for row in BASIC]
    return utf8(table(header, rows))


@corpus_file("inj_odd_call_time_column.csv")
def odd_call_time_column() -> bytes:
    """The call time lives in a column with a hostile name, read with --map tasks.call_time=."""
    header = ("Id", "BizibleId", ODD_TIME, "Type", "Subject")
    return utf8(table(header, BASIC))


@corpus_file("inj O'Brien; DROP TABLE x; -- calls.csv")
def odd_file_name() -> bytes:
    """basic.csv under a file name with spaces, a quote, semicolons and -- (no double quote:
    Windows forbids it in file names, and paths reach DuckDB as bound values anyway)."""
    return utf8(basic())


class Bits:
    """A deflate bit stream: values are packed from the least significant bit."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.value = 0
        self.count = 0

    def put(self, value: int, bits: int) -> None:
        """Append ``value`` in ``bits`` bits (extra bits, block headers)."""
        self.value |= value << self.count
        self.count += bits
        while self.count >= 8:
            self.out.append(self.value & 0xFF)
            self.value >>= 8
            self.count -= 8

    def code(self, code: int, bits: int) -> None:
        """Append a Huffman code: deflate packs those from the most significant bit."""
        self.put(int(format(code, f"0{bits}b")[::-1], 2), bits)


def cut_gzip(text: bytes, copies: int) -> bytes:
    """A gzip file cut short, as ``head -c`` of a big export or an interrupted download leaves
    it: ``text``, then its last line again and again (``copies`` back-references of 258 bytes,
    the most one can copy), and no end. One deflate block of fixed Huffman codes written here,
    so that a few hundred bytes hold more than the 64 KiB calltouch sniffs, and the bytes do
    not depend on the zlib build that makes them."""
    distance = len(text) - text.rstrip(b"\n").rfind(b"\n") - 1  # the last line, its \n too
    bits = Bits()
    bits.put(1, 1)  # BFINAL: the last block (it never ends)
    bits.put(1, 2)  # BTYPE 01: fixed Huffman codes
    for byte in text:
        if byte < 144:
            bits.code(0x30 + byte, 8)
        else:
            bits.code(0x190 + byte - 144, 9)
    # distance codes 4-29 have base ((2 + code % 2) << extra) + 1 and code // 2 - 1 extra bits
    code = max(c for c in range(4, 30) if ((2 + c % 2) << (c // 2 - 1)) + 1 <= distance)
    extra = code // 2 - 1
    base = ((2 + code % 2) << extra) + 1
    for _ in range(copies):
        bits.code(0xC5, 8)  # length symbol 285: copy 258 bytes
        bits.code(code, 5)
        bits.put(distance - base, extra)
    header = b"\x1f\x8b\x08\x00" + b"\x00\x00\x00\x00" + b"\x00\xff"  # deflate, mtime 0
    return header + bytes(bits.out)


@corpus_file("fatal_truncated_tasks.csv.gz")
def truncated_tasks() -> bytes:
    """basic.csv's header and T1, then T1 again for about 100 KB, gzipped and cut short."""
    return cut_gzip(utf8(table(GENERIC, BASIC[:1])), 400)


@corpus_file("fatal_truncated_sessions.csv.gz")
def truncated_sessions() -> bytes:
    """sessions.csv's header and S1, then S1 again for about 100 KB, gzipped and cut short."""
    return cut_gzip(sessions().split(b"S2,")[0], 400)


# ----------------------------------------------------------------------------- damaged Parquet
#
# basic.csv and sessions.csv as DuckDB 2.0 writes them to Parquet (every column VARCHAR,
# snappy-compressed, one row group, one data page a column), kept here as base64 so the corpus
# needs no Parquet writer. The damaged files overwrite the first bytes of one column's
# compressed page (just after its page header) with 0xFF: the footer, the schema and every
# other page stay intact, so the file opens, and reading that column fails with
# "Snappy decompression failure", as a disk or a download that garbles a block leaves it.
# Made with: COPY (SELECT * FROM read_csv(FILE, all_varchar = true)) TO OUT
# (FORMAT parquet, COMPRESSION snappy); the offsets are parquet_metadata()'s data_page_offset
# plus the length of that page's header.

BASIC_PARQUET = (
    "UEFSMRUAFTAVMiwVBhUAFQYVBgAAGBQCAAAABgEBBjRUMQIAAABUMgIAAABUMxUAFdoBFawBLBUGFQAVBhUGAABt"
    "GCEAAABBAwB2AQDwRyAAAABhMWIyYzNkNGU1ZjYwNzE4MjkzYTRiNWM2ZDdlOGY5MCAAAAAwZjllOGQ3YzZiNWE0"
    "OTM4MjcxNmY1ZTRkM2MyYjFhMBUAFZwBFUYsFQYVABUGFQYAAE50AgAAAAYBFAAAADIwMjYtMDMtMDRUMTA6MjI6"
    "MDBavhgAFQAVPBUmLBUGFQAVBhUGAAAeNAIAAAAGAQQAAABDYWxsPggAFQAVbBU2LBUGFQAVBhUGAAA2VAIAAAAG"
    "AQwAAABJbmJvdW5kIGNhbGx+EAAVAhlsNQAYDWR1Y2tkYl9zY2hlbWEVCgAVDCUCGAJJZCUAABUMJQIYCUJpemli"
    "bGVJZCUAABUMJQIYC0NyZWF0ZWREYXRlJQAAFQwlAhgEVHlwZSUAABUMJQIYB1N1YmplY3QlAAAWBhkcGVwmABwV"
    "DBkVABkYAklkFQIWBhZSFlQmCDwYAlQzGAJUMRYAKAJUMxgCVDEREQAZHBUAFQAVAgAAACYAHBUMGRUAGRgJQml6"
    "aWJsZUlkFQIWBhaAAhbSASZcPBggYTFiMmMzZDRlNWY2MDcxODI5M2E0YjVjNmQ3ZThmOTAYIDBmOWU4ZDdjNmI1"
    "YTQ5MzgyNzE2ZjVlNGQzYzJiMWEwFgIoIGExYjJjM2Q0ZTVmNjA3MTgyOTNhNGI1YzZkN2U4ZjkwGCAwZjllOGQ3"
    "YzZiNWE0OTM4MjcxNmY1ZTRkM2MyYjFhMBERABkcFQAVABUCAAAAJgAcFQwZFQAZGAtDcmVhdGVkRGF0ZRUCFgYW"
    "wAEWaiauAjwYFDIwMjYtMDMtMDRUMTA6MjI6MDBaGBQyMDI2LTAzLTA0VDEwOjIyOjAwWhYAKBQyMDI2LTAzLTA0"
    "VDEwOjIyOjAwWhgUMjAyNi0wMy0wNFQxMDoyMjowMFoREQAZHBUAFQAVAgAAACYAHBUMGRUAGRgEVHlwZRUCFgYW"
    "XhZIJpgDPBgEQ2FsbBgEQ2FsbBYAKARDYWxsGARDYWxsEREAGRwVABUAFQIAAAAmABwVDBkVABkYB1N1YmplY3QV"
    "AhYGFo4BFlgm4AM8GAxJbmJvdW5kIGNhbGwYDEluYm91bmQgY2FsbBYAKAxJbmJvdW5kIGNhbGwYDEluYm91bmQg"
    "Y2FsbBERABkcFQAVABUCAAAAFv4FFgYmCBawBAAoKER1Y2tEQiB2ZXJzaW9uIHYyLjAuMSAoYnVpbGQgOGQ3ODEx"
    "NGU5MCkZXBwAABwAABwAABwAABwAAADZAgAAUEFSMQ=="
)

SESSIONS_PARQUET = (
    "UEFSMRUAFTwVOiwVCBUAFQYVBgAAHhQCAAAACAEBBgRTMQUGMDICAAAAUzMCAAAAUzQVABWsAhWcAiwVCBUAFQYV"
    "BgAAlgHwTAIAAAAIASAAAABhMWIyYzNkNGU1ZjYwNzE4MjkzYTRiNWM2ZDdlOGY5MCAAAAAwZjllOGQ3YzZiNWE0"
    "OTM4MjcxNmY1ZTRkM2MyYjFhBSR8NzdhYTg4YmI5OWNjMDBkZDExZWUyMmZmMzNhYTQ0YmIBbDw1ZTZmN2E4Yjlj"
    "MGQxZTJmMmoACGEwYhUAFcQBFZgBLBUIFQAVBhUGAABiYAIAAAAIARMAAAAyMDI2LTAzLTA0IDEwOjABAzoXAAQw"
    "ORkXLDE5NjktMDctMjAgMgErBDowCS5EMTAxLTAxLTAxIDAwOjAwOjAwFQAVrAEVsgEsFQgVABUGFQYAAFbwVQIA"
    "AAAIARMAAABQYWlkIFNlYXJjaC5BZFdvcmRzEAAAAEVtYWlsLk5ld3NsZXR0ZXIOAAAARGlzcGxheS5CYW5uZXIP"
    "AAAAU29jaWFsLkxpbmtlZEluFQAVVhVaLBUIFQAVBhUGAAArqAIAAAAIAQMAAABjcGMFAAAAZW1haWwHAAAAZGlz"
    "cGxheQYAAABzb2NpYWwVABVeFWAsFQgVABUGFQYAAC88AgAAAAgBBgAAAGdvb2dsZQEKaG1haWxlcgUAAABhZG5l"
    "dAgAAABsaW5rZWRpbhUAFVYVWCwVCBUAFQYVBgAAK2ACAAAACAEGAAAAU3ByaW5nBQAAAE1hcmNoARM0QXBvbGxv"
    "BAAAAFkySzEVAhmMNQAYDWR1Y2tkYl9zY2hlbWEVDgAVDCUCGAJJRCUAABUMJQIYCUNPT0tJRV9JRCUAABUMJQIY"
    "CkVWRU5UX0RBVEUlAAAVDCUCGAdDSEFOTkVMJQAAFQwlAhgGTUVESVVNJQAAFQwlAhgKV0VCX1NPVVJDRSUAABUM"
    "JQIYDUNBTVBBSUdOX05BTUUlAAAWCBkcGXwmABwVDBkVABkYAklEFQIWCBZeFlwmCDwYAlM0GAJTMRYAKAJTNBgC"
    "UzEREQAZHBUAFQAVAgAAACYAHBUMGRUAGRgJQ09PS0lFX0lEFQIWCBbSAhbCAiZkPBggYTFiMmMzZDRlNWY2MDcx"
    "ODI5M2E0YjVjNmQ3ZThmOTAYIDBmOWU4ZDdjNmI1YTQ5MzgyNzE2ZjVlNGQzYzJiMWEwFgAoIGExYjJjM2Q0ZTVm"
    "NjA3MTgyOTNhNGI1YzZkN2U4ZjkwGCAwZjllOGQ3YzZiNWE0OTM4MjcxNmY1ZTRkM2MyYjFhMBERABkcFQAVABUC"
    "AAAAJgAcFQwZFQAZGApFVkVOVF9EQVRFFQIWCBbqARa+ASamAzwYEzIxMDEtMDEtMDEgMDA6MDA6MDAYEzE5Njkt"
    "MDctMjAgMjA6MDA6MDAWACgTMjEwMS0wMS0wMSAwMDowMDowMBgTMTk2OS0wNy0yMCAyMDowMDowMBERABkcFQAV"
    "ABUCAAAAJgAcFQwZFQAZGAdDSEFOTkVMFQIWCBbSARbYASbkBDwYD1NvY2lhbC5MaW5rZWRJbhgORGlzcGxheS5C"
    "YW5uZXIWACgPU29jaWFsLkxpbmtlZEluGA5EaXNwbGF5LkJhbm5lchERABkcFQAVABUCAAAAJgAcFQwZFQAZGAZN"
    "RURJVU0VAhYIFngWfCa8BjwYBnNvY2lhbBgDY3BjFgAoBnNvY2lhbBgDY3BjEREAGRwVABUAFQIAAAAmABwVDBkV"
    "ABkYCldFQl9TT1VSQ0UVAhYIFoABFoIBJrgHPBgGbWFpbGVyGAVhZG5ldBYAKAZtYWlsZXIYBWFkbmV0EREAGRwV"
    "ABUAFQIAAAAmABwVDBkVABkYDUNBTVBBSUdOX05BTUUVAhYIFngWeia6CDwYBFkySzEYBkFwb2xsbxYAKARZMksx"
    "GAZBcG9sbG8REQAZHBUAFQAVAgAAABbcCRYIJggWrAkAKChEdWNrREIgdmVyc2lvbiB2Mi4wLjEgKGJ1aWxkIDhk"
    "NzgxMTRlOTApGXwcAAAcAAAcAAAcAAAcAAAcAAAcAAAAtQMAAFBBUjE="
)


def damaged(parquet_b64: str, offset: int) -> bytes:
    """The Parquet file with 8 bytes from ``offset`` (inside a compressed page) set to 0xFF."""
    data = bytearray(base64.b64decode(parquet_b64))
    data[offset : offset + 8] = b"\xff" * 8
    return bytes(data)


@corpus_file("fatal_damaged_page.parquet")
def damaged_page() -> bytes:
    """basic.csv as Parquet with its CreatedDate page damaged (column chunk at byte 151, page
    header of 18 bytes): the first read of the call times fails."""
    return damaged(BASIC_PARQUET, 151 + 18)


@corpus_file("fatal_damaged_session_ids.parquet")
def damaged_session_ids() -> bytes:
    """sessions.csv as Parquet with its ID page damaged (byte 4, page header of 17 bytes)."""
    return damaged(SESSIONS_PARQUET, 4 + 17)


@corpus_file("fatal_damaged_session_channels.parquet")
def damaged_session_channels() -> bytes:
    """sessions.csv as Parquet with its CHANNEL page damaged (byte 306, page header of 19
    bytes): a run reads the channels last, for the sessions that merged only."""
    return damaged(SESSIONS_PARQUET, 306 + 19)


@corpus_file("fatal_parquet_named_csv.csv")
def parquet_named_csv() -> bytes:
    """basic.csv as an intact Parquet file, saved under a .csv name."""
    return base64.b64decode(BASIC_PARQUET)


@corpus_file("fatal_zip_named_csv.csv")
def zip_named_csv() -> bytes:
    """A ZIP archive holding basic.csv (a zipped export), saved under a .csv name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        entry = zipfile.ZipInfo("tasks.csv", date_time=(2026, 3, 4, 10, 0, 0))
        archive.writestr(entry, basic())
    return buffer.getvalue()


# ----------------------------------------------------------------------------- writing


def build() -> dict[str, bytes]:
    """Every corpus file's name and bytes."""
    return {name: make() for name, make in FILES.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write (default: here)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in build().items():
        (args.out / name).write_bytes(data)
    print(f"wrote {len(FILES)} files to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
