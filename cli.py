"""wenze command line: parse, call one engine function, render. Nothing else lives here.

Conventions of every command: ``-o/--output FILE`` writes what it would print
(``-``: standard output), ``--lang zh|en`` chooses the language, a fact path
``-`` reads standard input, ``--format json`` is always an array, and a table
is as wide as ``COLUMNS`` says (160 columns when the output is not a terminal).
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Iterable

import click
from rich.console import Console

from engine.chain.chain import ORDERS
from engine.pack.backends import BACKENDS
from engine.pack.rulepack import DEFAULT_PACK, load_pack
from engine.words.catalog import LANGS, all_of, phrase
from facts.errors import InputError, WenzeError
from facts.load import fact_files, load_facts, section_counts
from facts.model import FactSet

PATHS = click.argument("paths", nargs=-1, required=True,
                       type=click.Path(exists=True, allow_dash=True, path_type=Path))
RULES = click.option("--rules", "rules", type=click.Path(path_type=Path), default=DEFAULT_PACK,
                     show_default="rules/tongchuan-2022.yaml", help="The rule pack (of the baseline, for what-ifs).")
BACKEND = click.option("--backend", type=click.Choice(sorted(BACKENDS)), default="durable", show_default=True,
                       help="Rule engine: durable_rules, or the plain-Python evaluator of the same pack.")
LANG = click.option("--lang", type=click.Choice(LANGS), default="zh", show_default=True,
                    help="Language of what is written.")
OUTPUT = click.option("-o", "--output", "output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
                      default=None, help="Write to FILE instead of standard output.")
SCENARIOS = click.option("--scenario", "scenarios", multiple=True, metavar="S.yaml",
                         help="A scenario file (repeatable); A.yaml+B.yaml composes two, in that order.")

def _width() -> int | None:
    """COLUMNS when set; the terminal's width on a terminal; 160 otherwise."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return None if sys.stdout.isatty() else 160


def _emit(output: Path | None, text: str | Iterable[str]) -> None:
    """Text, or its parts as they are made (a chain at a time), to the output file or to standard output."""
    parts = [text] if isinstance(text, str) else text
    if output is None or str(output) == "-":
        for part in parts:
            click.echo(part, nl=False)
        return
    with output.open("w", encoding="utf-8") as f:
        for part in parts:
            f.write(part)


def _emit_rich(output: Path | None, items: Iterable) -> None:
    """Rich renderables (tables) printed to the output as they come, as plain text when it is a file."""
    to_file = output is not None and str(output) != "-"
    with output.open("w", encoding="utf-8") if to_file else contextlib.nullcontext() as f:
        console = Console(soft_wrap=False, width=_width() or (160 if to_file else None), file=f)
        for item in items:
            console.print(item)
            console.print()


class WenzeGroup(click.Group):
    """Maps errors to exit codes: a user's mistake exits 2 with its message; a bug exits 1, no traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except InputError as e:
            click.echo(f"error: {e}", err=True)
            ctx.exit(2)
        except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM during a batch
            click.echo(f"interrupted{': ' + str(e) if str(e) else ''}", err=True)
            ctx.exit(130)
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

    Give it fact files (the organisation and the incidents: YAML, JSON, Excel
    workbooks or CSV; `wenze template roster.xlsx` starts one) and a rule pack
    (the plan as data; the Tongchuan 2022 plan by default).
    """


@cli.command()
@PATHS
@OUTPUT
@LANG
def validate(paths: tuple[Path, ...], output, lang) -> None:
    """Load and check fact files: a line of counts per file, or every problem (exit 2)."""
    from facts.sheets import BY_NAME

    facts = load_facts(paths)  # references may cross files, so the files are checked together
    lines = []
    files = fact_files(paths)
    for path in files:
        if str(path) == "-":  # read already: what it held is what was loaded, when nothing else was
            counts = {s: len(getattr(facts, s)) for s in FactSet.model_fields if getattr(facts, s)} \
                if len(files) == 1 else {}
        else:
            counts = section_counts(path)
        listed = all_of(lang, [phrase(lang, "validate.count", n=n, section=BY_NAME[s].zh if lang == "zh" else s)
                               for s, n in counts.items()])
        lines.append(phrase(lang, "validate.ok", path=path, counts=listed or phrase(lang, "validate.empty")))
    _emit(output, "".join(f"{line}\n" for line in lines))


