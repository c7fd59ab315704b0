"""Which of a file's headers holds which canonical column: names, aliases of known exports, units hidden in headers.

Known layouts: the report's Kaggle file (canonical names), Exportify (`Track ID`, `Artist Name(s)`, `Duration (ms)`,
Title-Case features, sometimes tabs before a header), Kaggle "Top Hits" (`artist`, `song`), the Kaggle top-songs
table (`bpm`, `nrgy`, `dnce`, `dB`, `dur` in seconds, `pop`), Spotify-2023 charts (`danceability_%`,
`artist(s)_name`), tidytuesday (`track_artist`, `track_popularity`) and R/spotifyr dotted names (`track.name`).
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from core import schema

# Each canonical column's aliases, best first: when two headers both fit, the earlier alias wins.
ALIASES: dict[str, tuple[str, ...]] = {
    schema.ARTIST: ("artist_name", "artist", "artists", "artist_names", "artist_name_s", "artist_s_name",
                    "artists_name", "artist_s", "track_artist", "track_artists", "performer", "performers", "singer",
                    "band"),
    schema.TRACK_ID: ("track_id", "id", "spotify_id", "spotify_track_id", "track_spotify_id", "song_id", "trackid",
                      "track_uri", "uri", "spotify_uri", "track_url", "spotify_url"),
    schema.TRACK_NAME: ("track_name", "track", "song", "song_name", "title", "track_title", "song_title", "trackname",
                        "songname", "name"),
    "acousticness": ("acousticness", "acoustic", "acoustics", "acous", "acou", "acst"),
    "danceability": ("danceability", "dance", "danceable", "dnce", "dancability", "danceabilty"),
    "duration_ms": ("duration_ms", "duration", "dur", "length", "track_length", "song_length", "duration_msec",
                    "length_ms"),
    "energy": ("energy", "nrgy", "enrgy", "energetic"),
    "instrumentalness": ("instrumentalness", "instrumental", "instrumentality", "instr", "instru", "inst"),
    "key": ("key", "musical_key", "key_name", "pitch_class", "tonic"),
    "liveness": ("liveness", "live", "livenss"),
    "loudness": ("loudness", "loud", "db", "loudness_db", "decibels"),
    "mode": ("mode", "modality", "major_minor"),
    "speechiness": ("speechiness", "speech", "spch", "speechy", "speechness"),
    "tempo": ("tempo", "bpm", "beats_per_minute", "tempo_bpm"),
    "time_signature": ("time_signature", "time_sig", "timesignature", "meter", "beats_per_bar", "time_sign"),
    "valence": ("valence", "val", "positivity", "positiveness"),
    schema.TARGET: ("popularity", "pop", "popularity_score", "popularity_0_100", "popularity_index", "pop_index",
                    "track_popularity", "song_popularity", "spotify_popularity"),
}
_ALIAS_INDEX: dict[str, tuple[str, int]] = {
    alias: (canonical, rank) for canonical, aliases in ALIASES.items() for rank, alias in enumerate(aliases)
}
# "(ms)", "_s", "%", "(0-100)" in a header say which unit the values are in.
_UNIT_SUFFIX = re.compile(r"^(?P<base>.+?)_(?P<unit>ms|msec|s|sec|secs|seconds|min|mins|minutes|db|bpm|pct|percent|"
                          r"0_100|1_100|100|0_1|score|value|index|level)$")
_UNIT_HINTS = {"ms": "ms", "msec": "ms", "s": "s", "sec": "s", "secs": "s", "seconds": "s", "min": "min",
               "mins": "min", "minutes": "min", "pct": "pct", "percent": "pct", "0_100": "pct", "1_100": "pct",
               "100": "pct", "0_1": "fraction"}
_DURATION_WORDS = ("duration", "length", "runtime")
# R/spotifyr and tidytuesday prefix the track's own fields: track.name, track_popularity, track_artist.
_PREFIXES = ("track_", "song_", "audio_features_", "audio_")
# A typo in a long feature name is still that feature; short words are too easily something else (model → mode).
_FUZZY_MIN_LENGTH = 6
LOAD_FUZZY_CUTOFF = 0.86
SUGGEST_FUZZY_CUTOFF = 0.72

# Priorities: a mapping the person gave beats everything; an exact canonical name beats an alias.
_MAPPED, _ALIAS_BASE, _DERIVED_BASE, _FUZZY_BASE = -1, 0, 100, 200

MAPPABLE_COLUMNS: tuple[str, ...] = schema.CANONICAL_COLUMNS
"""Canonical columns a mapping may name (ids, the 13 audio features, the target), in the report's order."""


