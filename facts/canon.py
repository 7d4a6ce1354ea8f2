"""Canonical JSON, digests and the one serialisation to plain data: the same data always gives the same bytes."""
from __future__ import annotations

import dataclasses
import hashlib
import json
from functools import lru_cache
from typing import Any, Mapping

from pydantic import BaseModel


def canonical_json(data: Any, indent: int | None = None) -> str:
    """Sorted keys, UTF-8 text (Chinese stays readable), no trailing spaces."""
    seps = (",", ":") if indent is None else (",", ": ")
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=seps, indent=indent)


def digest(data: Any) -> str:
    """sha256 of the canonical JSON, as 'sha256:…'."""
    return "sha256:" + hashlib.sha256(canonical_json(data).encode()).hexdigest()


@lru_cache(maxsize=None)
def _shape(cls: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A dataclass's JSON fields (those not marked ``json=False``) and its computed ``json_extra`` names."""
    fields = tuple(f.name for f in dataclasses.fields(cls) if f.metadata.get("json", True))
    return fields, tuple(getattr(cls, "json_extra", ()))


def plain(value: Any) -> Any:
    """Plain JSON data of a value: the one serialisation of wenze's records.

    A dataclass gives its fields (a field declared with ``metadata={"json": False}``
    is left out) and the properties its class names in ``json_extra``; a pydantic
    model gives its JSON dump in the fact-file spelling; a named tuple gives its fields
    by name, other tuples become lists.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields, extra = _shape(type(value))
        return {name: plain(getattr(value, name)) for name in (*fields, *extra)}
    if isinstance(value, tuple) and hasattr(value, "_asdict"):  # a NamedTuple: its fields by name
        return plain(value._asdict())
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


class JsonData:
    """Mixin for dataclasses whose JSON is :func:`plain` of them."""

    json_extra: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return plain(self)
