-- name: session_setup
-- purpose: Make a new connection compute in UTC and define the scalar macros every query shares.
-- binds: none
-- context: none

SET TimeZone = 'UTC';

-- Track query progress for calltouch's own progress bar (DuckDB never prints its own).
SET enable_progress_bar = true;
SET enable_progress_bar_print = false;
SET progress_bar_time = 0;

-- ct_white(): the white space ct_clean trims, Unicode's: space, tab, LF, VT, FF, CR, NEL, the
-- no-break space, and the other spaces (U+1680, U+2000-U+200A, the line and paragraph
-- separators, U+202F, U+205F and the ideographic space U+3000 of Japanese exports).
CREATE OR REPLACE TEMP MACRO ct_white() AS
    chr(32) || chr(9) || chr(10) || chr(11) || chr(12) || chr(13) || chr(133) || chr(160)
    || chr(5760) || chr(8192) || chr(8193) || chr(8194) || chr(8195) || chr(8196) || chr(8197)
    || chr(8198) || chr(8199) || chr(8200) || chr(8201) || chr(8202) || chr(8232) || chr(8233)
    || chr(8239) || chr(8287) || chr(12288);

-- ct_null_word(s): whether s is what a database export writes for a missing value: \N (MySQL,
-- Hive, Snowflake's default NULL_IF) or NULL (SQL Server's result grids, null in others).
-- Read as a value, it would be a BizibleId every such row shares, linking calls to the
-- sessions of unrelated visitors.
CREATE OR REPLACE TEMP MACRO ct_null_word(s) AS s IN ('\N', 'NULL', 'null');

-- ct_clean(s): s without surrounding white space (ct_white); NULL when blank or a null word.
CREATE OR REPLACE TEMP MACRO ct_clean(s) AS
    CASE WHEN NOT ct_null_word(trim(s, ct_white())) THEN nullif(trim(s, ct_white()), '') END;

-- ct_tidy(s): ct_clean(s), but only paying for the trim when s starts or ends with a
-- character outside printable ASCII (white space is among them): the common case costs two
-- character codes (first and last) instead of a full trim (0.23 s per 10M ids, against
-- 0.27 s when the codes were compared with the white space's one by one; the null words
-- cost nothing measurable).
CREATE OR REPLACE TEMP MACRO ct_tidy(s) AS
    CASE WHEN s = '' OR ct_null_word(s) THEN NULL
         WHEN ascii(s) NOT BETWEEN 33 AND 127 OR ascii(s[-1]) NOT BETWEEN 33 AND 127
         THEN ct_clean(s)
         ELSE s END;

-- ct_number_text(x): a fractional or decimal number (a Parquet DOUBLE or DECIMAL column) as the
-- text a person writes for it: a whole number without its fraction (5.0 and 5.00 are '5',
-- the id a BIGINT or text column holds), any other without trailing zeros (DECIMAL 5.50 is
-- '5.5', as DOUBLE 5.5 is); NaN and infinity are no value (blank: a NaN cookie matched
-- another NaN cookie, and NaN session ids were one id). The whole number's cast is a
-- try_cast: DuckDB drops the NaN branch when the file's statistics leave NaN out of the
-- column's range (as pyarrow writes them), and a cast of NaN stopped the load.
CREATE OR REPLACE TEMP MACRO ct_number_text(x) AS
    CASE WHEN isnan(CAST(x AS DOUBLE)) OR isinf(CAST(x AS DOUBLE)) THEN NULL
         WHEN x = trunc(x) AND abs(x) < 1e38 THEN CAST(try_cast(x AS HUGEINT) AS VARCHAR)
         ELSE regexp_replace(CAST(x AS VARCHAR), '(\.\d*?)0+$', '\1') END;

-- ct_channel_part(cell), ct_subchannel_part(cell): a warehouse CHANNEL cell ("Paid
-- Search.AdWords", tidy text) split at its first dot: the channel, and the subchannel (NULL
-- without a dot), each still to be tidied (ct_tidy). A template splits in one query level and
-- tidies the parts in the level above: ct_tidy reads its argument several times, and DuckDB
-- computed the split for each (605k cells at 10M/1M: 0.43 s, against 0.21 s split
-- once; BENCHMARKS.md).
CREATE OR REPLACE TEMP MACRO ct_channel_part(cell) AS split_part(cell, '.', 1);
CREATE OR REPLACE TEMP MACRO ct_subchannel_part(cell) AS
    CASE WHEN contains(cell, '.') THEN substr(cell, strpos(cell, '.') + 1) END;

