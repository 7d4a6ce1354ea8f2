"""What a pack check reports: one finding per problem, with the smallest example; the report and its exit code."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.words.catalog import phrase
from facts.canon import JsonData
from facts.errors import Problem
from facts.model import FactSet
from facts.strategies import to_yaml

STATIC_KINDS = ("unknown_clause", "unused_parameter", "parameter_type", "never_matches", "conflict")
DYNAMIC_KINDS = ("dead_rule", "conflict", "no_rule_applies", "unassigned_duty")


@dataclass(frozen=True)
class CheckFinding(JsonData):
    """One inconsistency: its kind, where in the pack and what (as a Problem), and an example if any."""

    kind: str
    problem: Problem
    example: FactSet | None = None
    incident: str | None = None

    def as_text(self, pack_path: str) -> str:
        text = f"[{self.kind}] {self.problem}"
        if self.example is None:
            return text
        body = to_yaml(self.example).rstrip("\n")
        return (f"{text}\n  smallest example (incident {self.incident}); save it as example.yaml and run\n"
                f"  `wenze trace example.yaml --rules {pack_path} --incident {self.incident} --backend python`:\n"
                f"---\n{body}\n...")


@dataclass(frozen=True)
class CheckReport(JsonData):
    """What `wenze check` found: static findings, then dynamic ones over ``scenarios`` towns."""

    json_extra = ("clean",)

    pack: str
    scenarios: int
    seed: int
    static: tuple[CheckFinding, ...]
    dynamic: tuple[CheckFinding, ...]
    fired: dict[str, int] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not self.static and not self.dynamic

    def as_text(self, lang: str = "en") -> str:
        lines = [phrase(lang, "check.head", pack=self.pack, static=len(self.static), dynamic=len(self.dynamic),
                        scenarios=self.scenarios, seed=self.seed)]
        lines += [f.as_text(self.pack) for f in (*self.static, *self.dynamic)]
        if self.clean:
            lines.append(phrase(lang, "check.clean") if self.scenarios else phrase(lang, "check.clean_static"))
        return "\n".join(lines) + "\n"
