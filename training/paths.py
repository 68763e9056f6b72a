"""Output paths checked before any long work, so a typo fails in a second, not after training or scoring."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from model.errors import TrilatError


def check_creatable_dir(directory: Path, what: str) -> None:
    """`directory` exists as a directory we can write into, or could be created; nothing is left behind.

    A real probe (a temporary directory made and removed) rather than a
    permission check, which says yes to root even on read-only file systems.
    """
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise TrilatError(f"{what} {directory} exists and is not a directory")
    existing = directory
    while not existing.exists():  # the nearest existing ancestor is where the directory would be made
        existing = existing.parent
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".trilat-probe-", dir=existing))
    except OSError as exc:
        raise TrilatError(f"cannot write {what} {directory}: {exc.strerror or exc}") from None
