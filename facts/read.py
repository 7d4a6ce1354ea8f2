"""Every file wenze takes is read here: fact files, rule packs, scenarios and each line of a batch.

What a person writes is what wenze reads, or the file is refused with its line
and a hint; nothing else in wenze opens an input file.

- **A regular file**, of at most :data:`MAX_BYTES` (a folder, a pipe or a device
  is refused before it is opened, so nothing blocks).
- **Encodings**: UTF-8 with or without a BOM; UTF-16 and UTF-32 with their BOM.
  Anything else is refused with the encoding the bytes look like (GBK, Big5,
  UTF-16 without a BOM: what Chinese Windows tools write) and the command that
  converts it.
- **YAML** through libyaml (the C loader; a county's org file parses four times
  faster) with the YAML 1.2 core schema instead of PyYAML's YAML 1.1: ``on``,
  ``yes`` and ``off`` stay words, ``1:30`` and ``14:35`` stay text (1.1 reads
  them as the numbers 90 and 875), ``0123`` is 123, and there are no implicit
  timestamps: a date is text until the model reads it, so an impossible date is
  the model's clear error and JSON and YAML give the same values. Tags are the
  core ones only (``!!str !!int !!float !!bool !!null !!seq !!map``); no merge
  keys (``<<``).
- **JSON** (``.json`` files, batch lines): RFC 8259, so no ``NaN`` or
  ``Infinity``, and a number too large for a double is refused.
- **Both**: a key repeated in one mapping is refused with both lines (YAML and
  Python's json keep the last silently: a second ``incidents:`` would drop every
  incident of the first); keys are text; nesting at most :data:`MAX_DEPTH`;
  integers at most :data:`MAX_DIGITS` digits; aliases may repeat at most
  :data:`MAX_ALIAS_EXTRA` values in all (a "billion laughs" file is refused
  before anything is built from it); no control characters other than tab and
  line breaks, and no lone surrogates, in any text.

Every refusal is a :class:`ReadError` (an ``InputError``: exit 2) naming the file
and the line.
"""
from __future__ import annotations

import codecs
import json
import math
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

import yaml

from facts.errors import Problem, ProblemsError, shown

MAX_BYTES = 128 * 2**20
MAX_DEPTH = 32
MAX_DIGITS = 30
MAX_ALIAS_EXTRA = 100_000

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
#: Encodings bytes that are not UTF-8 are tried as, in order, to name what the file looks like.
_GUESSES = (("gbk", "GBK"), ("big5", "Big5"), ("gb18030", "GB18030"))
#: Control characters (C0 but tab and line breaks, DEL, C1) and lone surrogates.
BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class ReadError(ProblemsError):
    """A file (or a batch line) that cannot be read as what it claims to be."""

    def __init__(self, file: str, message: str, hint: str = ""):
        super().__init__([Problem(file, "file", "", message, hint)], what=file)


# -- bytes -------------------------------------------------------------------------------------

def read_bytes(path: str | Path) -> bytes:
    """The bytes of a regular file of at most MAX_BYTES; anything else is a ReadError."""
    file = str(path)
    try:
        st = os.stat(path)
    except OSError as e:
        raise ReadError(file, f"cannot be read: {e.strerror or e}", "check the path") from None
    if stat.S_ISDIR(st.st_mode):
        raise ReadError(file, "is a folder, not a file", "name a file")
    if not stat.S_ISREG(st.st_mode):
        raise ReadError(file, "is not a regular file (a pipe, a device or a socket)", "give a file saved on disk")
    if st.st_size > MAX_BYTES:
        raise ReadError(file, f"is {st.st_size:,} bytes; wenze reads files of at most {MAX_BYTES:,} bytes",
                        "split it into several files (a folder of fact files is read as one)")
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise ReadError(file, f"cannot be read: {e.strerror or e}", "check the path and its permissions") from None
    if len(data) > MAX_BYTES:
        raise ReadError(file, f"holds more than {MAX_BYTES:,} bytes", "split it into several files")
    return data


