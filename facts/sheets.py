"""The fact format laid out as sheets: one sheet (or CSV file) per section, one column per field.

The layout is derived from the pydantic models of :mod:`facts.model`, so a
field or a record kind added there appears in every workbook, template and
CSV without code here; what this module adds is the vocabulary a person reads
in Excel — a Chinese name for each sheet and column, a note for the notes row,
a Chinese label for each enumerated value — kept in the tables below, in one
place. A field with no Chinese name still works (its header is its field
name); ``tests/test_sheets.py`` asks for one.

How values sit in cells (the same rules for reading and writing):

- one record per row, under a header row; headers are the Chinese names or
  the field names (``from``/``to`` for dates in force), in any order;
- a row whose first cell starts with ``#`` is a note (the template's second
  row says what each column holds); fully empty rows are skipped;
- an empty cell is an omitted field;
- dates: an Excel date cell, or text ``2023-03-01`` (also ``2023/3/1``,
  ``2023年3月1日``); a number in a date column is an error, never a serial;
- date-times: text with the zone, ``2023-03-01T14:20:00+08:00``, or an Excel
  date-time cell, read as Beijing time (UTC+08:00);
- yes/no: ``是``/``否``, ``true``/``false`` or an Excel TRUE/FALSE cell;
- enumerated values: the code (``enterprise``) or its Chinese label (``企业``);
- a list of ids: the ids separated by ``、``, ``,``, ``，``, ``;``, ``；`` or
  spaces and line breaks; a list of texts: one item per line of the cell;
- a nested record (a field holding one record) spreads over columns named
  ``field.sub`` (``事故报告``-style Chinese names join with ``.`` too);
- a list of records (an incident's ``reports``) has its own sheet, one row
  per item, keyed by the parent's id in its first column, in row order.
"""
from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, Union

from pydantic import AwareDatetime, BaseModel

from facts.model import SECTIONS, Id

#: Sheet names (Chinese) of the sections and of their lists of records (``section.field``).
SHEET_NAMES: dict[str, str] = {
    "sectors": "行业领域", "units": "单位", "people": "人员", "posts": "职务", "tenures": "任职",
    "assignments": "分工", "incidents": "事故", "incidents.reports": "事故报告", "incidents.causes": "事故原因",
    "inspections": "检查",
    "signatures": "签字", "duty_records": "履职记录", "hazards": "隐患", "units.status": "单位状态",
    "conduct": "行为", "orders": "指令", "orders.relayed": "指令转达", "orders.checks": "督促检查",
    "records": "记录完整性声明",
}

