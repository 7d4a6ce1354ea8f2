"""One context fact: what a rule matches on, and the input records it rests on."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class Fact:
    """One context fact: its kind, its fields, the input ids it rests on, a stable key."""

    kind: str
    key: str
    fields: Mapping[str, Any]
    src: tuple[str, ...]

    def as_json(self) -> dict:
        return {"kind": self.kind, "key": self.key, **dict(self.fields), "src": list(self.src)}