def bom_encoding(data: bytes) -> str | None:
    """The codec a byte-order mark at the start names (None without one)."""
    return next((codec for bom, codec in _BOMS if data.startswith(bom)), None)


def decode(data: bytes, file: str) -> str:
    """UTF-8 (BOM optional), or UTF-16/32 with a BOM; anything else refused, naming what it looks like."""
    codec = bom_encoding(data) or "utf-8"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as e:
        raise not_utf8(data, e, file, codec) from None
    if codec == "utf-8" and "\x00" in text and (looks := _looks_like(data)) in ("UTF-16LE", "UTF-16BE"):
        name = os.path.basename(file) or "FILE"
        raise ReadError(file, f"looks like {looks} without a byte-order mark (every other byte is 0)",
                        f"convert it to UTF-8: iconv -f {looks} -t UTF-8 {name} > utf8-{name}, or save it as "
                        "UTF-16 with a BOM (Notepad's 'Unicode')")
    return text


def not_utf8(data: bytes, e: UnicodeDecodeError, file: str, codec: str = "utf-8", first_line: int = 1) -> ReadError:
    """The refusal of bytes that do not decode: where, what the bytes look like, how to convert them."""
    line = data.count(b"\n", 0, e.start) + first_line
    column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
    where = f"byte 0x{data[e.start]:02x} at line {line}, column {column}"
    name = os.path.basename(file) or "FILE"
    if codec != "utf-8":
        return ReadError(file, f"starts with a {codec.upper()} byte-order mark but is not {codec.upper()} ({where})",
                         f"save it again as UTF-8, e.g. iconv -f {codec.upper()} -t UTF-8 {name}")
    looks = _looks_like(data)
    convert = (f"convert it to UTF-8: iconv -f {looks} -t UTF-8 {name} > utf8-{name}, or " if looks else "") + \
        "save it as UTF-8 (Excel: 'CSV UTF-8 (comma delimited)'; Notepad: Save as, Encoding UTF-8)"
    windows = ", as Chinese Windows tools save text" if looks in ("GBK", "GB18030") else ""
    said = f"; it looks like {looks}{windows}" if looks else ""
    return ReadError(file, f"is not UTF-8 ({where}){said}", convert + " (wenze reads UTF-8, or UTF-16 with a BOM)")


def _looks_like(data: bytes) -> str | None:
    sample = data[:1 << 16]
    if sample.count(0) * 4 >= len(sample) > 0:  # ASCII text in UTF-16 is every other byte NUL
        even = sample[0::2].count(0)
        odd = sample[1::2].count(0)
        return "UTF-16BE" if even > odd else "UTF-16LE"
    for codec, name in _GUESSES:
        try:
            data.decode(codec)
            return name
        except UnicodeDecodeError:
            continue
    return None


def text_problem(text: str) -> str | None:
    """What is wrong with a text value read from a file: a control character or a lone surrogate."""
    m = BAD_CHAR.search(text)
    if m is None:
        return None
    ch = m.group()
    kind = "a lone surrogate (half of a broken character)" if "\ud800" <= ch <= "\udfff" else "a control character"
    return f"{kind} U+{ord(ch):04X} in {shown(text)}"


# -- YAML --------------------------------------------------------------------------------------

_CoreBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
                    r"|\.(?:nan|NaN|NAN))$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
TAG = "tag:yaml.org,2002:"


class _Refused(yaml.MarkedYAMLError):
    """A value of the document that wenze refuses, at its place, and how to put it right."""

    def __init__(self, problem: str, mark: yaml.Mark, hint: str = "correct the value at that line"):
        super().__init__(None, None, problem, mark)
        self.hint = hint


