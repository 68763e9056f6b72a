"""The `trilat` command line: train, classify, evaluate.

Each command parses its options, calls one library function and prints.
Heavy libraries (numpy, scikit-learn, torch) are imported inside the
commands, so `trilat --help` stays fast.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup


class OneLineErrors(TyperGroup):
    """Report usage errors and `TrilatError`s as one line on stderr with exit code 2."""

    def main(self, *args, **kwargs):
        from model.errors import TrilatError

        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except typer.Exit as exc:
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.echo("aborted", err=True)
            sys.exit(130)
        except typer.TyperException as exc:  # usage errors: bad option, missing argument
            if type(exc).__name__ == "NoArgsIsHelpError":  # bare `trilat`: the message is the help (typer vendors click)
                typer.echo(exc.format_message())
                sys.exit(0)
            if not exc.format_message().strip():  # older click printed the help itself
                sys.exit(0)
            typer.echo(f"error: {exc.format_message()}", err=True)
            sys.exit(2)
        except TrilatError as exc:
            typer.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except BrokenPipeError:
            _reader_left()
        except MemoryError:
            typer.echo("error: out of memory", err=True)
            sys.exit(2)
        except OSError as exc:  # unreadable input, full disk, unwritable output
            typer.echo(f"error: {exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}", err=True)
            sys.exit(2)
        sys.exit(result if isinstance(result, int) else 0)


def _reader_left() -> None:
    """The reader of standard output left early (where SIGPIPE is unavailable): end quietly."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush must not fail again
    sys.exit(1)


app = typer.Typer(
    cls=OneLineErrors,
    help="Tag paragraphs on US–Japan–South Korea relations with topics and a stance toward trilateral cooperation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no boxes to break pipes or narrow terminals, no `<bool>` on flags
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"trilat {version('trilat')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Tag paragraphs on US–Japan–South Korea relations with topics and a stance toward trilateral cooperation."""

ModelOption = Annotated[
    Optional[Path], typer.Option("--model", "-m", help="Saved model directory (default: the model shipped with trilat).", metavar="DIR")
]
PrecisionOption = Annotated[
    str,
    typer.Option("--precision", help="Transformer arithmetic: auto (bfloat16 where the CPU has it natively, else fp32), fp32 or bf16.",
                 metavar="auto|fp32|bf16"),
]


@app.command()
def train(
    config: Annotated[Path, typer.Argument(help="YAML config file, e.g. configs/tfidf.yaml or configs/minilm.yaml.", metavar="CONFIG")],
    set_: Annotated[list[str], typer.Option("--set", help="Override a config value: key.path=value (repeatable).", metavar="KEY=VALUE")] = [],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Model directory to write (default: the config's output).", metavar="DIR")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted transformer run from its last epoch checkpoint.")] = False,
) -> None:
    """Train a model from a config file and save it as one directory."""
    from training.pipeline import train_from_file

    result = train_from_file(config, set_, output, resume=resume)
    if not result.is_main:  # under torchrun the first process reports
        return
    metrics = result.dev_metrics
    typer.echo(
        f"saved {result.directory}  dev topic macro F1 {metrics['topics']['macro_f1']:.3f}"
        f"  stance macro F1 {metrics['stance']['macro_f1']:.3f}",
        err=True,
    )


@app.command()
def classify(
    texts: Annotated[Optional[list[str]], typer.Argument(help="Paragraph text(s) to classify; each is split into paragraphs.", metavar="TEXT")] = None,
    files: Annotated[Optional[list[str]], typer.Option("--file", "-f", help="Text, .jsonl (.ndjson) or .csv file to classify; '-' reads standard input.", metavar="FILE")] = None,
    model: ModelOption = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="Output format: table (people), jsonl or csv (pipelines). Default: csv when -o names a .csv file, jsonl for .jsonl, .ndjson or .json, else table.", metavar="table|jsonl|csv")] = None,
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="Write results to this file instead of standard output; it is opened when the first results are ready.", metavar="FILE")] = None,
    split: Annotated[str, typer.Option("--split", help="Paragraph splitting: auto (each line a paragraph, but lines that e-mail, wire feeds or PDF copy wrapped are rejoined), "
                                                     "lines (one per line) or blank (blank lines only).", metavar="auto|lines|blank")] = "auto",
    input_format: Annotated[str, typer.Option("--input-format", help="auto (by file extension; on standard input JSONL if the first line is a JSON object, else text), text, jsonl or csv (records with 'text', keeping 'id').", metavar="auto|text|jsonl|csv")] = "auto",
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Paragraphs scored at a time.", metavar="N")] = 64,
    precision: PrecisionOption = "auto",
) -> None:
    """Classify paragraphs from arguments, a file or standard input."""
    from model.errors import TrilatError
    from model.inputs import INPUT_FORMATS, check_paragraph_argument, classify_stream, items_from_file, items_from_texts
    from model.interface import check_precision
    from model.io import load_model
    from model.split import MODES
    from trilat.formats import OUTPUT_FORMATS, WRITERS, OutputFile, default_format, result_row

    fmt = fmt or default_format(output)
    for option, value, choices in (("--format", fmt, OUTPUT_FORMATS), ("--split", split, MODES), ("--input-format", input_format, INPUT_FORMATS)):
        if value not in choices:
            raise TrilatError(f"unknown {option} {value!r}; choose one of {', '.join(choices)}")
    check_precision(precision, "--precision")  # before a model is loaded
    if files and len(files) > 1:
        raise TrilatError(f"--file given {len(files)} times; classify one file at a time, or several through standard input: cat A B | trilat classify -")
    file = files[0] if files else None
    if texts == ["-"] and file is None:  # `trilat classify -` reads standard input too
        texts, file = None, "-"
    if texts and file is not None:
        raise TrilatError(f"give either TEXT arguments or --file, not both (--file takes one file; got {texts[0]!r} as TEXT too)")
    if not texts and file is None:
        raise TrilatError("give either TEXT arguments or --file (use --file - for standard input)")
    for text in texts or ():
        check_paragraph_argument(text)
    items = items_from_file(file, input_format, split) if file is not None else items_from_texts(texts, split)
    sink = OutputFile(output, file)  # checked before the model loads
    classifier = load_model(model, precision)
    with sink:
        writer = None
        for batch in classify_stream(classifier, items, batch_size):
            if writer is None:  # the output opens with the first results
                writer = WRITERS[fmt](sink.open(), classifier.labels)
            writer.write([result_row(item, prediction) for item, prediction in batch])


