"""convert() reads folders as load() does, and nothing writes inside a folder being read.

The inputs are written here: YOLO prediction lines as text, TRex files with numpy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge._output_paths import refuse_writing_onto_input
from posebridge._outputs import check_outputs, inputs_kept
from posebridge.errors import IsADirectoryError, PoseBridgeError

#: class 0, a box, 2 keypoints (x y conf, fractions of the frame), then a track id.
LINE = "0 0.5 0.5 0.2 0.2 0.25 0.5 0.9 0.75 0.25 0.8 {track}\n"
READ = {"kpt_shape": [2, 3], "image_size": [640, 480]}


@pytest.fixture
def labels(tmp_path) -> Path:
    """A labels folder of three frames, two tracks each."""
    folder = tmp_path / "labels"
    folder.mkdir()
    for n in (1, 2, 3):
        (folder / f"clip_{n}.txt").write_text(LINE.format(track=4) + LINE.format(track=7))
    return folder


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_convert_reads_a_labels_folder_as_one_dataset(labels, tmp_path):
    (written,) = posebridge.convert(labels, tmp_path / "clip.nc", read_options=READ)
    ds = posebridge.load(written)
    assert ds.individual.values.tolist() == ["track_4", "track_7"]
    assert ds.sizes["time"] == 3
    np.testing.assert_allclose(ds.position.values[0, :, 0, 0], [160, 240])


def test_convert_refuses_a_folder_no_format_reads_as_load_does(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.md").write_text("nothing\n")
    with pytest.raises(IsADirectoryError) as loading:
        posebridge.load(tmp_path / "notes")
    with pytest.raises(IsADirectoryError) as converting:
        posebridge.convert(tmp_path / "notes", tmp_path / "notes.nc")
    assert str(converting.value) == str(loading.value)
    assert "none of the formats that read folders" in str(converting.value)
    with pytest.raises(IsADirectoryError, match="reads DeepLabCut from a file, not a folder"):
        posebridge.convert(tmp_path / "notes", tmp_path / "notes.nc", from_format="dlc")
    assert not (tmp_path / "notes.nc").exists()


def test_convert_refuses_to_write_inside_the_folder_it_reads_even_with_overwrite(labels):
    before = _contents(labels)
    with pytest.raises(PoseBridgeError) as caught:
        posebridge.convert(labels, labels / "clip.txt", overwrite=True, read_options=READ)
    assert str(caught.value).startswith(f"{labels / 'clip.txt'}: is inside the folder {labels}")
    with pytest.raises(PoseBridgeError, match="is inside the folder"):
        posebridge.convert(labels, labels / "deeper" / "clip.nc", read_options=READ)
    assert _contents(labels) == before


def test_convert_refuses_a_trex_folder_as_the_output_place(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    frames = np.arange(3, dtype=np.float32)
    for i in range(2):
        np.savez(
            data / f"v_fish{i}.npz", frame=frames, **{"X#wcentroid": frames, "Y#wcentroid": frames}
        )
    before = _contents(data)
    with pytest.raises(PoseBridgeError, match="is inside the folder"):
        posebridge.convert(data, data / "v.nc")
    assert _contents(data) == before
    assert posebridge.convert(data, tmp_path / "v.nc") == [tmp_path / "v.nc"]


def test_an_output_inside_an_input_folder_is_refused_also_through_links(labels, tmp_path):
    refuse_writing_onto_input(labels, tmp_path / "labels.nc")  # beside it: fine
    refuse_writing_onto_input(labels, tmp_path / "labels2" / "x.txt")  # a name sharing a prefix
    for target in (labels / "new.nc", labels / "clip_1.txt", labels / "a" / "b.nc", labels):
        with pytest.raises(PoseBridgeError, match="is inside the folder"):
            refuse_writing_onto_input(labels, target)
    link = tmp_path / "link.txt"
    link.symlink_to(labels / "clip_1.txt")  # writing the link replaces the file it leads to
    alias = tmp_path / "alias"
    alias.symlink_to(labels)  # the folder under another name
    for target in (link, alias / "clip_2.txt"):
        with pytest.raises(PoseBridgeError, match="is inside the folder"):
            refuse_writing_onto_input(labels, target)
    with pytest.raises(PoseBridgeError, match="is inside the folder"):
        refuse_writing_onto_input(alias, labels / "x.nc")


def test_no_writer_writes_inside_a_kept_input_folder(labels, tmp_path, monkeypatch):
    with inputs_kept(labels):
        check_outputs([tmp_path / "a.nc", tmp_path / "b.nc"], overwrite=True)
        with pytest.raises(PoseBridgeError, match=f"{labels / 'clip_9.txt'}: is inside"):
            check_outputs([tmp_path / "a.nc", labels / "clip_9.txt"], overwrite=True)
    monkeypatch.chdir(labels)  # a relative output in the folder is found inside it too
    with inputs_kept(labels), pytest.raises(PoseBridgeError, match="is inside"):
        check_outputs([Path("x.txt")], overwrite=False)
