#!/usr/bin/env python3
"""Checks a TorchScript archive written by `timesformer export --torchscript` with plain PyTorch.

usage: check_torchscript.py MODEL.pt INPUT.safetensors EXPECTED.safetensors [ATOL]

Loads MODEL.pt with torch.jit.load, runs forward(pixel_values) and features(pixel_values) and compares them with
`logits` / `cls_feature` of EXPECTED (the fixture layout of shared/fixtures/timesformer). Prints the max
differences; exit 0 when both are within ATOL (default 1e-4). Needs only torch and numpy (safetensors read by hand).
"""
import json
import struct
import sys

import numpy as np
import torch

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "F16": np.float16}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        arr = np.frombuffer(data[8 + n + a:8 + n + b], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


def main():
    pt, inp, exp = sys.argv[1:4]
    atol = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-4
    m = torch.jit.load(pt)
    m.eval()
    x = read_safetensors(inp)["pixel_values"]
    e = read_safetensors(exp)
    with torch.no_grad():
        logits = m(x)
        feat = m.features(x)
    dl = (logits - e["logits"]).abs().max().item()
    df = (feat - e["cls_feature"]).abs().max().item()
    names = sorted(k for k, _ in m.named_parameters())
    print(f"logits max diff {dl:.3e}, cls_feature max diff {df:.3e}, {len(names)} parameters, e.g. {names[0]}")
    sys.exit(0 if dl <= atol and df <= atol else 1)


if __name__ == "__main__":
    main()
