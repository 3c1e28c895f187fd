"""Which COCO categories a read takes, and their skeletons as keypoint names.

A file may hold several keypoint categories: they are read together when they
share one keypoint list, else ``category=`` picks one. Skeleton edges are
keypoint indices counted from 1 (COCO) or from 0 (some tools):
:func:`skeleton_base` tells which.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from posebridge.errors import FormatError, user_stacklevel
from posebridge.formats.coco._layout import Category

__all__ = ["chosen_categories", "skeleton_base", "skeletons"]


def chosen_categories(
    path: Path, categories: list[Category], category: str | int | None
) -> list[Category]:
    """The keypoint categories read together (one keypoint list)."""
    with_points = [c for c in categories if c.keypoints]
    if not with_points:
        raise FormatError(
            path, "$.categories: no category has 'keypoints', so this is not a keypoints file."
        )
    if category is not None:
        picked = _categories_named(with_points, category)
        if not picked:
            names = _listed([f"{c.name!r} (id {c.id})" for c in with_points[:_SHOWN + 1]],
                            len(with_points))  # fmt: skip
            raise FormatError(
                path, f"category={category!r} is not among its keypoint categories: {names}."
            )
        return picked[:1]
    groups = list(dict.fromkeys(tuple(c.keypoints) for c in with_points))
    if len(groups) > 1:
        names = _listed(
            [
                f"{c.name!r} (id {c.id}, {len(c.keypoints)} keypoints)"
                for c in with_points[:_SHOWN]
            ],
            len(with_points),
        )
        raise FormatError(
            path,
            f"$.categories: the keypoint categories have different keypoint lists ({names}); "
            "pass category= (a name or id) to read one of them.",
        )
    return with_points


#: Categories a message lists (a file can have hundreds of thousands).
_SHOWN = 10


def _listed(shown: list[str], count: int) -> str:
    """The first :data:`_SHOWN` items, and how many there are when more."""
    text = ", ".join(shown[:_SHOWN])
    return text if count <= _SHOWN else f"{text}, ... ({count} in all)"


def _categories_named(categories: list[Category], category: str | int) -> list[Category]:
    """The categories ``category`` names: a number is an id; a text a name, else an id.

    Class names that are numbers are common (YOLO and Roboflow name classes
    ``"0"``, ``"1"``), so a number is never taken for a name, and a text is
    an id only when no category has that name.
    """
    if isinstance(category, int | np.integer) and not isinstance(category, bool):
        return [c for c in categories if c.id == int(category)]
    text = str(category)
    named = [c for c in categories if c.name == text]
    return named or [c for c in categories if str(c.id) == text]


def skeleton_base(
    path: Path, edges: list[list[int]], count: int, where: str, base: int | None = None
) -> int | None:
    """The index base of a COCO skeleton: 0, 1, or ``None`` for an empty one.

    Any index 0 means 0-based; a largest index equal to the number of
    keypoints means 1-based; both cannot be (FormatError, unless ``base`` says).
    Neither (a skeleton that leaves out the last keypoint) is read as COCO's
    1-based, with a warning, unless ``base`` says.

    Examples
    --------
    >>> from pathlib import Path
    >>> skeleton_base(Path("x.json"), [[1, 2], [2, 3]], 3, "$")
    1
    >>> skeleton_base(Path("x.json"), [[0, 1]], 3, "$")
    0
    """
    if not edges:
        return None
    odd = next((i for i, edge in enumerate(edges) if len(edge) != 2), None)  # a few edges
    if odd is not None:
        raise FormatError(
            path,
            f"{where}.skeleton[{odd}]: expected a pair of keypoint indices, found {edges[odd]}.",
        )
    pairs = np.asarray(edges)
    low, high = int(pairs.min()), int(pairs.max())
    if base is None:
        zero, full = low == 0, high == count
        if zero and full:
            raise FormatError(
                path,
                f"{where}.skeleton: its indices go from 0 to {high} with {count} keypoints, "
                "too many to count from 0 or from 1; pass skeleton_base=0 or 1.",
            )
        fits_both = low >= 1 and high < count  # out of range: refused below, not warned
        if not zero and not full and fits_both:  # as COCO counts (0-based would use index 0)
            warnings.warn(
                f"{path}: {where}.skeleton: its indices (from {low} to {high}, {count} "
                "keypoints) could count from 0 or 1; read as COCO's 1-based (pass "
                "skeleton_base=0 if they count from 0).",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        base = 0 if zero else 1
    if base not in (0, 1):
        raise FormatError(path, f"skeleton_base must be 0 or 1, got {base!r}.")
    if low < base or high >= count + base:
        raise FormatError(
            path,
            f"{where}.skeleton: indices from {low} to {high} do not fit {count} keypoints "
            f"counted from {base}.",
        )
    return base


def skeletons(
    path: Path,
    categories: list[Category],
    all_categories: list[Category],
    names: list[str],
    base: int | None,
) -> tuple[np.ndarray | None, dict[int, list[list[str]]]]:
    """The dataset's skeleton and the chosen categories' own, as keypoint names.

    The dataset's (``skeleton_edges``, (edge, 2)) is the first chosen category's
    with a skeleton (None when none has one). Every other chosen category whose
    skeleton is not that one, edge for edge (another, the same edges in
    another order or direction, or none), has its own, by its position in
    ``categories``, for :func:`~posebridge.formats.coco._layout.categories_attr`
    (a union of the edges would join keypoints that no category joins).
    """
    first = next((cat for cat in categories if cat.skeleton), None)
    if first is None:
        return None, {}
    position = {id(cat): i for i, cat in enumerate(all_categories)}

    def as_names(category: Category) -> np.ndarray:
        where = f"$.categories[{position[id(category)]}]"
        found = skeleton_base(path, category.skeleton, len(names), where, base)
        index = np.asarray(category.skeleton, dtype=np.int64).reshape(-1, 2) - int(found or 0)
        return np.asarray(names, dtype=str)[index]

    kept = as_names(first)
    own = {  # a loop over categories (a few), their skeletons checked as the first's
        i: edges.tolist()
        for i, cat in enumerate(categories)
        if cat.skeleton != first.skeleton and not np.array_equal(edges := as_names(cat), kept)
    }
    return kept, own
