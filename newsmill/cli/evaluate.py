"""The measuring commands: ``eval`` (quality against an annotated corpus) and ``bench``
(cost, such as ``bench growth``: what a run costs as the warehouse grows)."""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsmill.cli.options import SharedFlags, Subcommands


def run_eval(args: argparse.Namespace) -> int:
    if args.what == "entities":
        return _eval_entities(args)
    if args.what == "quotes":
        return _eval_quotes(args)
    if args.what == "speakers":
        return _eval_speakers(args)
    return _eval_extraction(args)


def _eval_extraction(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from newsmill.evaluation.extraction import ablation, evaluate_extraction, format_ablation
    from newsmill.tasks.body import DEFAULT_RULES, RULE_NAMES

    unknown = sorted(set(args.without) - set(RULE_NAMES))
    if unknown:
        print(f"newsmill: no such body rule: {', '.join(unknown)} (one of "
              f"{', '.join(RULE_NAMES)})", file=sys.stderr)
        return 2
    if not (args.data / "ground-truth.json").is_file():
        print(f"newsmill: {args.data / 'ground-truth.json'} not found: not a benchmark folder",
              file=sys.stderr)
        return 2
    if args.cost:
        from newsmill.evaluation.extraction_cost import format_cost, measure

        print(format_cost(measure(args.data, repeat=args.repeat)))
        return 0
    if args.ablate:
        print(format_ablation(*ablation(args.data)))
        return 0
    rules = replace(DEFAULT_RULES, **{rule: False for rule in args.without})
    try:
        score, per_page, failures = evaluate_extraction(args.data, pages=args.pages,
                                                        rules=rules)
    except FileNotFoundError as exc:
        print(f"newsmill: {exc}", file=sys.stderr)
        return 2
    chosen = "" if args.pages == "all" else f" ({args.pages} half)"
    left_out = f", without {', '.join(args.without)}" if args.without else ""
    print(f"article extraction on {score.pages} pages of {args.data}{chosen}{left_out}")
    print(f"  precision {score.precision:.4f} ± {score.precision_std:.4f}")
    print(f"  recall    {score.recall:.4f} ± {score.recall_std:.4f}")
    print(f"  F1        {score.f1:.4f} ± {score.f1_std:.4f}   (± is the bootstrap std)")
    for key, why in sorted(failures.items()):
        print(f"  no text from {key}: {why}")
    if args.per_page:
        with args.per_page.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["page", "precision", "recall"])
            for key, page in per_page.items():
                writer.writerow([key, f"{page.precision:.4f}", f"{page.recall:.4f}"])
    return 0


def _eval_quotes(args: argparse.Namespace) -> int:
    from newsmill.evaluation.quotes import evaluate_quotes, format_report, read_split

    return _run_evaluation(args, read_split, lambda docs, nlp: format_report(
        evaluate_quotes(docs, nlp)))


def _eval_speakers(args: argparse.Namespace) -> int:
    from newsmill.evaluation.speakers import evaluate, format_report, read_truth

    kind: list[str] = []

    def read(path: Path) -> Any:
        found, items = read_truth(path)
        kind.append(found)
        return items

    return _run_evaluation(args, read, lambda items, nlp: format_report(
        kind[0], evaluate(kind[0], items, nlp)))


def _eval_entities(args: argparse.Namespace) -> int:
    from newsmill.evaluation.entities import evaluate_entities, format_report, read_conll

    return _run_evaluation(args, read_conll, lambda docs, nlp: format_report(
        evaluate_entities(docs, nlp, ablation=args.ablation)))


def _run_evaluation(args: argparse.Namespace, read: Callable[[Path], Any],
                    evaluate: Callable[[Any, Any], str]) -> int:
    """Read ``--data``, load ``--model``, print the report and the time it all took."""
    from newsmill.tasks.nlp import load_pipeline

    began = time.perf_counter()
    try:
        documents = read(args.data)
    except (OSError, ValueError) as exc:
        print(f"newsmill: cannot read {args.data}: {exc}", file=sys.stderr)
        return 2
    if not documents:  # an all-zero report would read as a score
        why = "it holds no annotated document" if args.data.exists() else "no such file or folder"
        print(f"newsmill: nothing to evaluate in {args.data}: {why}", file=sys.stderr)
        return 2
    nlp, info = load_pipeline(args.model)
    print(f"model: {info.name} {info.version} ({info.location})")
    print(evaluate(documents, nlp))
    print(f"wall time {time.perf_counter() - began:.1f} s")
    return 0


def _sizes(text: str) -> tuple[int, ...]:
    """``--sizes 10000,100000`` as a tuple of document counts (``10k`` and ``1M`` allowed)."""
    sizes = []
    for part in text.split(","):
        word = part.strip().lower().replace("_", "")
        factor = {"k": 1_000, "m": 1_000_000}.get(word[-1:], 1)
        digits = word[:-1] if factor > 1 else word
        try:
            size = int(digits) * factor
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number of documents: {part!r}") from None
        if size <= 0:
            raise argparse.ArgumentTypeError(f"sizes are positive: {part!r}")
        sizes.append(size)
    if not sizes:
        raise argparse.ArgumentTypeError("no sizes given")
    return tuple(sizes)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"at least 1: {text!r}")
    return value


def run_bench(args: argparse.Namespace) -> int:
    if args.what == "speed":
        return _bench_speed(args)
    from newsmill.evaluation import growth

    try:
        result = growth.run_benchmark(args.sizes, work=args.work or growth.DEFAULT_WORK,
                                      rebuild=args.rebuild, repeat=args.repeat or 1,
                                      corpus=args.corpus,
                                      batch_articles=args.articles,
                                      log=lambda line: print(line, file=sys.stderr,
                                                             flush=True))
    except growth.BenchmarkError as exc:
        print(f"newsmill: bench growth failed: {exc}", file=sys.stderr)
        return 1
    print(growth.render_table(result))
    if args.json:
        growth.write_json(result, args.json)
        print(f"numbers written to {args.json}")
    return 0


