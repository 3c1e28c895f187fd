"""Whether sleap-io is there, and whether a value is one of its ``Labels``."""

from __future__ import annotations

from typing import Any

__all__ = ["is_sleap_io_labels", "require_sleap_io"]


def require_sleap_io() -> Any:
    """The ``sleap_io`` module, or an ImportError saying how to install it.

    Examples
    --------
    >>> sio = require_sleap_io()  # doctest: +SKIP
    """
    try:
        import sleap_io
    except ImportError as error:
        raise ImportError(
            "this needs sleap-io, an optional dependency of posebridge: "
            "pip install sleap-io (or pip install 'posebridge[sleap]')."
        ) from error
    return sleap_io


def is_sleap_io_labels(value: Any) -> bool:
    """Whether ``value`` is a ``sleap_io.Labels`` (without importing sleap-io).

    Examples
    --------
    >>> is_sleap_io_labels(object())
    False
    """
    return any(
        cls.__name__ == "Labels" and cls.__module__.startswith("sleap_io")
        for cls in type(value).__mro__
    )