#: Column headers and notes, by model and field: (Chinese header, what the column holds).
COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "Sector": {"id": ("编号", "行业领域编号，唯一"), "name": ("名称", ""),
               "parent": ("上级行业", "上级行业领域的编号；分管上级即涵盖下级")},
    "Unit": {"id": ("编号", "单位编号，唯一"), "name": ("名称", ""), "kind": ("类别", ""),
             "parent": ("上级单位", "上级单位的编号"), "village": ("所在村", "企业所在村的编号"),
             "sectors": ("行业领域", "企业的行业领域，或办所的业务所涉行业领域（§6.1）编号"),
             "villages": ("服务村", "中心所服务的村编号（§4.6.2）")},
    "UnitStatus": {"status": ("状态", "证照齐全、无证照、查封……"), "source": ("依据", "许可证、查封决定书等"),
                   "valid_from": ("起始日期", ""), "valid_to": ("终止日期", "空=至今")},
    "Person": {"id": ("编号", "人员编号，唯一"), "name": ("姓名", "")},
    "Post": {"id": ("编号", "职务编号，唯一"), "unit": ("所属单位", "单位编号"), "title": ("职务名称", ""),
             "role": ("职务类别", ""), "rank": ("级别", "镇职务：副科级以上 或 一般干部（§4.4）"),
             "shared": ("可多人同任", "可由数人同时担任")},
    "Tenure": {"id": ("编号", "可空"), "person": ("人员", "人员编号"), "post": ("职务", "职务编号"),
               "valid_from": ("起始日期", "到任之日"), "valid_to": ("终止日期", "离任之日即继任者到任之日；空=仍在任"),
               "acting": ("代理", "")},
    "Assignment": {"id": ("编号", "分工编号，唯一"), "kind": ("类别", ""),
                   "post": ("职务", "随职务的分工（§6.3）：职务编号；与“人员”二选一"),
                   "person": ("人员", "本人的分工：人员编号；与“职务”二选一"), "sectors": ("分管行业", "行业领域编号"),
                   "units": ("分管单位", "单位编号"), "village": ("村", "驻村、包村：村的编号"),
                   "site": ("驻点企业", "驻矿、驻企：企业编号"),
                   "village_group": ("村民小组", "包社：村民小组编号"),
                   "within": ("范围", "分管行业或分管安全生产所及的单位编号；空=职务所在镇，个人分管为本人当日任职所在镇"),
                   "channels": ("报告渠道", "报告职责：负责的报告渠道"),
                   "source": ("依据", "分工文件"), "valid_from": ("起始日期", ""),
                   "valid_to": ("终止日期", "空=仍在执行")},
    "Incident": {"id": ("编号", "事故编号，唯一"), "occurred_at": ("发生时间", ""),
                 "kind": ("性质", "事故或事件；空=事故"), "site": ("事故单位", "单位编号"),
                 "sector": ("行业领域", "空=事故单位的行业"), "village": ("所在村", "空=事故单位所在村"),
                 "village_group": ("村民小组", ""), "deaths": ("死亡人数", ""), "serious_injuries": ("重伤人数", ""),
                 "direct_loss_yuan": ("直接经济损失（元）", ""), "description": ("事故经过", ""),
                 "involved": ("涉事人员", "人员编号"), "deceased": ("死亡人员", "在事故中死亡的人员编号"),
                 "concealed_by": ("瞒报人员", "调查认定隐瞒事故的人员或单位编号")},
    "Report": {"channel": ("报告渠道", ""), "by": ("报告人", "人员编号"), "to": ("报告对象", ""),
               "at": ("报告时间", ""), "learned_at": ("知悉时间", "空=事故发生时"),
               "deaths": ("报告死亡人数", "空=未报"), "serious_injuries": ("报告重伤人数", "空=未报"),
               "known_deaths": ("报告时已知死亡人数", "空=事故死亡人数（转报时为所转报告的人数）"),
               "known_serious_injuries": ("报告时已知重伤人数", "空=事故重伤人数（转报时为所转报告的人数）"),
               "relayed_from": ("转报自", "所转报告的报告人编号"), "note": ("备注", "")},
    "Cause": {"id": ("原因编号", "本事故内唯一"), "kind": ("原因类别", "直接原因或间接原因"),
              "description": ("原因", ""), "hazards": ("所涉隐患", "隐患编号"), "conduct": ("所涉行为", "行为编号")},
    "Inspection": {"id": ("编号", "检查编号，唯一"), "date": ("检查日期", ""), "site": ("被检查单位", "单位编号"),
                   "inspectors": ("检查人员", "人员编号"), "outcome": ("检查结论", ""), "hazards": ("发现隐患", ""),
                   "at": ("检查时间", "开始检查的时间；事故当日晚于事故发生时间的检查不计"),
                   "hazards_found": ("发现隐患编号", "检查发现的隐患的编号")},
    "Signature": {"id": ("编号", "签字编号，唯一"), "person": ("签字人", "人员编号"), "date": ("签字日期", ""),
                  "site": ("所涉单位", "单位编号"), "document": ("文书类别", ""),
                  "inspection": ("所属检查", "检查编号"), "title": ("文书标题", ""),
                  "role": ("签字身份", "空=按文书类别：验收为验收人，许可、审批为审批人，检查记录为检查人员，责任书为签订方"),
                  "covers": ("所涉事项", "文书审批、验收、许可或认定的隐患或事故原因的编号")},
    "DutyRecord": {"id": ("编号", "记录编号，唯一"), "kind": ("类别", ""), "unit": ("单位", "单位编号"),
                   "date": ("日期", ""), "people": ("参加人员", "人员编号"), "note": ("备注", "")},
    "Hazard": {"id": ("编号", "隐患编号，唯一"), "site": ("所在单位", "单位编号"), "valid_from": ("存在起始", ""),
               "valid_to": ("消除日期", "空=未消除"), "description": ("描述", ""), "kind": ("隐患类别", "如 边坡浮石"),
               "found_by": ("发现检查", "检查编号"), "rectified": ("整改", "")},
    "Rectification": {"ordered_by": ("责令检查", "责令整改的检查编号"), "due": ("整改期限", ""),
                      "accepted_by": ("验收签字", "整改验收的签字编号；空=事故前未验收")},
    "Declaration": {"id": ("编号", "可空"), "unit": ("单位", "单位编号"),
                    "kinds": ("记录类别", "此期间该单位这些类别的履职记录均已提供"), "valid_from": ("起始日期", ""),
                    "valid_to": ("终止日期", "空=至今"), "note": ("备注", "")},
    "Conduct": {"id": ("编号", "行为编号，唯一"), "by": ("行为人", "人员或单位编号"),
                "actor": ("行为人描述", "未查明行为人时填写"), "incident": ("所涉事故", "事故发生后的行为：事故编号"),
                "date": ("日期", "与起止日期二选一"), "valid_from": ("起始日期", ""), "valid_to": ("终止日期", ""),
                "act": ("行为", ""), "description": ("描述", ""), "source": ("依据", "询问笔录、调查组认定等")},
    "Order": {"id": ("编号", "指令编号，唯一"), "kind": ("类别", "停产、停业整顿或整改"), "site": ("对象单位", "企业编号"),
              "by": ("下达单位或人员", "单位或人员编号"), "date": ("下达日期", ""), "until": ("终止日期", "解除或验收之日；空=仍有效"),
              "due": ("整改期限", "整改指令的期限"), "enforce": ("督促落实人员", "人员编号"),
              "checks_complete": ("督促检查已查清", "是=所列督促检查即全部（未列=无人督促）"),
              "description": ("内容", ""), "source": ("依据", "指令文书")},
    "OrderRelay": {"by": ("转达人", "人员编号"), "date": ("转达日期", ""), "to": ("转达对象", "")},
    "OrderCheck": {"by": ("检查人", "人员编号"), "date": ("检查日期", ""), "note": ("情况", "")},
}

