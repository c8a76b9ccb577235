#!/usr/bin/env python3
"""Summarise bench/pipeline.sh output: medians (ranges) of s/epoch and clips/s, and the ratios to Java."""
import json
import statistics
import sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]


def med(xs):
    return f"{statistics.median(xs):.2f} ({min(xs):.2f}-{max(xs):.2f})" if xs else "-"


def pick(name, f):
    return [f(r) for r in rows if r["pipeline"] == name]


clips = rows[0]["clips"]
java_wall = pick("java_train", lambda r: r["wall_s"])
java_epoch = pick("java_train", lambda r: r["metrics"]["seconds"])
java_wait = [w for w in pick("java_train", lambda r: r["metrics"].get("loader_wait_s")) if w is not None]
pyav_wall = pick("pytorch_pyav_train", lambda r: r["wall_s"])
pyav_epoch = pick("pytorch_pyav_train", lambda r: r["result"]["epoch_s"])
pyav_wait = pick("pytorch_pyav_train", lambda r: r["result"]["loader_wait_s"])
png_wall = pick("pytorch_png_train", lambda r: r["wall_s"])
png_total = pick("pytorch_png_train", lambda r: r["result"]["epoch_plus_extract_s"])
png_extract = pick("pytorch_png_train", lambda r: r["result"]["extract_s"])
jp = pick("java_predict", lambda r: r["wall_s"])
pp = pick("pytorch_predict", lambda r: r["wall_s"])
pp_in = pick("pytorch_predict", lambda r: r["result"]["predict_s"])
loads = [r["load"] for r in rows]
print(f"{clips} clips; load average 1-min during the runs: {min(loads):.1f}-{max(loads):.1f}")
print("| pipeline | epoch s (in-process) | whole command s | clips/s (whole command) |")
print("|---|---|---|---|")
java_wait_txt = f" (loader wait {med(java_wait)})" if java_wait else ""
print(f"| Java `train` | {med(java_epoch)}{java_wait_txt} | {med(java_wall)} | {clips / statistics.median(java_wall):.2f} |")
print(f"| PyTorch DataLoader + PyAV | {med(pyav_epoch)} (loader wait {med(pyav_wait)}) | {med(pyav_wall)} | {clips / statistics.median(pyav_wall):.2f} |")
if png_wall:
    print(f"| seed: PNG extraction + DataLoader | {med(png_total)} (extraction {med(png_extract)}) | {med(png_wall)} | {clips / statistics.median(png_wall):.2f} |")
print(f"| Java `predict` | - | {med(jp)} | {clips / statistics.median(jp):.2f} |")
print(f"| PyTorch eager predict loop | {med(pp_in)} | {med(pp)} | {clips / statistics.median(pp):.2f} |")
print()
print(f"PyAV DataLoader / Java, whole command: {statistics.median(pyav_wall) / statistics.median(java_wall):.2f}x; "
      f"epoch only: {statistics.median(pyav_epoch) / statistics.median(java_epoch):.2f}x")
if png_wall:
    print(f"seed PNG pipeline / Java, whole command: {statistics.median(png_wall) / statistics.median(java_wall):.2f}x")
print(f"PyTorch predict / Java predict, whole command: {statistics.median(pp) / statistics.median(jp):.2f}x")
