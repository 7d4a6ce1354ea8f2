"""A batch under faults: hostile lines, a bad --out, a second run, Ctrl-C, SIGTERM and SIGKILL mid-run.

Whatever happens, every line ends as a chain or an error record, and DIR holds the
previous run's four files or the new run's, byte for byte, never a mix.
"""
from __future__ import annotations

import csv
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from engine.analyses.batch.outputs import OUTPUTS
from engine.analyses.batch.run import run_batch
from tests.conftest import EXAMPLE, ROOT

BATCH = EXAMPLE.parent / "tongchuan-batch" / "incidents.jsonl"
SCENARIOS = EXAMPLE.parent / "scenarios"
LINES = BATCH.read_bytes().splitlines()


def outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def errors(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]


def baseline_ids(out: Path) -> list[str]:
    return [c["incident"] for c in map(json.loads, (out / "chains.jsonl").read_text(encoding="utf-8").splitlines())
            if c["scenario"] == "baseline"]


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.") and
                  not p.name.endswith(".lock"))


def test_every_line_whatever_its_bytes_ends_as_a_chain_or_an_error(pack, tmp_path):
    """Each of these lines used to stop the whole batch, and nothing was written."""
    hostile = [
        b'{"id": "gbk", "site": "\xd5\xc5\xc8\xfd"}',  # GBK bytes inside a JSON string
        b"[" * 100_000 + b"]" * 100_000,
        b'{"id": "big", "deaths": ' + b"9" * 5000 + b"}",
        b'{"id": "surrogate", "description": "\\ud800"}',
        b'{"id": "nan", "deaths": NaN}',
        b'{"id": "twice", "site": "a", "site": "b"}',
        b'{"id": "long", "description": "' + b"x" * (2 << 20) + b'"}',
        b'{"id": "nul\x00"}',
        b"null",  # valid JSON, and not an incident: it was skipped as if blank
    ]
    rows = [b"\xef\xbb\xbf" + LINES[0], *hostile, LINES[1]]
    incidents = tmp_path / "incidents.jsonl"
    incidents.write_bytes(b"\n".join(rows) + b"\n")
    out = tmp_path / "out"
    r = run_batch([EXAMPLE], incidents, pack, out, workers=2, backend="durable")
    assert (r.lines, r.evaluated, r.failed_input, r.failed_internal) == (11, 2, 9, 0)
    assert baseline_ids(out) == ["inc-2022-01", "inc-2022-02"]
    assert [(e["line"], e["message"]) for e in errors(out)] == [
        (2, "is not UTF-8 (byte 0xd5 at column 24); it looks like GBK, as Chinese Windows tools save text"),
        (3, "nested more than 32 levels deep"),
        (4, "column 25: an integer of 5000 digits (at most 30)"),
        (5, "at 'description': a lone surrogate (half of a broken character) U+D800 in '\\ud800'"),
        (6, "column 25: NaN is not a JSON value"),
        (7, "column 17 and column 30: the key 'site' appears twice in one object (JSON readers keep only the last)"),
        (8, "the line is longer than 1,048,576 bytes"),
        (9, "column 12: not valid JSON: Invalid control character at"),
        (10, "must be a JSON object (one incident)"),
    ]


def test_an_incidents_file_in_utf16_with_a_bom_is_read(pack, tmp_path):
    incidents = tmp_path / "incidents.jsonl"
    incidents.write_bytes(b"\n".join(LINES[:3]).decode("utf-8").encode("utf-16") + "\n".encode("utf-16-le"))
    r = run_batch([EXAMPLE], incidents, pack, tmp_path / "out", workers=0, backend="python")
    assert (r.lines, r.evaluated, r.exit_code) == (3, 3, 0)


