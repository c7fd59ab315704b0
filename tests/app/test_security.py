"""The app is a service people share: what they send it is data, never code, and never a path.

- Uploaded files are parsed as data only: pickle bytes and spreadsheet formulas load as text or fail with DataError,
  nothing they describe executes. No module unpickles anything that is not in the verified model store.
- Query-string values are validated (known names, finite numbers inside the slider ranges); a path, a huge number or
  NaN is ignored, never opened and never an exception.
- Errors never show tracebacks to the people using the app (`client.showErrorDetails`).
"""
from __future__ import annotations

import ast
import os
import pickle
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import sources

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = ROOT / "pages"

# Who may deserialise what: the model store (it verifies every file's sha256, then skops builds only allow-listed
# types), and the network loader it calls, which loads only .keras files and with safe_mode (no embedded Python code).
ALLOWED_LOADERS = {
    ("core/models/store.py", "skops.io.load"),
    ("core/models/keras.py", "keras.saving.load_model"),
}
KERAS_LOADERS = {"keras.models.load_model", "keras.saving.load_model", "tensorflow.keras.models.load_model"}
# Callables that turn bytes into live objects (code can run while they do).
UNSAFE_LOADERS = {
    "pickle.load", "pickle.loads", "pickle.Unpickler", "_pickle.load", "_pickle.loads",
    "joblib.load", "dill.load", "dill.loads", "cloudpickle.load", "cloudpickle.loads",
    "pandas.read_pickle", "marshal.load", "marshal.loads", "shelve.open", "torch.load",
    "keras.models.load_model", "keras.saving.load_model", "tensorflow.keras.models.load_model",
    "skops.io.load",
}

HOSTILE_VALUES = ["../../etc/passwd", "/etc/passwd", "file:///etc/passwd", "1e308", "-1e308", "9" * 400, "nan",
                  "NaN", "inf", "-inf", "", "0x41", "1;rm -rf /", "<script>alert(1)</script>", "%2e%2e%2f"]


