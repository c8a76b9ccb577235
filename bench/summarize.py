#!/usr/bin/env python3
"""Summarise bench/compare.sh JSON lines into a Markdown table (stdlib only).

    python3 bench/summarize.py results.jsonl [more.jsonl ...]

One row per (shape, precision, threads, OMP_WAIT_POLICY, implementation); s/step is the median over rounds
of each run's median step, with the range over rounds; GFLOP/s uses the analytic count (3x forward).
"""
import json
import statistics
import sys
from collections import OrderedDict


def impl(r):
    if r["benchmark"] == "pytorch_reference":
        return "PyTorch " + r["torch"].split("+")[0]
    v = r.get("variant")
    return "Java" + (f" ({v})" if v else "") + f", OpenBLAS {r.get('blas_threads', '?')}"


def main():
    rows = OrderedDict()
    for path in sys.argv[1:]:
        for line in open(path):
            line = line.strip()
            if not line.startswith("{"):
                continue
            r = json.loads(line)
            key = (r["shape"], r["precision"], r["threads"], r.get("env_omp_wait_policy") or "default", impl(r))
            rows.setdefault(key, []).append(r)
    print("| shape | precision | threads | OMP_WAIT_POLICY | implementation | runs | s/step (median, range) "
          "| clips/s | GFLOP/s | matmul peak fp32 / bf16 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (shape, prec, th, pol, im), rs in rows.items():
        ms = [r["ms_per_step_median"] / 1e3 for r in rs]
        m = statistics.median(ms)
        gf = 3 * rs[0]["forward_gflop_per_clip"] * rs[0]["batch"] / m
        p32 = statistics.median(r["matmul_fp32_gflops"] for r in rs)
        p16 = statistics.median(r["matmul_bf16_gflops"] for r in rs)
        rng = f"{min(ms):.3g}-{max(ms):.3g}" if len(ms) > 1 else "-"
        print(f"| {shape} | {prec} | {th} | {pol} | {im} | {len(rs)} | {m:.3g} ({rng}) | {rs[0]['batch'] / m:.2f} "
              f"| {gf:.1f} | {p32:.0f} / {p16:.0f} |")


if __name__ == "__main__":
    main()
