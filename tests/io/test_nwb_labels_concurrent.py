"""posebridge.io.nwb (``_nwb_labels``): appends of annotations with predictions to one
file from two threads at once take turns: the second sees the first's annotations (and is
refused, as one after the other), never both "done" with one of them lost."""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pytest

from _sleap_io_labels import labels_of
from posebridge.errors import PoseBridgeError
from posebridge.io import nwb

sio = pytest.importorskip("sleap_io")
pytest.importorskip("pynwb")


def _annotated_and_predicted(shift: float, track_name: str):
    """Labels of /data/arena.mp4 with a user instance and a predicted one on frame 1."""
    labels = labels_of({1: [sio.Track(name=track_name)]})
    skeleton = labels.skeletons[0]
    user = sio.Instance.from_numpy(np.array([[1.0, 2.0], [3.0, 4.0]]) + shift, skeleton)
    labels[0].instances.append(user)
    return labels


def test_two_appends_of_annotations_at_once_take_turns(tmp_path):
    for round_ in range(2):
        path = tmp_path / f"r{round_}.nwb"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nwb.save_nwb(labels_of({0: [sio.Track(name="first")]}), path, nwb_format="predictions")
        barrier = threading.Barrier(2)
        outcomes: dict[str, str] = {}

        def run(name: str, shift: float, path=path, barrier=barrier, outcomes=outcomes) -> None:
            labels = _annotated_and_predicted(shift, name)
            barrier.wait(60)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    nwb.save_nwb(labels, path, append=True)
            except PoseBridgeError as error:
                outcomes[name] = f"refused: {error}"
            else:
                outcomes[name] = "appended"

        threads = [
            threading.Thread(target=run, args=(name, shift))
            for name, shift in (("m1", 10.0), ("m2", 20.0))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        assert sorted(o.split(":")[0] for o in outcomes.values()) == ["appended", "refused"], (
            outcomes
        )
        (kept,) = [name for name, outcome in outcomes.items() if outcome == "appended"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            read = nwb.load_nwb(path, return_type="labels")
        users = [i for lf in read for i in lf if type(i) is sio.Instance]
        tracks = {i.track.name for lf in read for i in lf if type(i) is sio.PredictedInstance}
        assert len(users) == 1 and tracks == {"first", kept}, (outcomes, tracks)
        assert float(users[0].numpy()[0, 0]) == {"m1": 11.0, "m2": 21.0}[kept]
