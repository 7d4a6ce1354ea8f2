"""What a scenario changes in an incident's chain, and how to show it beside the baseline.

A link (a person's, or a unit's) is compared party by party: **added** (named
only under the scenario), **removed** (named only in the baseline) or
**changed** (named in both, with another band, categories, principles or
grade of responsibility). Data gaps are compared by rule and message, acts to
examine (待核实) by person, record and rule: a scenario that states an
incident's causes may turn an entry to examine into a link, and both show.
Evidence alone does not make a link changed: a different tenure behind the
same duty is the same answer.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Mapping, NamedTuple, Sequence

from rich.table import Table

from engine.chain.chain import Answerable, Chain
from engine.outputs.table import md_cell, pack_name
from engine.pack.rulepack import RulePack
from engine.words.catalog import label, phrase
from facts.canon import JsonData, canonical_json, plain

MARK = {"added": "+", "removed": "−", "changed": "~"}
#: The columns of diff.csv, one row per link or gap that changed; a coded column is followed by its label.
CSV_COLUMNS = ("incident", "scenario", "change", "change_label", "party_kind", "party", "name", "posts", "post_titles",
               "tier_before", "tier_before_label", "tier_after", "tier_after_label",
               "categories_before", "categories_before_label", "categories_after", "categories_after_label",
               "principles_before", "principles_before_label", "principles_after", "principles_after_label",
               "grade_before", "grade_before_label", "grade_after", "grade_after_label", "gap", "message", "record")
#: What ';' joins in a cell of diff.csv, and what joins their labels.
SEP = {"zh": "、", "en": "; "}
ASPECTS = ("tier", "categories", "principles", "grade")


@dataclass(frozen=True)
class Standing(JsonData):
    """What a link says about a person: band, categories, principles, grade of responsibility ("" without one)."""

    tier: str
    categories: tuple[str, ...]
    principles: tuple[str, ...]
    grade: str = ""

    @classmethod
    def of(cls, link: Answerable) -> "Standing":
        return cls(link.tier, tuple(sorted({f.category for f in link.findings})),
                   tuple(sorted({f.principle for f in link.findings})), link.grade.id if link.grade else "")


class HeldPost(NamedTuple):
    """A post the party held on the day, as a diff names it."""

    post: str
    title: str


@dataclass(frozen=True)
class LinkChange(JsonData):
    """A party added to, removed from, or changed in the chain by a scenario."""

    json_extra = ("aspects",)

    change: str  # added | removed | changed
    party_kind: str  # person | unit
    party: str
    name: str
    posts: tuple[HeldPost, ...]  # held on the day
    before: Standing | None
    after: Standing | None

    @property
    def aspects(self) -> tuple[str, ...]:
        """For a changed link, which of tier, categories, principles and grade differ."""
        if self.before is None or self.after is None:
            return ()
        return tuple(a for a in ASPECTS if getattr(self.before, a) != getattr(self.after, a))


@dataclass(frozen=True)
class GapChange(JsonData):
    """A data gap a scenario adds or removes."""

    change: str  # added | removed
    rule: str
    message: Mapping[str, str]  # lang → text


@dataclass(frozen=True)
class ExamineChange(JsonData):
    """An act to examine (待核实) a scenario adds or removes."""

    change: str  # added | removed
    person: str
    record: str
    rule: str
    text: Mapping[str, str]  # lang → what the person did


@dataclass(frozen=True)
class ChainDiff(JsonData):
    """One incident under one scenario against the baseline."""

    incident: str
    scenario: str
    links: tuple[LinkChange, ...]
    gaps: tuple[GapChange, ...]
    examine: tuple[ExamineChange, ...] = ()

    json_extra = ("affected",)

    @property
    def affected(self) -> bool:
        return bool(self.links or self.gaps or self.examine)

    def rows(self, pack: RulePack, lang: str = "zh") -> list[dict]:
        """The rows of diff.csv: lists joined with ';', labels (of the scenario's pack) in ``lang``."""

        def labels(kind: str, values) -> str:
            return SEP[lang].join(pack_name(pack, kind, v, lang) for v in values)

        out = []
        for c in self.links:
            row = {**dict.fromkeys(CSV_COLUMNS, ""), "incident": self.incident, "scenario": self.scenario,
                   "change": c.change, "change_label": label(lang, "change", c.change), "party_kind": c.party_kind, "party": c.party,
                   "name": c.name, "posts": ";".join(p for p, _ in c.posts),
                   "post_titles": SEP[lang].join(t for _, t in c.posts)}
            for when, standing in (("before", c.before), ("after", c.after)):
                if standing is None:
                    continue
                row[f"tier_{when}"], row[f"tier_{when}_label"] = standing.tier, pack_name(pack, "tier", standing.tier, lang)
                for aspect, kind in (("categories", "category"), ("principles", "principle")):
                    values = getattr(standing, aspect)
                    row[f"{aspect}_{when}"] = ";".join(values)
                    row[f"{aspect}_{when}_label"] = labels(kind, values)
                row[f"grade_{when}"], row[f"grade_{when}_label"] = standing.grade, _aspect(pack, "grade", standing.grade,
                                                                                          lang)
            out.append(row)
        for g in self.gaps:
            out.append({**dict.fromkeys(CSV_COLUMNS, ""), "incident": self.incident, "scenario": self.scenario,
                        "change": f"gap_{g.change}", "change_label": label(lang, "change", f"gap_{g.change}"), "gap": g.rule,
                        "message": dict(g.message).get(lang, "")})
        for x in self.examine:
            out.append({**dict.fromkeys(CSV_COLUMNS, ""), "incident": self.incident, "scenario": self.scenario,
                        "change": f"examine_{x.change}", "change_label": label(lang, "change", f"examine_{x.change}"),
                        "party_kind": "person", "party": x.person, "gap": x.rule,
                        "message": dict(x.text).get(lang, ""), "record": x.record})
        return out


def parties(chain: Chain | None) -> dict[tuple[str, str], Answerable]:
    """The chain's links by (party kind, id): people first, then units, each in chain order."""
    if chain is None:
        return {}
    return {**{("person", l.person): l for l in chain.links}, **{("unit", u.unit): u for u in chain.units}}


def _posts(link: Answerable) -> tuple[HeldPost, ...]:
    return tuple(HeldPost(p["post"], p["title"]) for p in getattr(link, "posts", ()))


def diff_chains(incident: str, scenario: str, before: Chain | None, after: Chain | None) -> ChainDiff:
    """Links added, removed and changed, in chain order (the baseline's, then the scenario's new ones)."""
    old, new = parties(before), parties(after)
    changes = []
    for key, link in old.items():
        if key not in new:
            changes.append(LinkChange("removed", *key, link.name, _posts(link), Standing.of(link), None))
        elif Standing.of(link) != Standing.of(new[key]):
            changes.append(LinkChange("changed", *key, link.name, _posts(new[key]), Standing.of(link),
                                      Standing.of(new[key])))
    changes += [LinkChange("added", *k, l.name, _posts(l), None, Standing.of(l)) for k, l in new.items() if k not in old]

    def gaps(chain: Chain | None) -> dict:
        return {(g.rule, tuple(sorted(g.message.items()))): g for g in chain.gaps} if chain else {}

    g_old, g_new = gaps(before), gaps(after)
    gap_changes = [GapChange("removed", rule, dict(message)) for rule, message in g_old if (rule, message) not in g_new]
    gap_changes += [GapChange("added", rule, dict(message)) for rule, message in g_new if (rule, message) not in g_old]

    def entries(chain: Chain | None) -> dict:
        return {(x.person, x.record, x.rule): x for x in chain.to_examine} if chain else {}

    x_old, x_new = entries(before), entries(after)
    examine = [ExamineChange(change, x.person, x.record, x.rule, dict(x.text))
               for change, found, other in (("removed", x_old, x_new), ("added", x_new, x_old))
               for key, x in found.items() if key not in other]
    return ChainDiff(incident, scenario, tuple(changes), tuple(gap_changes), tuple(examine))


@dataclass(frozen=True)
class Comparison(JsonData):
    """One incident: the baseline chain beside each scenario's, and each scenario's difference."""

    json_extra = ("baseline", "scenarios")

    incident: str
    names: tuple[str, ...] = field(metadata={"json": False})  # variant names, the baseline first
    chains: tuple[Chain | None, ...] = field(metadata={"json": False})

    @cached_property  # read by every view of the comparison: each scenario's difference worked out once
    def diffs(self) -> tuple[ChainDiff, ...]:
        return tuple(diff_chains(self.incident, n, self.chains[0], c) for n, c in zip(self.names[1:], self.chains[1:]))

    @property
    def baseline(self) -> Chain | None:
        return self.chains[0]

    @property
    def scenarios(self) -> list[dict]:
        return [{"name": n, "chain": c, "diff": d} for n, c, d in zip(self.names[1:], self.chains[1:], self.diffs)]


def comparisons_json(comparisons: Sequence[Comparison]) -> str:
    return canonical_json(plain(comparisons), indent=2) + "\n"


def standing_text(pack: RulePack, s: Standing, lang: str) -> str:
    categories = phrase(lang, "table.list_sep").join(pack_name(pack, "category", c, lang) for c in s.categories)
    return phrase(lang, "diff.standing", tier=pack_name(pack, "tier", s.tier, lang), categories=categories,
                  grade=_aspect(pack, "grade", s.grade, lang))


def _rows(cmp: Comparison, packs: Sequence[RulePack], lang: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the side-by-side view: one row per party named under any variant."""
    links = [parties(chain) for chain in cmp.chains]
    names = {k: l.name for found in links for k, l in found.items()}
    marks = [{(c.party_kind, c.party): c.change for c in d.links} for d in cmp.diffs]
    head = [phrase(lang, "table.person"), phrase(lang, "diff.baseline"), *cmp.names[1:]]
    rows = []
    for key, name in names.items():
        row = [phrase(lang, "table.party", name=name, id=key[1])]
        for n, (found, pack) in enumerate(zip(links, packs)):
            cell = standing_text(pack, Standing.of(found[key]), lang) if key in found else "—"
            change = marks[n - 1].get(key) if n else None
            row.append(f"{MARK[change]} {cell}" if change else cell)
        rows.append(row)
    return head, rows


def _summary(d: ChainDiff, chain: Chain | None, pack: RulePack, lang: str) -> list[str]:
    """One line per change of one scenario, for a caption or a Markdown list."""
    if chain is None:
        return [phrase(lang, "diff.absent")]
    out = []
    for c in d.links:
        if c.change == "changed":
            text = phrase(lang, "diff.change_sep").join(
                phrase(lang, "diff.change", aspect=label(lang, "aspect", a),
                       before=_aspect(pack, a, getattr(c.before, a), lang),
                       after=_aspect(pack, a, getattr(c.after, a), lang)) for a in c.aspects)
        else:
            text = standing_text(pack, c.after or c.before, lang)
        out.append(phrase(lang, "diff.party", mark=MARK[c.change], name=c.name, party=c.party, text=text))
    out += [phrase(lang, "diff.gap", mark=MARK[g.change], rule=g.rule, message=dict(g.message).get(lang, ""))
            for g in d.gaps]
    out += [phrase(lang, "diff.examine", mark=MARK[x.change], person=x.person, text=dict(x.text).get(lang, ""))
            for x in d.examine]
    return out or [phrase(lang, "diff.unchanged")]


def _aspect(pack: RulePack, aspect: str, value, lang: str) -> str:
    if aspect == "tier":
        return pack_name(pack, "tier", value, lang)
    if aspect == "grade":
        return getattr(pack.grades[value], lang) if value in pack.grades else "—"
    kind = "category" if aspect == "categories" else "principle"
    sep = phrase(lang, "diff.principle_sep" if kind == "principle" else "table.list_sep")
    return sep.join(pack_name(pack, kind, v, lang) for v in value) or "—"


def _warnings(cmp: Comparison, lang: str) -> list[str]:
    """The chains' warnings (an incident outside a pack's period), each said once."""
    return list(dict.fromkeys(phrase(lang, "table.warning", text=getattr(w, lang))
                              for chain in cmp.chains if chain for w in chain.warnings))


def table(cmp: Comparison, packs: Sequence[RulePack], lang: str = "zh") -> Table:
    """The baseline beside each scenario, a row per person; the changes in the caption."""
    head, rows = _rows(cmp, packs, lang)
    t = Table(title=phrase(lang, "diff.title", incident=cmp.incident), title_justify="left")
    for col in head:
        t.add_column(col, overflow="fold")
    for row in rows:
        t.add_row(*row)
    t.caption = "\n".join([*_warnings(cmp, lang), *(phrase(lang, "diff.caption_line", scenario=n, line=line)
                                                      for n, d, c, p in zip(cmp.names[1:], cmp.diffs, cmp.chains[1:],
                                                                            packs[1:])
                                                      for line in _summary(d, c, p, lang))])
    t.caption_justify = "left"
    return t


def markdown(comparisons: Sequence[Comparison], packs: Sequence[RulePack], lang: str = "zh") -> str:
    out: list[str] = []
    for cmp in comparisons:
        head, rows = _rows(cmp, packs, lang)
        out += ["## " + phrase(lang, "diff.title", incident=cmp.incident), ""]
        out += [line for w in _warnings(cmp, lang) for line in (f"> {w}", "")]
        out += ["| " + " | ".join(map(md_cell, head)) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(map(md_cell, r)) + " |" for r in rows]
        for n, d, c, p in zip(cmp.names[1:], cmp.diffs, cmp.chains[1:], packs[1:]):
            out += ["", f"### {n}", ""] + [f"- {line}" for line in _summary(d, c, p, lang)]
        out.append("")
    return "\n".join(out)
