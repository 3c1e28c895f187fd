"""Naming a batch's outputs: templates (DANDI's built in) and the checks on the names made.

A template is checked once before any job (:func:`check_template`); each
input's name is filled by :func:`output_name` and checked by
:func:`naming_problem`.
"""

from __future__ import annotations

import os
import re
import string
import unicodedata
from pathlib import Path
from typing import Any

from posebridge import registry
from posebridge.errors import PoseBridgeError, with_command_line_wording

__all__ = [
    "DANDI_TEMPLATE",
    "DEFAULT_TEMPLATE",
    "TEMPLATE_FIELDS",
    "check_template",
    "dandi_label",
    "format_ending",
    "naming_problem",
    "output_name",
    "output_stem",
    "outside_problem",
    "template_fields",
]


#: DANDI's layout: one folder per subject, ``sub-<subject>_ses-<session>_behavior.nwb``
#: (the ``_ses-`` part is left out when a row has no session).
DANDI_TEMPLATE = "sub-{subject}/sub-{subject}_ses-{session}_behavior.nwb"

#: The default naming template: the input's name with the output format's ending,
#: in the same subfolder (relative to a folder input) under the output folder.
DEFAULT_TEMPLATE = "{parent}/{stem}{ext}"


_NO_LABEL = "has no letter or digit to make a DANDI label from."


def dandi_label(value: Any) -> str:
    """A value as a DANDI / BIDS label: ASCII letters, digits and ``-`` only.

    Accented letters lose their accents (``Ä`` -> ``A``, ``é`` -> ``e``: their
    Unicode decomposition without its combining marks); every other run of
    characters (``_``, spaces, ``/``, dots, letters of other scripts, ...)
    becomes one ``-``; leading and trailing ``-`` are removed.

    Examples
    --------
    >>> dandi_label("mouse_01 (left)")
    'mouse-01-left'
    >>> dandi_label("Maus-Ä")
    'Maus-A'
    """
    decomposed = unicodedata.normalize("NFKD", str(value))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    label = re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")
    if not label:
        raise PoseBridgeError(f"{value!r} {_NO_LABEL}")
    return label


def _known_endings() -> tuple[str, ...]:
    """Every file ending a format claims (lower case)."""
    return tuple(e.lower() for f in registry.all_formats() for e in f.extensions)


def output_stem(path: Path) -> str:
    """The file name without the longest ending a format claims (``x.analysis.h5`` -> ``x``);
    a folder read as one input keeps its whole name (``run.2024.05.01``: its dots are not
    an ending)."""
    if path.is_dir():
        return path.name
    lower = path.name.lower()
    endings = [e for e in _known_endings() if lower.endswith(e)]
    if endings:
        return path.name[: -len(max(endings, key=len))] or path.stem
    return path.stem


def format_ending(to_format: str) -> str:
    """The shortest ending that names ``to_format`` alone (``.slp`` before ``.pkg.slp``)."""
    fmt = registry.get(to_format)
    return registry.own_ending(fmt, "poses" if "poses" in fmt.kinds else fmt.kinds[0])


#: The fields a naming template may use.
TEMPLATE_FIELDS = ("stem", "name", "parent", "ext", "subject", "session")


def template_fields(template: str) -> set[str]:
    """The fields a naming template uses, once it is known to be well formed.

    Raises
    ------
    PoseBridgeError
        For a template that is not well formed (an unclosed brace) or uses a
        field other than :data:`TEMPLATE_FIELDS` (a format spec, an attribute
        or an index of one too).

    Examples
    --------
    >>> sorted(template_fields("sub-{subject}/{stem}{ext}"))
    ['ext', 'stem', 'subject']
    """
    if template == "dandi":
        template = DANDI_TEMPLATE
    try:
        parts = list(_formatter.parse(template))
    except ValueError as error:
        raise PoseBridgeError(f"naming template {template!r}: {error}") from error
    used = {name for _, name, _, _ in parts if name is not None}
    unknown = used - set(TEMPLATE_FIELDS)
    if unknown or any(spec or conversion for _, name, spec, conversion in parts if name):
        raise PoseBridgeError(
            f"naming template {template!r} uses "
            + (f"{sorted(unknown)}" if unknown else "a format spec or conversion")
            + f"; it may use {{{'}, {'.join(TEMPLATE_FIELDS)}}} and nothing else."
        )
    return used


def output_name(
    template: str, source: Path, parent: str, row: dict[str, Any], ext: str | None
) -> str:
    """Fill a naming template for one input (the template already checked).

    A name that ends in no format's ending gets the output format's, so a
    template without ``{ext}`` (``{subject}/{stem}``) names usable files.
    """
    dandi = template in ("dandi", DANDI_TEMPLATE)
    if dandi:
        template = DANDI_TEMPLATE
        if row.get("session_id") in (None, ""):
            template = template.replace("_ses-{session}", "")
    subject = row.get("subject_id")
    session = row.get("session_id")
    fields = {
        "stem": output_stem(source),
        "name": source.name,
        "parent": parent or ".",
        "ext": ext,
        "subject": subject,
        "session": session,
    }
    used = template_fields(template)
    for key, column in (("subject", "subject_id"), ("session", "session_id")):
        value = fields[key]
        if value in (None, ""):
            continue
        if dandi:
            try:
                fields[key] = dandi_label(value)
            except PoseBridgeError as error:  # it says no more than _NO_LABEL
                raise PoseBridgeError(
                    f"{source}: the manifest's {column} {value!r} (DANDI naming template "
                    f"field {{{key}}}) {_NO_LABEL}"
                ) from error
        elif key in used:
            _check_label(str(value), key, column, source)
    missing = sorted(k for k in used if fields[k] in (None, ""))
    if missing:
        what = {"ext": f"an output format {_TO}", "subject": "subject_id", "session": "session_id"}
        raise with_command_line_wording(
            PoseBridgeError(
                f"{source}: naming template {template!r} needs "
                + ", ".join(what.get(m, m) for m in missing)
                + (" in the manifest row" if set(missing) - {"ext"} else "")
                + "."
            ),
            _TO_WORDING,
        )
    name = template.format(**fields)
    if ext is not None and not name.lower().endswith(_known_endings()):
        name += ext
    return name


