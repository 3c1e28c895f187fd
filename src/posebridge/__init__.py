"""posebridge: move animal pose-tracking data between DeepLabCut, SLEAP,
LightningPose, Anipose, VIA and NWB through one xarray data model.

Examples
--------
>>> import posebridge
>>> ds = posebridge.load("videoDLC_resnet50.h5")  # doctest: +SKIP
>>> posebridge.save(ds, "video.slp")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below are imported on first use (see __getattr__)
    from posebridge import combine
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

#: Where each public name lives: imported when first used, so that ``import
#: posebridge`` (and the command line's ``--help``) does not pull in pandas and
#: xarray before they are needed.
_HOMES = {
    "list_formats": "posebridge.api",
    "load": "posebridge.api",
    "save": "posebridge.api",
    "convert_many": "posebridge.batch",
    "boxes_from_poses": "posebridge.boxes",
    "from_sleap_io": "posebridge.bridges",
    "to_sleap_io": "posebridge.bridges",
    "convert": "posebridge.convert",
    "FormatError": "posebridge.errors",
    "PoseBridgeError": "posebridge.errors",
    "SchemaError": "posebridge.errors",
    "UnknownFormatError": "posebridge.errors",
    "open_dataset": "posebridge.lazy",
    "from_numpy": "posebridge.model",
    "labels": "posebridge.model",
    "validate": "posebridge.model",
    "detect": "posebridge.registry",
}

#: Subpackages reachable as attributes (``posebridge.combine.merge_individuals``, as
#: the README and error messages spell it), imported on first use as the names are.
_SUBPACKAGES = ("combine",)


def __getattr__(name: str) -> Any:
    """The public names, imported from their modules on first use (PEP 562)."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("posebridge")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            value = "0.0.0"
    elif name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module 'posebridge' has no attribute {name!r}")
    globals()[name] = value  # later uses find it without this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """posebridge's module type: ``posebridge.convert`` stays the function.

    Importing the submodule :mod:`posebridge.convert` sets the package's
    attribute of that name to the module; the function of the same name, found
    on first use by :func:`__getattr__`, must not be hidden by it (an eager
    ``from posebridge.convert import convert`` used to bind it last).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "convert" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "FormatError",
    "PoseBridgeError",
    "SchemaError",
    "UnknownFormatError",
    "__version__",
    "boxes_from_poses",
    "combine",
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