class Detonator:
    """Unpickling this creates `marker`: if the marker exists after a test, somebody unpickled user data."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


# ---- static checks ---------------------------------------------------------------------------------------------------

def _python_files() -> list[Path]:
    files = [ROOT / "app.py", *PAGES.glob("*.py"), *(ROOT / "core").rglob("*.py")]
    return [f for f in files if f.exists()]


def _unsafe_calls(source: str) -> list[tuple[int, str]]:
    """(line, qualified name) of every call to an unsafe loader, following `import x as y` / `from x import y`."""
    tree = ast.parse(source)
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:  # `import a.b` binds `a`; `import a.b as c` binds `c` to `a.b`
                top = alias.name.split(".")[0]
                aliases[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    aliases.setdefault("pd", "pandas")
    aliases.setdefault("np", "numpy")

    def qualified(func: ast.expr) -> str | None:
        parts = []
        while isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        if not isinstance(func, ast.Name):
            return None
        parts.append(aliases.get(func.id, func.id))
        return ".".join(reversed(parts))

    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = qualified(node.func)
        if name in KERAS_LOADERS and not any(k.arg == "safe_mode" and isinstance(k.value, ast.Constant)
                                             and k.value.value is True for k in node.keywords):
            found.append((node.lineno, f"{name}(without safe_mode=True)"))
        elif name in UNSAFE_LOADERS or (name or "").endswith((".read_pickle", ".Unpickler")):
            found.append((node.lineno, name))
        elif name == "numpy.load" and any(k.arg == "allow_pickle" and not (isinstance(k.value, ast.Constant)
                                                                           and k.value.value is False)
                                          for k in node.keywords):
            found.append((node.lineno, "numpy.load(allow_pickle=True)"))
    return found


def test_the_unsafe_call_finder_sees_aliases():
    source = ("import pickle as p\nfrom joblib import load as jl\nimport numpy as np\nimport pandas as pd\n"
              "import keras\np.loads(b'')\njl('x')\nnp.load('x', allow_pickle=True)\npd.read_pickle('x')\n"
              "np.load('y')\nkeras.saving.load_model('m.keras')\nkeras.saving.load_model('m.keras', safe_mode=True)\n")
    assert [name for _, name in _unsafe_calls(source)] == [
        "pickle.loads", "joblib.load", "numpy.load(allow_pickle=True)", "pandas.read_pickle",
        "keras.saving.load_model(without safe_mode=True)", "keras.saving.load_model"]


def test_no_module_deserialises_anything_outside_the_model_store():
    offenders = []
    for path in _python_files():
        relative = path.relative_to(ROOT).as_posix()
        offenders += [f"{relative}:{line} calls {name}" for line, name in _unsafe_calls(path.read_text())
                      if (relative, name) not in ALLOWED_LOADERS]
    assert offenders == [], "only the verified store may deserialise: " + "; ".join(offenders)


def test_the_network_loader_is_used_only_by_the_store():
    callers = sorted(path.relative_to(ROOT).as_posix() for path in _python_files()
                     if "load_network(" in path.read_text()
                     and path.relative_to(ROOT).as_posix() not in ("core/models/keras.py", "core/models/kinds.py"))
    assert callers == [], f"core.models.keras.load_network may only be called by the verified store: {callers}"


@pytest.mark.slow
def test_the_store_reads_only_its_own_files(small_store, tmp_path):
    """The store's loaders open paths from its own manifest under its own root, each file checked against its
    sha256 first, never a name from a request (the store imports no Streamlit: tests/test_imports.py)."""
    import json
    import shutil

    from core.models.store import MANIFEST, ArtifactError, ArtifactStore, sha256_of

    root = tmp_path / "store"
    shutil.copytree(small_store, root)
    store = ArtifactStore(root)
    (manifest,) = store.list_suites()
    path = manifest["path"]
    table = path / "tables" / "regression.parquet"

    data = bytearray(table.read_bytes())  # a file changed after it was saved: its hash no longer matches
    data[len(data) // 2] ^= 0x01
    table.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="hash mismatch"):
        store.load_tables(path)

    outside = tmp_path / "outside.parquet"  # a file outside the suite, listed with its right hash
    outside.write_bytes(bytes(data))
    listed = json.loads((path / MANIFEST).read_text())
    del listed["files"]["tables/regression.parquet"]
    # up from the suite's folder, its data's folder and the store's root: tmp_path/outside.parquet
    listed["files"]["../../../outside.parquet"] = sha256_of(outside)
    (path / MANIFEST).write_text(json.dumps(listed))
    import pandas

    opened: list[str] = []
    real_open, real_read_parquet = Path.open, pandas.read_parquet
    with pytest.MonkeyPatch.context() as patch:  # the hash check reads through Path.open, the tables through pandas
        patch.setattr(Path, "open", lambda self, *a, **k: opened.append(str(self)) or real_open(self, *a, **k))
        patch.setattr(pandas, "read_parquet", lambda where, *a, **k: opened.append(str(where)) or
                      real_read_parquet(where, *a, **k))
        with pytest.raises(ArtifactError, match="not listed"):
            store.load_tables(path)
    assert not [name for name in opened if "outside" in name], opened


def test_error_details_are_not_shown_to_users():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    shown = config.get("client", {}).get("showErrorDetails")
    # "full"/"stacktrace"/true would put tracebacks (paths, code, data) on every visitor's screen.
    assert shown in ("none", "type", False), f"client.showErrorDetails = {shown!r}"


def test_the_server_does_not_accept_cross_site_posts_or_run_on_save():
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text()).get("server", {})
    assert server.get("enableXsrfProtection", True) is True
    assert server.get("enableCORS", True) is True
    assert server.get("runOnSave", False) is False
    assert server.get("maxUploadSize", 200) <= 200


# ---- uploads are data ------------------------------------------------------------------------------------------------

def test_pickle_bytes_are_never_unpickled_by_the_loader(tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(Detonator(marker))
    for name in ("songs.csv", "model.pkl", "songs.pickle"):
        try:
            dataset = sources.load_csv(payload, name=name, source_kind="upload")
        except sources.DataError as error:
            assert str(error)
        else:
            assert isinstance(dataset.frame, type(dataset.frame))
    assert not marker.exists(), "the uploaded pickle was executed"


def test_csv_formulas_load_as_plain_text(tmp_path):
    marker = tmp_path / "pwned"
    header = ("artist_name,track_id,track_name,acousticness,danceability,duration_ms,energy,instrumentalness,key,"
              "liveness,loudness,mode,speechiness,tempo,time_signature,valence,popularity\n")
    formulas = [f"=cmd|' /C touch {marker}'!A0", "=HYPERLINK(\"http://evil\",\"x\")", "+SUM(1+1)*cmd|' /C calc'!A0",
                "@SUM(1)", "-2+3+cmd|' /C calc'!A0"]
    rows = "".join(f"\"{f.replace(chr(34), chr(34) * 2)}\",id{i:020d},\"{f.replace(chr(34), chr(34) * 2)}\","
                   "0.1,0.5,200000,0.5,0.0,5,0.1,-7.0,1,0.05,120.0,4,0.5,30\n" for i, f in enumerate(formulas))
    dataset = sources.load_csv((header + rows).encode(), name="formulas.csv", source_kind="upload")
    assert list(dataset.frame["artist_name"]) == formulas  # kept verbatim, as data
    assert not marker.exists()


def test_a_formula_in_a_numeric_column_is_a_data_error_not_a_value(tmp_path):
    header = ("artist_name,track_id,track_name,acousticness,danceability,duration_ms,energy,instrumentalness,key,"
              "liveness,loudness,mode,speechiness,tempo,time_signature,valence,popularity\n")
    rows = "".join(f"a,id{i:020d},t,=1+1,0.5,200000,0.5,0.0,5,0.1,-7.0,1,0.05,120.0,4,0.5,30\n" for i in range(30))
    try:
        dataset = sources.load_csv((header + rows).encode(), name="formula_numbers.csv", source_kind="upload")
    except sources.DataError as error:
        assert "acousticness" in str(error)
    else:  # the loader may keep the rows and report them as problems; the formula never becomes a number
        assert dataset.frame["acousticness"].isna().all()
        assert len(dataset.report.row_problems) > 0


# ---- the query string is user input ----------------------------------------------------------------------------------

def _page_with_params(page: str, params: dict[str, str], store: Path | None, monkeypatch) -> AppTest:
    if store is not None:
        monkeypatch.setenv("SPOTIFY_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params.update(params)
    at.run()
    at.switch_page(page).run()
    return at


def _clear_store_caches() -> None:
    """Stored suites are cached per process; each test points SPOTIFY_STORE somewhere else."""
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture(scope="module")
def slider_specs():
    from core import schema
    from core.whatif import sliders

    return sliders.slider_specs(sources.twin_dataset(n_rows=2_000).frame, tuple(schema.FEATURE_NAMES))


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_query_values_never_become_slider_values(value, slider_specs):
    """What-if reads its song from the URL through decode_song only (the page test below checks that wiring)."""
    from core.whatif import sliders

    params = {spec.name: value for spec in slider_specs}
    params.update({"model": value, "suite": value, "store": value, "page": value})
    assert sliders.decode_song(params, slider_specs) == {}
    assert sliders.decode_song({name: [value] for name in params}, slider_specs) == {}  # repeated parameters


def _spread(values: list[str], keys: list[str], offset: int = 0) -> dict[str, str]:
    """Every key gets another hostile value, so one page run receives many of them at once."""
    return {key: values[(i + offset) % len(values)] for i, key in enumerate(keys)}


@pytest.mark.slow
def test_hostile_query_values_on_what_if_are_ignored(small_store, monkeypatch):
    from core import schema

    _clear_store_caches()
    keys = [*schema.FEATURE_NAMES, "model", "suite", "store", "page"]
    params = _spread(HOSTILE_VALUES, keys)
    assert set(params.values()) == set(HOSTILE_VALUES)  # the page sees every hostile value
    at = _page_with_params("pages/what_if.py", params, small_store, monkeypatch)
    assert not at.exception, [e.message for e in at.exception]
    sliders = {s.key: s for s in [*at.slider, *at.select_slider]}
    assert sliders, "the what-if page did not draw its sliders (no stored suite found?)"
    baseline = _page_with_params("pages/what_if.py", {}, small_store, monkeypatch)
    defaults = {s.key: s.value for s in [*baseline.slider, *baseline.select_slider]}
    assert {k: s.value for k, s in sliders.items()} == defaults, "a hostile value moved a slider"


@pytest.mark.slow
def test_in_range_query_values_do_set_the_what_if_sliders(small_store, monkeypatch):
    """The check above must be able to fail: valid shared links do move the sliders."""
    _clear_store_caches()
    at = _page_with_params("pages/what_if.py", {"danceability": "0.9", "energy": "0.1"}, small_store, monkeypatch)
    assert not at.exception
    values = {s.key: s.value for s in at.slider}
    assert values.get("wi_danceability") == pytest.approx(0.9)
    assert values.get("wi_energy") == pytest.approx(0.1)


MODELS_PAGE_KEYS = ["suite", "model", "models", "task", "threshold", "store", "path", "config", "split", "binning",
                    "sort", "metric", "view", "tab"]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_query_values_never_pick_a_tab_model_or_threshold(value):
    """Model comparison reads its view from the URL through parse_view_state only (wiring: the page test below)."""
    from core.comparison.view_state import parse_view_state

    state = parse_view_state({key: value for key in MODELS_PAGE_KEYS},
                             tabs=["regression", "classification", "split", "export"],
                             models=["Linear Regression", "XGBoost", "LOGISTIC REGRESSION"])
    assert (state.tab, state.model, state.threshold) == (None, None, None)


@pytest.mark.slow
@pytest.mark.parametrize("offset", [0, 1])
def test_hostile_query_values_on_models_are_ignored(offset, small_store, monkeypatch):
    _clear_store_caches()
    opened: list[str] = []
    real_open = open

    def watching_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", watching_open)
    params = _spread(HOSTILE_VALUES, MODELS_PAGE_KEYS, offset)  # two runs: 15 values over 14 keys
    at = _page_with_params("pages/models.py", params, small_store, monkeypatch)
    assert not at.exception, [e.message for e in at.exception]
    assert not [p for p in opened if "etc/passwd" in p or p.startswith("file:")], opened


@pytest.mark.slow
def test_a_pickle_uploaded_to_the_batch_scorer_is_refused_and_runs_nothing(small_store, monkeypatch, tmp_path):
    """The what-if page's 'score a CSV' uploader parses bytes the same way: as text, or a sentence."""
    marker = tmp_path / "pwned"
    _clear_store_caches()
    at = _page_with_params("pages/what_if.py", {}, small_store, monkeypatch)
    at.file_uploader(key="wi_batch_upload").set_value(("songs.csv", pickle.dumps(Detonator(marker)), "text/csv"))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not marker.exists(), "the uploaded pickle was executed"
    assert any("could not be scored" in e.value for e in at.error), [e.value for e in at.error]


