"""Generate the samples bundled in ``src/posebridge/data`` (synthetic, seeded, small).

Run from the repository root::

    .venv/bin/python tools/make_samples.py            # rewrites src/posebridge/data/*.nc
    .venv/bin/python tools/make_samples.py --out DIR  # writes elsewhere

The samples imitate real tracking output: animals moving smoothly in an arena,
keypoints placed on a body that follows the direction of motion, confidence
that drops where points go missing, an occlusion gap, scattered missing points,
a skeleton, and (for the boxes) frame numbers with a gap. Every random draw
comes from a seeded generator, so the files are the same on every run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import xarray as xr

import posebridge
from posebridge import model
from posebridge.sample_data import BUNDLED

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "posebridge" / "data"

TWO_MICE = "posebridge_two-mice_2D.nc"
MOUSE_3D = "posebridge_single-mouse_3D.nc"
CRABS = "posebridge_two-crabs_bboxes.nc"


def _smooth(noise: np.ndarray, width: int) -> np.ndarray:
    """Moving average along axis 0 (same length), to make noise move smoothly."""
    kernel = np.ones(width) / width
    return np.apply_along_axis(lambda column: np.convolve(column, kernel, mode="same"), 0, noise)


def _reflect(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Fold a free path back into [low, high], as if bouncing off the walls."""
    span = high - low
    folded = np.mod(values - low, 2 * span)
    return low + np.where(folded > span, 2 * span - folded, folded)


def _path(rng: np.random.Generator, n: int, start: np.ndarray, bounds: np.ndarray, speed: float):
    """A smooth wandering 2D path (n, 2) inside ``bounds`` (2, 2) and its unit heading.

    The animal turns gradually, speeds up and slows down (pauses now and then),
    and bounces off the walls.
    """
    turn = _smooth(rng.normal(0.0, 0.3, size=n), 9)
    angle = rng.uniform(0.0, 2 * np.pi) + np.cumsum(turn)
    pace = speed * np.clip(1.0 + _smooth(rng.normal(0.0, 2.5, size=n), 25), 0.05, None)
    free = start + np.cumsum(pace[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1), 0)
    path = np.stack([_reflect(free[:, d], bounds[d, 0], bounds[d, 1]) for d in range(2)], 1)
    heading = _smooth(np.gradient(path, axis=0), 5)
    return path, heading / np.maximum(np.linalg.norm(heading, axis=1, keepdims=True), 1e-9)


def _edges(pairs: list[tuple[str, str]]) -> xr.DataArray:
    return xr.DataArray(np.array(pairs, dtype=str), dims=("edge", "edge_node"))


def two_mice_2d() -> xr.Dataset:
    """Two mice x 8 keypoints x 300 frames at 30 fps in a 640 x 480 pixel arena."""
    rng = np.random.default_rng(20240601)
    n_frames, fps = 300, 30.0
    keypoints = [
        "snout",
        "left_ear",
        "right_ear",
        "neck",
        "centre",
        "tail_base",
        "tail_mid",
        "tail_tip",
    ]
    along = np.array([32.0, 20.0, 20.0, 13.0, 0.0, -24.0, -40.0, -56.0])
    across = np.array([0.0, 9.0, -9.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    tail_sway = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 4.0, 9.0])
    bounds = np.array([[70.0, 570.0], [70.0, 410.0]])
    starts = [np.array([180.0, 160.0]), np.array([460.0, 330.0])]

    position = np.empty((n_frames, 2, len(keypoints), 2))
    confidence = np.empty((n_frames, len(keypoints), 2))
    t = np.arange(n_frames)
    for animal, start in enumerate(starts):
        centre, heading = _path(rng, n_frames, start, bounds, speed=3.0)
        normal = np.stack([-heading[:, 1], heading[:, 0]], axis=1)
        sway = np.sin(2 * np.pi * t / 24.0 + animal)[:, None] * tail_sway[None, :]
        offsets_along = np.broadcast_to(along, (n_frames, along.size))
        offsets_across = across[None, :] + sway
        points = (
            centre[:, :, None]
            + heading[:, :, None] * offsets_along[:, None, :]
            + normal[:, :, None] * offsets_across[:, None, :]
        )
        position[:, :, :, animal] = points + rng.normal(0.0, 0.8, size=points.shape)
        confidence[:, :, animal] = np.clip(
            rng.normal(0.93, 0.04, size=(n_frames, len(keypoints))), 0.0, 0.999
        )
    confidence[:, -1, :] -= 0.15  # the tail tip is the hardest point to see

    # Scattered misses: the tracker lost a point, its confidence is low.
    missing = rng.random(size=(n_frames, len(keypoints), 2)) < 0.03
    missing[:, -1, :] |= rng.random(size=(n_frames, 2)) < 0.08
    position[:, :, :, :] = np.where(missing[:, None, :, :], np.nan, position)
    confidence[missing] = rng.uniform(0.01, 0.2, size=int(missing.sum()))
    # An occlusion: mouse 2 hidden for half a second, nothing detected at all.
    position[150:165, :, :, 1] = np.nan
    confidence[150:165, :, 1] = np.nan

    ds = model.from_numpy(
        position,
        np.round(confidence, 4),
        individual_names=["mouse1", "mouse2"],
        keypoint_names=keypoints,
        fps=fps,
        source_software="posebridge",
    )
    ds["skeleton_edges"] = _edges(
        [
            ("snout", "left_ear"),
            ("snout", "right_ear"),
            ("left_ear", "neck"),
            ("right_ear", "neck"),
            ("neck", "centre"),
            ("centre", "tail_base"),
            ("tail_base", "tail_mid"),
            ("tail_mid", "tail_tip"),
        ]
    )
    ds.attrs["video_width"] = 640
    ds.attrs["video_height"] = 480
    return ds