_formatter = string.Formatter()

#: The output format's option as Python names it, and as the command line does.
_TO = "(to=)"
_TO_WORDING = {_TO: "(--to)"}

#: Path separators: a template's own ``/`` makes folders, a field's value may not.
_SEPARATORS = ("/", "\\")


def _check_label(value: str, key: str, column: str, source: Path) -> None:
    """Refuse a manifest value that would add folders to a name through ``{key}``, or
    make it a folder of its own (``.`` or ``..``, which ``os.path.normpath`` removes).

    ``\\`` is refused as well as ``/``: it separates folders on Windows, so
    the same manifest would lay out its outputs differently there.
    """
    if value.strip() in (".", ".."):  # a folder of its own: '..' above, '.' vanishes
        raise PoseBridgeError(
            f"{source}: the manifest's {column} {value!r} (naming template field {{{key}}}) "
            f"is {'the folder above' if value.strip() == '..' else 'the folder itself'} as "
            "a part of a path, which would put the output in another folder; give it a "
            "name with a letter or digit."
        )
    found = " and ".join(f"'{s}'" for s in _SEPARATORS if s in value)
    if found:
        raise PoseBridgeError(
            f"{source}: the manifest's {column} '{value}' (naming template field {{{key}}}) "
            f"holds the path separator {found}, which would make "
            "folders; write it without one (the template's own '/' makes the folders), or "
            "use the template 'dandi', which turns every separator into '-'."
        )


def outside_problem(name: str, out: Path) -> str:
    """Why ``name`` does not stay inside the output folder ``out`` (``""`` when it does).

    The test is on the text (``os.path.normpath``): an absolute name, or one
    whose first part after normalising is ``..`` (``../x``, ``a/../../x``).
    """
    if Path(name).is_absolute():
        return f"the absolute path {name!r}; with an output folder, names are relative to it"
    if Path(os.path.normpath(name)).parts[:1] == ("..",):
        return f"{name!r}, which leads out of the output folder {out}"
    return ""


def naming_problem(name: str, out: Path | None) -> str:
    """Why an output name a template gave cannot be used (``""`` when it can).

    The file name must have a name before its ending (``"/"``, ``"{ext}"`` or
    ``"{stem}/"`` would write a hidden ``.nc``); with an output folder, the
    name must stay inside it (not absolute, no ``..`` leading out).
    """
    final = name.replace(os.sep, "/").rsplit("/", 1)[-1]
    lower = final.lower()
    endings = [e for e in _known_endings() if lower.endswith(e)]
    bare = final[: -len(max(endings, key=len))] if endings else final
    if not bare.strip("."):
        return f"gives {name!r}, a file name with nothing before its ending"
    if out is not None:
        outside = outside_problem(name, out)
        if outside:
            return f"gives {outside}"
    return ""


def check_template(
    template: str, ext: str | None, out: Path | None, *, names_outputs: bool = True
) -> None:
    """Refuse a template that gives an unusable name whatever the input (before any job).

    The template is filled with stand-in values (a stem, a subfolder, a
    subject and a session); names that only some inputs make unusable (a
    subject ``..``) fail those inputs' jobs instead.

    Parameters
    ----------
    template
        The naming template (``"dandi"`` for DANDI's).
    ext
        The output format's ending (``None`` when no output format is given).
    out
        The output folder, if any.
    names_outputs
        Whether the template names an output (a row of a manifest without its own
        ``output``, or an input not from a manifest): only then is a template that
        names no format (``{ext}``, or a name without an ending, with no output
        format given) refused, as no input's output could be written.

    Raises
    ------
    PoseBridgeError
        When every input's name would be unusable, or could name no format.
    """
    row = {"subject_id": "subject", "session_id": "session"}
    try:
        name = output_name(template, Path("stem.h5"), "parent", row, ext)
    except PoseBridgeError:  # the stand-ins give every field but the ending
        if not names_outputs:
            return
        raise with_command_line_wording(
            PoseBridgeError(
                f"naming template {template!r} uses {{ext}}, the output format's ending, "
                f"but no output format is given: give one {_TO}, or write the ending in "
                "the template (e.g. '{stem}.nwb')."
            ),
            _TO_WORDING,
        ) from None
    if names_outputs and ext is None and not name.lower().endswith(_known_endings()):
        raise with_command_line_wording(
            PoseBridgeError(
                f"naming template {template!r} gives names without a format's ending (e.g. "
                f"{name!r}) and no output format is given, so no output's format can be "
                f"told: give one {_TO}, or write the ending in the template (e.g. "
                "'{stem}.nwb')."
            ),
            _TO_WORDING,
        )
    problem = naming_problem(name, out)
    if problem:
        raise PoseBridgeError(
            f"naming template {template!r} {problem}; a template names a file, e.g. "
            f"{DEFAULT_TEMPLATE!r}."
        )
