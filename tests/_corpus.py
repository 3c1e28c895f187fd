"""Where the real-file corpus is, and how tests ask for its files.

The corpus lives outside the repository (../shared/corpus, or $POSEBRIDGE_CORPUS).
When it is absent, every test that needs it is skipped with a reason that says so.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CORPUS = Path(
    os.environ.get(
        "POSEBRIDGE_CORPUS", Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    )
)
#: Corpus folders whose files posebridge reads (a folder joins when its format family lands).
READABLE_FOLDERS = (
    "anipose_csv",
    "dannce",
    "dlc_csv",
    "dlc_h5",
    "dlc_multi",
    "idtracker",
    "lp_csv",
    "nwb",
    "sleap_analysis_h5",
    "sleap_csv",
    "sleap_slp",
    "trex",
    "via_csv",
)
#: Files in those folders that are not pose data by themselves, with the reason
#: (their own tests cover them).
NOT_POSE_FILES = {
    "dannce/mouse22_skeleton.mat": "a DANNCE skeleton (marker names), passed as skeleton=",
    "trex/test_fish0_trex2025_xonly.csv": "a TRex CSV with X but no Y: refused by design",
}
#: Readable folders that are also one input as a whole (TRex: one file per individual).
FOLDER_INPUTS = ("trex",)
_NOT_POSE_SUFFIXES = {".md", ".toml"}
MISSING = f"real-file corpus not found at {CORPUS} (set POSEBRIDGE_CORPUS to its folder)"


def readable_files() -> list[Path]:
    """Every pose-data input of the readable folders: files at any depth (not in
    ``_``-prefixed helper folders), minus :data:`NOT_POSE_FILES`, plus the
    :data:`FOLDER_INPUTS` folders themselves. Empty when the corpus is absent."""
    if not CORPUS.is_dir():
        return []
    found = []
    for folder in READABLE_FOLDERS:
        for path in sorted((CORPUS / folder).rglob("*")):
            relative = path.relative_to(CORPUS)
            if (
                path.is_file()
                and path.suffix not in _NOT_POSE_SUFFIXES
                and not any(part.startswith("_") for part in relative.parts[1:-1])
                and relative.as_posix() not in NOT_POSE_FILES
            ):
                found.append(path)
    found.extend(CORPUS / folder for folder in FOLDER_INPUTS if (CORPUS / folder).is_dir())
    return found


def corpus_path(relative: str) -> Path:
    """One corpus file; skips the calling test when the corpus is absent."""
    path = CORPUS / relative
    if not CORPUS.is_dir():
        pytest.skip(MISSING)
    if not path.exists():
        pytest.fail(f"corpus file {relative} is missing from {CORPUS}")
    return path


def corpus_params(folder: str, pattern: str = "*") -> list:
    """pytest parameters for every corpus file matching ``folder/pattern``.

    When the corpus is absent, one parameter that skips with a clear reason.
    """
    if not CORPUS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=MISSING), id="no-corpus")]
    files = sorted((CORPUS / folder).glob(pattern))
    if not files:
        return [
            pytest.param(
                None,
                marks=pytest.mark.skip(reason=f"no {pattern} files in {CORPUS / folder}"),
                id="none",
            )
        ]
    return [pytest.param(path, id=path.name, marks=pytest.mark.corpus) for path in files]