def single_mouse_3d() -> xr.Dataset:
    """One mouse x 6 keypoints x 200 frames at 100 fps, 3D in millimetres."""
    rng = np.random.default_rng(20240602)
    n_frames, fps = 200, 100.0
    keypoints = ["snout", "left_forepaw", "right_forepaw", "left_hindpaw", "right_hindpaw"]
    keypoints.append("tail_base")
    along = np.array([45.0, 25.0, 25.0, -15.0, -15.0, -35.0])
    across = np.array([0.0, 12.0, -12.0, 14.0, -14.0, 0.0])
    height = np.array([18.0, 0.0, 0.0, 0.0, 0.0, 12.0])
    bounds = np.array([[-150.0, 150.0], [-150.0, 150.0]])
    centre, heading = _path(rng, n_frames, np.array([-40.0, 20.0]), bounds, speed=1.5)
    normal = np.stack([-heading[:, 1], heading[:, 0]], axis=1)
    t = np.arange(n_frames)
    # Paws alternate in a gait: each lifts and swings forward in turn.
    phase = np.array([0.0, 0.0, np.pi, np.pi, 0.0, 0.0])
    gait = np.sin(2 * np.pi * t[:, None] / 25.0 + phase[None, :])
    is_paw = np.array([0, 1, 1, 1, 1, 0], dtype=bool)
    lift = np.where(is_paw, np.clip(gait, 0, None) * 6.0, 0.0)
    swing = np.where(is_paw, gait * 4.0, 0.0)
    flat = (
        centre[:, :, None]
        + heading[:, :, None] * (along[None, :] + swing)[:, None, :]
        + normal[:, :, None] * np.broadcast_to(across, (n_frames, across.size))[:, None, :]
    )
    z = (height[None, :] + lift)[:, None, :]
    position = np.concatenate([flat, z], axis=1)[:, :, :, None]
    position = position + rng.normal(0.0, 0.5, size=position.shape)
    confidence = np.clip(rng.normal(0.9, 0.06, size=(n_frames, len(keypoints), 1)), 0.0, 1.0)
    missing = rng.random(size=(n_frames, len(keypoints), 1)) < 0.02
    position = np.where(missing[:, None, :, :], np.nan, position)
    confidence[missing] = np.nan
    ds = model.from_numpy(
        position,
        np.round(confidence, 4),
        individual_names=["mouse"],
        keypoint_names=keypoints,
        fps=fps,
        source_software="posebridge",
    )
    ds["skeleton_edges"] = _edges(
        [
            ("snout", "left_forepaw"),
            ("snout", "right_forepaw"),
            ("left_forepaw", "left_hindpaw"),
            ("right_forepaw", "right_hindpaw"),
            ("left_hindpaw", "tail_base"),
            ("right_hindpaw", "tail_base"),
        ]
    )
    return ds


def two_crabs_bboxes() -> xr.Dataset:
    """Boxes of two crabs, frames 0-24 and 35-59 (a 10-frame gap), time in frames."""
    rng = np.random.default_rng(20240603)
    frames = np.concatenate([np.arange(0, 25), np.arange(35, 60)])
    n = frames.size
    bounds = np.array([[60.0, 1220.0], [60.0, 660.0]])
    position = np.empty((n, 2, 2))
    shape = np.empty((n, 2, 2))
    for crab, (start, size) in enumerate(
        [(np.array([300.0, 250.0]), (70.0, 48.0)), (np.array([900.0, 450.0]), (52.0, 40.0))]
    ):
        centre, _ = _path(rng, n, start, bounds, speed=5.0)
        position[:, :, crab] = centre
        wobble = 1.0 + 0.06 * _smooth(rng.normal(size=(n, 2)), 7)
        shape[:, :, crab] = np.array(size)[None, :] * wobble
    confidence = np.clip(rng.normal(0.88, 0.05, size=(n, 2)), 0.0, 1.0)
    # The second crab walks out of view for six frames.
    hidden = (frames >= 40) & (frames < 46)
    position[hidden, :, 1] = np.nan
    shape[hidden, :, 1] = np.nan
    confidence[hidden, 1] = np.nan
    return model.bboxes_from_numpy(
        np.round(position, 2),
        np.round(shape, 2),
        np.round(confidence, 4),
        individual_names=["crab_1", "crab_2"],
        frame_array=frames,
        source_software="posebridge",
    )


def build_samples() -> dict[str, xr.Dataset]:
    """Every bundled sample, by file name (the keys of ``sample_data.BUNDLED``)."""
    samples = {TWO_MICE: two_mice_2d(), MOUSE_3D: single_mouse_3d(), CRABS: two_crabs_bboxes()}
    if set(samples) != set(BUNDLED):
        raise SystemExit(
            f"make_samples builds {sorted(samples)} but sample_data.BUNDLED lists "
            f"{sorted(BUNDLED)}; keep the two in step."
        )
    return {name: model.validate(ds) for name, ds in samples.items()}


def main(argv: list[str] | None = None) -> int:
    """Write the samples; print each file and its size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA, help=f"folder (default {DATA})")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, ds in build_samples().items():
        for path in posebridge.save(ds, args.out / name, "netcdf", overwrite=True):
            print(f"{path}  {path.stat().st_size / 1024:.1f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
