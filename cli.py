"""wenze command line: parse, call one engine function, render. Nothing else lives here."""
from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path

import click
from rich.console import Console

from engine.pack.backends import BACKENDS
from engine.pack.rulepack import DEFAULT_PACK, load_pack
from engine.words.catalog import LANGS, all_of, phrase
from facts.errors import InputError, WenzeError
from facts.load import fact_files, load_facts, section_counts
from facts.model import FactSet

PATHS = click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
RULES = click.option("--rules", "rules", type=click.Path(path_type=Path), default=DEFAULT_PACK,
                     show_default="rules/tongchuan-2022.yaml", help="The rule pack (of the baseline, for what-ifs).")
BACKEND = click.option("--backend", type=click.Choice(sorted(BACKENDS)), default="durable", show_default=True,
                       help="Rule engine: durable_rules, or the plain-Python evaluator of the same pack.")
LANG = click.option("--lang", type=click.Choice(LANGS), default="zh", show_default=True,
                    help="Language of labels.")


#: validate and batch write their status lines in English (read in logs and by scripts).
STATUS_LANG = "en"


def _console() -> Console:
    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160)


class WenzeGroup(click.Group):
    """Maps errors to exit codes: a user's mistake exits 2 with its message; a bug exits 1, no traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except InputError as e:
            click.echo(f"error: {e}", err=True)
            ctx.exit(2)
        except WenzeError as e:
            click.echo(f"internal error: {e}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as e:  # a bug in wenze, not the user's input
            if os.environ.get("WENZE_DEBUG"):
                raise
            click.echo(f"internal error: {type(e).__name__}: {e} (set WENZE_DEBUG=1 for the traceback)", err=True)
            ctx.exit(1)


@click.group(cls=WenzeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="wenze")
def cli() -> None:
    """wenze (问责): derive who is answerable for a work-safety incident, with the evidence.

    Give it fact files (the organisation and the incidents, YAML or JSON) and a
    rule pack (the plan as data; the Tongchuan 2022 plan by default).
    """


@cli.command()
@PATHS
def validate(paths: tuple[Path, ...]) -> None:
    """Load and check fact files: a line of counts per file, or every problem (exit 2)."""
    load_facts(paths)  # references may cross files, so the files are checked together
    for path in fact_files(paths):
        counts = section_counts(path)
        listed = all_of(STATUS_LANG, [phrase(STATUS_LANG, "validate.count", n=n, section=s) for s, n in counts.items()])
        empty = phrase(STATUS_LANG, "validate.empty")
        click.echo(phrase(STATUS_LANG, "validate.ok", path=path, counts=listed or empty))


@cli.command()
@PATHS
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to show (YYYY-MM-DD); today by default.")
def org(paths: tuple[Path, ...], as_of) -> None:
    """Who holds which post, and which duties, on a date."""
    from rich.table import Table

    from engine.org.graph import OrgGraph
    from engine.org.roster import roster

    day = as_of.date() if as_of else date.today()
    lang = "zh"  # the org's names are Chinese; its headers are glossed in English
    t = Table(title=phrase(lang, "org.title", day=day.isoformat()), title_justify="left")
    for col in (phrase(lang, "org.unit"), phrase(lang, "org.post"), phrase(lang, "org.holder"),
                phrase(lang, "org.duties")):
        t.add_column(col, overflow="fold")
    for row in roster(OrgGraph(load_facts(paths)), day):
        t.add_row(row.unit, f"{row.title} ({row.post})", "\n".join(row.holders), "\n".join(row.duties))
    _console().print(t)


@cli.command()
@click.option("--context", is_flag=True, help="Print the context-fact schema rule packs match on instead.")
def schema(context: bool) -> None:
    """Print the JSON Schema of the fact format (for editors and exporters)."""
    if context:
        from engine.incident.kinds import SCHEMA
        click.echo(json.dumps({k: {f: t.__name__ for f, t in v.items()} for k, v in SCHEMA.items()},
                              ensure_ascii=False, indent=2))
        return
    click.echo(json.dumps(FactSet.model_json_schema(by_alias=True), ensure_ascii=False, indent=2))


@cli.command()
@PATHS
@click.option("--incident", "incidents", multiple=True, help="Trace only this incident (repeatable).")
@RULES
@click.option("--format", "fmt", type=click.Choice(["table", "json", "md", "dot", "mermaid", "svg"]), default="table",
              show_default=True, help="md: the report; dot, mermaid, svg: the layered diagram of one incident.")
@BACKEND
@LANG
def trace(paths, incidents, rules, fmt, backend, lang) -> None:
    """The responsibility chain of each incident, scene upward, with evidence."""
    from engine.chain.trace import Tracer
    from engine.outputs import table as render

    tracer = Tracer(load_facts(paths), load_pack(rules), BACKENDS[backend]())
    chains = [tracer.trace(i) for i in tracer.select(incidents)]
    if fmt == "json":
        click.echo(render.chains_json(chains), nl=False)
    elif fmt == "md":
        from engine.outputs.report import markdown
        click.echo(markdown(chains, tracer.pack, tracer.graph, lang), nl=False)
    elif fmt in ("dot", "mermaid", "svg"):
        from engine.outputs.diagram import render as draw
        click.echo(draw(chains, tracer.pack, tracer.graph, fmt, lang), nl=False)
    else:
        console = _console()
        for c in chains:
            console.print(render.table(c, tracer.pack, lang))
            console.print()


@cli.command()
@PATHS
@click.option("--incident", required=True, help="The incident.")
@click.option("--person", required=True, help="The person: an id or an exact name.")
@RULES
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@BACKEND
@LANG
def explain(paths, incident, person, rules, fmt, backend, lang) -> None:
    """Why a person is in an incident's chain (facts, plan text, path), and why each other rule did not name them."""
    from engine.chain.trace import Tracer
    from engine.explain.explainer import explain_person
    from facts.canon import canonical_json

    answer = explain_person(Tracer(load_facts(paths), load_pack(rules), BACKENDS[backend]()), incident, person, lang)
    click.echo(canonical_json(answer.as_json(), indent=2) + "\n" if fmt == "json" else answer.as_text(), nl=False)


