"""Individual names a writer cannot keep: which names a tool made up (a file that holds
no name loses nothing of them), and the warnings that name the others when a format
holds no names, or one name only.
"""

from __future__ import annotations

import re
import warnings

import xarray as xr

from posebridge import model
from posebridge.errors import user_stacklevel, with_command_line_wording
from posebridge.formats._shared.untracked import is_untracked_name, untracked_name

__all__ = [
    "FORMATS_KEEPING_NAMES",
    "GENERATED_NAMES",
    "made_up_names",
    "warn_individual_name_not_stored",
    "warn_individual_names_not_kept",
]


#: The names tools give the first (or only) individual of data that names none: a
#: single-animal file, which holds no name, loses nothing of them. The DeepLabCut
#: readers' (posebridge's and movement's, ``individual_0``); movement's and
#: :func:`posebridge.from_numpy`'s for an unnamed individual, Anipose's and NWB's
#: (``id_0``); SLEAP's tracker and sleap-io's for the first track they make
#: (``track_0``); posebridge's for the first instance without a track in a frame
#: (``untracked_0``); DeepLabCut's: a new multi-animal project's first individual
#: (``individual1``), its tracklet stitcher's when the config names too few (``ind1``),
#: SuperAnimal models' (``animal0``).
GENERATED_NAMES = frozenset(
    {"individual_0", "id_0", "track_0", untracked_name(0), "individual1", "ind1", "animal0"}
)


#: The names of :data:`GENERATED_NAMES` for the individuals after the first: the same
#: tools number the others on (``id_3``, ``track_12``, ``individual2``, ``animal1``), and
#: VIA's reader names track -1 ``id_-1``.
_MADE_UP_NAME = re.compile(
    r"(?:individual|id|track|untracked)_-?[0-9]+|(?:individual|ind|animal)[0-9]+"
)


def made_up_names(names: list[str]) -> list[bool]:
    """Which of a dataset's individual names a tool made up for data that names none: a
    file that holds no name loses nothing of them. The one rule of the writers' warnings
    of names not kept.

    Among several individuals, the names of :data:`GENERATED_NAMES` numbered on
    (``id_3``, ``untracked_1``, ``individual2``...); a lone individual's only when it is
    one of :data:`GENERATED_NAMES` (a lone ``track_1`` was picked from several tracks:
    its name says which).

    Examples
    --------
    >>> made_up_names(["id_3", "untracked_0", "individual2", "mouse", "id_x"])
    [True, True, True, False, False]
    >>> made_up_names(["track_1"]), made_up_names(["track_0"])
    ([False], [True])
    """
    if len(names) == 1:
        return [names[0] in GENERATED_NAMES]
    return [name in GENERATED_NAMES or _MADE_UP_NAME.fullmatch(name) is not None for name in names]


#: The formats whose files keep the individuals' names, poses and labelled frames alike
#: (boxes: netCDF only).
FORMATS_KEEPING_NAMES = "COCO (.json), DeepLabCut (.h5), SLEAP (.slp) or netCDF (.nc)"


