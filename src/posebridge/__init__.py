"""posebridge: move animal pose-tracking data between DeepLabCut, SLEAP,
LightningPose, Anipose, VIA and NWB through one xarray data model.

Examples
--------
>>> import posebridge
>>> ds = posebridge.load("videoDLC_resnet50.h5")  # doctest: +SKIP
>>> posebridge.save(ds, "video.slp")  # doctest: +SKIP
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from posebridge.api import list_formats, load, save
from posebridge.batch import convert_many
from posebridge.boxes import boxes_from_poses
from posebridge.bridges import from_sleap_io, to_sleap_io
from posebridge.convert import convert
from posebridge.errors import (
    FormatError,
    PoseBridgeError,
    SchemaError,
    UnknownFormatError,
)
from posebridge.lazy import open_dataset
from posebridge.model import from_numpy, labels, validate
from posebridge.registry import detect

try:
    __version__ = version("posebridge")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "FormatError",
    "PoseBridgeError",
    "SchemaError",
    "UnknownFormatError",
    "__version__",
    "boxes_from_poses",
    "convert",
    "convert_many",
    "detect",
    "from_numpy",
    "from_sleap_io",
    "labels",
    "list_formats",
    "load",
    "open_dataset",
    "save",
    "to_sleap_io",
    "validate",
]