def test_formula_cells_are_neutralised_in_diff_csv(pack, tmp_path):
    """A scenario named =HYPERLINK(…) landed in diff.csv as a live formula."""
    s = tmp_path / "s.yaml"
    s.write_text('name: =HYPERLINK("http://x")\nchanges:\n  - disable_rules: [stationed_cadre]\n', encoding="utf-8")
    incidents = tmp_path / "incidents.jsonl"
    incidents.write_bytes(b"\n".join(LINES[:3]) + b"\n")
    run_batch([EXAMPLE], incidents, pack, tmp_path / "out", [str(s)], workers=0, backend="python")
    with (tmp_path / "out" / "diff.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows and {r["scenario"] for r in rows} == {"'=HYPERLINK(\"http://x\")"}


@pytest.mark.parametrize("case", ["a file", "a folder holding other files", "a folder under a file"])
def test_a_bad_out_is_exit_2_naming_it(tmp_path, case):
    out = tmp_path / "out"
    if case == "a file":
        out.write_text("x")
        expected = "is a file"
    elif case == "a folder holding other files":
        out.mkdir()
        (out / "notes.docx").write_text("mine")
        expected = "holds other files than a batch's outputs (notes.docx); the folder is replaced as a whole"
    else:
        (tmp_path / "plain").write_text("x")
        out = tmp_path / "plain" / "out"
        expected = "cannot write in"
    r = CliRunner().invoke(cli, ["batch", "--org", str(EXAMPLE), "--incidents", str(BATCH), "--out", str(out),
                                 "--workers", "0"])
    assert r.exit_code == 2 and expected in r.output and "Traceback" not in r.output
    if case == "a folder holding other files":
        assert (out / "notes.docx").read_text() == "mine"


def test_a_second_batch_on_the_same_out_is_refused_while_one_runs(tmp_path):
    out = tmp_path / "out"
    lock = os.open(tmp_path / ".out.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        os.pwrite(lock, b"4242", 0)
        r = CliRunner().invoke(cli, ["batch", "--org", str(EXAMPLE), "--incidents", str(BATCH), "--out", str(out),
                                     "--workers", "0"])
    finally:
        os.close(lock)
    assert (r.exit_code, r.output) == (2, f"error: --out {out}: another wenze batch (process 4242) is writing to it; "
                                          "wait for it to finish, or give another --out\n")
    assert not out.exists()


def test_what_an_earlier_version_left_behind_is_removed(pack, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".chains.jsonl.x1y2.tmp").write_text("half")
    incidents = tmp_path / "incidents.jsonl"
    incidents.write_bytes(LINES[0] + b"\n")
    run_batch([EXAMPLE], incidents, pack, out, workers=0, backend="python")
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)


# -- killed mid-run ----------------------------------------------------------------------------

def many_incidents(path: Path, copies: int) -> Path:
    """The example's 30 incidents, ``copies`` times over with new ids: a run of several seconds."""
    rows = []
    for n in range(copies):
        for line in LINES:
            record = json.loads(line)
            rows.append(json.dumps({**record, "id": f"{record['id']}-{n}"}, ensure_ascii=False))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def start(incidents: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cli", "batch", "--org", str(EXAMPLE), "--incidents",
                             str(incidents), "--scenario", str(SCENARIOS / "no-stationed.yaml"), "--workers", "2",
                             "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def mid_run(out: Path, proc: subprocess.Popen) -> None:
    """Wait until the run has written chains into its new folder (it is evaluating, not loading)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if any((p / "chains.jsonl").exists() and (p / "chains.jsonl").stat().st_size > 50_000
               for p in out.parent.glob(f".{out.name}.new-*")):
            return
        time.sleep(0.05)
    pytest.fail("the batch never got going")


def group_gone(pgid: int, timeout: float = 30) -> bool:
    """Every process of the run (the parent and its workers) has ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def previous(pack, tmp_path):
    """An output folder from an earlier, finished run, and its bytes."""
    out = tmp_path / "out"
    incidents = tmp_path / "first.jsonl"
    incidents.write_bytes(b"\n".join(LINES[:4]) + b"\n")
    run_batch([EXAMPLE], incidents, pack, out, workers=0)
    return out, outputs(out)


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT"])
def test_sigterm_or_ctrl_c_stops_quietly_and_leaves_the_previous_outputs_whole(tmp_path, previous, how):
    out, before = previous
    proc = start(many_incidents(tmp_path / "many.jsonl", 60), out)
    mid_run(out, proc)
    second = CliRunner().invoke(cli, ["batch", "--org", str(EXAMPLE), "--incidents", str(BATCH), "--out", str(out)])
    assert second.exit_code == 2 and f"another wenze batch (process {proc.pid})" in second.output
    if how == "SIGTERM":
        proc.send_signal(signal.SIGTERM)
    else:  # Ctrl-C: the terminal signals the whole foreground group, workers too
        os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert (proc.returncode, stdout, stderr.decode()) == (
        130, b"", f"interrupted: {how}; {out} is as it was before this run\n")
    assert group_gone(proc.pid)
    assert outputs(out) == before
    assert leftovers(out) == []


def test_sigkill_mid_run_leaves_the_previous_outputs_and_the_next_run_tidies_up(pack, tmp_path, previous):
    out, before = previous
    proc = start(many_incidents(tmp_path / "many.jsonl", 60), out)
    mid_run(out, proc)
    proc.kill()
    proc.communicate(timeout=60)
    assert group_gone(proc.pid), "the workers outlived their parent"
    assert outputs(out) == before
    assert len(leftovers(out)) == 1  # the killed run's half-written folder
    incidents = tmp_path / "next.jsonl"
    incidents.write_bytes(LINES[5] + b"\n")
    run_batch([EXAMPLE], incidents, pack, out, workers=0)
    assert baseline_ids(out) == [json.loads(LINES[5])["id"]]
    assert leftovers(out) == []
