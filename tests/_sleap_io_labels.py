"""sleap-io Labels built for tests (sleap-io is imported by the function: tests that use
it skip without sleap-io first)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def labels_of(
    tracks_by_frame: dict[int, list],
    value: Callable[[int, int], float] = lambda t, frame: float(frame),
    video=None,
):
    """Labels of one video (``video``, else ``/data/arena.mp4`` not opened): on each
    frame, a predicted instance of each track listed (``None``: an instance without a
    track); both points of track ``t`` (its rank among the tracks, -1 without a track) at
    ``value(t, frame)``."""
    import sleap_io as sio

    skeleton = sio.Skeleton(["head", "tail"], name="fly")
    if video is None:
        video = sio.Video(filename="/data/arena.mp4", open_backend=False)
    listed_tracks = (t for listed in tracks_by_frame.values() for t in listed)
    tracks = [t for t in dict.fromkeys(listed_tracks) if t is not None]  # None: no track
    frames = [
        sio.LabeledFrame(
            video=video,
            frame_idx=frame,
            instances=[
                sio.PredictedInstance.from_numpy(
                    np.full((2, 2), value(tracks.index(track) if track else -1, frame)),
                    skeleton=skeleton,
                    point_scores=np.ones(2),
                    score=1.0,
                    track=track,
                )
                for track in listed
            ],
        )
        for frame, listed in tracks_by_frame.items()
    ]
    return sio.Labels(frames, videos=[video], skeletons=[skeleton], tracks=tracks)
