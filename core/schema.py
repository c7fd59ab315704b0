"""The canonical columns of a Spotify audio-features table: one place, everything else reads it."""
from __future__ import annotations

from dataclasses import dataclass

ARTIST = "artist_name"
TRACK_ID = "track_id"
TRACK_NAME = "track_name"
ID_COLUMNS: tuple[str, ...] = (ARTIST, TRACK_ID, TRACK_NAME)
TARGET = "popularity"
TARGET_RANGE = (0, 100)
# Columns of model-output tables (stored test predictions, batch scoring): "reg::<model>" predicted popularity,
# "cls::<model>" P(popular). Training writes them, comparison and scoring read them.
REGRESSION_PREFIX = "reg::"
CLASSIFICATION_PREFIX = "cls::"

KEY_NAMES = ("C", "C♯/D♭", "D", "D♯/E♭", "E", "F", "F♯/G♭", "G", "G♯/A♭", "A", "A♯/B♭", "B")
MODE_NAMES = ("minor", "major")


@dataclass(frozen=True)
class Feature:
    """One audio feature the report models: what it means and how a slider for it behaves."""

    name: str
    label: str
    help: str
    unit: str
    min: float
    max: float
    step: float
    integer: bool = False

    def format_value(self, value: float) -> str:
        """A value as a person reads it (note names, major/minor, m:ss, 4/4)."""
        if self.name == "key":
            return KEY_NAMES[int(round(value)) % 12]
        if self.name == "mode":
            return MODE_NAMES[int(round(value))]
        if self.name == "duration_ms":
            seconds = int(round(value / 1000))
            return f"{seconds // 60}:{seconds % 60:02d}"
        if self.name == "time_signature":
            return f"{int(round(value))}/4"
        if self.integer:
            return f"{int(round(value))}"
        return f"{value:.3g}" + (f" {self.unit}" if self.unit not in ("", "0–1") else "")


FEATURES: tuple[Feature, ...] = (
    Feature("acousticness", "Acousticness", "How likely the track is acoustic (1 = surely acoustic).",
            "0–1", 0.0, 1.0, 0.001),
    Feature("danceability", "Danceability", "How suitable the track is for dancing: tempo, beat strength, regularity.",
            "0–1", 0.0, 1.0, 0.001),
    Feature("duration_ms", "Duration", "Length of the track.", "ms", 1_000.0, 6_000_000.0, 1_000.0, integer=True),
    Feature("energy", "Energy", "Perceived intensity and activity: loud, fast, noisy tracks score high.",
            "0–1", 0.0, 1.0, 0.001),
    Feature("instrumentalness", "Instrumentalness", "How likely the track has no vocals (1 = surely instrumental).",
            "0–1", 0.0, 1.0, 0.001),
    Feature("key", "Key", "The musical key the track is in (pitch class, C to B).", "", 0, 11, 1, integer=True),
    Feature("liveness", "Liveness", "How likely an audience is audible, i.e. a live recording.", "0–1", 0.0, 1.0, 0.001),
    Feature("loudness", "Loudness", "Average loudness of the whole track; typical masters sit between −15 and −5 dB.",
            "dB", -60.0, 5.0, 0.1),
    Feature("mode", "Mode", "Whether the track is in a major or a minor key.", "", 0, 1, 1, integer=True),
    Feature("speechiness", "Speechiness", "How much spoken word there is (above 0.66 is mostly talk, e.g. podcasts).",
            "0–1", 0.0, 1.0, 0.001),
    Feature("tempo", "Tempo", "Estimated speed in beats per minute.", "BPM", 0.0, 250.0, 0.5),
    Feature("time_signature", "Time signature", "Estimated beats per bar (4 means 4/4).", "beats/bar", 0, 5, 1,
            integer=True),
    Feature("valence", "Valence", "Musical positiveness: happy, cheerful tracks score high, sad or angry ones low.",
            "0–1", 0.0, 1.0, 0.001),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
FEATURES_BY_NAME: dict[str, Feature] = {f.name: f for f in FEATURES}
INTEGER_FEATURES: tuple[str, ...] = tuple(f.name for f in FEATURES if f.integer)

# The report's column order (df.info()).
CANONICAL_COLUMNS: tuple[str, ...] = ID_COLUMNS + FEATURE_NAMES + (TARGET,)
CANONICAL_DTYPES: dict[str, str] = {
    **{c: "object" for c in ID_COLUMNS},
    **{f.name: ("int64" if f.integer else "float64") for f in FEATURES},
    TARGET: "int64",
}
