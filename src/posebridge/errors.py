"""The exception family of posebridge, and where its warnings point.

Every error that bad input can cause is a :class:`PoseBridgeError` (itself a
``ValueError``), so callers can catch one class. Messages name the file, what
was expected, what was found and what to do.

Warnings point at the first line of code outside posebridge
(:func:`user_stacklevel`). A ``stacklevel`` counted by hand is right for one way
of calling only: the same writer warns from ``posebridge.save``, from
``posebridge.convert``, from a drop-in of ``movement.io`` or from a batch job,
each some frames deeper, and Python shows a warning (and files it under its
"once per location" rule) at the line its ``stacklevel`` lands on.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import reprlib
import shlex
import sys
from collections.abc import Callable, Sequence
from os import PathLike
from typing import Any, TypeVar

__all__ = [
    "DatasetKindError",
    "FileExistsError",
    "FileInUseError",
    "FileNotFoundError",
    "FolderNotFoundError",
    "FormatError",
    "IsADirectoryError",
    "KeyNotFoundError",
    "NotADatasetError",
    "NotADictError",
    "NotHDF5Error",
    "PoseBridgeError",
    "SchemaError",
    "SeveralVideosError",
    "SharedSubjectError",
    "TypeError",
    "UnknownFormatError",
    "user_stacklevel",
]

_BuiltinAttributeError = AttributeError
_BuiltinBlockingIOError = BlockingIOError
_BuiltinFileExistsError = FileExistsError
_BuiltinFileNotFoundError = FileNotFoundError
_BuiltinIsADirectoryError = IsADirectoryError
_BuiltinKeyError = KeyError
_BuiltinOSError = OSError
_BuiltinPermissionError = PermissionError
_BuiltinTypeError = TypeError
_Describer = TypeVar("_Describer", bound=Callable[..., Any])


class PoseBridgeError(ValueError):
    """Root of every error posebridge raises on bad input."""


class UnknownFormatError(PoseBridgeError):
    """The format of a file could not be found, or a format name is unknown."""


class FormatError(PoseBridgeError):
    """A file claims a format but breaks its layout."""

    def __init__(self, path: str | PathLike[str] | None, problem: str) -> None:
        self.path = None if path is None else str(path)
        self.problem = problem
        where = f"{self.path}: " if self.path else ""
        super().__init__(f"{where}{problem}")

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with the two arguments (a worker process sends it to its parent)."""
        return (self.__class__, (self.path, self.problem), self.__dict__)


