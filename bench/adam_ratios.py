#!/usr/bin/env python3
"""Ratio table from bench/compare_adam.sh JSON lines (stdlib only).

    python3 bench/adam_ratios.py results.jsonl [more.jsonl ...]

One row per (shape, mode, precision, threads). Times: the median over rounds of each run's median step
(range over rounds). Ratios are per round (interleaved), median and range: Java over PyTorch's default Adam,
Java over PyTorch's fused=True Adam, and Java over the baseline jar where one ran. MFU = achieved
GFLOP/s (3x forward FLOPs for train) / the same process's matmul peak of that precision (--matmul-size > 0).
"""
import json
import statistics
import sys
from collections import OrderedDict

import ratios  # bench/ratios.py, next to this script

IMPLS = ("java", "java-baseline", "pytorch-default", "pytorch-fused")


def fmt(xs, p=3):
    return ratios.fmt(xs, p) if xs else "-"


def main():
    groups = OrderedDict()
    for path in sys.argv[1:]:
        for line in open(path):
            if line.startswith("{"):
                r = json.loads(line)
                key = (r["shape"], r.get("mode", "train"), r["precision"], r["threads"])
                groups.setdefault(key, {i: {} for i in IMPLS})[r["impl"]][r["round"]] = r
    print("| shape | mode | precision | threads | Java s/step | baseline s/step | PyTorch default | PyTorch fused "
          "| Java / default | Java / fused | Java / baseline | peak RSS MiB Java / baseline / default / fused "
          "| MFU Java / default / fused |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (shape, mode, prec, th), g in groups.items():
        t = {i: [r["ms_per_step_median"] / 1e3 for r in g[i].values()] for i in IMPLS}

        def ratio(other):
            return [g["java"][k]["ms_per_step_median"] / g[other][k]["ms_per_step_median"]
                    for k in g["java"] if k in g[other]]

        rss = " / ".join(f"{statistics.median(r['peak_rss_mib'] for r in g[i].values()):.0f}" if g[i] else "-"
                         for i in IMPLS)
        peak = "matmul_bf16_gflops" if prec == "bf16" else "matmul_fp32_gflops"

        def mfu(i):
            xs = [100 * r["achieved_gflops"] / r[peak] for r in g[i].values()
                  if isinstance(r.get(peak), (int, float)) and r[peak] > 0]
            return f"{statistics.median(xs):.0f} %" if xs else "-"

        print(f"| {shape} | {mode} | {prec} | {th} | {fmt(t['java'])} | {fmt(t['java-baseline'])} "
              f"| {fmt(t['pytorch-default'])} | {fmt(t['pytorch-fused'])} | {fmt(ratio('pytorch-default'), 2)} "
              f"| {fmt(ratio('pytorch-fused'), 2)} | {fmt(ratio('java-baseline'), 2)} | {rss} "
              f"| {mfu('java')} / {mfu('pytorch-default')} / {mfu('pytorch-fused')} |")


if __name__ == "__main__":
    main()
