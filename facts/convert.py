"""Facts written in any of the forms wenze reads (``wenze convert``): YAML, JSON, an Excel workbook, CSV files.

Every form reads back to the same facts (``tests/test_workbook.py`` checks the
round trip): YAML and JSON hold the fact format as it is; a workbook and a
folder of CSV files follow :mod:`facts.sheets`, and a value a cell cannot hold
without changing it (an id with a list separator in it, say) is refused, never
bent.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

from facts.errors import InputError
from facts.model import FactSet
from facts.workbook import write_csvs, write_xlsx

FORMS = (".yaml", ".yml", ".json", ".xlsx")


def text_of(facts: FactSet, json_form: bool = False) -> str:
    """The facts as one YAML (or JSON) document, sections in their order."""
    data = facts.dump()
    if json_form:
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True, sort_keys=False,
                     width=120)


def write_facts(facts: FactSet, out: Path, lang: str = "zh") -> None:
    """By the name: OUT.yaml, OUT.json, OUT.xlsx, ``-`` (YAML to standard output), or a folder of CSV files."""
    suffix = out.suffix.lower()
    if str(out) == "-":
        sys.stdout.write(text_of(facts))
    elif suffix in (".yaml", ".yml", ".json"):
        out.write_text(text_of(facts, suffix == ".json"), encoding="utf-8")
    elif suffix == ".xlsx":
        write_xlsx(out, facts, lang)
    elif suffix == "" or out.is_dir():
        write_csvs(out, facts, lang)
    else:
        raise InputError(f"{out}: write facts to one of {', '.join(FORMS)}, or to a folder (one CSV per sheet)")
