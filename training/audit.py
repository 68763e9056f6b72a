"""Agreement between the corpus labels and the blind second labeling in `data/audit/`.

    python -m training.audit

Compares each audit file (`labels_*.jsonl`) with the labels as written
(before the audit's resolutions, recorded in `resolutions.jsonl`) and with the
final labels, and prints Cohen's kappa for stance and for each topic.
"""
from __future__ import annotations

from pathlib import Path

from training.corpus import SPLITS, read_jsonl


def cohen_kappa(first: list, second: list) -> float:
    from sklearn.metrics import cohen_kappa_score

    return float(cohen_kappa_score(first, second))


def agreement(gold: dict[str, dict], audit: list[dict], topics: tuple[str, ...]) -> dict:
    ids = [a["id"] for a in audit]
    result = {"n": len(ids), "stance_kappa": cohen_kappa([gold[i]["stance"] for i in ids], [a["stance"] for a in audit])}
    result["stance_agreement"] = sum(gold[a["id"]]["stance"] == a["stance"] for a in audit) / len(audit)
    for topic in topics:
        result[f"{topic}_kappa"] = cohen_kappa([topic in gold[i]["topics"] for i in ids], [topic in a["topics"] for a in audit])
    return result


def audit_report(data_dir: Path, topics: tuple[str, ...]) -> dict[str, dict]:
    final = {r["id"]: r for s in SPLITS for r in read_jsonl(Path(data_dir) / f"{s}.jsonl")}
    original = dict(final)
    for change in read_jsonl(Path(data_dir) / "audit" / "resolutions.jsonl"):
        original[change["id"]] = change["before"]
    audit = [row for path in sorted((Path(data_dir) / "audit").glob("labels_*.jsonl")) for row in read_jsonl(path)]
    return {"as written": agreement(original, audit, topics), "after resolution": agreement(final, audit, topics)}


if __name__ == "__main__":
    for name, figures in audit_report(Path("data"), ("security", "history", "trade")).items():
        print(name, {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()})