class SeveralVideosError(FormatError):
    """A file holds the poses of several videos, and a dataset holds one.

    The message lists them and says how to read one from Python. The reader's
    option that picks one (``option``, e.g. ``video``), a value of it that works
    (``example``) and other ways to read the file (``alternatives``: option,
    value, when) are kept apart, so that the command line can say the same with
    its own flags (``--read-option video=0``).

    Examples
    --------
    >>> error = SeveralVideosError(
    ...     "two.slp",
    ...     "holds poses for 2 videos.",
    ...     "Pass video=0 or video=1.",
    ...     option="video",
    ...     example=0,
    ... )
    >>> isinstance(error, FormatError), error.option, error.example
    (True, 'video', 0)
    >>> str(error)
    'two.slp: holds poses for 2 videos. Pass video=0 or video=1.'
    """

    def __init__(
        self,
        path: str | PathLike[str] | None,
        found: str,
        advice: str,
        *,
        option: str,
        example: Any,
        alternatives: tuple[tuple[str, str, str], ...] = (),
    ) -> None:
        super().__init__(path, f"{found} {advice}")
        self.found, self.advice = found, advice
        self.option, self.example = option, example
        self.alternatives = tuple(alternatives)

    def command_line_advice(self) -> str:
        """How to read one video of the file with the command line's ``--read-option``
        (the reader's option), where :attr:`advice` names it for Python.

        Examples
        --------
        >>> error = SeveralVideosError(
        ...     "two.slp", "holds 2 videos.", "Pass video=0.", option="video", example=0
        ... )
        >>> error.command_line_advice()  # doctest: +ELLIPSIS
        'A dataset holds one video: pick one with --read-option video=0 (or another of ...'
        """
        flag = f"--read-option {shlex.quote(f'{self.option}={self.example}')}"
        others = "".join(
            f", or --read-option {shlex.quote(f'{option}={value}')} {when}"
            for option, value, when in self.alternatives
        )
        return (
            f"A dataset holds one video: pick one with {flag} (or another of those "
            f"listed){others}."
        )

    def command_line_message(self) -> str:
        """The message on one line with :meth:`command_line_advice` for the advice.

        Examples
        --------
        >>> error = SeveralVideosError(
        ...     "two.slp", "holds 2 videos.", "Pass video=0.", option="video", example=0
        ... )
        >>> error.command_line_message()  # doctest: +ELLIPSIS
        'two.slp: holds 2 videos. A dataset holds one video: pick one with --read-option ...'
        """
        where = f"{self.path}: " if self.path else ""
        return " ".join(f"{where}{self.found} {self.command_line_advice()}".split())

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with every argument (a worker process sends it to its parent)."""
        keywords = {
            "option": self.option,
            "example": self.example,
            "alternatives": self.alternatives,
        }
        return (_several_videos_error, (self.path, self.found, self.advice, keywords))


def _several_videos_error(
    path: str | None, found: str, advice: str, keywords: dict[str, Any]
) -> SeveralVideosError:
    """Rebuild a pickled :class:`SeveralVideosError` (its options are keyword-only)."""
    return SeveralVideosError(path, found, advice, **keywords)


class SchemaError(PoseBridgeError):
    """A dataset does not follow the posebridge/movement data model."""


class SharedSubjectError(PoseBridgeError):
    """One ``subject_id`` given for several individuals that NWB writes one file each.

    NWB holds one subject per file. The refused ``subject_id``, the
    ``individuals`` and whether it came as the writer's ``subject_id=`` option
    (``from_option``; else shared in the metadata's subject section) are kept
    apart, so that a batch can say which manifest row gave it.

    Examples
    --------
    >>> error = SharedSubjectError(
    ...     "subject_id 'M1' was given for 2 individuals.",
    ...     subject_id="M1",
    ...     individuals=["a", "b"],
    ...     from_option=True,
    ... )
    >>> error.subject_id, error.individuals, error.from_option
    ('M1', ['a', 'b'], True)
    """

    def __init__(
        self,
        message: str,
        *,
        subject_id: Any = None,
        individuals: Sequence[str] = (),
        from_option: bool = False,
    ) -> None:
        super().__init__(message)
        self.subject_id = subject_id
        self.individuals = [str(name) for name in individuals]
        self.from_option = from_option


class DatasetKindError(SchemaError, _BuiltinAttributeError):
    """A dataset of the wrong kind for a function (bounding boxes where poses are needed).

    Also an instance of the built-in ``AttributeError``, which movement 0.17's
    ``save_poses.to_nwb_file`` raises for such a dataset (it reads
    ``ds.keypoint``), so code written for movement catches it unchanged.
    """


class KeyNotFoundError(FormatError, _BuiltinKeyError):
    """A file does not hold the key asked for (an NWB processing module or PoseEstimation).

    Also an instance of the built-in ``KeyError``, as movement raises; unlike a
    ``KeyError``, its message is shown as written, not quoted.

    Examples
    --------
    >>> print(KeyNotFoundError("a.nwb", "has no PoseEstimation named 'XX'."))
    a.nwb: has no PoseEstimation named 'XX'.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class NotHDF5Error(FormatError, _BuiltinOSError):
    """A file read as HDF5 (an NWB file) whose bytes are not HDF5.

    Also an instance of the built-in ``OSError``, which h5py raises for such a
    file, and so movement's and sleap-io's NWB readers: code written for them
    catches it unchanged.

    Examples
    --------
    >>> error = NotHDF5Error("a.nwb", "is not an HDF5 file.")
    >>> isinstance(error, OSError), isinstance(error, ValueError), str(error)
    (True, True, 'a.nwb: is not an HDF5 file.')
    """

    def __init__(self, path: str | PathLike[str] | None, problem: str) -> None:
        super().__init__(path, problem)
        self.errno, self.strerror = None, str(self.args[0]) if self.args else problem
        self.filename = self.path

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class _OSErrorMessage:
    """Give ``(errno, message, filename)`` errors the OSError fields and a plain message.

    ``ValueError`` comes first in the bases of the two file errors below, so
    ``OSError`` never unpacks its arguments; this does it.
    """

    def __init__(self, errno: int, message: str, filename: str | None = None) -> None:
        super().__init__(errno, message, filename)
        self.errno = errno
        self.strerror = message
        self.filename = filename

    def __str__(self) -> str:
        return str(self.strerror)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with the three arguments (the built-in OSError's way fails here: its
        ``__new__`` is not the first in these classes' bases)."""
        return (self.__class__, (self.errno, self.strerror, self.filename), self.__dict__)


class FileExistsError(_OSErrorMessage, PoseBridgeError, _BuiltinFileExistsError):  # noqa: A001
    """An output file exists and ``overwrite=True`` was not given.

    Also an instance of the built-in ``FileExistsError``.
    """


class FileNotFoundError(_OSErrorMessage, PoseBridgeError, _BuiltinFileNotFoundError):  # noqa: A001
    """An input file does not exist.

    Also an instance of the built-in ``FileNotFoundError``.
    """


class FolderNotFoundError(FileNotFoundError, _BuiltinPermissionError):
    """The folder of an output file does not exist (movement's drop-in savers raise it).

    A :class:`FileNotFoundError` (and the built-in one) that is also a built-in
    ``PermissionError``: movement 0.17 raises ``PermissionError`` ("Unable to
    write to file") for a missing output folder, so code written for either
    catches it.
    """


class FileInUseError(_OSErrorMessage, PoseBridgeError, _BuiltinBlockingIOError):
    """An HDF5 file another program holds open: HDF5's lock on it refused us.

    Also an instance of the built-in ``BlockingIOError`` (an ``OSError``), which
    h5py, and so sleap-io's ``save_nwb``, raise for such a file.

    Examples
    --------
    >>> error = FileInUseError(11, "session.nwb: is open in another program.", "session.nwb")
    >>> isinstance(error, BlockingIOError), error.filename
    (True, 'session.nwb')
    """


class IsADirectoryError(_OSErrorMessage, PoseBridgeError, _BuiltinIsADirectoryError):  # noqa: A001
    """A folder was given where a file is read or written.

    Also an instance of the built-in ``IsADirectoryError``.
    """


class TypeError(PoseBridgeError, _BuiltinTypeError):  # noqa: A001
    """An argument of the wrong type (a list or an array where a dataset is expected, ...).

    Also an instance of the built-in ``TypeError``, as movement raises.
    """


class NotADatasetError(TypeError, _BuiltinAttributeError):
    """Something other than an ``xarray.Dataset`` where a dataset is expected.

    A :class:`TypeError` (what movement's savers and validators raise), and also
    an instance of the built-in ``AttributeError``, which movement 0.17's
    ``save_poses.to_dlc_file`` and ``to_nwb_file`` raise for such a value (they
    read ``ds.attrs`` before checking it), so code written for movement
    catches it unchanged.
    """


class NotADictError(TypeError, _BuiltinAttributeError):
    """Something other than a dict where a dict is expected (``load_multiview_dataset``'s
    ``file_dict`` given as a list of files).

    A :class:`TypeError`, and also an instance of the built-in ``AttributeError``,
    which movement 0.17's ``load_multiview_dataset`` raises for such a value (it
    calls ``file_dict.keys()``), so code written for movement catches it unchanged.

    Examples
    --------
    >>> error = NotADictError("Expected 'file_dict' to be a dict, got list.")
    >>> isinstance(error, AttributeError), isinstance(error, TypeError)
    (True, True)
    """


def expect_dataset(value: object, what: str = "ds") -> None:
    """Raise :class:`NotADatasetError` unless ``value`` is an ``xarray.Dataset``.

    Examples
    --------
    >>> expect_dataset([1, 2])
    Traceback (most recent call last):
    ...
    posebridge.errors.NotADatasetError: Expected 'ds' to be an xarray Dataset, got list.
    """
    import xarray as xr

    if not isinstance(value, xr.Dataset):
        raise NotADatasetError(
            f"Expected {what!r} to be an xarray Dataset, got {type(value).__name__}."
        )


def brief(value: object) -> str:
    """A short repr of a value read from a file, for messages.

    Nested containers are shown to a few levels and items only (a YAML file's
    aliases, or a pickle's shared references, can make a structure whose full
    repr would take longer than the universe has left).

    Examples
    --------
    >>> brief([[1, 2], list(range(100))])
    '[[1, 2], [0, 1, 2, 3, 4, 5, ...]]'
    """
    return _BRIEF.repr(value)


def _brief_repr() -> reprlib.Repr:
    shown = reprlib.Repr()
    shown.maxlevel = 2
    shown.maxlist = shown.maxtuple = shown.maxdict = shown.maxset = 6
    shown.maxstring = shown.maxother = 80
    return shown


_BRIEF = _brief_repr()


_Raised = TypeVar("_Raised", bound=BaseException)


def with_command_line_wording(raised: _Raised, wording: dict[str, str]) -> _Raised:
    """``raised`` (an error, or a warning given to ``warnings.warn``) carrying its advice
    as the command line says it, for :func:`worded_for_command_line`.

    Parameters
    ----------
    raised
        The error or warning whose message gives advice in Python's words.
    wording
        From each such piece of advice, as the message says it, to the same with the
        command line's flags (``"pass image_size=(width, height)"`` to
        ``"pass --option 'image_size=[W,H]'"``).

    Returns
    -------
    BaseException
        ``raised`` itself, its ``command_line_wording`` set (added to any it had).

    Examples
    --------
    >>> import warnings
    >>> warning = with_command_line_wording(
    ...     UserWarning("a.txt: read it with image_size=(640, 480)."),
    ...     {"image_size=(640, 480)": "--read-option 'image_size=[640,480]'"},
    ... )
    >>> worded_for_command_line(warning)
    "a.txt: read it with --read-option 'image_size=[640,480]'."
    """
    known = getattr(raised, "command_line_wording", {})
    raised.command_line_wording = {**known, **wording}  # type: ignore[attr-defined]
    return raised


def worded_for_command_line(error: BaseException, message: str | None = None) -> str:
    """The message of an error or a warning on one line, its Python advice in the
    command line's words.

    A raiser whose advice names Python (``ds.sel(...)``, ``split_individuals=True``)
    sets ``command_line_wording`` on the error or warning
    (:func:`with_command_line_wording`), a dict from that advice to the same said with
    the flags; a :class:`SeveralVideosError` names ``--read-option``. The command line
    shows its errors and its warnings (those of batch jobs too) so.

    Parameters
    ----------
    error
        The error, or the warning (the ``Warning`` given to ``warnings.warn``).
    message
        Its text, when it is not ``str(error)`` (an ``OSError``'s message).

    Examples
    --------
    >>> error = PoseBridgeError("x.csv: holds 2. Pass split=True.")
    >>> error.command_line_wording = {"Pass split=True.": "Pass --option split=true."}
    >>> worded_for_command_line(error)
    'x.csv: holds 2. Pass --option split=true.'
    """
    if isinstance(error, SeveralVideosError):
        message = error.command_line_message()
    text = " ".join((str(error) if message is None else message).split())
    for in_python, with_flags in getattr(error, "command_line_wording", {}).items():
        text = text.replace(" ".join(in_python.split()), with_flags)
    for in_python, with_flags in (*_OVERWRITE_ADVICE, *_FPS_ADVICE):
        text = text.replace(in_python, with_flags)
    return text


#: What a writer that needs frame numbers says to a dataset whose time is in seconds
#: without fps or a ``frame`` coordinate (SLEAP, DeepLabCut, ...), in words for every
#: Python caller (``load``/``convert``/``convert_many`` take ``fps=``, a dataset takes
#: ``with_fps``); on the command line it reads as :data:`_FPS_ADVICE` says.
FPS_ADVICE = (
    "Set the frame rate first: pass fps= (e.g. fps=30) to posebridge.load, convert or "
    "convert_many, or for a dataset use posebridge.model.with_fps(ds, 30) "
    "(or ds.attrs['fps'] = 30)."
)

#: The advice to give the frame rate, as Python and the command line (``--fps``) say it.
_FPS_ADVICE = (
    (FPS_ADVICE, "Give the frame rate with --fps (e.g. --fps 30)."),
    ("Give the frame rate (posebridge.model.with_fps(ds, fps))", "Give the frame rate (--fps)"),
)


#: The advice to replace an existing file, as Python and the command line say it.
_OVERWRITE_ADVICE = (
    ("pass overwrite=True", "pass --overwrite"),
    ("pass overwrite to replace", "pass --overwrite to replace"),
)


def expect_path(value: object, what: str = "path") -> None:
    """Raise :class:`TypeError` unless ``value`` is a ``str`` or ``os.PathLike``.

    Examples
    --------
    >>> expect_path(3)
    Traceback (most recent call last):
    ...
    posebridge.errors.TypeError: Expected 'path' to be a file path (str or os.PathLike), got int.
    """
    if not isinstance(value, str | PathLike):
        raise TypeError(
            f"Expected {what!r} to be a file path (str or os.PathLike), "
            f"got {type(value).__name__}."
        )


def expect_bool(value: object, what: str) -> None:
    """Raise :class:`TypeError` unless ``value`` is a bool (numpy's too).

    A flag such as ``overwrite="no"`` is true in Python: taken as given, it
    would replace the file it was meant to keep.

    Examples
    --------
    >>> expect_bool("no", "overwrite")
    Traceback (most recent call last):
    ...
    posebridge.errors.TypeError: overwrite must be True or False, got 'no'.
    """
    if type(value).__name__ not in ("bool", "bool_"):  # Python's, numpy's (1.x and 2.x)
        raise TypeError(f"{what} must be True or False, got {value!r}.")


def reading_failure(
    path: str | PathLike[str], error: BaseException, what: str = ""
) -> PoseBridgeError:
    """The error to raise when reading ``path`` failed with ``error``.

    One translation for every read (eager, lazy opening, and the blocks a
    lazy array reads later): a PoseBridgeError stays as it is, and so does a
    warning raised as an error (``warnings.simplefilter("error")``); an ``OSError``,
    ``MemoryError`` or ``zlib.error``, anything HDF5 raises for a damaged
    file (h5py reports those as ``RuntimeError``, ``KeyError`` or ``ValueError``) and bytes
    that do not decode as text (``UnicodeDecodeError``, e.g. a damaged HDF5
    link name) or nesting deeper than Python's recursion limit (``RecursionError``
    from a JSON or YAML decoder) become a :class:`FormatError` naming the file;
    anything else is a posebridge bug, said so.

    Parameters
    ----------
    path
        The file being read.
    error
        What the reading raised.
    what
        The format's title (``"SLEAP analysis"``), for the message.

    Examples
    --------
    >>> print(reading_failure("a.h5", OSError("filter returned failure"), "NWB"))
    a.h5: could not be read as NWB: OSError: filter returned failure
    """
    import zlib

    if isinstance(error, PoseBridgeError | Warning):  # a warning the caller made an error
        return error
    as_what = f" as {what}" if what else ""
    if (missing := unavailable_filter_error(path, error)) is not None:
        return missing
    if isinstance(error, OSError | MemoryError | zlib.error):
        return FormatError(path, f"could not be read{as_what}: {type(error).__name__}: {error}")
    if _raised_by_hdf5(error):
        return FormatError(path, f"is a damaged HDF5 file ({type(error).__name__}: {error}).")
    if isinstance(error, UnicodeDecodeError):  # names or text in the file that are not text
        return FormatError(path, f"holds text that cannot be decoded ({error}).")
    if isinstance(error, RecursionError):  # JSON/YAML decoders recurse per level of nesting
        return FormatError(
            path,
            f"nests lists or objects too deeply to be read{as_what} ({error}); no pose file "
            "nests that deep.",
        )
    return PoseBridgeError(
        f"{path}: posebridge failed while reading it{as_what} "
        f"({type(error).__name__}: {error}). This is a posebridge error, not necessarily "
        "a problem of the file: please report it with the file and this message."
    )


#: What HDF5 says when a dataset's filter (Blosc, Zstd, LZ4, ... from hdf5plugin) is not
#: registered: it looked for a plugin and found none.
_MISSING_FILTER = re.compile(r"plugin|required filter .* is not registered", re.IGNORECASE)


def unavailable_filter_error(path: Any, error: BaseException) -> FormatError | None:
    """The error to raise when HDF5 could not decode ``path`` for want of a filter
    plugin (hdf5plugin's Blosc, Zstd, LZ4...), else ``None``.

    HDF5's own words ("can't open directory (/usr/local/hdf5/lib/plugin)") read
    as damage; this names the dataset and filter, and the way out.

    Examples
    --------
    >>> print(unavailable_filter_error("a.h5", OSError("filter returned failure")))
    None
    """
    if not (isinstance(error, OSError) and _MISSING_FILTER.search(str(error))):
        return None
    return FormatError(
        path,
        f"is compressed with an HDF5 filter that is not available in this installation"
        f"{_unavailable_filter(path)} (the file is not damaged). Install the plugins of "
        "hdf5plugin (pip install hdf5plugin; then import hdf5plugin before reading), or "
        "re-save the file with a compression every HDF5 reader has (gzip).",
    )


def unavailable_filter(dataset: Any) -> str | None:
    """The first filter of an h5py dataset that HDF5 cannot decode here, as messages
    name it (``'blosc' (HDF5 filter 32001)``), or ``None``.

    Examples
    --------
    >>> unavailable_filter(h5["df_with_missing/table"])  # doctest: +SKIP
    "'blosc' (HDF5 filter 32001)"
    """
    import h5py

    plist = dataset.id.get_create_plist()
    for i in range(plist.get_nfilters()):
        code, _flags, _values, title = plist.get_filter(i)
        if not h5py.h5z.filter_avail(code):
            text = title.decode("utf-8", "replace") if isinstance(title, bytes) else str(title)
            return f"{text!r} (HDF5 filter {code})" if text else f"HDF5 filter {code}"
    return None


def _unavailable_filter(path: Any) -> str:
    """`` (<dataset>: <filter>)`` of the file's first dataset whose filter HDF5 cannot
    decode, found by walking the file; ``""`` when none is found (or the walk fails)."""
    try:
        import h5py

        found: list[str] = []

        def look(name: str, node: Any) -> Any:
            if isinstance(node, h5py.Dataset) and (named := unavailable_filter(node)):
                found.append(f" (/{name}: {named})")
                return True  # stops the walk
            return None

        with h5py.File(path, "r") as h5:
            h5.visititems(look)
        return found[0] if found else ""
    except Exception:  # the message stands without the name
        return ""


def describing(what: str) -> Callable[[_Describer], _Describer]:
    """Decorate a format's ``describe(path)``: its failures become :func:`reading_failure`.

    A damaged file then gives the same FormatError from ``posebridge info`` (and
    from the family's ``describe``) as from ``load``, never h5py's or scipy's
    own exception.

    Examples
    --------
    >>> @describing("NWB")
    ... def describe(path):
    ...     raise OSError("truncated file")
    >>> try:
    ...     describe("a.nwb")
    ... except FormatError as error:
    ...     print(error)
    a.nwb: could not be read as NWB: OSError: truncated file
    """

    def decorate(describe: _Describer) -> _Describer:
        @functools.wraps(describe)
        def guarded(path: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return describe(path, *args, **kwargs)
            except Exception as error:
                raise reading_failure(path, error, what) from error

        return guarded  # type: ignore[return-value]

    return decorate


def _raised_by_hdf5(error: BaseException) -> bool:
    """Whether ``error`` was raised inside h5py (its innermost frame is h5py's).

    ``ValueError`` included: h5py raises it for a datatype it cannot map to numpy
    (a damaged type message: "Insufficient precision in available types").
    """
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    module = tb.tb_frame.f_globals.get("__name__", "") if tb is not None else ""
    return isinstance(error, RuntimeError | KeyError | ValueError) and module.startswith("h5py")


#: The folder of posebridge's modules (frames of code in it are ours).
_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
#: The file of contextlib's generator context managers (their frames are passed over).
_CONTEXTLIB = contextlib.__file__


def user_stacklevel() -> int:
    """The ``stacklevel`` for ``warnings.warn`` that points at the first frame of code
    outside posebridge (the user's call, or a library that called us).

    Call it in the ``warnings.warn(...)`` call itself: it counts from the frame
    that calls it. When every frame is posebridge's (a worker thread of ours),
    the outermost one is taken.

    Returns
    -------
    int
        1 for the function that warns, 2 for its caller, and so on.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("checked", UserWarning, stacklevel=user_stacklevel())
    >>> caught[0].filename.endswith(".py")
    False
    """
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and _is_ours(frame.f_code.co_filename):
        frame = frame.f_back
        level += 1
        # a ``with`` of ours entering a generator context manager of ours: contextlib's
        # frame sits between the two
        while frame.f_back is not None and frame.f_code.co_filename == _CONTEXTLIB:
            frame = frame.f_back
            level += 1
    return level


def _is_ours(filename: str) -> bool:
    """Whether code of this file name is posebridge's."""
    return os.path.abspath(filename).startswith(_PACKAGE) if filename else False
