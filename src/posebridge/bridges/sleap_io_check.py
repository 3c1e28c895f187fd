"""Whether sleap-io is there, and whether a value is one of its ``Labels``."""

from __future__ import annotations

from typing import Any

from posebridge.errors import PoseBridgeError

__all__ = ["is_sleap_io_labels", "require_sleap_io"]


def require_sleap_io(what: str = "this") -> Any:
    """The ``sleap_io`` module, or a PoseBridgeError naming the extra that installs it.

    Parameters
    ----------
    what
        What needs sleap-io, for the message (``"posebridge.to_sleap_io"``).

    Returns
    -------
    module
        The ``sleap_io`` module.

    Raises
    ------
    PoseBridgeError
        When sleap-io cannot be imported (as for posebridge's other optional extras).

    Examples
    --------
    >>> sio = require_sleap_io("posebridge.to_sleap_io")  # doctest: +SKIP
    """
    try:
        import sleap_io
    except ImportError as error:
        raise PoseBridgeError(
            f"{what} needs sleap-io, an optional dependency of posebridge ({error}); "
            "install it with `pip install 'posebridge[sleap]'` (or `pip install sleap-io`)."
        ) from None
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