@cli.command()
@PATHS
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to show (YYYY-MM-DD); today by default.")
@OUTPUT
@LANG
def org(paths: tuple[Path, ...], as_of, output, lang) -> None:
    """Who holds which post, and which duties, on a date."""
    from rich.table import Table

    from engine.org.graph import OrgGraph
    from engine.org.roster import roster

    day = as_of.date() if as_of else date.today()
    t = Table(title=phrase(lang, "org.title", day=day.isoformat()), title_justify="left")
    for col in (phrase(lang, "org.unit"), phrase(lang, "org.post"), phrase(lang, "org.holder"),
                phrase(lang, "org.duties")):
        t.add_column(col, overflow="fold")
    for row in roster(OrgGraph(load_facts(paths)), day, lang):
        t.add_row(row.unit, f"{row.title} ({row.post})", "\n".join(row.holders), "\n".join(row.duties))
    _emit_rich(output, [t])


@cli.command()
@click.option("--context", is_flag=True, help="Print the context-fact schema rule packs match on instead.")
@click.option("--chain", is_flag=True, help="Print the JSON Schema of trace's JSON output (the chain) instead.")
@OUTPUT
@LANG
def schema(context: bool, chain: bool, output, lang) -> None:
    """Print the JSON Schema of the fact format (for editors and exporters)."""
    if chain:
        from engine.outputs.contract import chain_schema
        text = json.dumps(chain_schema(), ensure_ascii=False, indent=2)
    elif context:
        from engine.incident.kinds import SCHEMA
        text = json.dumps({k: {f: t.__name__ for f, t in v.items()} for k, v in SCHEMA.items()},
                          ensure_ascii=False, indent=2)
    else:
        text = json.dumps(FactSet.model_json_schema(by_alias=True), ensure_ascii=False, indent=2)
    _emit(output, text + "\n")


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@LANG
def template(path: Path, lang) -> None:
    """Write an empty roster workbook (PATH.xlsx: every sheet, headers, notes, drop-down lists) or the Word template (PATH.docx)."""
    if path.suffix.lower() == ".xlsx":
        from facts.workbook import write_xlsx
        write_xlsx(path, None, lang)
    elif path.suffix.lower() == ".docx":
        import shutil

        from engine.outputs.docx import DEFAULT_TEMPLATE
        shutil.copyfile(DEFAULT_TEMPLATE, path)
    else:
        raise InputError(f"{path}: a template is a workbook (.xlsx) or a Word document (.docx)")
    click.echo(phrase(lang, "cli.written", path=path), err=True)


@cli.command()
@PATHS
@click.option("-o", "--output", "output", required=True, type=click.Path(allow_dash=True, path_type=Path),
              help="OUT.yaml, OUT.json, OUT.xlsx, or a folder for one CSV per sheet (-: YAML to standard output).")
@LANG
def convert(paths, output: Path, lang) -> None:
    """Fact files from one form to another (YAML, JSON, Excel, CSV), losslessly: the facts read back the same."""
    from facts.convert import write_facts

    write_facts(load_facts(paths), output, lang)
    if str(output) != "-":
        click.echo(phrase(lang, "cli.written", path=output), err=True)


TRACE_FORMATS = ["table", "json", "jsonl", "md", "docx", "dot", "mermaid", "svg"]


@cli.command()
@PATHS
@click.option("--incident", "incidents", multiple=True, help="Trace only this incident (repeatable).")
@RULES
@click.option("--format", "fmt", type=click.Choice(TRACE_FORMATS), default="table", show_default=True,
              help="json: an array of chains; jsonl: one chain per line; md or docx: the report; "
                   "dot, mermaid, svg: the layered diagram of one incident.")
@click.option("--order", type=click.Choice(ORDERS), default="band", show_default=True,
              help="band: from the scene upward; severity: heaviest grade of responsibility first.")
