"""Putting several datasets together: individuals side by side, or camera views.

Used by :func:`posebridge.load` when given a list of files (one per individual,
as the NWB writer makes them) and by
:func:`posebridge.io.load.load_multiview_dataset` (one file per camera view).
Both line the datasets up on time: the result's time is the union of the
inputs' times, with NaN where an input has no row. Times in seconds closer
than a millionth of a frame (``timeline.TIME_RTOL``, ``timeline.TIME_ULPS``) are one
time. The inputs share one frame rate: two stated rates must agree (within
``agree.FPS_RTOL``), and an input in frames that states none takes the others'.
Labelled frames line up on the frame they are, not on their row number: side
by side, on their image, else their video and frame number; as camera views
(each with its own videos and images), on their frame number, read from the
image's name for images (``session_top/img26.png`` is ``session_bot/img26.png``'s
frame), or on the image's file name when it holds no number.

Modules: ``agree`` (whether the inputs agree), ``timeline`` (lining them up on
time), ``row_lists`` (attributes that list rows), ``merge``
(:func:`merge_individuals`) and ``views`` (:func:`stack_views`).
"""

from posebridge.combine.merge import merge_individuals
from posebridge.combine.views import stack_views

__all__ = ["merge_individuals", "stack_views"]
