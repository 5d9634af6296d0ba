"""One file per cPanel module; importing this package imports (and so registers) them all.

A new module needs nothing but a new file here: see the package docstring for the
registry contract.
"""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> list[str]:
    """Import every module file of this package (idempotent); returns their names."""
    names = sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))
    for name in names:
        importlib.import_module(f"{__name__}.{name}")
    return names