#: Columns a sheet no longer has, by section and header: what to write instead (an old workbook says so).
RETIRED: dict[str, dict[str, str]] = {
    "posts": dict.fromkeys(("分管安全生产", "safety_lead"), (
        "a post has no 'safety_lead' any more: 分管安全生产 (§4.3) is a dated assignment; remove the column and "
        "add a row to the 分工 sheet of kind 分管安全生产 (safety) for the post, with its start date")),
}

#: The key column of a list-of-records sheet: the parent's id (Chinese header, field name).
KEYS: dict[str, tuple[str, str]] = {"incidents.reports": ("事故编号", "incident")}

#: Chinese labels of enumerated values, by enum class.
ENUM_LABELS: dict[str, dict[str, str]] = {
    "UnitKind": {"town": "镇", "party_committee": "党委", "government": "政府", "congress": "人大",
                 "office": "办所中心", "village": "村", "village_group": "村民小组", "enterprise": "企业"},
    "Role": {"party_secretary": "党委书记", "mayor": "镇长", "deputy_party_secretary": "党委副书记",
             "deputy_mayor": "副镇长", "congress_chair": "人大主席", "committee_member": "党委委员",
             "office_head": "办所负责人", "enforcement_officer": "执法人员", "cadre": "一般干部",
             "village_party_secretary": "村党组织书记", "village_director": "村委会主任",
             "enterprise_principal": "企业主要负责人", "safety_manager": "安全管理人员", "employee": "从业人员"},
    "AssignmentKind": {"in_charge": "分管", "safety": "分管安全生产", "stationed": "驻村", "village_liaison": "包村",
                       "group_liaison": "包社", "report": "报告职责"},
    "Rank": {"leadership": "副科级以上", "staff": "一般干部"},
    "Outcome": {"passed": "合格", "hazards_found": "发现隐患", "rectification_ordered": "责令整改",
                "suspended": "停产停业"},
    "DocKind": {"inspection_record": "检查记录", "acceptance": "验收", "rectification_acceptance": "整改验收",
                "permit": "许可", "responsibility_letter": "责任书", "approval": "审批意见"},
    "Channel": {"enterprise_to_authority": "企业向主管部门报告", "village_to_town": "村向镇报告",
                "town_to_district": "镇向区报告"},
    "DutyKind": {"monthly_meeting": "月度安全会议", "emergency_plan": "应急预案", "drill": "应急演练",
                 "self_inspection": "企业自查"},
    "CauseKind": {"direct": "直接原因", "indirect": "间接原因"},
    "SignatureRole": {"approver": "审批人", "acceptor": "验收人", "inspector": "检查人员", "inspected_party": "被检查单位",
                      "party_to_letter": "责任书签订方"},
    "IncidentKind": {"accident": "事故", "event": "事件"},
    "StatusKind": {"licensed": "证照齐全", "unlicensed": "无证照", "illegal": "非法生产经营", "sealed": "查封",
                   "closed": "关闭", "suspended": "停产停业"},
    "OrderKind": {"stop_production": "停产", "suspension": "停业整顿", "rectification": "整改"},
    "ConductAct": {"illegal_command": "违章指挥", "rule_violation": "违章作业", "organised_illegal_production": "组织非法生产",
                   "illegal_production": "非法生产", "illegal_entry": "非法入井", "illegal_construction": "违法建设",
                   "unsealing": "擅自启封", "defied_stop_order": "拒不执行停产指令", "refused_rectification": "拒不整改",
                   "improper_inspection": "未按规定检查", "hazard_missed": "检查未发现隐患",
                   "rectification_not_urged": "未督促整改", "weak_urging": "督促不力", "lax_supervision": "监管不到位",
                   "oversight_failure": "失察", "premature_acceptance": "整改未验收即验收",
                   "rules_not_implemented": "未落实安全管理制度", "training_lacking": "安全教育培训不到位",
                   "safety_facilities_missing": "未配备安全设施", "casualties_not_verified": "未核实伤亡情况",
                   "shallow_investigation": "调查不深入", "late_report": "未及时报告", "private_settlement": "私了",
                   "scene_destroyed": "破坏事故现场", "evidence_tampered": "伪造或销毁证据", "false_report": "谎报",
                   "concealment": "瞒报", "other": "其他"},
}