def warn_individual_names_not_kept(
    ds: xr.Dataset,
    path: object,
    *,
    holds: str,
    read_back: str,
    keep: str = FORMATS_KEEPING_NAMES,
    names_read_back: list[str] | None = None,
    identity: bool = True,
    command_line_wording: dict[str, str] | None = None,
) -> None:
    """Warn that the individuals written to ``path`` lose their names: the format holds
    no name (``holds`` says what it holds instead), they read back as ``read_back``.

    Names that read back as they are (``names_read_back``) lose nothing. In a format
    that keeps which individual is which (``identity``: a track id), names a tool made
    up (:func:`made_up_names`) lose nothing either. In one that does not, several
    individuals lose which is which across frames whatever their names (a tracker's
    ``track_<k>``, maDLC's ``individual<k>``, ``id_<k>`` of an array's columns), but for
    ``untracked_<k>``, which have none; a lone individual loses only a name it was
    given. Those that lose nothing are not named, and a dataset of such only is not
    warned about.

    Parameters
    ----------
    ds
        The dataset written.
    path
        The file (or files) written, for the message.
    holds
        The format, and what it holds of an individual (``"YOLO pose labels (a line
        holds no identity)"``).
    read_back
        What the individuals read back as, and by which rule.
    keep
        The formats that keep the names (:data:`FORMATS_KEEPING_NAMES` for poses and
        labels; ``"netCDF (.nc)"`` for boxes).
    names_read_back
        The name each individual reads back as, where the writer knows it (a VIA track
        id's ``id_<id>``); ``None``: none reads back as it is.
    identity
        Whether the format keeps which individual is which across frames (a track id).
    command_line_wording
        Python advice in ``holds`` or ``keep`` said with the command line's flags
        (:func:`posebridge.errors.with_command_line_wording`); ``None``: none to say.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from posebridge.model import labels
    >>> ds = labels.from_numpy(
    ...     np.ones((1, 2, 1, 3)), image_path=["a.png"], individual_names=["mouse", "id_1", "rat"]
    ... )
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_individual_names_not_kept(
    ...         ds, "t.json", holds="X tasks", read_back="untracked_<k>", keep="netCDF (.nc)"
    ...     )
    >>> message = str(caught[0].message)
    >>> message.startswith("t.json: X tasks keep no individual names: the individuals mouse, rat")
    True
    """
    names = [str(name) for name in ds[model.INDIVIDUAL].values]
    same = names_read_back or [None] * len(names)
    if identity or len(names) == 1:
        nothing_to_lose = made_up_names(names)
    else:  # which is which is lost: only untracked instances have nothing to lose
        nothing_to_lose = [is_untracked_name(name) for name in names]
    lost = [
        name
        for name, nothing, back in zip(names, nothing_to_lose, same, strict=True)
        if not nothing and name != back
    ]
    if not lost:
        return
    shown = ", ".join(lost[:3]) + (f" and {len(lost) - 3} more" if len(lost) > 3 else "")
    warning = UserWarning(
        f"{path}: {holds} keep no individual names: the individuals {shown} read back as "
        f"{read_back}. Write {keep} to keep them."
    )
    if command_line_wording:
        warning = with_command_line_wording(warning, command_line_wording)
    warnings.warn(warning, stacklevel=user_stacklevel())


def warn_individual_name_not_stored(
    name: str,
    path: object,
    *,
    layout: str,
    read_back: str,
    keep: str,
    keep_on_command_line: str | None = None,
) -> None:
    """Warn that the one individual written to ``path`` loses its name ``name``.

    Single-animal files (DeepLabCut's three column levels, LightningPose, Anipose)
    hold no individual's name and read back with their reader's default; a name a
    tool made up (:data:`GENERATED_NAMES`, :func:`made_up_names`' rule for one individual)
    loses nothing and is not warned about.

    Parameters
    ----------
    name
        The individual's name.
    path
        The file written, for the message.
    layout
        The file's form that holds no name (``"an Anipose file ... "``).
    read_back
        The name the file reads back with.
    keep
        What to do to keep the name.
    keep_on_command_line
        The same with the command line's flags, when ``keep`` names Python's
        options (:func:`posebridge.errors.with_command_line_wording`); ``None``:
        ``keep`` says it for both.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_individual_name_not_stored(
    ...         "mouse7",
    ...         "a.csv",
    ...         layout="an Anipose file has no individual",
    ...         read_back="id_0",
    ...         keep="Write netCDF (.nc) to keep it.",
    ...     )
    ...     warn_individual_name_not_stored(
    ...         "id_0",
    ...         "a.csv",
    ...         layout="an Anipose file has no individual",
    ...         read_back="id_0",
    ...         keep="Write netCDF (.nc) to keep it.",
    ...     )
    >>> [str(w.message)[:44] for w in caught]
    ["a.csv: the individual's name 'mouse7' is not"]
    """
    if made_up_names([name])[0]:
        return
    warning = UserWarning(
        f"{path}: the individual's name {name!r} is not stored: {layout}, and reads back as "
        f"{read_back!r}. {keep}"
    )
    if keep_on_command_line is not None:
        warning = with_command_line_wording(warning, {keep: keep_on_command_line})
    warnings.warn(warning, stacklevel=user_stacklevel())
