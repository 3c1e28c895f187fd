"""The on-disk layout of Anipose files: names and constants shared by reading and writing."""

from __future__ import annotations

SUFFIXES = ("x", "y", "z", "error", "ncams", "score")
MATRIX_COLUMNS = tuple(f"M_{row}{col}" for row in range(3) for col in range(3))
CENTER_COLUMNS = ("center_0", "center_1", "center_2")
FRAME_COLUMN = "fnum"
ERROR_VAR = "reprojection_error"
NCAMS_VAR = "camera_count"
MATRIX_ATTR = "anipose_alignment_matrix"
CENTER_ATTR = "anipose_alignment_center"
