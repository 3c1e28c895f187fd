"""Reaching a Dask cluster: the client or scheduler address given, checked before any
input is converted, and the connection to the scheduler.

:mod:`posebridge.batch.run` runs the jobs on the client these give; an address is
checked here (its scheme one Dask has a transport for, ``host:port`` well formed)
so that a typo fails at once rather than after Dask's connection timeout.
"""

from __future__ import annotations

from typing import Any

from posebridge import errors
from posebridge._option_values import expect_kind
from posebridge.errors import PoseBridgeError

__all__ = ["check_executor", "connect"]


def check_executor(client: Any, scheduler: Any) -> None:
    """Refuse a ``client`` that is not a Dask client, a ``scheduler`` that is not an address."""
    if client is not None and scheduler is not None:
        raise PoseBridgeError(
            "give client (a distributed.Client) or scheduler (its address), not both."
        )
    if scheduler is not None:
        expect_kind(scheduler, str, "scheduler")
        if not scheduler.strip():
            raise PoseBridgeError("scheduler is an empty address; e.g. 'tcp://host:8786'.")
        check_scheduler_address(scheduler)
    if client is None:
        return
    wrong = errors.TypeError(
        "client must be a distributed.Client of a running Dask cluster (or None), got "
        f"{errors.brief(client)} ({type(client).__name__})."
    )
    try:
        from distributed import Client
    except ImportError:  # without distributed, nothing is a client of it
        raise wrong from None
    if not isinstance(client, Client):
        raise wrong


#: The schemes whose addresses are ``<scheme>://<host>:<port>``.
_HOST_PORT_SCHEMES = ("tcp", "tls", "ws", "wss")


def scheduler_problem(
    scheduler: str,
    problem: str,
    hint: str = "give the address of a running Dask scheduler, e.g. 'tcp://head-node:8786'",
) -> PoseBridgeError:
    """The error of a ``scheduler`` address (``--scheduler``) that cannot be used."""
    named = f"scheduler {scheduler!r} (scheduler=, --scheduler)"
    return PoseBridgeError(f"{named}: {problem}; {hint}.")


def check_scheduler_address(scheduler: str) -> None:
    """Refuse a scheduler address that is not of the form ``[tcp://]host:port`` (or another
    scheme Dask knows), before any input is converted.

    Raises
    ------
    PoseBridgeError
        When distributed is not installed, the scheme is one Dask has no
        transport for, or a host and port address lacks its host, or its port
        is not a whole number from 1 to 65535.
    """
    try:
        from distributed.comm.addressing import parse_address
        from distributed.comm.registry import backends
    except ImportError:
        raise scheduler_problem(
            scheduler,
            "running on a Dask cluster needs dask.distributed (pip install 'posebridge[dask]')",
        ) from None
    if scheduler != scheduler.strip():
        raise scheduler_problem(scheduler, "the address begins or ends with white space")
    scheme, place = parse_address(scheduler, strict=False)
    if scheme not in backends:
        known = ", ".join(f"{s}://" for s in sorted(backends))
        raise scheduler_problem(scheduler, f"Dask knows no scheme {scheme}:// (it knows {known})")
    if scheme not in _HOST_PORT_SCHEMES:
        return  # inproc://, ucx://: the connection says what is wrong
    host, colon, port = place.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host  # IPv6
    if not colon or not host:
        raise scheduler_problem(scheduler, "expected host:port after the scheme (tcp://host:8786)")
    if not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        raise scheduler_problem(
            scheduler, f"the port {port!r} is not a whole number from 1 to 65535"
        )


def connect(scheduler: str) -> Any:
    """A client of the Dask scheduler at ``scheduler``.

    The connection waits as long as Dask's ``distributed.comm.timeouts.connect``
    (30 s unless configured, e.g. ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=10s``).

    Raises
    ------
    PoseBridgeError
        When no scheduler answers there (or the connection fails otherwise),
        naming the address and the cause.
    """
    import dask.config
    from distributed import Client

    try:
        return Client(scheduler)
    except Exception as error:
        cause = " ".join(str(error).split()) or "no reason given"
        waited = dask.config.get("distributed.comm.timeouts.connect")
        raise scheduler_problem(
            scheduler,
            f"could not connect to it ({type(error).__name__}: {cause}); no input was converted",
            "check that a Dask scheduler runs there (Dask waits for it as long as "
            f"distributed.comm.timeouts.connect, now {waited})",
        ) from error
