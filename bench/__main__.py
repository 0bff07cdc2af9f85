"""Run every benchmark, ember and PyTorch alternating in one process, and print a table of
median times per op and their ratio (ember / torch, lower is better).

Usage: python -m bench [--repeats N] [--seconds S]
"""

import argparse
import statistics
import time

import torch

import ember
from bench import (
    autograd_overhead,
    cnn_step,
    dataloader_throughput,
    lstm_step,
    mlp_step,
    per_op_overhead,
)

BENCHMARKS = [per_op_overhead, autograd_overhead, cnn_step, lstm_step, mlp_step.SGD_MOMENTUM,
              mlp_step.ADAM, dataloader_throughput.WORKERS_0, dataloader_throughput.WORKERS_2]


def _time_per_op(step, ops_per_step: int, seconds: float) -> float:
    """Microseconds per op, from as many steps as fit in about ``seconds``."""
    count = 1
    while True:
        start = time.perf_counter()
        for _ in range(count):
            step()
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return elapsed / (count * ops_per_step) * 1e6
        count *= 2


def run(benchmark, repeats: int, seconds: float) -> dict:
    steps = {"ember": benchmark.make_step(ember), "torch": benchmark.make_step(torch)}
    times = {"ember": [], "torch": []}
    for _ in range(repeats):
        for name, step in steps.items():
            times[name].append(_time_per_op(step, benchmark.OPS_PER_STEP, seconds))
    ember_time = statistics.median(times["ember"])
    torch_time = statistics.median(times["torch"])
    return {"benchmark": benchmark.NAME, "ember_us": ember_time, "torch_us": torch_time,
            "ratio": ember_time / torch_time, "target": benchmark.TARGET}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed rounds per framework")
    parser.add_argument("--seconds", type=float, default=0.2, help="length of one round")
    args = parser.parse_args()
    header = f"{'benchmark':52} {'ember us/op':>12} {'torch us/op':>12} {'ratio':>7} {'target':>7}"
    print(header)
    print("-" * len(header))
    for benchmark in BENCHMARKS:
        row = run(benchmark, args.repeats, args.seconds)
        print(f"{row['benchmark']:52} {row['ember_us']:12.2f} {row['torch_us']:12.2f} "
              f"{row['ratio']:7.2f} {row['target']:7.2f}")


if __name__ == "__main__":
    main()