@click.option("--template", "docx_template", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="The Word template of --format docx (see `wenze template report.docx`).")
@OUTPUT
@BACKEND
@LANG
def trace(paths, incidents, rules, fmt, order, docx_template, output, backend, lang) -> None:
    """The responsibility chain of each incident, scene upward (or heaviest first), with evidence."""
    from engine.chain.chain import in_order
    from engine.chain.trace import Tracer
    from engine.outputs import table as render

    tracer = Tracer(load_facts(paths), load_pack(rules), BACKENDS[backend]())
    selected = tracer.select(incidents)
    chains = (in_order(tracer.trace(i), order) for i in selected)  # one at a time: a county's chains are never all held
    if fmt == "json":
        _emit(output, render.chains_json_parts(chains))
    elif fmt == "jsonl":
        _emit(output, render.chains_jsonl(chains))
    elif fmt == "md":
        from engine.outputs.report import markdown_parts
        _emit(output, markdown_parts(chains, tracer.pack, tracer.graph, lang))
    elif fmt == "docx":
        from engine.outputs.docx import report
        if output is None or str(output) == "-":
            if sys.stdout.isatty():
                raise InputError("--format docx writes a Word file: give it with -o report.docx")
            sys.stdout.buffer.write(report(list(chains), tracer.pack, tracer.graph, lang, docx_template))
        else:
            output.write_bytes(report(list(chains), tracer.pack, tracer.graph, lang, docx_template))
    elif fmt in ("dot", "mermaid", "svg"):
        from engine.outputs.diagram import render as draw
        _emit(output, draw(list(chains), tracer.pack, tracer.graph, fmt, lang))
    else:
        _emit_rich(output, (render.table(c, tracer.graph, lang) for c in chains))


@cli.command()
@PATHS
@click.option("--incident", required=True, help="The incident.")
@click.option("--person", required=True, help="The person: an id or an exact name.")
@SCENARIOS
@RULES
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@OUTPUT
@BACKEND
@LANG
def explain(paths, incident, person, scenarios, rules, fmt, output, backend, lang) -> None:
    """Why a person is in an incident's chain (facts, plan text, path), and why each other rule did not name them.

    With --scenario, under the scenarios (composed in the order given)."""
    from engine.chain.trace import Tracer
    from engine.explain.explainer import explain_person
    from engine.outputs.finding_text import finding_paragraph
    from facts.canon import canonical_json

    facts, pack = load_facts(paths), load_pack(rules)
    if scenarios:
        from engine.analyses.whatif.evaluate import variants
        variant = variants(facts, pack, ["+".join(scenarios)])[-1]
        facts, pack = variant.facts, variant.pack
    answer = explain_person(Tracer(facts, pack, BACKENDS[backend]()), incident, person, lang, finding_paragraph)
    _emit(output, canonical_json(answer.as_json(), indent=2) + "\n" if fmt == "json" else answer.as_text())


@cli.command()
@PATHS
@SCENARIOS
@click.option("--incident", "incidents", multiple=True, help="Only this incident (repeatable).")
@RULES
@click.option("--format", "fmt", type=click.Choice(["table", "json", "md"]), default="table", show_default=True)
@OUTPUT
@BACKEND
@LANG
def whatif(paths, scenarios, incidents, rules, fmt, output, backend, lang) -> None:
    """Each incident's chain under the baseline beside each scenario's, and what changed."""
    from engine.analyses.whatif.evaluate import compare, variants
    from engine.outputs import diff

    if not scenarios:
        raise click.UsageError("give at least one --scenario")
    vs = variants(load_facts(paths), load_pack(rules), scenarios)
    comparisons = compare(vs, BACKENDS[backend](), incidents)
    packs = [v.pack for v in vs]
    if fmt == "json":
        _emit(output, diff.comparisons_json(comparisons))
    elif fmt == "md":
        _emit(output, diff.markdown(comparisons, packs, lang) + "\n")
    else:
        _emit_rich(output, [diff.table(c, packs, lang) for c in comparisons])


@cli.command()
@click.option("--org", "org", multiple=True, required=True, type=click.Path(exists=True, path_type=Path),
              help="Fact files or folders of the org and the sites' acts (repeatable); their incidents are not evaluated.")