#: What a column of each kind holds, for the notes row when the table gives no note of its own.
KIND_NOTES = {
    "zh": {"id": "编号", "text": "文字", "int": "整数", "number": "数", "bool": "是 或 否", "date": "日期，如 2023-03-01",
           "datetime": "日期时间，如 2023-03-01T14:20:00+08:00；Excel日期时间按北京时间",
           "enum": "从下拉列表选择", "ids": "编号，多个用、分隔", "texts": "每行一项", "enums": "多个用、分隔"},
    "en": {"id": "an id", "text": "text", "int": "a whole number", "number": "a number", "bool": "true or false",
           "date": "a date, e.g. 2023-03-01",
           "datetime": "a date-time with its zone, e.g. 2023-03-01T14:20:00+08:00 (Excel date-times: Beijing time)",
           "enum": "one of the list", "ids": "ids, separated by commas", "texts": "one item per line",
           "enums": "values separated by commas"},
}
#: Words of the template's notes row and its sheet of instructions.
WORDS = {
    "zh": {"required": "必填", "key": "所属记录的编号", "readme": "说明", "lists": "选项",
           "readme_text": [
               "wenze 事实表：每个工作表一类记录，第一行为表头（中文或字段名），以 # 开头的行为说明，不读取。",
               "空单元格即未填写。日期写 2023-03-01 或用 Excel 日期；日期时间写 2023-03-01T14:20:00+08:00，"
               "或用 Excel 日期时间（按北京时间）。",
               "多个编号用、或逗号分隔；选项列可填下拉列表中的中文或英文代码。",
               "“事故报告”“事故原因”“单位状态”“指令转达”“督促检查”表每行一项，第一列为所属记录的编号。",
               "检查：wenze validate 本文件；追溯：wenze trace 本文件。"]},
    "en": {"required": "required", "key": "the id of the record it belongs to", "readme": "README", "lists": "lists",
           "readme_text": [
               "wenze fact sheets: one sheet per kind of record, a header row (Chinese names or field names) first; "
               "rows starting with # are notes and are not read.",
               "An empty cell is an omitted field. Dates as 2023-03-01 or Excel dates; date-times as "
               "2023-03-01T14:20:00+08:00 or Excel date-times (read as Beijing time).",
               "Several ids separated by commas; enumerated columns take the code or its Chinese label.",
               "The incidents.reports, incidents.causes, units.status, orders.relayed and orders.checks sheets have one "
               "item per row, the id of the record it belongs to in the first column.",
               "Check with: wenze validate THIS_FILE; trace with: wenze trace THIS_FILE."]},
}
#: Sheets a workbook may hold besides the sections: instructions, and the values of drop-down lists too long
#: for Excel to hold in the list itself; never read.
IGNORED_SHEETS = frozenset({WORDS[lang][sheet] for lang in WORDS for sheet in ("readme", "lists")})


