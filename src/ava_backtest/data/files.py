"""Files the data stores write: whole or not at all, and a token that says something changed.

Both stores (uploads in ``user_store``, synced market data in ``market_store``) write through a
temporary file in the target's folder and ``os.replace`` it into place, so a reader never sees half a
file, and keep a generation file whose content changes on every write, so every process can tell
that its cached series are stale without any signalling between processes.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path


def atomic_write(target: Path, write: Callable[[Path], object]) -> None:
    """``write`` a temporary file in ``target``'s folder, then ``os.replace`` it into place (the
    temporary file is removed when ``write`` fails)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_generation(path: Path) -> str:
    """The token of the generation file at ``path`` (its path is part of it, so another store
    root is another generation); ``<path>:-`` before the first write."""
    try:
        return f"{path}:{path.read_text()}"
    except OSError:
        return f"{path}:-"


def bump_generation(path: Path) -> None:
    """Write a new token into the generation file at ``path``."""
    atomic_write(path, lambda p: p.write_text(uuid.uuid4().hex))