@click.option("--incidents", required=True, type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path),
              help="The incidents: JSON lines (one per line, -: standard input), or a YAML, JSON, Excel or CSV "
                   "fact file whose incidents section (sheet 事故) holds them.")
@SCENARIOS
@RULES
@click.option("--workers", type=click.IntRange(min=0), default=1, show_default=True,
              help="Worker processes; 0 evaluates in this process.")
@BACKEND
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for chains.jsonl, diff.csv, summary.md, summary.xlsx and errors.jsonl.")
@LANG
@click.pass_context
def batch(ctx, org, incidents, scenarios, rules, workers, backend, out, lang) -> None:
    """Every incident under the baseline and each scenario; exit 2 if a record failed validation, 1 if a worker died."""
    from rich.progress import Progress

    from engine.analyses.batch.reader import open_incidents
    from engine.analyses.batch.run import run_batch

    pack = load_pack(rules)
    source = open_incidents(incidents)
    if sys.stderr.isatty():
        with Progress(console=Console(stderr=True), auto_refresh=False, transient=True) as bar:
            task = bar.add_task(phrase(lang, "batch.progress"), total=source.total())
            result = run_batch(org, source, pack, out, scenarios, workers, backend,
                               lambda done: bar.update(task, completed=done, refresh=True), lang)
    else:
        result = run_batch(org, source, pack, out, scenarios, workers, backend, None, lang)
    failed = result.failed_input + result.failed_internal
    see = phrase(lang, "batch.see", errors=out / "errors.jsonl") if failed else ""
    click.echo(phrase(lang, "batch.done", lines=result.lines, evaluated=result.evaluated, failed=failed, see=see,
                      out=out), err=True)
    ctx.exit(result.exit_code)


@cli.command("check")
@click.argument("pack", type=click.Path(path_type=Path))
@click.option("--examples", "n", type=click.IntRange(min=0), default=1000, show_default=True,
              help="How many towns to generate for the dynamic checks (0: static checks only).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the generated towns.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@OUTPUT
@LANG
def check_command(pack: Path, n: int, seed: int, fmt, output, lang) -> None:
    """Is a rule pack consistent? Exit 0 clean, 1 with findings (each with its smallest example), 2 if it does not load."""
    from engine.analyses.check.run import check
    from facts.canon import canonical_json

    report = check(load_pack(pack), pack, n, seed)
    _emit(output, canonical_json(report.as_json(), indent=2) + "\n" if fmt == "json" else report.as_text(lang))
    if not report.clean:
        click.get_current_context().exit(1)


@cli.command("test")
@click.argument("cases", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@RULES
@BACKEND
@OUTPUT
@LANG
def test_command(cases, rules, backend, output, lang) -> None:
    """Run YAML cases (a sentence, facts, an optional scenario, the exact chain) against a pack; exit 1 if one fails.

    CASES are case files or folders holding case.yaml files; a case builds on the
    _base folder beside its own (or on the files its 'base' names)."""
    from engine.analyses.cases import as_text, run_cases

    results = run_cases(cases, load_pack(rules), BACKENDS[backend]())
    _emit(output, as_text(results, lang))
    if not all(r.ok for r in results):
        click.get_current_context().exit(1)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@RULES
@BACKEND
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any but the loopback needs --token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--token", envvar="WENZE_TOKEN", default=None,
              help="A secret every request must carry (env WENZE_TOKEN); required off the loopback.")
@click.option("--lang", type=click.Choice(LANGS), default="zh", show_default=True,
              help="The language pages open in (each browser can switch).")
def serve(paths, rules, backend, host, port, token, lang) -> None:
    """The investigator's workbench: pages and a JSON API over fact files (a folder, or uploaded in the browser)."""
    from engine.web.app import serve as run

    run(paths, rules, backend, host, port, token, lang)


def main() -> None:
    """Console entry point (``wenze``); what cannot be encoded for the terminal (a file name in GBK) is escaped."""
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(errors="backslashreplace")
    cli()


if __name__ == "__main__":
    main()