def clean_header(header: object) -> str:
    """A header as a person reads it: no BOM, no stray tabs, spaces or line breaks around it."""
    text = "" if header is None else str(header)
    return re.sub(r"\s+", " ", text.replace("\ufeff", "")).strip()


def normalise_header(header: object) -> str:
    """snake_case key of a header: case, spaces, punctuation, dots, BOM and tabs removed; '%' kept as 'pct'."""
    text = unicodedata.normalize("NFKC", clean_header(header)).replace("%", " pct ")
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


def _camel_key(header: object) -> str:
    """trackName → track_name, TrackID → track_id (only tried when the plain key is not known)."""
    text = unicodedata.normalize("NFKC", clean_header(header))
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    return normalise_header(text)


@dataclass(frozen=True)
class HeaderMatch:
    canonical: str
    priority: int               # lower wins when two headers fit the same canonical column
    unit_hint: str | None       # "ms" | "s" | "min" | "pct" | "fraction" | None
    how: str                    # "name" | "alias" | "fuzzy" | "mapping"


def _lookup(key: str) -> HeaderMatch | None:
    if key in _ALIAS_INDEX:
        canonical, rank = _ALIAS_INDEX[key]
        return HeaderMatch(canonical, _ALIAS_BASE + rank, None, "name" if rank == 0 else "alias")
    candidates = [key]
    for prefix in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            candidates.append(key[len(prefix):])
    for candidate in candidates:
        if candidate in _ALIAS_INDEX:
            canonical, rank = _ALIAS_INDEX[candidate]
            return HeaderMatch(canonical, _DERIVED_BASE + rank, None, "alias")
        suffix = _UNIT_SUFFIX.match(candidate)
        if suffix and suffix["base"] in _ALIAS_INDEX:
            canonical, rank = _ALIAS_INDEX[suffix["base"]]
            return HeaderMatch(canonical, _DERIVED_BASE + rank + 1, _UNIT_HINTS.get(suffix["unit"]), "alias")
    tokens = key.split("_")
    if len(tokens) <= 4 and any(word in tokens for word in _DURATION_WORDS):
        # `Length (Duration)`, `Song duration (sec)`, `Length (m:ss)`: the values (s, min, clock) say the unit
        hint = next((_UNIT_HINTS[t] for t in tokens if t in _UNIT_HINTS and t not in ("100", "0_100")), None)
        return HeaderMatch("duration_ms", _DERIVED_BASE + 50, hint, "alias")
    return None


def _unit_hint_of(key: str) -> str | None:
    suffix = _UNIT_SUFFIX.match(key)
    return _UNIT_HINTS.get(suffix["unit"]) if suffix else None


def match_header(header: object, fuzzy_cutoff: float | None = LOAD_FUZZY_CUTOFF) -> HeaderMatch | None:
    """The canonical column a header names, or None. Fuzzy matching only reaches audio features and the target."""
    key = normalise_header(header)
    if not key:
        return None
    found = _lookup(key)
    if found is None:
        camel = _camel_key(header)
        if camel != key:
            found = _lookup(camel)
    if found is not None:
        hint = found.unit_hint or _unit_hint_of(key)
        return HeaderMatch(found.canonical, found.priority, hint, found.how)
    if fuzzy_cutoff is None or len(key) < _FUZZY_MIN_LENGTH:
        return None
    targets = [alias for canonical, aliases in ALIASES.items() if canonical not in schema.ID_COLUMNS
               for alias in aliases if len(alias) >= _FUZZY_MIN_LENGTH]
    close = difflib.get_close_matches(key, targets, n=1, cutoff=fuzzy_cutoff)
    if not close:
        return None
    canonical, rank = _ALIAS_INDEX[close[0]]
    return HeaderMatch(canonical, _FUZZY_BASE + rank, _unit_hint_of(key), "fuzzy")


@dataclass
class ColumnPlan:
    """Which file column (by position) becomes which canonical column; everything else stays an extra."""

    headers: list[str]                                   # cleaned headers, file order
    chosen: dict[str, int] = field(default_factory=dict)  # canonical -> column position
    unit_hints: dict[str, str | None] = field(default_factory=dict)
    extras: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)        # warnings: ignored mapping keys, fuzzy reads, runner-ups
    errors: list[str] = field(default_factory=list)       # ambiguity and bad mappings: the load must stop
    unresolved: list[str] = field(default_factory=list)   # canonical columns the errors are about (for a mapping form)

    @property
    def column_mapping(self) -> dict[str, str]:
        return {self.headers[pos]: canonical for canonical, pos in
                sorted(self.chosen.items(), key=lambda item: item[1])}


