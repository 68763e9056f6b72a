"""Evaluation tables for the terminal: one column per model, best value marked."""
from __future__ import annotations

# The flat metric names and best marks are shared with report.md, so they live in the library.
from training.report import LEVEL, Evaluation, best_marks, flatten_metrics

__all__ = ["best_marks", "flatten_metrics", "metrics_table", "evaluation_tables"]


def _table(console, title: str):
    """A rich table: boxed on a terminal, plain aligned columns (no box-drawing characters) in a pipe or file."""
    from rich import box
    from rich.table import Table

    return Table(title=title, box=box.HEAVY_HEAD if console.is_terminal else None)


def metrics_table(results: list[tuple[str, dict]]) -> None:
    from rich.console import Console

    rows = [flatten_metrics(metrics) for _, metrics in results]
    marks = best_marks(rows)
    console = Console()
    table = _table(console, "evaluation" + (" (* best)" if len(results) > 1 else ""))
    table.add_column("metric")
    for index, (name, _) in enumerate(results, 1):
        table.add_column(f"M{index} {name}", justify="right")
    for key in rows[0]:
        cells = []
        for i, row in enumerate(rows):
            value = row[key]
            text = f"{value:d}" if isinstance(value, int) else f"{value:.3f}"
            cells.append(f"[bold]{text}*[/bold]" if i in marks.get(key, ()) else text)
        table.add_row(key, *cells)
    console.print(table)
    for index, (name, metrics) in enumerate(results, 1):
        confusion = metrics["stance"]["confusion"]
        grid = _table(console, f"stance confusion, M{index} {name} (rows gold, columns predicted)")
        grid.add_column("gold \\ pred")
        for label in confusion["labels"]:
            grid.add_column(label, justify="right")
        for label, counts in zip(confusion["labels"], confusion["matrix"]):
            grid.add_row(label, *map(str, counts))
        console.print(grid)


def intervals_table(evaluation: Evaluation) -> None:
    """Bootstrap intervals per model and, with several models, paired p-values per pair."""
    from rich.console import Console

    console = Console()
    table = _table(console, f"{evaluation.resamples} bootstrap resamples (seed {evaluation.seed}): {LEVEL:.0%} intervals")
    for column in ("model", "metric", "estimate", "interval"):
        table.add_column(column, justify="left" if column in ("model", "metric") else "right")
    for run in evaluation.runs:
        for metric, ci in run.intervals.items():
            table.add_row(f"{run.key} {run.path}", metric, f"{ci['estimate']:.3f}", f"{ci['low']:.3f} – {ci['high']:.3f}")
    console.print(table)
    if not evaluation.comparisons:
        return
    table = _table(console, "paired bootstrap (difference = first − second model)")
    for column in ("models", "metric", "difference", "p-value"):
        table.add_column(column, justify="right" if column in ("difference", "p-value") else "left")
    for comparison in evaluation.comparisons:
        for metric, result in comparison["metrics"].items():
            pair = f"{comparison['a']} vs {comparison['b']}"
            table.add_row(pair, metric, f"{result['difference']:+.3f}", f"{result['p_value']:.3f}")
    console.print(table)


def evaluation_tables(evaluation: Evaluation) -> None:
    metrics_table(evaluation.results())
    if evaluation.resamples is not None:
        intervals_table(evaluation)
