"""Raw columns → canonical values: text to numbers, units to the report's units, and every unusable cell found.

Everything is vectorised over whole columns; the per-value work only happens on the (rare) text that is not already a
number. Each decision that changes values is returned as a sentence for LoadReport.conversions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core import schema
from core.sources.reading import MISSING_TOKENS

UNIT_FEATURES: tuple[str, ...] = tuple(f.name for f in schema.FEATURES if f.unit == "0–1")
# A column is unusable (probably the wrong column, or the wrong file) when more than this share of its filled
# cells cannot be used; below it the bad cells are listed as row problems and the rest of the column is kept.
UNUSABLE_SHARE = 0.5
# Median below which a duration cannot be milliseconds (10 s songs) and must be seconds; below 30, minutes.
SECONDS_MEDIAN_BELOW = 10_000
MISSING_PROBLEM = "is empty (no value, or NaN)"
MINUTES_MEDIAN_BELOW = 30


def valid_range(name: str) -> tuple[float, float]:
    """The range a value must lie in to be used: the schema's ranges, popularity 0–100."""
    if name == schema.TARGET:
        return schema.TARGET_RANGE
    feature = schema.FEATURES_BY_NAME[name]
    return feature.min, feature.max


def is_integer_column(name: str) -> bool:
    return name == schema.TARGET or name in schema.INTEGER_FEATURES


@dataclass
class Problem:
    mask: np.ndarray         # frame rows with this problem
    original: pd.Series      # the cell as the file wrote it
    problem: str


@dataclass
class CleanColumn:
    values: np.ndarray                                   # float64; NaN where a cell is missing or unusable
    problems: list[Problem] = field(default_factory=list)
    conversions: list[str] = field(default_factory=list)
    unusable: str | None = None                          # why the whole column cannot be used
    empty: bool = False                                  # not a single filled cell

    @property
    def problem_mask(self) -> np.ndarray:
        mask = np.zeros(len(self.values), dtype=bool)
        for problem in self.problems:
            mask |= problem.mask
        return mask


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"


def _examples(values: pd.Series, limit: int = 3) -> str:
    shown = list(dict.fromkeys(str(v) for v in values.head(50)))[:limit]
    return ", ".join(f"`{v}`" for v in shown)


# ---- text → numbers --------------------------------------------------------------------------------------------------

_THOUSANDS = r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
_DECIMAL_COMMA = r"[-+]?(?:\d{1,3}(?:\.\d{3})+|\d*),\d+"
_UNIT_TEXT = re.compile(r"\s*(?:%|db|bpm|ms)$", re.IGNORECASE)
# Exports from some locales write −7.5 (U+2212 and its look-alikes) and group thousands with (narrow) no-break spaces
# or apostrophes: 1 234 567, 1'234.
_MINUS_SIGNS = re.compile("^[\u2212\u2012\u2013\ufe63\uff0d]")
_GROUP_SPACE = re.compile("(?<=\\d)[\u00a0\u202f\u2009 '\u2019](?=\\d{3})")
_SPACED_THOUSANDS = re.compile("[-+]?\\d{1,3}(?:[\u00a0\u202f\u2009 '\u2019]\\d{3})+(?:[.,]\\d+)?")


@dataclass
class ParsedNumbers:
    values: pd.Series          # float64, NaN where missing or unparsed
    missing: pd.Series         # bool: empty / NA-like cell
    percent: bool = False      # values were written with a '%'
    notes: list[str] = field(default_factory=list)