def _mapping_target(value: object) -> str | None:
    """A mapping value: a canonical name, an alias of one, or empty/None for 'do not use this column'."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if text in MAPPABLE_COLUMNS:
        return text
    found = match_header(text, fuzzy_cutoff=None)
    if found is None:
        raise KeyError(text)
    return found.canonical


def plan_columns(headers: Iterable[object], mapping: Mapping[str, object] | None = None) -> ColumnPlan:
    """Decide the canonical column of every header; the person's mapping overrides every guess."""
    cleaned = [clean_header(h) for h in headers]
    plan = ColumnPlan(headers=cleaned)
    forced: dict[int, str | None] = {}
    for source, target in (mapping or {}).items():
        positions = [i for i, h in enumerate(cleaned) if h == clean_header(source)]
        if not positions:
            positions = [i for i, h in enumerate(cleaned) if normalise_header(h) == normalise_header(source)]
        if not positions:
            plan.notes.append(f"The mapping names a column `{clean_header(source)}` that this file does not have; "
                              "that part of the mapping was ignored.")
            continue
        try:
            forced[positions[0]] = _mapping_target(target)
        except KeyError:
            plan.errors.append(f"The mapping sends `{clean_header(source)}` to `{target}`, which is not one of the "
                               f"columns the app knows ({', '.join(MAPPABLE_COLUMNS)}).")
    mapped_to: dict[str, list[int]] = {}
    for pos, target in forced.items():
        if target is not None:
            mapped_to.setdefault(target, []).append(pos)
    for canonical, positions in mapped_to.items():
        if len(positions) > 1:
            names = " and ".join(f"`{cleaned[p]}`" for p in positions)
            plan.errors.append(f"The mapping sends both {names} to `{canonical}`; choose one of them.")
            plan.unresolved.append(canonical)

    candidates: dict[str, list[tuple[int, int, HeaderMatch]]] = {}
    for pos, header in enumerate(cleaned):
        if pos in forced:
            target = forced[pos]
            if target is not None:
                key = normalise_header(header)
                match = HeaderMatch(target, _MAPPED, _unit_hint_of(key), "mapping")
                candidates.setdefault(target, []).append((match.priority, pos, match))
            continue
        match = match_header(header)
        if match is not None:
            candidates.setdefault(match.canonical, []).append((match.priority, pos, match))

    used: set[int] = set()
    for canonical in MAPPABLE_COLUMNS:
        options = sorted(candidates.get(canonical, []), key=lambda item: (item[0], item[1]))
        if not options:
            continue
        priority, pos, match = options[0]
        ties = [p for pr, p, _ in options[1:] if pr == priority]
        if ties and priority != _MAPPED:
            same = [cleaned[pos], *(cleaned[p] for p in ties)]
            columns = ", ".join(str(p + 1) for p in [pos, *ties])
            if len(set(same)) == 1:
                plan.errors.append(f"The column name `{same[0]}` appears {len(same)} times (columns {columns}), so "
                                   f"it is unclear which one is `{canonical}`. Rename or delete the extra copies.")
            else:
                listed = " and ".join(f"`{h}`" for h in same)
                plan.errors.append(f"{listed} (columns {columns}) could each be `{canonical}`. Rename or delete "
                                   "one, or map one of them explicitly.")
            plan.unresolved.append(canonical)
            continue
        plan.chosen[canonical] = pos
        plan.unit_hints[canonical] = match.unit_hint
        used.add(pos)
        if match.how == "fuzzy":
            plan.notes.append(f"`{cleaned[pos]}` was read as `{canonical}` (a close spelling). If that is wrong, "
                              "map the column yourself.")
        for _, other, _ in options[1:]:
            if other not in used:
                plan.notes.append(f"`{cleaned[other]}` also looks like `{canonical}`; `{cleaned[pos]}` was used "
                                  f"and `{cleaned[other]}` kept as an extra column.")
    plan.extras = [pos for pos in range(len(cleaned)) if pos not in used]
    return plan


def suggest_mapping(source_columns: Iterable[object]) -> dict[str, str]:
    """Best guess source header -> canonical column, looser than the loader (for preselecting a mapping form).

    Headers the loader already recognises are included, plus close spellings of audio features and the target that
    the loader would not risk by itself. Each canonical column is suggested for at most one header.
    """
    headers = [clean_header(h) for h in source_columns]
    plan = plan_columns(headers)
    suggestion = plan.column_mapping
    taken = set(suggestion.values())
    for header in headers:
        if header in suggestion:
            continue
        match = match_header(header, fuzzy_cutoff=SUGGEST_FUZZY_CUTOFF)
        if match is not None and match.canonical not in taken:
            suggestion[header] = match.canonical
            taken.add(match.canonical)
    return suggestion