THRESHOLDS_FROM_THE_URL = [("0.3", 0.3), ("nan", None), ("1e308", None), ("-0.2", None), ("../../etc/passwd", None),
                           ("9" * 400, None)]


@pytest.mark.parametrize("threshold, expected", THRESHOLDS_FROM_THE_URL)
def test_a_threshold_is_taken_from_the_url_only_when_it_is_valid(threshold, expected):
    from core.comparison.view_state import parse_view_state

    state = parse_view_state({"tab": "classification", "threshold": threshold, "model": "../../etc/passwd"},
                             tabs=["regression", "classification"], models=["XGBoost"])
    assert state.threshold == (pytest.approx(expected) if expected is not None else None)
    assert state.tab == "classification" and state.model is None


@pytest.mark.slow
@pytest.mark.parametrize("threshold, expected", [("0.3", 0.3), ("../../etc/passwd", 0.5)])
def test_the_models_page_takes_a_threshold_from_the_url_only_when_it_is_valid(threshold, expected, small_store,
                                                                              monkeypatch):
    """The page's slider follows parse_view_state: a valid threshold, or its default 0.5."""
    _clear_store_caches()
    at = _page_with_params("pages/models.py", {"tab": "classification", "threshold": threshold,
                                               "model": "../../etc/passwd"}, small_store, monkeypatch)
    assert not at.exception, [e.message for e in at.exception]
    assert at.slider(key="cmp_threshold").value == pytest.approx(expected)