def parse_numbers(text: pd.Series, delimiter: str | None, label: str) -> ParsedNumbers:
    """Numbers from text cells: NA tokens, '%' and unit suffixes, thousands separators, decimal commas.

    Plain numbers are parsed in one vectorised call; the slower clean-up only touches the cells that failed it.
    """
    stripped = text.astype("str").str.strip()
    missing = (stripped.isna() | stripped.str.lower().isin(MISSING_TOKENS)).to_numpy(dtype=bool)
    work = stripped.mask(missing)
    values = pd.to_numeric(work, errors="coerce").astype("float64").to_numpy(copy=True)
    failed = ~missing & np.isnan(values)
    notes: list[str] = []
    percent = False
    if failed.any():
        odd = work[failed]
        percent = bool(odd.str.endswith("%").any())
        odd = odd.str.replace(_UNIT_TEXT, "", regex=True)
        minus = odd.str.contains(_MINUS_SIGNS).to_numpy(dtype=bool)
        if minus.any():
            odd = odd.str.replace(_MINUS_SIGNS, "-", regex=True)
            notes.append(f"{label}: typographic minus signs (e.g. {_examples(work[failed][minus], 1)}) were read as "
                         "minus signs.")
        spaced = odd.str.fullmatch(_SPACED_THOUSANDS).to_numpy(dtype=bool)
        if spaced.any():
            odd = odd.where(~spaced, odd.str.replace(_GROUP_SPACE, "", regex=True))
            notes.append(f"{label}: spaces or apostrophes between thousands were removed (e.g. "
                         f"{_examples(work[failed][spaced], 1)}).")
        has_comma = odd.str.contains(",", regex=False).to_numpy(dtype=bool)
        if has_comma.any():
            with_comma = odd[has_comma]
            dots_elsewhere = bool(work[~failed].str.contains(".", regex=False).any()) or bool(
                odd[~has_comma].str.contains(".", regex=False).any())
            decimal = with_comma.str.fullmatch(_DECIMAL_COMMA)
            thousands = with_comma.str.fullmatch(_THOUSANDS)
            if delimiter != "," and bool(decimal.all()) and not dots_elsewhere:
                fixed = with_comma.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
                notes.append(f"{label}: decimal commas were read as decimal points (e.g. "
                             f"{_examples(with_comma, 1)}).")
            elif bool(thousands.any()):
                fixed = with_comma.where(~thousands, with_comma.str.replace(",", "", regex=False))
                notes.append(f"{label}: thousands separators were removed (e.g. "
                             f"{_examples(with_comma[thousands], 1)}).")
            else:
                fixed = with_comma
            odd = odd.copy()
            odd[has_comma] = fixed
        values[failed] = pd.to_numeric(odd, errors="coerce").astype("float64").to_numpy()
    return ParsedNumbers(pd.Series(values, index=text.index), pd.Series(missing, index=text.index), percent, notes)


_NOTE = re.compile(r"^([A-Ga-g])\s*([#♯b♭]?)(?:\s*/\s*[A-Ga-g]\s*[#♯b♭]?)?(?:\s*(?:maj(?:or)?|min(?:or)?|m))?$")
_PITCH = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}


def _parse_key_names(text: pd.Series) -> pd.Series:
    """C, C#, Db, C♯/D♭, 'A minor' → pitch class 0–11 (NaN where it is not a note name)."""
    parts = text.str.strip().str.extract(_NOTE)
    base = parts[0].str.lower().map(_PITCH)
    shift = parts[1].map({"#": 1, "♯": 1, "b": -1, "♭": -1}).fillna(0)
    return ((base + shift) % 12).astype("float64")


_MODE_WORDS = {"major": 1, "maj": 1, "minor": 0, "min": 0, "true": 1, "false": 0, "yes": 1, "no": 0}


def _parse_mode_words(text: pd.Series) -> pd.Series:
    return text.str.strip().str.lower().map(_MODE_WORDS).astype("float64")


def _parse_time_signature(text: pd.Series) -> pd.Series:
    parts = text.str.strip().str.extract(r"^(\d+)\s*/\s*\d+$")
    return pd.to_numeric(parts[0], errors="coerce").astype("float64")


def _parse_clock(text: pd.Series) -> pd.Series:
    """'3:45', '1:02:03', '3:45.5' → milliseconds."""
    parts = text.str.strip().str.extract(r"^(?:(\d+):)?(\d+):(\d{2}(?:\.\d+)?)$")
    hours = pd.to_numeric(parts[0], errors="coerce").fillna(0)
    minutes = pd.to_numeric(parts[1], errors="coerce")
    seconds = pd.to_numeric(parts[2], errors="coerce")
    return ((hours * 3600 + minutes * 60 + seconds) * 1000).astype("float64")


_TEXT_READERS = {
    "key": (_parse_key_names, "note names (e.g. {examples}) were read as pitch classes 0–11 (C = 0 … B = 11)"),
    "mode": (_parse_mode_words, "words (e.g. {examples}) were read as 1 = major, 0 = minor"),
    "time_signature": (_parse_time_signature, "fractions (e.g. {examples}) were read as beats per bar"),
    "duration_ms": (_parse_clock, "clock times (e.g. {examples}) were read as minutes:seconds and converted to ms"),
}