class CoreLoader(_CoreBase):
    """libyaml's parser with the YAML 1.2 core schema, duplicate keys refused, aliases and depth bounded."""

    yaml_implicit_resolvers: dict = {}
    yaml_constructors: dict = {}

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _check_nodes(node)
        return self.construct_document(node)

    def construct_core_scalar(self, node: yaml.Node) -> Any:
        value = self.construct_scalar(node)
        tag = node.tag[len(TAG):] if node.tag.startswith(TAG) else node.tag
        if tag == "null" and _NULL.match(value):
            return None
        if tag == "bool" and value in _BOOL:
            return _BOOL[value]
        if tag == "int" and _INT.match(value):
            digits = value.lstrip("+-")
            if len(digits) > MAX_DIGITS:
                raise _Refused(f"an integer of {len(digits)} digits (at most {MAX_DIGITS})",
                               node.start_mark)
            return int(digits, {"0o": 8, "0x": 16}.get(digits[:2], 10)) * (-1 if value.startswith("-") else 1)
        if tag == "float" and _FLOAT.match(value):
            return float(value.replace(".inf", "inf").replace(".Inf", "inf").replace(".INF", "inf")
                         .replace(".nan", "nan").replace(".NaN", "nan").replace(".NAN", "nan"))
        raise _Refused(f"{shown(value)} is not a valid !!{tag}", node.start_mark)

    def construct_core_str(self, node: yaml.ScalarNode) -> str:
        return node.value  # most of a document: checked already, nothing to convert

    def construct_core_seq(self, node: yaml.SequenceNode):
        data: list = []
        yield data
        data.extend(self.construct_sequence(node))

    def construct_core_map(self, node: yaml.MappingNode):
        data: dict = {}
        yield data
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node)
            if key in lines:
                raise _Refused(f"the key {shown(key)} appears twice in one mapping, at line "
                               f"{lines[key]} and at line {key_node.start_mark.line + 1}; YAML would keep only the "
                               "last", key_node.start_mark, "merge the two, or remove one")
            lines[key] = key_node.start_mark.line + 1
            data[key] = self.construct_object(value_node)

    def construct_unknown(self, node: yaml.Node) -> Any:
        raise _Refused(f"the tag {shown(node.tag)} is not supported; write plain values "
                       "(the tags YAML's core schema has: !!str !!int !!float !!bool !!null !!seq !!map)",
                       node.start_mark)


for _tag, _regexp, _first in (("null", _NULL, ["~", "n", "N", ""]),
                              ("bool", re.compile("^(?:" + "|".join(_BOOL) + ")$"), list("tTfF")),
                              ("int", _INT, list("-+0123456789")), ("float", _FLOAT, list("-+.0123456789"))):
    CoreLoader.add_implicit_resolver(TAG + _tag, _regexp, _first)
CoreLoader.add_constructor(TAG + "str", CoreLoader.construct_core_str)
for _tag in ("null", "bool", "int", "float"):
    CoreLoader.add_constructor(TAG + _tag, CoreLoader.construct_core_scalar)
CoreLoader.add_constructor(TAG + "seq", CoreLoader.construct_core_seq)
CoreLoader.add_constructor(TAG + "map", CoreLoader.construct_core_map)
CoreLoader.add_constructor(None, CoreLoader.construct_unknown)


