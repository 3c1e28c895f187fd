"""One module per format family; each knows one on-disk layout and nothing else.

Every module exposes ``FORMATS``, a tuple of :class:`posebridge.registry.Format`
records with ``sniff``, ``read`` and ``write`` functions. Modules import
:mod:`posebridge.schema`, :mod:`posebridge.errors`, the private helpers
(``posebridge._files``, ``formats._*``) and third-party libraries, never each
other.
"""

import sys
import types
from typing import Any


class _FormatsPackage(types.ModuleType):
    """Makes ``posebridge.formats()`` (the table) and ``posebridge.formats.<module>`` coexist.

    Importing a submodule binds the package to the name ``formats`` on
    ``posebridge``, which would hide the ``formats()`` function; calling the
    package gives the table instead.
    """

    def __call__(self) -> Any:
        from posebridge.api import formats

        return formats()


sys.modules[__name__].__class__ = _FormatsPackage