# ---- one canonical numeric column ------------------------------------------------------------------------------------

def _looks_like_percent(values: np.ndarray) -> bool:
    """0–100 instead of 0–1: more than half the non-zero values above 1, none above 100.

    On a real 0–1 column a value above 1 is a typo; on a 0–100 column almost every non-zero value is above 1.
    """
    positive = values[values > 0]
    return len(positive) > 0 and values.max() <= 100 and (positive > 1).mean() > 0.5


def clean_numeric(name: str, raw: pd.Series, header: str, unit_hint: str | None,
                  delimiter: str | None, convert_units: bool = True) -> CleanColumn:
    """Canonical float values of one numeric column, with its conversions and the cells that cannot be used."""
    label = name if header == name else f"{name} (`{header}`)"
    conversions: list[str] = []
    problems: list[Problem] = []
    n = len(raw)
    original = raw
    if pd.api.types.is_bool_dtype(raw.dtype):
        raw = raw.astype("str")  # True/False: only meaningful as words for mode, handled below
    if pd.api.types.is_numeric_dtype(raw.dtype):
        values = raw.to_numpy(dtype="float64", na_value=np.nan, copy=True)
        missing = np.isnan(values)
        unparsed = np.zeros(n, dtype=bool)
        percent_seen = False
    else:
        text = raw.astype("str")
        parsed = parse_numbers(text, delimiter, label)
        conversions += parsed.notes
        values = parsed.values.to_numpy(dtype="float64", copy=True)
        missing = parsed.missing.to_numpy(dtype=bool)
        unparsed = ~missing & np.isnan(values)
        percent_seen = parsed.percent
        if name in _TEXT_READERS and unparsed.any():
            reader, sentence = _TEXT_READERS[name]
            leftovers = text[unparsed]
            read = reader(leftovers).to_numpy(dtype="float64")
            ok = ~np.isnan(read)
            if ok.any():
                positions = np.flatnonzero(unparsed)[ok]
                values[positions] = read[ok]
                unparsed[positions] = False
                conversions.append(f"{label}: " + sentence.format(examples=_examples(leftovers[ok], 2)) + ".")
        original = text
    filled = ~missing
    if not filled.any():
        return CleanColumn(np.full(n, np.nan), empty=True)

    if unparsed.any():
        problems.append(Problem(unparsed, original, "is not a number"))
    infinite = np.isinf(values)
    if infinite.any():
        problems.append(Problem(infinite, original, "is infinite"))
    usable = np.isfinite(values)

    if convert_units and usable.any():
        finite = values[usable]
        if name in UNIT_FEATURES and (unit_hint == "pct" or percent_seen or _looks_like_percent(finite)) \
                and finite.max() > 1:
            values = values / 100
            conversions.append(f"{label}: values were on a 0–100 scale (median {_fmt(np.median(finite))}), so "
                               "they were divided by 100 to the report's 0–1 scale.")
        elif name == schema.TARGET and finite.min() >= 0 and finite.max() <= 1 and (
                unit_hint == "fraction" or bool((finite != np.round(finite)).any())):
            values = np.round(values * 100, 9)  # popularity as a share (0.73): the report's scale is 0–100
            conversions.append(f"{label}: values were on a 0–1 scale (median {_fmt(np.median(finite))}), so they "
                               "were multiplied by 100 to the report's 0–100 scale.")
        elif name == "duration_ms" and not any("clock times" in c for c in conversions):
            median = float(np.median(finite))
            if unit_hint == "min" or (unit_hint != "s" and median < MINUTES_MEDIAN_BELOW):
                values = values * 60_000
                conversions.append(f"{label}: values were minutes (median {_fmt(median)}), so they were "
                                   "multiplied by 60,000 to milliseconds.")
            elif unit_hint == "s" or median < SECONDS_MEDIAN_BELOW:
                values = values * 1_000
                conversions.append(f"{label}: values were seconds (median {_fmt(median)} s), so they were "
                                   "multiplied by 1,000 to milliseconds.")
        if name in ("duration_ms", schema.TARGET):
            fractional = usable & (values != np.round(values))
            if fractional.any():
                values = np.where(usable, np.round(values), values)
                if name == schema.TARGET:
                    conversions.append(f"{label}: {int(fractional.sum()):,} fractional values were rounded to "
                                       "whole numbers.")

    low, high = valid_range(name)
    with np.errstate(invalid="ignore"):
        outside = usable & ((values < low) | (values > high))
    if outside.any():
        problems.append(Problem(outside, original, f"is outside {_fmt(low)}–{_fmt(high)}"))
    if is_integer_column(name):
        fractional = usable & ~outside & (values != np.round(values))
        if fractional.any():
            problems.append(Problem(fractional, original, "is not a whole number"))
    if missing.any():
        problems.append(Problem(missing, original, MISSING_PROBLEM))

    column = CleanColumn(values, problems, conversions)
    bad = column.problem_mask & filled
    values[column.problem_mask] = np.nan
    if bad.sum() > UNUSABLE_SHARE * filled.sum():
        kinds = {p.problem: int((p.mask & filled).sum()) for p in problems if p.problem != MISSING_PROBLEM}
        worst = max(kinds, key=kinds.get)
        example_mask = next(p.mask for p in problems if p.problem == worst)
        which = f"`{name}`" if header == name else f"`{header}` (read as `{name}`)"
        column.unusable = (f"{which} cannot be used: {int(bad.sum()):,} of {int(filled.sum()):,} filled values are "
                           f"unusable ({worst.removeprefix('is ')}: {kinds[worst]:,}, e.g. "
                           f"{_examples(original[example_mask])}).")
    return column


