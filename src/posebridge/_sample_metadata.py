"""What a sample list (movement's ``metadata.yaml``) is: parsed and checked.

:mod:`posebridge.sample_data` downloads and caches the list; this module reads
one file of it (the cached copy, or a download before it replaces the cached
copy) and says what is wrong with it: not YAML, not a mapping of sample names
to their fields, a malformed sha256 sum, or a last sample cut short in transit.
Nothing here touches the network or the cache folder.

Examples
--------
>>> from posebridge._sample_metadata import sha256_problem
>>> sha256_problem("0" * 64) is None
True
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from posebridge._sample_data_downloads import SampleDataError

__all__ = [
    "COMPANION_FIELDS",
    "ENTRY_FIELDS",
    "incomplete_entry",
    "parse_metadata",
    "sha256_problem",
]


#: The fields of a sample, and of its ``frame`` and ``video``, that posebridge reads.
ENTRY_FIELDS = ("sha256sum", "type", "source_software", "fps", "frame", "video")
COMPANION_FIELDS = ("file_name", "sha256sum")


def sha256_problem(value: Any) -> str | None:
    """Why ``value`` is no metadata ``sha256sum`` (``None`` when it is one, or null).

    Examples
    --------
    >>> sha256_problem("cec")
    "the sha256sum 'cec' (str); a sha256 sum is text of 64 hexadecimal digits"
    >>> sha256_problem(None) is None
    True
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and re.fullmatch(r"[0-9A-Fa-f]{64}", value.strip()):
        return None
    return (
        f"the sha256sum {value!r} ({type(value).__name__}); a sha256 sum is text of 64 "
        "hexadecimal digits"
    )


def incomplete_entry(metadata: dict[str, dict[str, Any]]) -> str | None:
    """What the last sample of a downloaded sample list lacks, or ``None`` when it looks whole.

    A list cut short in transit (a connection closed early, with no
    Content-Length to notice it by) still parses as YAML: it only loses the
    samples after the cut, and the last one kept loses its fields after the
    cut, or ends in a part of one (a sha256 sum of three digits). So the last
    sample must give a whole sha256 sum (its own, its frame's and its
    video's), and every field posebridge reads that all the other samples
    give. An earlier sample with a malformed field is refused only when it is
    fetched, naming it: the other samples stay available. A cut that falls
    exactly between two samples cannot be told from a shorter list.
    """
    entries = list(metadata.items())
    name, entry = entries[-1]
    others = [other for _, other in entries[:-1]]

    def lacking(fields: tuple[str, ...], mine: dict[str, Any], theirs: list[Any]) -> list[str]:
        given = [other for other in theirs if isinstance(other, dict)]
        return [
            field
            for field in fields
            if field not in mine and given and all(field in other for other in given)
        ]

    missing = lacking(ENTRY_FIELDS, entry, others)
    if missing:
        return (
            f"its last sample, {name}, lacks the field(s) {', '.join(missing)} that every "
            "other sample gives"
        )
    problem = sha256_problem(entry.get("sha256sum"))
    if problem is not None:
        return f"its last sample, {name}, gives {problem}"
    for what in ("frame", "video"):
        companion = entry.get(what)
        if not isinstance(companion, dict):
            continue
        missing = lacking(COMPANION_FIELDS, companion, [other.get(what) for other in others])
        if missing:
            return f"the {what} of its last sample, {name}, lacks {', '.join(missing)}"
        problem = sha256_problem(companion.get("sha256sum"))
        if problem is not None:
            return f"the {what} of its last sample, {name}, gives {problem}"
    return None


def parse_metadata(
    path: Path, where: str | None = None, advice: str = ""
) -> dict[str, dict[str, Any]]:
    """The sample list of a ``metadata.yaml``.

    Parameters
    ----------
    path
        The file.
    where
        What the file is, for messages (default: the cached sample metadata
        ``path``).
    advice
        Appended to messages.

    Raises
    ------
    SampleDataError
        When the file is not YAML mapping each sample's name to its fields.
    """
    if where is None:
        where = f"the cached sample metadata {path}"
        advice = advice or " Download it again with list_datasets(refresh=True)."
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise SampleDataError(f"{where} is not valid YAML: {error}.{advice}") from error
    except RecursionError:  # PyYAML recurses once per level of nesting
        raise SampleDataError(f"{where} nests lists or mappings too deeply.{advice}") from None
    if content is None:
        content = {}
    if not isinstance(content, dict) or not all(
        isinstance(entry, dict) for entry in content.values()
    ):
        raise SampleDataError(
            f"{where} should map each sample's file name to its fields (type, sha256sum, "
            f"source_software, fps, frame, video); it does not.{advice}"
        )
    return {str(name): entry for name, entry in content.items()}
