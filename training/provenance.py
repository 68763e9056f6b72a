"""What a saved model records so that its numbers can be reproduced."""
from __future__ import annotations

import platform
import random
from importlib import metadata
from pathlib import Path

import numpy as np

from model.io import sha256_file

PACKAGES = ("trilat", "numpy", "scipy", "scikit-learn", "torch", "transformers", "tokenizers", "datasets")


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def provenance(seed: int, data_files: dict[str, str]) -> dict:
    return {
        "seed": seed,
        "python": platform.python_version(),
        "packages": package_versions(),
        "data": {role: {"path": path, "sha256": sha256_file(Path(path))} for role, path in data_files.items()},
    }


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
