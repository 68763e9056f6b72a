"""Metrics tables for the terminal: one column per model, best value marked."""
from __future__ import annotations

# Metrics where lower is better; everything else is better higher. Support and n are not ranked.
UNRANKED = ("n", "support")


def flatten_metrics(metrics: dict) -> dict[str, float]:
    """`{"topics.macro_f1": 0.8, "topics.security.f1": 0.9, ...}` in a stable order."""
    flat = {"n": metrics["n"]}
    for section in ("topics", "stance"):
        block = metrics[section]
        for key, value in block.items():
            if isinstance(value, (int, float)):
                flat[f"{section}.{key}"] = value
        for label, scores in block["per_label"].items():
            for key, value in scores.items():
                flat[f"{section}.{label}.{key}"] = value
    return flat


def best_marks(rows: list[dict[str, float]]) -> dict[str, set[int]]:
    """For each ranked metric, the indices of the models holding the best value."""
    marks = {}
    for key in rows[0]:
        if key.split(".")[-1] in UNRANKED or len(rows) < 2:
            continue
        best = max(row[key] for row in rows)
        marks[key] = {i for i, row in enumerate(rows) if abs(row[key] - best) < 1e-12}
    return marks


def metrics_table(results: list[tuple[str, dict]]) -> None:
    from rich.console import Console
    from rich.table import Table

    rows = [flatten_metrics(metrics) for _, metrics in results]
    marks = best_marks(rows)
    table = Table(title="evaluation" + (" (* best)" if len(results) > 1 else ""))
    table.add_column("metric")
    for name, _ in results:
        table.add_column(name, justify="right")
    for key in rows[0]:
        cells = []
        for i, row in enumerate(rows):
            value = row[key]
            text = f"{value:d}" if isinstance(value, int) else f"{value:.3f}"
            cells.append(f"[bold]{text}*[/bold]" if i in marks.get(key, ()) else text)
        table.add_row(key, *cells)
    console = Console()
    console.print(table)
    for name, metrics in results:
        confusion = metrics["stance"]["confusion"]
        grid = Table(title=f"stance confusion, {name} (rows gold, columns predicted)")
        grid.add_column("gold \\ pred")
        for label in confusion["labels"]:
            grid.add_column(label, justify="right")
        for label, counts in zip(confusion["labels"], confusion["matrix"]):
            grid.add_row(label, *map(str, counts))
        console.print(grid)