def _bench_speed(args: argparse.Namespace) -> int:
    from newsmill.evaluation import speed

    try:
        result = speed.run_speed_bench(args.data, work=args.work or speed.DEFAULT_WORK,
                                       repeat=args.repeat or 2, limit=args.limit,
                                       model=args.model,
                                       log=lambda line: print(line, file=sys.stderr,
                                                              flush=True))
    except speed.SpeedBenchError as exc:
        print(f"newsmill: bench speed failed: {exc}", file=sys.stderr)
        return 1
    print(speed.render(result))
    return 0


def add_commands(sub: Subcommands, shared: SharedFlags) -> None:
    from newsmill.evaluation.growth import BATCH_ARTICLES, DEFAULT_SIZES, DEFAULT_WORK

    evaluate = sub.add_parser("eval", help="measure quality against an annotated corpus")
    evaluate.add_argument("what", choices=("extraction", "entities", "quotes", "speakers"),
                          help="extraction: article-body F1 on a Zyte/ScrapingHub-style folder; "
                               "entities: raw and consolidated NER F1 on a CoNLL/IOB2 file; "
                               "quotes: attribution scores on a PolNeAR-format split folder; "
                               "speakers: gender and role of quoted speakers against "
                               "samples/speakers.json or a PolNeAR split's silver truth")
    evaluate.add_argument("--data", required=True, type=Path,
                          help="the benchmark folder (extraction) or CoNLL file (entities)")
    evaluate.add_argument("--model", default="auto",
                          help="spaCy pipeline (entities, quotes, speakers; default auto)")
    evaluate.add_argument("--per-page", type=Path, metavar="FILE",
                          help="also write each page's precision and recall as CSV")
    # The extraction choices are written out: naming them from newsmill.tasks.body would
    # import trafilatura for every command.
    evaluate.add_argument("--pages", choices=("all", "even", "odd"), default="all",
                          help="extraction: score all pages, or one half of them (sorted ids "
                               "at even or odd positions), for cross-validating rules")
    evaluate.add_argument("--without", action="append", default=[], metavar="RULE",
                          help="extraction: leave this body rule out (repeatable; one of "
                               "comments_left_out, precision_first, embedded_posts, "
                               "leading_headline, boilerplate_lines)")
    evaluate.add_argument("--ablate", action="store_true",
                          help="extraction: what each body rule adds on each half")
    evaluate.add_argument("--cost", action="store_true",
                          help="extraction: CPU seconds of one trafilatura pass per page "
                               "against newsmill's extract stage, in-process and through the "
                               "bounded worker, each in a fresh process")
    evaluate.add_argument("--repeat", type=_positive, default=2, metavar="K",
                          help="extraction --cost: runs of each way; the best counts "
                               "(default 2)")
    evaluate.add_argument("--ablation", action="store_true",
                          help="entities: also score the consolidation with each of its "
                               "rules switched off, and print what each rule adds per label")
    evaluate.set_defaults(handler=run_eval)

    bench = sub.add_parser("bench", help="measure what runs cost (speed: against spaCy and "
                                         "trafilatura alone; growth: as the warehouse grows)")
    bench.add_argument("what", choices=("speed", "growth"),
                       help="speed: newsmill end to end (worker processes, one process), "
                            "spaCy alone on the same clean texts, one trafilatura pass per "
                            "page and a per-document loop, side by side on the same inputs; "
                            "growth: time a 1- and a 200-document ingest, an unchanged "
                            "re-run, a search and a mart query on synthetic warehouses of "
                            "each size, against the same on an empty one")
    bench.add_argument("--data", type=Path, default=None, metavar="DIR",
                       help="speed: the inputs (.txt, .html, .html.gz files under DIR; "
                            "default: 10 copies of the sample corpus)")
    bench.add_argument("--limit", type=_positive, default=None, metavar="N",
                       help="speed: only the first N inputs of --data (sorted by path)")
    bench.add_argument("--model", default="auto", help="speed: the spaCy pipeline")
    bench.add_argument("--sizes", type=_sizes, default=DEFAULT_SIZES, metavar="N,N,...",
                       help="warehouse sizes in documents (default: "
                            f"{','.join(str(s) for s in DEFAULT_SIZES)}; 10k and 1M allowed)")
    bench.add_argument("--work", type=Path, default=None, metavar="DIR",
                       help="where inputs and warehouses are kept (default: "
                            f"{DEFAULT_WORK} for growth, data/bench-speed for speed)")
    bench.add_argument("--rebuild", action="store_true",
                       help="build the synthetic warehouses again even when kept")
    bench.add_argument("--repeat", type=_positive, default=None, metavar="K",
                       help="measure each operation K times; growth keeps the median "
                            "(default 1), speed the least CPU (default 2)")
    bench.add_argument("--articles", type=_positive, default=BATCH_ARTICLES, metavar="N",
                       help="articles in the batch ingest and its re-run (default "
                            f"{BATCH_ARTICLES})")
    bench.add_argument("--corpus", type=Path, default=None, metavar="DIR",
                       help="folder of .txt articles the new articles are varied from "
                            "(default: the checkout's samples/corpus)")
    bench.add_argument("--json", type=Path, metavar="FILE", help="also write the numbers here")
    bench.set_defaults(handler=run_bench)
