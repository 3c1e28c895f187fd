"""formats/_shared/individual_names: the names a writer cannot keep, and which a tool made up."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import posebridge


def test_a_made_up_individual_name_is_not_warned_about_a_real_one_is(recwarn):
    from posebridge.formats._shared.individual_names import (
        GENERATED_NAMES,
        warn_individual_name_not_stored,
    )

    for name in sorted(GENERATED_NAMES):
        warn_individual_name_not_stored(name, "a.csv", layout="x", read_back="y", keep="z")
    assert not recwarn.list
    with pytest.warns(UserWarning, match=r"a\.csv: the individual's name 'mouse7' is not stored"):
        warn_individual_name_not_stored("mouse7", "a.csv", layout="x", read_back="y", keep="z")


#: Individuals with no identity to lose: untracked instances, a lone id_0 / individual_0
#: (a tool's name for data that names none).
NAMES_WITHOUT_IDENTITY = [["untracked_0", "untracked_1"], ["id_0"], ["individual_0"]]
#: Named or numbered individuals: which is which across images is theirs (a tracker's
#: track_<k>, maDLC's individual<k>, an array's id_<k>); a lone track_1 was picked from
#: several tracks.
NAMES_WITH_IDENTITY = [
    ["mouse", "rat"],
    ["queen"],
    ["id_0", "worker"],
    ["cam1", "cam2"],
    ["track_1"],
    ["id_0", "id_1"],
    ["individual1", "individual2"],
    ["track_3", "untracked_0"],
]


@pytest.mark.parametrize(
    ("names", "warned"),
    [(n, False) for n in NAMES_WITHOUT_IDENTITY] + [(n, True) for n in NAMES_WITH_IDENTITY],
)
def test_yolo_and_label_studio_say_alike_which_names_are_lost(tmp_path, names, warned):
    """The writers of labels without identities had two rules: YOLO's (any made-up name)
    and Label Studio's (untracked_<k> only, and never for one individual); one rule now:
    all but untracked_<k> lose which is which, a lone tool-made name loses nothing."""
    from posebridge.model import labels

    ds = labels.from_numpy(
        np.full((2, 2, 2, len(names)), 5.0), image_path=["a.png", "b.png"], individual_names=names
    )
    said = {}
    for writer, name in (("yolo", "data.yaml"), ("labelstudio", "tasks.json")):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            posebridge.save(ds, tmp_path / name, format=writer, image_size=(64, 64))
        said[writer] = [
            re.search(r"the individuals \(?(.+?)\)? read back as (\S+),", text).groups()
            for text in (str(w.message) for w in caught)
            if "read back as untracked_<k>" in text
        ]
    given = ", ".join(name for name in names if not name.startswith("untracked_"))
    expected = [(given, "untracked_<k>")]
    assert said["yolo"] == (expected if warned else [])
    assert said["labelstudio"] == (expected if warned else [])


def test_the_advice_to_keep_a_name_can_be_worded_for_the_command_line():
    """``keep_on_command_line`` gives the command line its flags for ``keep``'s advice."""
    import warnings

    from posebridge.errors import worded_for_command_line
    from posebridge.formats._shared.individual_names import warn_individual_name_not_stored

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_individual_name_not_stored(
            "mouse7",
            "a.csv",
            layout="a file has no individual",
            read_back="id_0",
            keep="Pass keep=True to keep it.",
            keep_on_command_line="Pass --option keep=true to keep it.",
        )
    (warning,) = caught
    assert str(warning.message).endswith("'id_0'. Pass keep=True to keep it.")
    assert worded_for_command_line(warning.message).endswith(
        "'id_0'. Pass --option keep=true to keep it."
    )
