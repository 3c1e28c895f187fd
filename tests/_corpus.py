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
    "dlc_csv",
    "dlc_h5",
    "dlc_multi",
    "lp_csv",
    "nwb",
    "sleap_analysis_h5",
    "sleap_slp",
    "via_csv",
)
MISSING = f"real-file corpus not found at {CORPUS} (set POSEBRIDGE_CORPUS to its folder)"


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