-- ct_id_key(id): a 32-bit key of an id, for finding ids read more than once: equal ids have
-- equal keys; a few unequal ones share a key too (harmless where a superset is wanted), and
-- half-width keys sort faster than 64-bit hashes. NULL for a NULL id (hash(NULL) is not NULL).
CREATE OR REPLACE TEMP MACRO ct_id_key(id) AS
    CASE WHEN id IS NOT NULL THEN CAST(hash(id) >> 32 AS UINTEGER) END;

-- ct_span(us, window_us): the number of the span of `window_us` microseconds (at least one)
-- that the instant `us` (epoch microseconds) falls in. Spans are at least a window long, so a
-- session that merges (starting at most one window before its call, R3) starts in the call's
-- span or the one before: a one-shot CSV run keeps the details of only those sessions
-- (calling_spans, load_sessions).
CREATE OR REPLACE TEMP MACRO ct_span(us, window_us) AS us // greatest(window_us, 1);

-- ct_sf18_chunk(id, o): the checksum letter for the five characters of id after offset o.
CREATE OR REPLACE TEMP MACRO ct_sf18_chunk(id, o) AS
    substr('ABCDEFGHIJKLMNOPQRSTUVWXYZ012345',
           1 + (CASE WHEN substr(id, o + 1, 1) BETWEEN 'A' AND 'Z' THEN 1 ELSE 0 END)
             + (CASE WHEN substr(id, o + 2, 1) BETWEEN 'A' AND 'Z' THEN 2 ELSE 0 END)
             + (CASE WHEN substr(id, o + 3, 1) BETWEEN 'A' AND 'Z' THEN 4 ELSE 0 END)
             + (CASE WHEN substr(id, o + 4, 1) BETWEEN 'A' AND 'Z' THEN 8 ELSE 0 END)
             + (CASE WHEN substr(id, o + 5, 1) BETWEEN 'A' AND 'Z' THEN 16 ELSE 0 END),
           1);

-- ct_sf18(id): a 15-character Salesforce id in its 18-character form; any other id unchanged.
CREATE OR REPLACE TEMP MACRO ct_sf18(id) AS
    CASE WHEN length(id) = 15 AND regexp_full_match(id, '[0-9A-Za-z]{15}')
         THEN id || ct_sf18_chunk(id, 0) || ct_sf18_chunk(id, 5) || ct_sf18_chunk(id, 10)
         ELSE id END;

-- ct_raw_holds(raw, id, seps): whether a rejected line's text holds id whole between two of
-- the characters the regular expression class seps matches, or the line's ends (task 12 is
-- not in the line of task 123): a CSV's delimiters and quotes, and for an id known to be
-- the line's own (explain_task) also spaces, colons and a Parquet row's brackets.
CREATE OR REPLACE TEMP MACRO ct_raw_holds(raw, id, seps) AS
    contains(chr(31) || regexp_replace(raw, seps, chr(31), 'g') || chr(31),
             chr(31) || id || chr(31));