# ---- ids and names ---------------------------------------------------------------------------------------------------

_SPOTIFY_TRACK = re.compile(r"^(?:spotify:track:|https?://open\.spotify\.com/(?:intl-[a-z]+/)?track/)([^?/#\s]+).*$")


def clean_track_ids(raw: pd.Series, header: str) -> tuple[pd.Series, list[str]]:
    """Track ids as object strings; Spotify URIs and links reduced to the bare 22-character id."""
    text = raw.astype("str").str.strip()
    # startswith is vectorised; the regex only runs when some id is a URI or a link
    is_uri = text.str.startswith(("spotify:track:", "http://", "https://")) & text.str.match(_SPOTIFY_TRACK)
    notes = []
    if bool(is_uri.any()):
        example = text[is_uri].iloc[0]
        text = text.str.replace(_SPOTIFY_TRACK, r"\1", regex=True)
        notes.append(f"track_id (`{header}`): Spotify URIs/links were reduced to the bare track id (e.g. "
                     f"`{example}` → `{text[is_uri].iloc[0]}`).")
    text = text.mask(text == "")
    return text.astype(object), notes


def as_text_column(raw: pd.Series) -> pd.Series:
    """Names are kept verbatim (spaces, `A$AP`, `Bon appétit`), as object strings like the report's frame."""
    return raw.astype("str").astype(object)


# ---- extra columns ---------------------------------------------------------------------------------------------------

def infer_extra(raw: pd.Series, header: str, delimiter: str | None) -> tuple[pd.Series, list[str]]:
    """An extra column's natural type: whole numbers, decimals, True/False, else text. Dates stay text."""
    if not pd.api.types.is_string_dtype(raw.dtype) and not pd.api.types.is_object_dtype(raw.dtype):
        return raw, []
    text = raw.astype("str")
    filled = text.dropna()
    if filled.empty:
        return text, []
    lowered = filled.str.strip().str.lower()
    if len(filled) == len(text) and bool(lowered.isin({"true", "false"}).all()):
        return lowered.eq("true").reindex(text.index).astype(bool), []
    # Cheap rejection first: the first values decide whether parsing the whole column is worth it.
    if parse_numbers(filled.head(200), delimiter, header).values.isna().any():
        return text, []
    parsed = parse_numbers(text, delimiter, header)
    if (parsed.values.isna() & ~parsed.missing).any() or parsed.percent:
        return text, []
    values = parsed.values
    if not values.isna().any() and bool((values == np.round(values)).all()) and values.abs().max() < 2 ** 53:
        values = values.astype("int64")
    return values, parsed.notes
