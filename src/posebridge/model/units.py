"""The names of the units a dataset's positions are in (``attrs["unit"]``).

One table for every part of posebridge that compares or writes units: the NWB
writer and reader (NWB's ``unit`` of a SpatialSeries), the NWB appender, and
:mod:`posebridge.combine`, which refuses to join datasets whose units differ.
The names are the ones nwbinspector accepts for a SpatialSeries
(``check_spatial_series_unit``); the short and British spellings users write
(``px``, ``mm``, ``metres``) name the same units. This module imports nothing
of posebridge.
"""

from __future__ import annotations

from typing import Any

#: The unit names (those nwbinspector accepts for a SpatialSeries).
UNIT_NAMES = (
    "pixels",
    "meters",
    "centimeters",
    "millimeters",
    "micrometers",
    "degrees",
    "radians",
    "n.a.",
)
_UNIT_ALIASES = {
    "px": "pixels",
    "pixel": "pixels",
    "pix": "pixels",
    "m": "meters",
    "meter": "meters",
    "metre": "meters",
    "metres": "meters",
    "cm": "centimeters",
    "centimeter": "centimeters",
    "centimetre": "centimeters",
    "centimetres": "centimeters",
    "mm": "millimeters",
    "millimeter": "millimeters",
    "millimetre": "millimeters",
    "millimetres": "millimeters",
    "um": "micrometers",
    "µm": "micrometers",
    "μm": "micrometers",
    "micrometer": "micrometers",
    "micron": "micrometers",
    "microns": "micrometers",
    "deg": "degrees",
    "degree": "degrees",
    "rad": "radians",
    "radian": "radians",
    "na": "n.a.",
    "n/a": "n.a.",
    "none": "n.a.",
    "unknown": "n.a.",
}


def unit_name(value: Any) -> str | None:
    """The name of the unit ``value`` spells, or ``None`` if it is no unit known here.

    Parameters
    ----------
    value
        A unit as a user or a file writes it (``"mm"``, ``"Pixels"``, ``"metres"``).

    Returns
    -------
    str or None
        One of :data:`UNIT_NAMES`, or ``None`` (also for ``None``).

    Examples
    --------
    >>> [unit_name(u) for u in ("mm", "Pixels", "pixels", "furlongs", None)]
    ['millimeters', 'pixels', 'pixels', None, None]
    """
    if value is None:
        return None
    text = str(value).strip()
    if text in UNIT_NAMES:
        return text
    lowered = text.lower()
    return _UNIT_ALIASES.get(lowered, lowered if lowered in UNIT_NAMES else None)
