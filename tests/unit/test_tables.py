"""Tables as people read them (ui.tables) and CSVs as machines read them: every released column
has a label, values read as words, formatted numbers and dates in the reader's language, hidden
counts as "<5", missing figures as "—"; a CSV with its notes and HXL row reads back cleanly."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.elements.lib.pandas_styler_utils import marshall_styler
from streamlit.proto.ArrowData_pb2 import ArrowData as ArrowProto

import i18n
from data_access import DIMENSIONS, Filters, load_snapshot
from data_access.columns import COLUMNS, shown_columns
from data_access.export import csv_text
from data_access.release import Access, Release
from tests.unit.test_release import PUBLIC_ROOT, TABLES
from ui.tables import PLACEHOLDER, display_texts, readable

ROOT = Path(__file__).resolve().parents[2]


def released_tables(release: Release) -> dict[str, pd.DataFrame]:
    filters = Filters()
    tables = {name: getattr(release, name)(filters, *args) for name, (args, _c) in TABLES.items()}
    tables["headline"] = release.headline(filters)
    for dims in (["cohort", "group"], ["region", "stage"], ["sex", "age_band"], ["origin", "unaccompanied"]):
        tables[f"counts_by {dims}"] = release.counts_by(filters, dims)
    if not release.public:
        people = release.person_table(filters)
        tables["person_table"] = people
        tables["stage_history"] = release.stage_history(people["person_id"].iloc[0])
    return tables


@pytest.fixture(scope="module", params=["restricted", "public"])
def release(request, sample_snapshots):
    if request.param == "public":
        return Release(load_snapshot(PUBLIC_ROOT / "2026-09-30"), Access("public"))
    return Release(sample_snapshots[0], Access(), sample_snapshots[1])


@pytest.fixture(scope="module")
def tables(release):
    return released_tables(release)


def test_every_shown_column_of_every_released_table_has_a_label(tables):
    unlabelled = {name: [c for c in shown_columns(t.columns) if c not in COLUMNS] for name, t in tables.items()}
    assert {name: columns for name, columns in unlabelled.items() if columns} == {}


def test_no_cell_reads_as_code_or_a_missing_value(tables, release):
    bad = ("nan", "NaN", "None", "NaT", "<NA>", "inf", "null", "00:00:00")
    codes = {str(code) for dim in DIMENSIONS for code in release.snapshot.categories(dim)}
    codes |= {"female", "male", "man", "woman", "child", "rehabilitation", "justice", "exit"}
    codes -= {"0-4", "5-11", "12-17", "18-59", "60+"}  # age bands read the same as their codes
    for language in i18n.LANGUAGES:
        with i18n.use(language):
            for name, table in tables.items():
                if name == "person_table":  # pseudonymous ids are codes by nature
                    table = table.drop(columns=["person_id", "household_id"])
                cells = set(map(str, display_texts(table, release.snapshot).to_numpy().ravel()))
                assert {cell for cell in cells if any(token in cell for token in bad)} == set(), (name, language)
                assert cells & codes == set(), (name, language)


def test_values_read_in_the_language_and_hidden_counts_keep_their_text():
    table = pd.DataFrame(
        {
            "region": ["KZ-47", "KZ-75", "KZ-11"],
            "region_name": ["Mangystau", "Almaty", "Akmola"],
            "people": pd.array([1234, None, 7], dtype="Int64"),
            "people_text": ["1,234", "<5", "7"],
            "share": [0.4412, float("nan"), 0.004],
            "entered_on": pd.to_datetime(["2020-02-07", None, "2026-09-30"]),
            "unaccompanied": [True, False, True],
            "order": [0, 1, 2],
        }
    )
    with i18n.use("en"):
        texts = display_texts(table)
        styler, labels = readable(table)
    assert list(texts.columns) == ["region_name", "people", "share", "entered_on", "unaccompanied"]
    assert labels == {
        "region_name": "Region",
        "people": "People",
        "share": "Share",
        "entered_on": "Entered",
        "unaccompanied": "Unaccompanied",
    }
    assert texts.to_dict("list") == {
        "region_name": ["Mangystau", "Almaty", "Akmola"],
        "people": ["1,234", "<5", "7"],
        "share": ["44%", "—", "0.4%"],
        "entered_on": ["7 Feb 2020", "—", "30 Sep 2026"],
        "unaccompanied": ["Yes", "No", "Yes"],
    }
    # What st.dataframe sends the browser (Streamlit's own marshalling of the Styler): the same
    # texts as display values, the values themselves kept for sorting where the grid draws a
    # missing one as "—" anyway (the share, the date); the counts, with a withheld one that reads
    # "<5", go as their words.
    proto = ArrowProto()
    marshall_styler(proto, styler, "table")
    sent = pa.ipc.open_stream(proto.styler.display_values).read_all().to_pandas()
    assert sent.to_numpy().tolist() == texts.to_numpy().tolist() == drawn(styler)
    assert styler.data["people"].tolist() == ["1,234", "<5", "7"]
    assert styler.data["share"].tolist()[0] == 0.4412 and pd.api.types.is_datetime64_any_dtype(
        styler.data["entered_on"]
    )
    with i18n.use("ru"):
        assert display_texts(table)["people"].tolist() == ["1\xa0234", "<5", "7"]
        assert readable(table)[1]["people"] == "Люди"


def marshalled(styler) -> list:
    """The display texts a Styler reaches the browser with, through Streamlit's own marshalling."""
    proto = ArrowProto()
    marshall_styler(proto, styler, "table")
    return pa.ipc.open_stream(proto.styler.display_values).read_all().to_pandas().to_numpy().tolist()