SCENARIOS = click.option("--scenario", "scenarios", multiple=True, metavar="S.yaml",
                         help="A scenario file (repeatable); A.yaml+B.yaml composes two, in that order.")


@cli.command()
@PATHS
@SCENARIOS
@click.option("--incident", "incidents", multiple=True, help="Only this incident (repeatable).")
@RULES
@click.option("--format", "fmt", type=click.Choice(["table", "json", "md"]), default="table", show_default=True)
@BACKEND
@LANG
def whatif(paths, scenarios, incidents, rules, fmt, backend, lang) -> None:
    """Each incident's chain under the baseline beside each scenario's, and what changed."""
    from engine.analyses.whatif.evaluate import compare, variants
    from engine.outputs import diff

    if not scenarios:
        raise click.UsageError("give at least one --scenario")
    vs = variants(load_facts(paths), load_pack(rules), scenarios)
    comparisons = compare(vs, BACKENDS[backend](), incidents)
    packs = [v.pack for v in vs]
    if fmt == "json":
        click.echo(diff.comparisons_json(comparisons), nl=False)
    elif fmt == "md":
        click.echo(diff.markdown(comparisons, packs, lang))
    else:
        console = _console()
        for c in comparisons:
            console.print(diff.table(c, packs, lang))
            console.print()


@cli.command()
@click.option("--org", "org", multiple=True, required=True, type=click.Path(exists=True, path_type=Path),
              help="Fact files or folders of the org and the sites' acts (repeatable); their incidents are not evaluated.")
@click.option("--incidents", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON lines, one incident per line (the fields of an incidents record).")
@SCENARIOS
@RULES
@click.option("--workers", type=click.IntRange(min=0), default=1, show_default=True,
              help="Worker processes; 0 evaluates in this process.")
@BACKEND
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for chains.jsonl, diff.csv, summary.md and errors.jsonl.")
@click.pass_context
def batch(ctx, org, incidents, scenarios, rules, workers, backend, out) -> None:
    """Every incident under the baseline and each scenario; exit 2 if a record failed validation, 1 if a worker died."""
    from rich.progress import Progress

    from engine.analyses.batch.run import run_batch

    pack = load_pack(rules)
    if sys.stderr.isatty():
        with open(incidents, "rb") as f:
            total = sum(1 for _ in f)
        with Progress(console=Console(stderr=True), auto_refresh=False, transient=True) as bar:
            task = bar.add_task(phrase(STATUS_LANG, "batch.progress"), total=total)
            result = run_batch(org, incidents, pack, out, scenarios, workers, backend,
                               lambda lines: bar.update(task, completed=lines, refresh=True))
    else:
        result = run_batch(org, incidents, pack, out, scenarios, workers, backend)
    failed = result.failed_input + result.failed_internal
    see = phrase(STATUS_LANG, "batch.see", errors=out / "errors.jsonl") if failed else ""
    click.echo(phrase(STATUS_LANG, "batch.done", lines=result.lines, evaluated=result.evaluated, failed=failed, see=see,
                      out=out), err=True)
    ctx.exit(result.exit_code)


@cli.command("check")
@click.argument("pack", type=click.Path(path_type=Path))
@click.option("--examples", "n", type=click.IntRange(min=0), default=1000, show_default=True,
              help="How many towns to generate for the dynamic checks (0: static checks only).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the generated towns.")
def check_command(pack: Path, n: int, seed: int) -> None:
    """Is a rule pack consistent? Exit 0 clean, 1 with findings (each with its smallest example), 2 if it does not load."""
    from engine.analyses.check.run import check

    report = check(load_pack(pack), pack, n, seed)
    click.echo(report.as_text(), nl=False)
    if not report.clean:
        click.get_current_context().exit(1)


def main() -> None:
    """Console entry point (``wenze``)."""
    cli()


if __name__ == "__main__":
    main()
