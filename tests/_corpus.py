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
    "coco",
    "dlc_csv",
    "dlc_h5",
    "dlc_multi",
    "labelstudio",
    "lp_csv",
    "nwb",
    "sleap_analysis_h5",
    "sleap_slp",
    "via_csv",
    "yolo_pose",
)
#: The pose files of a folder, when not every file in it is one (glob patterns, recursive
#: with ``**``): YOLO datasets are read through their data.yaml (the label files and
#: READMEs beside it are parts of the dataset), Label Studio exports are ``data*.json``
#: (the ``.xml`` beside them are their labelling configs).
POSE_FILES = {
    "labelstudio": ("*/data*.json",),
    "yolo_pose": ("*/data.yaml",),
}
#: Reader options a corpus file needs: the YOLO dataset's images are not in the corpus,
#: so their size (640 x 640, PROVENANCE.md) is given.
READ_OPTIONS = {
    "yolo_pose/cow.v1i.yolov8/data.yaml": {"image_size": (640, 640)},
}
MISSING = f"real-file corpus not found at {CORPUS} (set POSEBRIDGE_CORPUS to its folder)"


def corpus_path(relative: str) -> Path:
    """One corpus file; skips the calling test when the corpus is absent."""
    path = CORPUS / relative
    if not CORPUS.is_dir():
        pytest.skip(MISSING)
    if not path.exists():
        pytest.fail(f"corpus file {relative} is missing from {CORPUS}")
    return path


def pose_files(folder: str) -> list[Path]:
    """The pose files of a corpus folder: :data:`POSE_FILES` patterns, else its files."""
    patterns = POSE_FILES.get(folder, ("*",))
    return sorted(
        {p for pattern in patterns for p in (CORPUS / folder).glob(pattern) if p.is_file()}
    )


def read_options(path: Path) -> dict:
    """The reader options a corpus file needs (:data:`READ_OPTIONS`), usually none."""
    return dict(READ_OPTIONS.get(path.relative_to(CORPUS).as_posix(), {}))


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