def _check_nodes(root: yaml.Node) -> None:
    """Before anything is built: depth, keys, text, and how far aliases multiply the document.

    Iterative (a file's depth never meets Python's recursion limit), each mapping and
    list once however many aliases point to it, so a billion-laughs file costs its
    written size; the scalars, most of a document, are checked where they stand.
    """
    size: dict[int, int] = {}  # collection → values it stands for, aliases expanded
    depth: dict[int, int] = {}
    written = 1  # values as written: the root and every child slot of every collection
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if isinstance(node, yaml.ScalarNode):  # only the root can be pushed as a scalar
            _check_scalar(node)
            size[key], depth[key] = 1, 1
            continue
        children = _children(node)
        if done:
            on_path.discard(key)
            size[key] = 1 + sum(size.get(id(c), 1) for c in children)
            depth[key] = 1 + max((depth.get(id(c), 1) for c in children), default=0)
            if depth[key] > MAX_DEPTH:
                raise _Refused(f"nested more than {MAX_DEPTH} levels deep", node.start_mark)
            continue
        if key in size:
            continue
        if key in on_path:
            raise _Refused("an alias refers to the value that contains it", node.start_mark)
        on_path.add(key)
        written += len(children)
        if isinstance(node, yaml.MappingNode):
            for k, _ in node.value:
                if not (isinstance(k, yaml.ScalarNode) and k.tag == TAG + "str"):
                    what = "a list or a mapping" if not isinstance(k, yaml.ScalarNode) else shown(k.value)
                    raise _Refused(f"a key must be text, not {what}", k.start_mark,
                                   "write the key as a name (quote it: '1': …)")
        stack.append((node, True))
        for c in children:
            if isinstance(c, yaml.ScalarNode):
                _check_scalar(c)
            elif id(c) in on_path:
                raise _Refused("an alias refers to the value that contains it", c.start_mark)
            elif id(c) not in size:
                stack.append((c, False))
    if size[id(root)] > written + MAX_ALIAS_EXTRA:
        raise _Refused(f"its aliases (*name) repeat {size[id(root)] - written:,} values; at most "
                       f"{MAX_ALIAS_EXTRA:,} are allowed", root.start_mark)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _check_scalar(node: yaml.ScalarNode) -> None:
    if node.tag == TAG + "str":
        if (problem := text_problem(node.value)) is not None:
            raise _Refused(problem, node.start_mark)
    elif node.tag == TAG + "int" and len(node.value.lstrip("+-")) > MAX_DIGITS:
        raise _Refused(f"an integer of {len(node.value.lstrip('+-'))} digits (at most {MAX_DIGITS})",
                       node.start_mark)


def parse_yaml(text: str, file: str) -> Any:
    """One YAML document, read as :class:`CoreLoader` reads it."""
    loader = CoreLoader(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        if isinstance(e, _Refused):
            raise ReadError(file, f"{line}{e.problem}", e.hint) from None
        reason = e.problem or e.context or "unreadable"
        if e.context and reason.startswith("but "):
            reason = f"{e.context} {reason}"
        raise ReadError(file, f"{line}not valid YAML: {reason}", "fix the syntax at that line") from None
    except yaml.reader.ReaderError as e:  # libyaml's reader: a character YAML does not allow
        raise ReadError(file, f"{_line_col(text, e.position)}: not valid YAML: the character U+{int(e.character):04X} "
                        "is not allowed", "remove it (a control character copied from another program?)") from None
    finally:
        loader.dispose()


# -- JSON --------------------------------------------------------------------------------------

class _JsonRefusal(Exception):
    def __init__(self, message: str, token: str = "", key: str | None = None):
        super().__init__(message)
        self.token, self.key = token, key


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        key = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise _JsonRefusal(f"the key {shown(key)} appears twice in one object (JSON readers keep only the last)",
                           key=key)
    return out


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _JsonRefusal(f"an integer of {len(text.lstrip('-'))} digits (at most {MAX_DIGITS})", text)
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _JsonRefusal(f"the number {shown(text)} is too large", text)
    return value


def _constant(text: str) -> Any:
    raise _JsonRefusal(f"{text} is not a JSON value", text)


def _line_col(text: str, pos: int, first_line: int = 1) -> str:
    line = text.count("\n", 0, pos) + first_line
    return f"line {line}, column {pos - (text.rfind(chr(10), 0, pos) + 1) + 1}"


def _duplicate_lines(text: str, key: str, first_line: int) -> str:
    """Where a repeated key's two occurrences are: a second pass over the text, made only on failure."""
    objects: list[dict[str, int] | None] = []  # per open bracket: key → position, None for a list
    token = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:]')
    last: tuple[str, int] | None = None
    for m in token.finditer(text):
        t = m.group()
        if t in "{[":
            objects.append({} if t == "{" else None)
        elif t in "}]":
            if objects:
                objects.pop()
        elif t == ":" and last is not None and objects and objects[-1] is not None:
            name, pos = last
            if name == key and name in objects[-1]:
                return f"{_line_col(text, objects[-1][name], first_line)} and {_line_col(text, pos, first_line)}"
            objects[-1][name] = pos
        last = (json.loads(t), m.start()) if t.startswith('"') else None
    return ""