def drawn(styler) -> list:
    """What Streamlit's data grid draws in each cell: the display text it was sent, except where
    the value itself is missing, where it draws the table's placeholder whatever the text says
    (`useCustomRenderer`'s missing-value cell; `st.dataframe(placeholder=...)`, "None" without
    one)."""
    missing = styler.data.isna().to_numpy().tolist()
    return [
        [PLACEHOLDER if gap else text for gap, text in zip(gaps, texts, strict=True)]
        for gaps, texts in zip(missing, marshalled(styler), strict=True)
    ]


def test_every_released_table_reaches_the_browser_as_its_display_texts(tables, release):
    """Streamlit words a cell it is not told about itself (`astype(str)`); `ui.tables` leaves out
    only the columns that read the same that way, so every cell still shows exactly its text; and
    the grid draws every cell as that text, a withheld count ("<5") included: a missing value is
    drawn as the placeholder ("—"), never the text it was told, so a column where a missing value
    reads otherwise goes as its words."""
    for language in i18n.LANGUAGES:
        with i18n.use(language):
            for name, table in tables.items():
                styler, _labels = readable(table, release.snapshot)
                expected = display_texts(table, release.snapshot).to_numpy().tolist()
                assert marshalled(styler) == expected, (language, name)
                assert drawn(styler) == expected, (language, name)


def test_every_table_on_screen_draws_a_missing_value_as_a_dash():
    """Every `st.dataframe` of the pages goes through `ui.tables.dataframe`, which gives the grid
    its placeholder: Streamlit's own is "None"."""
    calls = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for folder in ("app_pages", "ui", "briefing")
        for path in (ROOT / folder).glob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "dataframe"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "st"
    ]
    assert [call.split(":")[0] for call in calls] == ["ui/tables.py"], calls
    assert PLACEHOLDER == "—"


def test_cells_streamlit_would_word_otherwise_are_told():
    table = pd.DataFrame(
        {
            "person_id": pd.array(["P1", None, "P3"], dtype="str"),  # a missing id reads "—", not empty
            "people": [12, 1234, 7],  # 1,234 needs its separator
            "days_in_stage": [3, 4, 5],  # read the same as digits
            "sessions": pd.array([1, None, 3], dtype="Int64"),
            "share": [0.5, 0.25, 1.0],
            "in_stage_since": pd.to_datetime(["2026-01-31", "2026-02-28", None]),
        }
    )
    with i18n.use("en"):
        styler, _labels = readable(table)
        assert (
            marshalled(styler)
            == display_texts(table).to_numpy().tolist()
            == [
                ["P1", "12", "3", "1", "50%", "31 Jan 2026"],
                ["—", "1,234", "4", "—", "25%", "28 Feb 2026"],
                ["P3", "7", "5", "3", "100%", "—"],
            ]
        )
    body = styler._translate()["body"]
    assert {cell["id"][-5:] for row in body for cell in row} == {"_col0", "_col1", "_col3", "_col4", "_col5"}


def test_a_csv_with_notes_and_hxl_reads_back_with_one_call():
    table = pd.DataFrame({"region": ["KZ-47"], "people": [42], "share": [0.5]})
    note = 'Selection: "Jusan-2, Rusafa", women\nRules: counts under 5, shown as "<5", are hidden'
    text = csv_text(table, note, hxl={"region": "#adm1+code", "people": "#affected+returnees"})
    assert text.splitlines()[:4] == [
        '# Selection: "Jusan-2, Rusafa", women',
        '# Rules: counts under 5, shown as "<5", are hidden',
        "region,people,share",
        "#adm1+code,#affected+returnees,",
    ]
    back = pd.read_csv(io.StringIO(text), comment="#")
    pd.testing.assert_frame_equal(back, table)


def test_a_table_seen_before_is_worded_once_and_any_change_words_it_again(sample_snapshots):
    """`readable` gives the same Styler back for the same table, language and snapshot, and a
    new one when any of them, or any value, changes; what reaches the browser is the same."""
    snapshot = sample_snapshots[0]
    table = pd.DataFrame({"region": ["KZ-47", "KZ-75"], "people": [1234, 7], "share": [0.5, 0.25]})

    with i18n.use("en"):
        first, labels = readable(table, snapshot)
        labels["people"] = "changed by a page"
        again, labels_again = readable(table.copy(), snapshot)
        assert again is first and labels_again["people"] == "People"
        assert marshalled(again) == marshalled(first) == display_texts(table, snapshot).to_numpy().tolist()
        changed = table.assign(people=[1234, 8])
        assert marshalled(readable(changed, snapshot)[0])[1][1] == "8"
        assert readable(table, None)[0] is not first  # another snapshot's labels
        assert readable(table.astype({"people": float}), snapshot)[0] is not first
    with i18n.use("ru"):
        russian, _labels = readable(table, snapshot)
        assert russian is not first and marshalled(russian)[0][1] == "1\xa0234"
    lists = pd.DataFrame({"region": ["KZ-47"], "values": [[1, 2]]})  # cannot be hashed: worded every time
    assert readable(lists, snapshot)[0] is not readable(lists, snapshot)[0]


def test_a_categorical_column_of_codes_goes_as_its_words(latest):
    """Streamlit's grid draws a categorical column's own values and ignores the display texts it
    is sent for it: a column of codes (the track) must go as its words."""
    with i18n.use("kk"):
        table = Release(latest, Access()).stage_distribution(Filters())
        assert isinstance(table["track"].dtype, pd.CategoricalDtype)
        styler, _labels = readable(table, latest)
        assert styler.data["track"].tolist()[:3] == ["Оңалту", "Оңалту", "Қылмыстық-құқықтық"]
        assert marshalled(styler)[0][:2] == ["Келу және тексеру", "Оңалту"]
