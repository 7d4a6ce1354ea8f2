"""Names are data, never markup: escaped in Mermaid, DOT and Markdown, refused where they would break a line."""
from __future__ import annotations

import re

import pydot
import pytest

from engine.chain.trace import Tracer
from engine.outputs import diagram
from engine.outputs.report import markdown
from engine.pack.backends import PythonBackend
from facts.errors import FactError
from facts.load import load_facts
from tests.conftest import EXAMPLE

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pydot.dot_parser")

HOSTILE = 'A"]-->x[<img src=x onerror=alert(1)>|#quot;&`B'
INCIDENT = "inc-2023-02"


@pytest.fixture(scope="module")
def hostile(pack):
    """The example town with the first person of the incident's chain renamed, and a band title on two lines."""
    facts = load_facts([EXAMPLE])
    first = Tracer(facts, pack, PythonBackend()).trace(next(i for i in facts.incidents if i.id == INCIDENT)).links[0]
    people = [p.model_copy(update={"name": HOSTILE}) if p.id == first.person else p for p in facts.people]
    tiers = [t.model_copy(update={"zh": t.zh + "\n%% injected"}) for t in pack.tiers]
    tracer = Tracer(facts.model_copy(update={"people": people}), pack.model_copy(update={"tiers": tiers}),
                    PythonBackend())
    return tracer, tracer.trace(tracer.incidents[INCIDENT])


def test_mermaid_escapes_every_character_that_ends_a_label_or_starts_markup(hostile, pack):
    tracer, chain = hostile
    text = diagram.render([chain], tracer.pack, tracer.graph, "mermaid")
    plain = Tracer(load_facts([EXAMPLE]), pack, PythonBackend())
    benign = diagram.render([plain.trace(plain.incidents[INCIDENT])], pack, plain.graph, "mermaid")
    assert len(text.splitlines()) == len(benign.splitlines())  # no line injected
    assert "A#quot;]--#gt;x[#lt;img src=x onerror=alert(1)#gt;|#35;quot;#amp;#96;B" in text
    assert "<img" not in text and "%% injected" not in text.replace(" %% injected", "")
    for line in text.splitlines():  # every label is one quoted string: quotes pair up
        assert line.count('"') % 2 == 0, line


def test_dot_keeps_the_name_as_one_label(hostile):
    tracer, chain = hostile
    (graph,) = pydot.graph_from_dot_data(diagram.render([chain], tracer.pack, tracer.graph, "dot"))
    labels = [n.get_label() for n in graph.get_node_list() + [n for s in graph.get_subgraph_list()
                                                                for n in s.get_node_list()]]
    assert any(HOSTILE.replace('"', '\\"') in (label or "") for label in labels)


def test_a_markdown_table_row_keeps_its_six_cells(hostile):
    tracer, chain = hostile
    report = markdown([chain], tracer.pack, tracer.graph, "zh")
    row = next(line for line in report.splitlines() if line.startswith("| 1 |"))
    assert len(re.findall(r"(?<!\\)\|", row)) == 7
    assert "&lt;img src=x onerror=alert(1)&gt;" in row and "<img" not in row


def test_a_line_break_in_a_name_is_refused_at_load(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text('people:\n  - {id: z, name: "张三\\n## 注入"}\n', encoding="utf-8")
    with pytest.raises(FactError, match="holds a line break; write it on one line"):
        load_facts([path])
