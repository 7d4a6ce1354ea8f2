"""Worker processes, each with its own rule backend; a dead worker loses only the incident it died on."""
from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Iterable, Iterator

from engine.analyses.batch.items import Item, ItemResult, crashed, evaluate
from engine.analyses.whatif.evaluate import Evaluator
from engine.pack.backends import BACKENDS


def _serve(evaluator: Evaluator, backend_name: str, conn: Connection, inherited: list[Connection]) -> None:
    """A worker's life: its own backend (a durable Host is never shared), then chunks until None.

    Ctrl-C reaches every process of the terminal's group: the parent alone handles it
    (and stops the workers). A worker whose parent is gone ends at its next read or
    write on the pipe, quietly: for that it closes the parent's ends of the pipes a fork
    copied into it (its own and the other workers'), or no read would ever see the end.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for c in inherited:
        c.close()
    backend = BACKENDS[backend_name]()
    try:
        while (chunk := conn.recv()) is not None:
            conn.send([evaluate(evaluator, backend, item) for item in chunk])
    except (EOFError, OSError):
        return


@dataclass(frozen=True)
class _Task:
    seq: int  # the chunk's number
    items: list[Item]
    alone: bool = False  # one item of a chunk whose worker died: if this dies too, it is reported


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    task: _Task | None = None


class Pool:
    """Worker processes fed one chunk each at a time, so the chunk a dead worker held is known."""

    def __init__(self, evaluator: Evaluator, backend: str, workers: int):
        methods = multiprocessing.get_all_start_methods()
        self.mp = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.evaluator, self.backend, self.size = evaluator, backend, workers
        self.workers: list[_Worker] = []

    def _start(self) -> _Worker:
        here, there = self.mp.Pipe()
        inherited = [here, *(w.conn for w in self.workers)] if self.mp.get_start_method() == "fork" else []
        p = self.mp.Process(target=_serve, args=(self.evaluator, self.backend, there, inherited), daemon=True)
        p.start()
        there.close()
        return _Worker(p, here)

    def map(self, chunks: Iterable[list[Item]]) -> Iterator[list[ItemResult]]:
        """Each chunk's outcomes, in the order of the chunks."""
        source = (_Task(seq, items) for seq, items in enumerate(chunks))
        retry: deque[_Task] = deque()
        done: dict[int, list[ItemResult]] = {}  # chunk → outcomes so far
        missing: dict[int, int] = {}  # chunk → items not yet resolved
        following = 0
        self.workers = []
        for _ in range(self.size):  # one by one: each new worker closes the pipes of those before it
            self.workers.append(self._start())
        try:
            while True:
                for w in self.workers:
                    if w.task is None:
                        w.task = retry.popleft() if retry else next(source, None)
                        if w.task is not None:
                            missing.setdefault(w.task.seq, len(w.task.items))
                            w.conn.send(w.task.items)
                busy = [w for w in self.workers if w.task is not None]
                if not busy:
                    return
                ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
                for w in busy:
                    if w.conn in ready or w.process.sentinel in ready:
                        task, w.task = w.task, None
                        try:
                            outcomes = w.conn.recv()
                        except (EOFError, OSError):
                            outcomes = self._replace(w, task, retry)
                        done.setdefault(task.seq, []).extend(outcomes)
                        missing[task.seq] -= len(outcomes)
                while missing.get(following) == 0:
                    del missing[following]
                    yield sorted(done.pop(following), key=lambda o: o.line)
                    following += 1
        except BaseException:  # an error, Ctrl-C, SIGTERM, or the consumer gone: nothing more is wanted
            self._stop(now=True)
            raise
        self._stop()

    def _replace(self, w: _Worker, task: _Task, retry: deque[_Task]) -> list[ItemResult]:
        """A worker died on this task: start another; redo the items one by one, or report the lone one."""
        w.process.join()
        code = w.process.exitcode
        w.conn.close()
        fresh = self._start()
        w.process, w.conn = fresh.process, fresh.conn
        if task.alone:
            return [crashed(task.items[0], code)]
        retry.extendleft(_Task(task.seq, [item], alone=True) for item in reversed(task.items))
        return []

    def _stop(self, now: bool = False) -> None:
        """Workers told to end (or killed, ``now``) and waited for."""
        for w in self.workers:
            if now:
                w.process.kill()
                continue
            try:
                w.conn.send(None)
            except OSError:  # already gone
                pass
        for w in self.workers:
            w.process.join(timeout=10)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()


def chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