-- ct_sf18_if(convert, id): ct_sf18(id) for a file whose ids are Salesforce's (convert), else
-- id as written (a call-tracking vendor's call id or phone number).
CREATE OR REPLACE TEMP MACRO ct_sf18_if(convert, id) AS
    CASE WHEN convert THEN ct_sf18(id) ELSE id END;

-- ct_who18(convert, id): a WhoId in its 18-character form: any 15-character id of a file whose
-- ids are Salesforce's (convert); of a call log, one that is a Salesforce lead's or contact's
-- (key prefix 00Q or 003, a letter among its characters: never a phone number, even 0033...),
-- which a vendor's Salesforce field holds; else as written.
CREATE OR REPLACE TEMP MACRO ct_who18(convert, id) AS
    ct_sf18_if(convert
               OR (regexp_full_match(id, '00[Q3][0-9A-Za-z]{12}') AND regexp_matches(id, '[A-Za-z]')),
               id);

-- ct_iso_date(s): whether s starts like an ISO-8601 date, with a four-digit year. DuckDB's
-- casts also read '3/2/26 12:40' as 0003-02-26 (year first, any separator, any digits): the
-- casts below are only tried on text of this shape, locale forms are the formats' to read.
CREATE OR REPLACE TEMP MACRO ct_iso_date(s) AS s GLOB '[0-9][0-9][0-9][0-9]-*';

-- ct_offset_ok(s): false when s ends with a UTC offset that no place has: beyond 18 hours, or
-- minutes or seconds beyond 59 (+25:00, +18:30, +99:99, -00:60, UTC+25:00), which DuckDB's
-- cast and strptime's %z read anyway, moving the time by up to four days; such a time is not
-- a date-time. (An offset of another shape, +1:5, the cast refuses itself.) One pattern of
-- what is wrong costs 0.035 s per 1M values, a third of testing for an offset first and then
-- for a valid one.
CREATE OR REPLACE TEMP MACRO ct_offset_ok(s) AS NOT regexp_matches(s,
    '[0-9 CTct][+-]((19|[2-9][0-9])[0-9:]*|[0-9]{2}:?[6-9][0-9](:?[0-9]{2})?|[0-9]{2}:?[0-9]{2}:?[6-9][0-9]'
    || '|18:?(0[1-9]|[1-5][0-9])(:?[0-9]{2})?|18:?00:?(0[1-9]|[1-5][0-9]))$');

-- ct_zone_ok(s): false when s ends with a zone written as letters other than Z, UTC or GMT
-- (10:22:00 PST). DuckDB's cast reads ICU's legacy ids there: PST as Los Angeles, summer time
-- included (17:22Z in July, not PST's 18:22Z), BST as Dhaka, IST as Kolkata, AST as Anchorage,
-- where an export meant a fixed offset or another place; PDT and CEST it refuses. Such a time
-- is not read (rejected, with advice) rather than read as a guess. A zone named by its region
-- (America/New_York, after a letter or a slash) is one place and is read as it.
CREATE OR REPLACE TEMP MACRO ct_zone_ok(s) AS
    NOT regexp_matches(s, '[0-9.]\s*[A-Za-z]+$')
    OR upper(regexp_extract(s, '[A-Za-z]+$')) IN ('Z', 'UTC', 'GMT');

-- ct_cut_short(s): whether s ends where a time was cut short: after a colon, one character
-- past a colon, or at a decimal point (2026-03-02T00:3, 10:2, 08:00:00.), as the last
-- row of a file that ends mid-row does. DuckDB's cast and strptime's %M read them (00:03,
-- 10:02, 08:00): such a time is not read as a guess ('10:22 a.m.' ends well). LIKE patterns
-- cost 0.3 s per 10M values, half of right() and a sixth of GLOB's.
CREATE OR REPLACE TEMP MACRO ct_cut_short(s) AS
    s LIKE '%:' OR s LIKE '%:_' OR (s LIKE '%.' AND NOT s ILIKE '%m.');

-- ct_in_years(ts): ts, unless it falls outside the years 1-9999 (DuckDB reads '0000-06-01'
-- as 1 BC, and an offset moves 9999-12-31 23:00-05:00 into the year 10000): no export means
-- them, and Python's dates, which draw the reports, cannot hold them.
CREATE OR REPLACE TEMP MACRO ct_in_years(ts) AS
    CASE WHEN ts >= TIMESTAMP '0001-01-01' AND ts < TIMESTAMP '10000-01-01' THEN ts END;

-- ct_offset_tidy(s): s with white space, UTC or GMT between the time and a trailing offset
-- taken out, and the offset's hour written with two digits (12:17:00 UTC+5:30,
-- 2026-03-02T12:17:00 +0000 to 12:17:00+05:30, ...+0000; seconds kept: UTC+05:30:00).
CREATE OR REPLACE TEMP MACRO ct_offset_tidy(s) AS
    regexp_replace(regexp_replace(
        s, '([0-9])\s*(UTC|GMT)?\s*([+-])([0-9](:[0-9]{2}){0,2})$', '\1\30\4', 'i'),
        '([0-9])\s*(UTC|GMT)?\s*([+-][0-9]{2}(:?[0-9]{2}){0,2})$', '\1\3', 'i');

-- ct_iso_ts(s): ISO-8601 text (a zone or offset read as such, else the connection's TimeZone)
-- to a naive UTC timestamp; NULL when the cast cannot read it. DuckDB's cast reads UTC+05:30
-- as +05:00 (UTC-03:30 as -03:00, the minutes dropped): such text is read tidied
-- (ct_offset_tidy) or not at all (an offset the tidying cannot read, or no place has, such
-- as UTC+5:99), as is text the cast refuses for a space before its offset.
CREATE OR REPLACE TEMP MACRO ct_iso_ts(s) AS
    timezone('UTC', CASE WHEN s ILIKE '%UTC+%' OR s ILIKE '%UTC-%'
                         -- read tidied, or not at all: never with the minutes dropped
                         THEN CASE WHEN NOT contains(ct_offset_tidy(upper(s)), 'UTC')
                                        AND ct_offset_ok(ct_offset_tidy(upper(s)))
                                   THEN try_cast(ct_offset_tidy(upper(s)) AS TIMESTAMPTZ) END
                         ELSE coalesce(try_cast(s AS TIMESTAMPTZ),
                                       try_cast(upper(s) AS TIMESTAMPTZ),
                                       try_cast(ct_offset_tidy(upper(s)) AS TIMESTAMPTZ)) END);

-- ct_ts(s): text to a naive UTC timestamp. Values with Z (or RFC 3339's z) or an offset keep
-- their instant; values without a zone are read in the connection's TimeZone (set per input by
-- the loader). NULL when s is not a date-time; s must carry a time of day (a bare date cannot
-- place a call), a zone must be Z, an offset, UTC, GMT or a region (ct_zone_ok), and a time
-- cut short is not read (ct_cut_short).
-- RFC 3339's lower-case t and z (which DuckDB's cast refuses) are only looked
-- at when the cast fails: no cost otherwise. Times are read to the microsecond: digits
-- beyond the sixth of a second's fraction are dropped. Only text of the years 0000, 0001 or
-- 9999 can fall outside the years 1-9999 in UTC: the check (ct_in_years, which casts twice)
-- is paid for that text only.
CREATE OR REPLACE TEMP MACRO ct_ts(s) AS
    CASE WHEN contains(s, ':') AND ct_iso_date(s) AND ct_offset_ok(s) AND ct_zone_ok(s)
              AND NOT ct_cut_short(s) THEN
        CASE WHEN s >= '0002' AND s < '9999' THEN ct_iso_ts(s)
             ELSE ct_in_years(ct_iso_ts(s)) END END;

-- ct_date_midnight(s): a date alone written year first (2026-03-02, 2026/03/02, 2026.3.2) as
-- its midnight in the connection's TimeZone, as a naive UTC timestamp; NULL for any other
-- text. For a modification time, which only orders copies (R9): a date cannot place a call.
CREATE OR REPLACE TEMP MACRO ct_date_midnight(s) AS
    CASE WHEN regexp_full_match(s, '[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}') AND s >= '0001'
         THEN ct_in_years(ct_iso_ts(regexp_replace(s, '[/.]', '-', 'g'))) END;

-- ct_full_year(ts): ts (a naive timestamp), unless its year is below 1000: what DuckDB's %Y
-- makes of a year written with two or three digits ('26-03-04 10:22' read as the year 26);
-- a strptime format therefore never reads a year before 1000 (the ISO cast still does).
-- Checking the result costs less than checking the text first (0.01 against 0.12 s per 10M
-- values). A zoned value is checked in UTC, so its zone, not --tz, decides.
CREATE OR REPLACE TEMP MACRO ct_full_year(ts) AS
    CASE WHEN ts >= TIMESTAMP '1000-01-01' AND ts < TIMESTAMP '10000-01-01' THEN ts END;

-- ct_locale_midnight(s, formats): a locale date alone (3/2/2026, 02.03.2026; formats: the
-- file's day/month order) as its midnight in the connection's TimeZone, as ct_date_midnight.
CREATE OR REPLACE TEMP MACRO ct_locale_midnight(s, formats) AS
    timezone('UTC', CAST(ct_full_year(try_strptime(s, formats)) AS TIMESTAMPTZ));

-- ct_ns_floor(ns): a TIMESTAMP_NS cut to the microsecond at or before it (the cast rounds to
-- the nearest, and integer division truncates towards zero, which is later before 1970).
CREATE OR REPLACE TEMP MACRO ct_ns_floor(ns) AS
    make_timestamp(epoch_ns(ns) // 1000 - CASE WHEN epoch_ns(ns) % 1000 < 0 THEN 1 ELSE 0 END);

-- ct_meridiem(s): a locale time's AM/PM as strptime's %p reads it: 'a.m.' and 'p.m.' (Canadian
-- and newer locale data) as AM and PM, and a no-break or narrow no-break space before them
-- (what recent locale formatting puts there) as a space; a fraction of a second cut to the
-- microsecond, which %f reads (12:17:00.123456789, as ISO text is read). Text without them is
-- unchanged.
CREATE OR REPLACE TEMP MACRO ct_meridiem(s) AS
    CASE WHEN regexp_matches(s, '[.\x{00A0}\x{202F}]')
         THEN regexp_replace(regexp_replace(regexp_replace(regexp_replace(
                  s, '[\x{00A0}\x{202F}]', ' ', 'g'),
                  '\b[aA]\.\s?[mM]\.', 'AM', 'g'),
                  '\b[pP]\.\s?[mM]\.', 'PM', 'g'),
                  '(:[0-9]{2}\.[0-9]{6})[0-9]+', '\1')
         ELSE s END;

-- ct_locale_ts(s, naive, zoned): like ct_ts, also trying strptime format lists for locale
-- timestamps (3/4/2026, 10:22 AM); the naive formats are read in the connection's TimeZone.
-- The lists try a two-digit year before a four-digit one (calltouch.timeformats): DuckDB's %Y
-- also reads '26' as the year 26, which the year-first formats would still give.
-- A zone written after the time as ISO-8601 text may have it is read too: UTC, GMT, UTC+05:30,
-- a zone's name (America/New_York; %Z, for those values only); an abbreviation (PST, CET:
-- ambiguous) is not, though %Z would read it, and is rejected with advice as in ISO text.
CREATE OR REPLACE TEMP MACRO ct_locale_ts(s, naive, zoned) AS coalesce(
    ct_ts(s),
    timezone('UTC', CAST(ct_full_year(try_strptime(ct_meridiem(s), naive)) AS TIMESTAMPTZ)),
    ct_full_year(timezone('UTC', try_strptime(ct_meridiem(s), zoned))),
    CASE WHEN regexp_matches(s, '\s(UTC|GMT)[+-][0-9]{2}(:?[0-9]{2})?$')
         THEN ct_full_year(timezone('UTC', try_strptime(
                  ct_meridiem(regexp_replace(s, '\s(UTC|GMT)([+-])', ' \2')), zoned)))
         WHEN regexp_matches(s, '\s(UTC|GMT|[A-Za-z]+(/[A-Za-z0-9_+-]+)+)$')
         THEN ct_full_year(timezone('UTC', try_strptime(
                  ct_meridiem(s), list_transform(naive, lambda f: f || ' %Z')))) END);

-- ct_ts_formats(s, naive, zoned): ct_locale_ts where s has a time of day, not cut short, and
-- no offset no place has; text of the year 9999, which a zone can move into the year 10000, is checked
-- (ct_in_years) after reading.
CREATE OR REPLACE TEMP MACRO ct_ts_formats(s, naive, zoned) AS
    CASE WHEN contains(s, ':') AND ct_offset_ok(s) AND NOT ct_cut_short(s) THEN
        CASE WHEN contains(s, '9999') THEN ct_in_years(ct_locale_ts(s, naive, zoned))
             ELSE ct_locale_ts(s, naive, zoned) END END;

-- ct_bool(s): true/false, t/f, yes/no, y/n, 1/0 and 1.0/0.0 (a float column pandas wrote)
-- in any case as a BOOLEAN, and the words a spreadsheet re-saved in another language writes
-- for TRUE and FALSE (Excel in German WAHR/FALSCH, French, Spanish, Portuguese, Italian,
-- Dutch, Swedish, Danish, Norwegian, Finnish, Polish, Czech, Hungarian, Turkish, Russian:
-- BOOL_WORDS in calltouch/load.py names them to the user); NULL otherwise. A simple CASE,
-- not IN lists: DuckDB plans a list of five or more constants as a join, which stores a
-- load's rows in the order its threads finish, where R9's "last read" and the rejected rows'
-- lines need the file's (a test checks the load plans hold no join).
CREATE OR REPLACE TEMP MACRO ct_bool(s) AS
    CASE lower(s)
        WHEN 'true' THEN true WHEN 't' THEN true WHEN 'yes' THEN true WHEN 'y' THEN true
        WHEN '1' THEN true WHEN '1.0' THEN true WHEN 'wahr' THEN true WHEN 'vrai' THEN true
        WHEN 'verdadero' THEN true WHEN 'verdadeiro' THEN true WHEN 'vero' THEN true
        WHEN 'waar' THEN true WHEN 'sant' THEN true WHEN 'sand' THEN true WHEN 'sann' THEN true
        WHEN 'tosi' THEN true WHEN 'prawda' THEN true WHEN 'pravda' THEN true
        WHEN 'igaz' THEN true WHEN 'doğru' THEN true WHEN 'истина' THEN true
        WHEN 'false' THEN false WHEN 'f' THEN false WHEN 'no' THEN false WHEN 'n' THEN false
        WHEN '0' THEN false WHEN '0.0' THEN false WHEN 'falsch' THEN false
        WHEN 'faux' THEN false WHEN 'falso' THEN false WHEN 'onwaar' THEN false
        WHEN 'falskt' THEN false WHEN 'falsk' THEN false WHEN 'usann' THEN false
        WHEN 'epätosi' THEN false WHEN 'fałsz' THEN false WHEN 'nepravda' THEN false
        WHEN 'hamis' THEN false WHEN 'yanlış' THEN false WHEN 'yanliş' THEN false
        WHEN 'ложь' THEN false
    END;

-- ct_flag(s): ct_bool of a cell that must be a flag when not blank (a session's HAS_FORM): a
-- value that is neither stops the statement, as a row cannot be rejected for a field the
-- one-shot run does not read (the loader tells the column and the value, FLAG_STOP below).
CREATE OR REPLACE TEMP MACRO ct_flag(s) AS
    CASE WHEN s IS NULL THEN NULL
         ELSE coalesce(ct_bool(s), error('calltouch-unread-flag: ' || s)) END;

-- ct_amount_text(t, mark): an amount as DECIMAL(18, 2), from its text without currency, spaces
-- and apostrophes (ct_amount_tidy); NULL when it is not one. Either mark may separate the
-- decimals: 12500.5 and 12500,5; 12,500.00 (US) and 12.500,00 (Europe), where the other mark
-- groups thousands; and a mark before each group of three digits groups thousands, alone too
-- (1,500 and 1.500 are 1500: a currency amount has no third decimal; a group after a lone 0 is
-- decimals, 0.500 is 0.5), unless mark, the decimal mark the column's other cells tell
-- (ct_amount_mark), is that mark: beside 1250.500 and 12500.555, 125.500 is 125.5, not 125500;
-- commas also in India's grouping (1,23,456.50); and the exponent form Excel and float dumps
-- write (1.2E+5). Any other use of the marks (1,2,3, 1.2.3, 12,50.00) is not an amount:
-- deleting every comma had read 12.500,00 as 12.5 and 1,5 as 15.
CREATE OR REPLACE TEMP MACRO ct_amount_text(t, mark := NULL) AS
    try_cast(CASE
        WHEN mark = '.' AND regexp_full_match(t, '[+-]?[1-9]\d{0,2}\.\d{3}') THEN t
        WHEN mark = ',' AND regexp_full_match(t, '[+-]?[1-9]\d{0,2},\d{3}')
            THEN replace(t, ',', '.')
        WHEN regexp_full_match(t, '[+-]?[1-9]\d{0,2}((,\d{3})+|(\.\d{3})+)')
            THEN regexp_replace(t, '[.,]', '', 'g')
        WHEN regexp_full_match(t, '[+-]?(\d+[.,]?|\d*[.,]\d+)') THEN replace(t, ',', '.')
        WHEN regexp_full_match(t, '[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d{1,3}') THEN t
        WHEN regexp_full_match(t, '[+-]?(\d{1,3}(,\d{3})+|\d{1,2}(,\d{2})+,\d{3})\.\d+')
            THEN replace(t, ',', '')
        WHEN regexp_full_match(t, '[+-]?\d{1,2}(,\d{2})+,\d{3}') THEN replace(t, ',', '')
        WHEN regexp_full_match(t, '[+-]?\d{1,3}(\.\d{3})+,\d+')
            THEN replace(replace(t, '.', ''), ',', '.')
    END AS DECIMAL(18, 2));
-- ct_amount_mark(t): the decimal mark a tidied amount's text shows beyond doubt, '.' or ',';
-- NULL when it shows none (12500) or could be either (1.500, 1,500: thousands or decimals).
-- The mark is the decimal one when it is followed by other than three digits (12.5, 12,5,
-- 12.5555), or preceded by a lone 0 or four digits or more (0.500, 1250,500), or follows the
-- other mark's groups (12,500.00, 1.250,5); the mark that groups twice (1,234,567,
-- 1,23,456, 1.234.567) is not.
CREATE OR REPLACE TEMP MACRO ct_amount_mark(t) AS
    CASE
        WHEN regexp_full_match(t, '[+-]?(\d*\.(\d{1,2}|\d{4,})|(0|\d{4,})\.\d*|'
                                  || '\d{1,3}(,\d{3})+\.\d*|\d{1,3}(,\d{3}){2,}|\d{1,2}(,\d{2})+,\d{3}(\.\d*)?)')
            THEN '.'
        WHEN regexp_full_match(t, '[+-]?(\d*,(\d{1,2}|\d{4,})|(0|\d{4,}),\d*|'
                                  || '\d{1,3}(\.\d{3})+,\d*|\d{1,3}(\.\d{3}){2,})')
            THEN ','
    END;
-- ct_amount_tidy(s): an amount's text without its currency: a sign ($ € £ ¥ ₹) or an ISO code
-- before or after the number (USD 12,500.00 in a multi-currency org's report, 12.500,00 EUR),
-- inside the parentheses too, and without spaces and apostrophes (12 500, 12'500, de-CH's
-- 12’500); a number in parentheses is negative, as Excel's accounting formats write it
-- ((1,200.00), $(1,200.00), (USD 1,200.00)), and so is one after a minus sign (U+2212).
CREATE OR REPLACE TEMP MACRO ct_amount_tidy(s) AS
    regexp_replace(
        regexp_replace(regexp_replace(regexp_replace(s, '\x{2212}', '-', 'g'),
                                      '^(\(?)[A-Z]{3}\s*|\s*[A-Z]{3}(\)?)$', '\1\2'),
                       '[$€£¥₹''\x{2019}\s\x{00A0}\x{202F}]', '', 'g'),
        '^\(([^()]+)\)$', '-\1');
-- ct_amount(s, mark): an amount cell as DECIMAL(18, 2) (ct_amount_text of ct_amount_tidy);
-- mark: the decimal mark of the cell's column, when its cells tell one (survey: ct_amount_mark).
CREATE OR REPLACE TEMP MACRO ct_amount(s, mark := NULL) AS
    ct_amount_text(ct_amount_tidy(s), mark);

-- ct_amount_currency(s): the currency an amount's cell names, when it is an amount: its ISO
-- code before or after the number (USD 12,500.00, 12.500,00 EUR) or its sign ($ € £ ¥ ₹);
-- NULL otherwise. A report writes it there when the org has several currencies.
CREATE OR REPLACE TEMP MACRO ct_amount_currency(s) AS
    CASE WHEN ct_amount(s) IS NOT NULL THEN
        coalesce(nullif(regexp_extract(s, '^\(?([A-Z]{3})[^A-Z]', 1), ''),
                 nullif(regexp_extract(s, '[^A-Z]([A-Z]{3})\)?$', 1), ''),
                 nullif(regexp_extract(s, '[$€£¥₹]', 0), ''))
    END;

-- ct_day(s, formats): a date (2026-03-31, or a locale form such as 3/31/2026 via formats);
-- NULL for the year 0000 (1 BC to DuckDB). A time with its zone (Z, an offset, a zone name
-- after the time of day) is an instant: its UTC day, as a typed TIMESTAMPTZ's (the date cast
-- kept the local date, so 20:00-05:00 on the 20th closed on the 20th, not the 21st); a time
-- without a zone keeps the date written. naive, zoned: the locale date-time formats (ct_ts_formats),
-- for a locale date with its time (3/2/2026 8:00 PM, its date; with -05:00, its UTC day).
CREATE OR REPLACE TEMP MACRO ct_day(s, formats, naive := NULL, zoned := NULL) AS
    coalesce(CASE WHEN ct_iso_date(s) AND s >= '0001' THEN
                 CASE WHEN regexp_matches(s, '[0-9]:[0-9]{2}(:[0-9]{2}([.,][0-9]*)?)?\s*[zZ+A-Za-z-]')
                      THEN CAST(ct_ts(s) AS DATE)
                      ELSE try_cast(s AS DATE) END END,
             CAST(ct_full_year(try_strptime(s, formats)) AS DATE),
             CASE WHEN naive IS NOT NULL AND contains(s, ':') THEN
                 coalesce(CAST(ct_full_year(try_strptime(ct_meridiem(s), naive)) AS DATE),
                          CAST(ct_ts_formats(s, naive, zoned) AS DATE)) END);

-- ct_iso(ts): a naive UTC timestamp as ISO-8601 with Z; fractions of a second only when present.
CREATE OR REPLACE TEMP MACRO ct_iso(ts) AS
    CASE WHEN ts IS NULL THEN NULL
         WHEN microsecond(ts) % 1000000 = 0 THEN strftime(ts, '%Y-%m-%dT%H:%M:%SZ')
         WHEN microsecond(ts) % 1000 = 0 THEN strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ')
         ELSE strftime(ts, '%Y-%m-%dT%H:%M:%S.%fZ') END;

-- ct_iso_ns(ts): a naive UTC TIMESTAMP_NS as ct_iso writes it, with nine decimals when it has
-- digits below the microsecond (a carried cell is the file's value, not cut as matching does).
CREATE OR REPLACE TEMP MACRO ct_iso_ns(ts) AS
    CASE WHEN nanosecond(ts) % 1000 = 0 THEN ct_iso(CAST(ts AS TIMESTAMP))
         ELSE strftime(ts, '%Y-%m-%dT%H:%M:%S.%nZ') END;

-- ct_minutes(us): microseconds as the minutes the outputs show, rounded to 5 decimals (the
-- touchpoints' minutes and explain's, which must agree).
CREATE OR REPLACE TEMP MACRO ct_minutes(us) AS round(us / 60000000.0, 5);

-- ct_minutes_text(x): minutes (a DOUBLE rounded to 5 decimals) as CSV text without the
-- exponent DuckDB writes below 0.0001 (2e-05); other values as DuckDB writes them (23.0).
CREATE OR REPLACE TEMP MACRO ct_minutes_text(x) AS
    CASE WHEN x <> 0 AND abs(x) < 0.0001 THEN rtrim(printf('%.5f', x), '0')
         ELSE CAST(x AS VARCHAR) END;

-- ct_csv_safe(s): text a spreadsheet would run as a formula, neutralised with a leading quote;
-- a NUL byte (which breaks CSV readers) shown as U+FFFD; an empty text as an empty field, as
-- a CSV input's empty cell is written (DuckDB writes '' as ""): the same values give the
-- same bytes whichever format they came in. Most cells pass through untouched.
CREATE OR REPLACE TEMP MACRO ct_csv_safe(s) AS
    CASE WHEN s = '' THEN NULL
         WHEN ascii(s) IN (61, 43, 45, 64, 9, 13) THEN '''' || replace(s, chr(0), chr(65533))
         WHEN contains(s, chr(0)) THEN replace(s, chr(0), chr(65533))
         ELSE s END;