@dataclass(frozen=True)
class Column:
    """One column: where its value sits in a record (``path``), what it holds, how it is named."""

    path: tuple[str, ...]  # keys from the record as written in a fact file, e.g. ("rectified", "due"), ("from",)
    key: str  # the same joined, as pydantic reports it in errors: "rectified.due"
    kind: str  # id text int number bool date datetime enum ids texts enums
    zh: str
    en: str
    note: str
    required: bool
    enum: Any = None  # the Enum (or Literal) of an enumerated column

    def header(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def labels(self) -> dict[str, str]:
        """Code → Chinese label of an enumerated column (the code itself where the table has none)."""
        if self.enum is None:
            return {}
        if typing.get_origin(self.enum) is typing.Literal:
            return {v: v for v in typing.get_args(self.enum)}
        table = ENUM_LABELS.get(self.enum.__name__, {})
        return {e.value: table.get(e.value, e.value) for e in self.enum}

    # Made once per column, on first use, for reading and writing every cell; shared, so never changed.
    # (cached_property keeps them in the instance's __dict__, which a frozen dataclass without slots has.)
    @cached_property
    def enum_labels(self) -> dict[str, str]:
        """:meth:`labels`, made once."""
        return self.labels()

    @cached_property
    def enum_codes(self) -> dict[str, str]:
        """Chinese label → code, the reverse of :attr:`enum_labels`."""
        return {zh: code for code, zh in self.enum_labels.items()}


@dataclass(frozen=True)
class Sheet:
    """A section's sheet, or a list of records nested in a section's records (keyed by the parent's id)."""

    name: str  # the section, or section.field for a nested list
    zh: str
    model: type[BaseModel]
    columns: tuple[Column, ...]
    attr: str | None = None  # the parent's field holding the list (None for a section)
    parent: str | None = None  # the parent sheet's name
    key: tuple[str, str] | None = None  # (zh, en) header of the parent's id column
    children: tuple["Sheet", ...] = field(default=())

    def title(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.name

    def key_header(self, lang: str) -> str:
        assert self.key is not None
        return self.key[0] if lang == "zh" else self.key[1]


def _unwrap(annotation):
    """(the type, its metadata, optional?) with Annotated and ``X | None`` taken off."""
    meta: list = []
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation, *more = typing.get_args(annotation)
            meta += more
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = True
            if len(args) != 1:
                raise TypeError(f"a union of {args} has no cell form")
            annotation = args[0]
        else:
            return annotation, meta, optional


_ID_META = typing.get_args(Id)[1:]


def _scalar_kind(tp, meta) -> str:
    if isinstance(tp, type) and issubclass(tp, Enum) or typing.get_origin(tp) is typing.Literal:
        return "enum"
    if tp is bool:
        return "bool"
    if tp is int:
        return "int"
    if tp is float:
        return "number"
    if tp is date:
        return "date"
    if tp in (AwareDatetime, datetime):
        return "datetime"
    if tp is str:
        return "id" if any(m in _ID_META for m in meta) else "text"
    raise TypeError(f"{tp} has no cell form")


def _columns(model: type[BaseModel], prefix: tuple[str, ...] = (), zh_prefix: str = "",
             en_prefix: str = "") -> tuple[list[Column], list[tuple[str, type[BaseModel]]]]:
    """The model's columns (nested single records spread out) and its lists of records."""
    cols: list[Column] = []
    lists: list[tuple[str, type[BaseModel]]] = []
    table = COLUMNS.get(model.__name__, {})
    for name, info in model.model_fields.items():
        if info.exclude:  # kept only to say what to write instead (a retired field)
            continue
        tp, meta, _ = _unwrap(info.annotation)
        meta = [*meta, *info.metadata]
        en = info.alias or name
        zh, note = table.get(name, (en, ""))
        required = info.is_required() and not prefix
        if typing.get_origin(tp) is list:
            (item,) = typing.get_args(tp)
            item, item_meta, _ = _unwrap(item)
            if isinstance(item, type) and issubclass(item, BaseModel):
                if prefix:
                    raise TypeError(f"{model.__name__}.{name}: a list of records inside a nested record has no sheet")
                lists.append((name, item))
                continue
            kind = {"enum": "enums", "id": "ids", "text": "texts"}[_scalar_kind(item, item_meta)]
            enum = item if kind == "enums" else None
        elif isinstance(tp, type) and issubclass(tp, BaseModel):
            sub, sublists = _columns(tp, (*prefix, name), f"{zh_prefix}{zh}.", f"{en_prefix}{en}.")
            if sublists:
                raise TypeError(f"{model.__name__}.{name}: a list of records inside a nested record has no sheet")
            cols += sub
            continue
        else:
            kind = _scalar_kind(tp, meta)
            enum = tp if kind == "enum" else None
        path = (*prefix, en)
        cols.append(Column(path, ".".join(path), kind, zh_prefix + zh, en_prefix + en, note, required, enum))
    # id first (a row whose first cell starts with # is a note), dates in force last
    cols.sort(key=lambda c: (c.path[-1] != "id", c.path[-1] in ("from", "to")))
    return cols, lists


def _sheet(name: str, model: type[BaseModel], field_name: str | None = None, parent: str | None = None) -> Sheet:
    cols, lists = _columns(model)
    if lists and "id" not in model.model_fields:
        raise TypeError(f"{model.__name__} has lists of records but no id to key their sheets by")
    children = tuple(_sheet(f"{name}.{f}", m, f, name) for f, m in lists)
    key = None
    if parent is not None:
        key = KEYS.get(name, (SHEET_NAMES.get(parent, parent), parent))
    return Sheet(name, SHEET_NAMES.get(name, name), model, tuple(cols), field_name, parent, key, children)


def _flatten(sheets: list[Sheet]) -> list[Sheet]:
    out = []
    for s in sheets:
        out += [s, *_flatten(list(s.children))]
    return out


#: Every sheet, sections in their order, each followed by its nested lists.
SHEETS: tuple[Sheet, ...] = tuple(_flatten([_sheet(s, m) for s, m in SECTIONS.items()]))
BY_NAME: dict[str, Sheet] = {**{s.name: s for s in SHEETS}, **{s.zh: s for s in SHEETS}}


def note(column: Column, lang: str) -> str:
    """The notes-row text of a column: what it holds, and whether it must be filled."""
    what = column.note if lang == "zh" and column.note else KIND_NOTES[lang][column.kind]
    return f"{WORDS[lang]['required']}；{what}" if column.required else what
