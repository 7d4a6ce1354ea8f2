"""Canonical JSON and digests: the same data always gives the same bytes."""
from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(data: Any, indent: int | None = None) -> str:
    """Sorted keys, UTF-8 text (Chinese stays readable), no trailing spaces."""
    seps = (",", ":") if indent is None else (",", ": ")
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=seps, indent=indent)


def digest(data: Any) -> str:
    """sha256 of the canonical JSON, as 'sha256:…'."""
    return "sha256:" + hashlib.sha256(canonical_json(data).encode()).hexdigest()