@app.command()
def evaluate(
    model: Annotated[list[Path], typer.Option("--model", "-m", help="Saved model directory (repeat to compare models side by side).", metavar="DIR")],
    data_files: Annotated[list[Path], typer.Option("--data", "-d", help="Labeled .jsonl or .csv file, e.g. data/test.jsonl or seeds/labeled.jsonl.", metavar="FILE")],
    json_: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object with the metrics on standard output.")] = False,
    report: Annotated[Optional[Path], typer.Option("--report", help="Write report.md, metrics.json, errors.jsonl and plots into this directory.", metavar="DIR")] = None,
    bootstrap: Annotated[Optional[int], typer.Option("--bootstrap", min=1, max=100_000, help="Bootstrap resamples (1 to 100,000) for 95% intervals and paired p-values; default 1000 with --report, none without.", metavar="N")] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed (>= 0) of the bootstrap resampling: the same seed gives the same intervals.", metavar="N")] = 0,
    precision: PrecisionOption = "auto",
) -> None:
    """Score models against labeled paragraphs; --report adds plots, intervals and an error listing."""
    import json

    from model.errors import TrilatError
    from model.interface import check_precision
    from training.paths import check_creatable_dir
    from training.report import DEFAULT_RESAMPLES, evaluate_models, write_report
    from trilat.tables import evaluation_tables

    check_precision(precision, "--precision")  # before a model is loaded
    if len(data_files) > 1:
        raise TrilatError(f"--data given {len(data_files)} times; evaluate one data file at a time")
    data = data_files[0]
    if json_ and bootstrap is not None and report is None:
        raise TrilatError("--json prints the metrics only; to keep --bootstrap's intervals add --report DIR")
    if report is not None:
        check_creatable_dir(report, "--report")  # before any scoring
    if bootstrap is None and report is not None:
        bootstrap = DEFAULT_RESAMPLES
    evaluation = evaluate_models(model, data, bootstrap, seed, precision)
    if report is not None:  # before printing, so a report that cannot be written ends in one error line
        typer.echo(f"report written to {write_report(evaluation, report)}", err=True)
    if json_:
        typer.echo(json.dumps(evaluation.json_payload(), indent=2))
    else:
        evaluation_tables(evaluation)


def main() -> None:
    import signal

    if hasattr(signal, "SIGPIPE"):  # `trilat classify ... | head`: end silently when the reader leaves, like other filters
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    app()


if __name__ == "__main__":
    main()
