"""Timed rounds of one library's step, in a process of the library's own.

Note [One process per library]
Both libraries hand matrix products to thread pools whose threads keep spinning for a while
after each product, waiting for the next one (PyTorch's OpenMP threads, OpenBLAS's). With
both libraries in one process, the threads of the one that ran last hold the second core
while the other's next round starts: on this 2-core machine the MLP step of whichever
library ran second took up to a third longer than when timed alone. So each library builds
and runs its step in a process of its own, which imports only that library; the parent
still alternates the rounds, one library at a time, so that a slow spell of a shared
machine falls on both.

Across processes the spinning still costs: OpenBLAS's threads spin for about 0.1 s after a
product, and a torch matrix product started meanwhile in the other process ran at its
one-thread speed (1.8 ms instead of 1.05 ms for 256x784 by 784x512). So each round starts
``SETTLE_SECONDS`` after the previous one ended, when the last library's threads sleep.
"""

from __future__ import annotations

import importlib
import multiprocessing
import time


def seconds_per_op(step, ops_per_step: int, seconds: float) -> float:
    """Seconds per op, from as many steps as fit in about ``seconds``."""
    count = 1
    while True:
        start = time.perf_counter()
        for _ in range(count):
            step()
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return elapsed / (count * ops_per_step)
        count *= 2


def _find(module_name: str, key: str):
    """The benchmark ``key`` of module ``module_name``: the module itself or one of its
    attributes (a module may hold several, as mlp_step does)."""
    module = importlib.import_module(module_name)
    if getattr(module, "KEY", None) == key:
        return module
    return next(value for value in vars(module).values() if getattr(value, "KEY", None) == key)


def _serve(connection, module_name: str, key: str, library: str) -> None:
    try:
        benchmark = _find(module_name, key)
        step = benchmark.make_step(importlib.import_module(library))
        connection.send(None)
        while (seconds := connection.recv()) is not None:
            connection.send(seconds_per_op(step, benchmark.OPS_PER_STEP, seconds))
    except Exception as error:  # the parent raises it, and the table notes it
        connection.send(error)


SETTLE_SECONDS = 0.25


class Rounds:
    """One process per library (see Note [One process per library]) running ``benchmark``'s
    step; ``time(library, seconds)`` runs one round there and returns seconds per op."""

    def __init__(self, benchmark, libraries) -> None:
        context = multiprocessing.get_context("spawn")  # nothing of this process's libraries
        self._connections, self._processes = {}, []
        self._settled_at = 0.0
        try:
            for library in libraries:
                here, there = context.Pipe()
                process = context.Process(
                    target=_serve, args=(there, benchmark.make_step.__module__,
                                         benchmark.KEY, library))
                process.start()
                self._processes.append(process)
                self._connections[library] = here
            for connection in self._connections.values():
                self._answer(connection)
        except BaseException:
            self.close()
            raise

    @staticmethod
    def _answer(connection):
        answer = connection.recv()
        if isinstance(answer, Exception):
            raise answer
        return answer

    def time(self, library: str, seconds: float) -> float:
        time.sleep(max(0.0, self._settled_at - time.perf_counter()))
        connection = self._connections[library]
        connection.send(seconds)
        try:
            return self._answer(connection)
        finally:
            self._settled_at = time.perf_counter() + SETTLE_SECONDS

    def close(self) -> None:
        for connection in self._connections.values():
            try:
                connection.send(None)
            except OSError:  # that process has ended already
                pass
        for process in self._processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
