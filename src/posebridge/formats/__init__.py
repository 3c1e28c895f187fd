"""One package per format family; each knows its on-disk layouts and nothing else.

Every family package exposes ``FORMATS``, a tuple of
:class:`posebridge.formats._shared.record.Format` records with ``sniff``,
``read`` and ``write`` functions. A family imports itself, ``formats._shared``,
:mod:`posebridge.model`, :mod:`posebridge.errors`, :mod:`posebridge._files` and
:mod:`posebridge._outputs` (and third-party libraries), never another family, the
registry or the API.
The registry (:mod:`posebridge.registry`) lists the families.
"""
