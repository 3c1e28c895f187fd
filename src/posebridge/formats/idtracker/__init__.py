"""idtracker.ai trajectories: the pickled-dict ``.npy`` files, v6's ``trajectories.h5``
and the CSV export (a ``trajectories.csv`` file or its folder).

Read-only. ``trajectories`` (frames, animals, 2, pixels, NaN = not seen) ->
``position`` with one keypoint, ``centroid``; ``id_probabilities`` ->
``confidence``; ``frames_per_second`` -> ``fps`` (time in seconds, frame
numbers kept in ``frame``); ``body_length`` -> the ``body_length`` attribute;
``areas`` -> the ``area`` variable. Individuals are named after idtracker.ai's
identities, ``id_1``, ``id_2``, ... (identity = animal index + 1), or its
``identities_labels`` when the file has them.

The ``.npy`` files are pickles: they are read with a restricted unpickler
(:mod:`posebridge.formats._shared.safe_pickle`) that builds numpy arrays and
plain Python values only, never ``np.load(allow_pickle=True)``.
"""

from __future__ import annotations

from posebridge.formats._shared.record import Format
from posebridge.formats.idtracker.layout import sniff, sniff_folder
from posebridge.formats.idtracker.read import describe, read

__all__ = ["FORMATS", "describe", "read", "sniff", "sniff_folder"]

FORMATS = (
    Format(
        name="idtracker",
        title="idtracker.ai",
        extensions=(".npy", ".h5", ".csv"),
        kinds=("poses",),
        sniff=sniff,
        read=read,
        aliases=("idtrackerai", "idtracker.ai"),
        specificity=1,
        describe=describe,
        sniff_folder=sniff_folder,
        notes="read-only; trajectories*.npy (restricted unpickler), trajectories.h5, "
        "trajectories.csv or its folder",
    ),
)
