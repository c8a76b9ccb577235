#!/usr/bin/env python3
"""Java / PyTorch ratio table from bench/compare.sh (or bench/table.sh) JSON lines (stdlib only).

    python3 bench/ratios.py results.jsonl [more.jsonl ...]

One row per (shape, mode, precision, threads). Times are the median over rounds of each run's median step
(range over rounds); the ratio is Java time / PyTorch time per round (interleaved pairs), median and range.
MFU = achieved GFLOP/s (3x forward FLOPs for train, 1x for eval) / the same process's measured matmul peak
of that precision. Load = the 1-minute load average before each run (2 cores: above ~3 the figure is noisy).
"""
import json
import statistics
import sys
from collections import OrderedDict


def fmt(xs, p=3):
    m = statistics.median(xs)
    return f"{m:.{p}g}" + (f" ({min(xs):.{p}g}-{max(xs):.{p}g})" if len(xs) > 1 else "")


def main():
    groups = OrderedDict()
    for path in sys.argv[1:]:
        for line in open(path):
            if not line.startswith("{"):
                continue
            r = json.loads(line)
            key = (r["shape"], r.get("mode", "train"), r["precision"], r["threads"])
            side = "py" if r["benchmark"] == "pytorch_reference" else "java"
            groups.setdefault(key, {"java": {}, "py": {}})[side][r["round"]] = r
    print("| shape | mode | precision | threads | Java s/step | PyTorch s/step | Java / PyTorch | MFU Java | MFU PyTorch "
          "| peak RSS MiB Java / PyTorch | BLAS | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (shape, mode, prec, th), g in groups.items():
        j, p = g["java"], g["py"]
        if not j or not p:
            continue
        jt = [r["ms_per_step_median"] / 1e3 for r in j.values()]
        pt = [r["ms_per_step_median"] / 1e3 for r in p.values()]
        ratios = [j[k]["ms_per_step_median"] / p[k]["ms_per_step_median"] for k in j if k in p]
        peak = "matmul_bf16_gflops" if prec == "bf16" else "matmul_fp32_gflops"
        mj = [100 * r["achieved_gflops"] / r[peak] for r in j.values()]
        mp = [100 * r["achieved_gflops"] / r[peak] for r in p.values()]
        rss = f"{statistics.median(r.get('peak_rss_mib', -1) for r in j.values()):.0f} / " \
              f"{statistics.median(r.get('peak_rss_mib', -1) for r in p.values()):.0f}"
        loads = [r.get("load", float("nan")) for r in list(j.values()) + list(p.values())]
        blas = next(iter(j.values())).get("blas", "?")
        print(f"| {shape} | {mode} | {prec} | {th} | {fmt(jt)} | {fmt(pt)} | {fmt(ratios, 2)} | {fmt(mj, 2)} % "
              f"| {fmt(mp, 2)} % | {rss} | {blas} | {min(loads):.1f}-{max(loads):.1f} |")


if __name__ == "__main__":
    main()
