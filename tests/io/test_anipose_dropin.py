"""posebridge.io.load_poses' Anipose loaders against movement's: extra DataFrame columns
and unknown keywords."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import posebridge
from posebridge import errors
from posebridge.io import load_poses

movement_load_poses = pytest.importorskip("movement.io.load_poses")

KEYPOINTS = ["nose", "tail"]
TRANSFORM = [f"M_{r}{c}" for r in range(3) for c in range(3)] + [f"center_{i}" for i in range(3)]


def anipose_table(n_frames: int = 3) -> pd.DataFrame:
    """An Anipose table with every column Anipose writes (movement's file check asks them)."""
    values = np.arange(n_frames * len(KEYPOINTS) * 6, dtype=np.float64)
    columns = {}
    for k, keypoint in enumerate(KEYPOINTS):
        for s, suffix in enumerate(("x", "y", "z", "error", "ncams", "score")):
            columns[f"{keypoint}_{suffix}"] = values[(k * 6 + s) :: len(KEYPOINTS) * 6] / 10
        columns[f"{keypoint}_ncams"] = np.full(n_frames, 2.0)  # a count of cameras
    for name in TRANSFORM:
        columns[name] = np.full(n_frames, 1.0 if name in ("M_00", "M_11", "M_22") else 0.0)
    columns["fnum"] = np.arange(n_frames)
    return pd.DataFrame(columns)


def test_from_anipose_style_df_leaves_out_an_extra_column_with_a_warning():
    table = anipose_table()
    with_session = table.assign(session=1)
    with pytest.warns(UserWarning, match=r"\['session'\] are not Anipose's") as caught:
        ours = load_poses.from_anipose_style_df(with_session, individual_name="mouse")
    assert all(w.filename == __file__ for w in caught)
    theirs = movement_load_poses.from_anipose_style_df(with_session, individual_name="mouse")
    for keypoint in KEYPOINTS:  # movement sorts its keypoints; compare by name
        expected = table[[f"{keypoint}_{s}" for s in ("x", "y", "z")]].to_numpy()
        np.testing.assert_array_equal(
            ours.position.sel(keypoint=keypoint, individual="mouse").values, expected
        )
        np.testing.assert_array_equal(
            ours.position.sel(keypoint=keypoint).values,
            theirs.position.sel(keypoint=keypoint).values,
        )
    assert "session" not in ours.variables and "session" not in ours.attrs


@pytest.mark.parametrize(
    "index",
    [np.arange(3) / 30.0, [0.0, np.nan, 2.0], ["a", "b", "c"]],
    ids=["seconds", "blank", "text"],
)
def test_from_anipose_style_df_leaves_out_a_first_unnamed_column_of_no_row_numbers(index):
    """f159: a DataFrame read from a file saved with a non-integer index (a time in
    seconds, a blank spreadsheet column) starts with 'Unnamed: 0'; movement ignores it,
    and so did this drop-in (with its warning) until f158 made it a FormatError."""
    table = anipose_table()
    df = pd.concat([pd.DataFrame({"Unnamed: 0": index}), table], axis=1)
    with pytest.warns(UserWarning, match=r"\['Unnamed: 0'\] are not Anipose's") as caught:
        ours = load_poses.from_anipose_style_df(df, individual_name="mouse")
    assert all(w.filename == __file__ for w in caught)
    theirs = movement_load_poses.from_anipose_style_df(df, individual_name="mouse")
    assert ours.time.values.tolist() == table["fnum"].tolist()
    for keypoint in KEYPOINTS:
        expected = table[[f"{keypoint}_{s}" for s in ("x", "y", "z")]].to_numpy()
        np.testing.assert_array_equal(
            ours.position.sel(keypoint=keypoint, individual="mouse").values, expected
        )
        np.testing.assert_array_equal(
            ours.position.sel(keypoint=keypoint).values,
            theirs.position.sel(keypoint=keypoint).values,
        )


def test_the_file_reader_still_refuses_an_extra_column_as_movement(tmp_path):
    path = tmp_path / "session.csv"
    anipose_table().assign(session=1).to_csv(path, index=False)
    with pytest.raises(ValueError, match="session"):
        movement_load_poses.from_anipose_file(path)
    with pytest.raises(errors.FormatError, match=r"unexpected columns \['session'\]"):
        load_poses.from_anipose_file(path)
    with pytest.raises(errors.FormatError, match=r"unexpected columns \['session'\]"):
        posebridge.load(path, format="anipose")


def test_from_anipose_file_with_an_unknown_keyword_is_posebridge_type_error(tmp_path):
    path = tmp_path / "session.csv"
    anipose_table().to_csv(path, index=False)
    with pytest.raises(TypeError):
        movement_load_poses.from_anipose_file(path, foo=1)
    with pytest.raises(errors.TypeError) as raised:
        load_poses.from_anipose_file(path, foo=1)
    assert isinstance(raised.value, posebridge.PoseBridgeError)
    assert "from_anipose_file() got an unexpected keyword argument 'foo'" in str(raised.value)
    ds = load_poses.from_anipose_file(path, individual_name="mouse")  # its own keyword still
    assert ds.individual.values.tolist() == ["mouse"]


def test_from_anipose_style_df_with_a_repeated_column_is_refused_naming_it():
    """The positions were taken from the wrong columns without a word (movement refuses)."""
    table = anipose_table()
    repeated = pd.concat([table, table[["nose_x"]] + 100], axis=1)
    with pytest.raises(posebridge.PoseBridgeError, match=r"\['nose_x'\] more than once"):
        load_poses.from_anipose_style_df(repeated, individual_name="mouse")
    with pytest.raises(ValueError):  # movement's own refusal of the same table
        movement_load_poses.from_anipose_style_df(repeated, individual_name="mouse")