def parse_json(text: str, file: str, first_line: int = 1) -> Any:
    """One JSON value, every refusal placed by line and column (``first_line``: the text's first line in its file)."""
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_int=_int, parse_float=_float,
                           parse_constant=_constant)
    except json.JSONDecodeError as e:
        raise ReadError(file, f"line {e.lineno + first_line - 1}, column {e.colno}: not valid JSON: {e.msg}",
                        "fix the syntax at that place") from None
    except _JsonRefusal as e:
        where = _duplicate_lines(text, e.key, first_line) if e.key is not None else ""
        pos = text.find(e.token) if e.token else -1
        at = where or (_line_col(text, pos, first_line) if pos >= 0 else "")
        hint = "merge the two, or remove one" if e.key is not None else "correct the value at that place"
        raise ReadError(file, f"{at + ': ' if at else ''}{e}", hint) from None
    except RecursionError:
        raise ReadError(file, f"nested more than {MAX_DEPTH} levels deep", "flatten the data") from None
    if isinstance(value, (dict, list)):
        _check_values(value, file, text)
    elif isinstance(value, str):
        _locate(value, file)
    return value


#: What in JSON text can make a control character or a lone surrogate: a \\u, \\b or \\f escape.
_ESCAPE = re.compile(r"\\[ubf]")


def _check_values(root: Any, file: str, text: str) -> None:
    """Depth and text of a parsed JSON value; the path to what is refused is found only then.

    Containers only are walked; text is looked at only when the JSON holds an escape
    that can make a bad character (raw control characters are JSON syntax errors).
    """
    strings = _ESCAPE.search(text) is not None
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        value, level = stack.pop()
        if level > MAX_DEPTH or (strings and _bad_text(value)):
            _locate(root, file)
        items = value.values() if type(value) is dict else value
        for v in items:
            if type(v) is dict or type(v) is list:
                stack.append((v, level + 1))
            elif strings and type(v) is str and BAD_CHAR.search(v):
                _locate(root, file)


def _bad_text(value: Any) -> bool:
    """A container holding a bad key (values are looked at by the walk)."""
    return type(value) is dict and any(BAD_CHAR.search(k) for k in value)


def _locate(root: Any, file: str) -> None:
    """The refusal, with the path to the first thing refused (a second, slower walk)."""
    stack: list[tuple[Any, int, tuple]] = [(root, 1, ())]
    while stack:
        value, level, path = stack.pop()
        at = ".".join(map(str, path)) or "the top level"
        if level > MAX_DEPTH:
            raise ReadError(file, f"at {shown(at)}: nested more than {MAX_DEPTH} levels deep", "flatten the data")
        if isinstance(value, str):
            if problem := text_problem(value):
                raise ReadError(file, f"at {shown(at)}: {problem}", "remove the character (an escape like \\u0000?)")
        elif isinstance(value, dict):
            for k, v in value.items():
                if problem := text_problem(k):
                    raise ReadError(file, f"at {shown(at)}: a key holds {problem}", "remove the character")
                stack.append((v, level + 1, path + (k,)))
        elif isinstance(value, list):
            stack.extend((v, level + 1, path + (n,)) for n, v in enumerate(value))


# -- documents ---------------------------------------------------------------------------------

def read_stdin(name: str) -> bytes:
    """Standard input (``-`` as a file), of at most MAX_BYTES like any file."""
    data = sys.stdin.buffer.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ReadError(name, f"holds more than {MAX_BYTES:,} bytes", "split it into several files")
    return data


def read_document(path: str | Path, data: bytes | None = None) -> Any:
    """A fact file, rule pack or scenario (or ``data`` read from it): JSON for ``.json``, YAML otherwise."""
    file = str(path)
    text = decode(read_bytes(path) if data is None else data, file)
    return parse_json(text, file) if file.endswith(".json") else parse_yaml(text, file)
