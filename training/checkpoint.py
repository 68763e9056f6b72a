"""Per-epoch resume state, kept apart from the saved model and never pickled.

Tensors (current weights, best weights, AdamW moments) go to safetensors;
counters, optimizer hyper-parameters and the scheduler position go to JSON.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch

from model.errors import TrilatError

STATE_FILE = "trainer_state.json"
EARLIER_FILE = "earlier.safetensors"


def check_resumable(where: Path, stored: dict | None, current: dict) -> None:
    """Refuse to resume from `where` unless it was made with the same settings; name those that differ.

    A setting added to trilat after the checkpoint was written counts as its default there.
    Calibration settings act after training, so a run may resume with them changed.
    """
    from training.config import default_settings

    if stored is None:
        raise TrilatError(f"cannot resume: {where} was made by an older trilat that did not record its settings; train afresh without --resume")
    defaults = default_settings()
    changed = [f"{key} {stored.get(key, defaults.get(key))!r} -> {current.get(key)!r}"
               for key in sorted(set(stored) | set(current))
               if not key.startswith("calibration.") and stored.get(key, defaults.get(key)) != current.get(key)]
    if changed:
        shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        raise TrilatError(f"cannot resume: {where} was made with a different config ({shown}); train afresh without --resume")


def save_checkpoint(directory: Path, weights: dict, best_weights: dict, optimizer, scheduler, state: dict, settings: dict,
                    earlier: list[dict] = ()) -> None:
    """Write a complete checkpoint; `earlier` holds the previous epochs' weights that weight averaging still needs."""
    from safetensors.torch import save_file

    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_file({k: v.contiguous() for k, v in weights.items()}, tmp / "weights.safetensors")
    save_file({k: v.contiguous() for k, v in best_weights.items()}, tmp / "best.safetensors")
    if earlier:
        save_file({f"{i}/{k}": v.contiguous() for i, w in enumerate(earlier) for k, v in w.items()}, tmp / EARLIER_FILE)
    opt = optimizer.state_dict()
    moments = {f"{index}.{name}": value.cpu().contiguous() for index, slots in opt["state"].items() for name, value in slots.items()}
    save_file(moments, tmp / "optimizer.safetensors")
    payload = {"state": state, "settings": settings, "param_groups": opt["param_groups"], "scheduler": scheduler.state_dict()}
    (tmp / STATE_FILE).write_text(json.dumps(payload, indent=1), encoding="utf-8")
    # Swap by renames so that at every moment one complete checkpoint exists on disk.
    old = directory.with_name(directory.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        directory.rename(old)
    tmp.rename(directory)
    shutil.rmtree(old, ignore_errors=True)


def complete_checkpoint(directory: Path) -> Path | None:
    """Where the complete checkpoint for `directory` is, if there is one."""
    for candidate in (directory, directory.with_name(directory.name + ".old")):  # .old: a crash fell between the two renames above
        if (candidate / STATE_FILE).is_file():
            return candidate
    return None


def load_checkpoint(directory: Path, optimizer, scheduler, settings: dict) -> tuple[dict, dict, dict, list[dict]]:
    """Restore the optimizer and scheduler; return the current weights, the best weights, the counters and `earlier`."""
    from safetensors.torch import load_file

    found = complete_checkpoint(directory)
    if found is None:
        raise TrilatError(f"nothing to resume: no checkpoint in {directory}")
    directory = found
    payload = json.loads((directory / STATE_FILE).read_text(encoding="utf-8"))
    check_resumable(directory, payload.get("settings"), settings)
    moments = load_file(directory / "optimizer.safetensors")
    slots: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in moments.items():
        index, name = key.split(".", 1)
        slots.setdefault(int(index), {})[name] = value
    optimizer.load_state_dict({"state": slots, "param_groups": payload["param_groups"]})
    scheduler.load_state_dict(payload["scheduler"])
    earlier: list[dict] = []
    if (directory / EARLIER_FILE).is_file():
        for key, value in load_file(directory / EARLIER_FILE).items():
            index, name = key.split("/", 1)
            earlier += [{} for _ in range(int(index) + 1 - len(earlier))]
            earlier[int(index)][name] = value
    return load_file(directory / "weights.safetensors"), load_file(directory / "best.safetensors"), payload["state"], earlier
