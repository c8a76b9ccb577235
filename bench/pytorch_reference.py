#!/usr/bin/env python3
"""PyTorch reference for `timesformer benchmark model` (optional; nothing in the Maven build needs it).

A plain PyTorch TimeSformer with divided space-time attention, built the same way as
io.timesformer4j.model.TimeSformer (Hugging Face shapes: fused qkv, SDPA, CLS token averaged over frames
after spatial attention), timed on the same training step: random clip -> forward -> cross entropy ->
backward -> Adam step. It prints the same figures as the Java command (median s/step, clips/s, analytic
GFLOP/s, matmul peak) so the two can be compared line by line.

    python bench/pytorch_reference.py --preset base --batch 2 --threads 2 --iters 3 [--precision bf16] [--json]

Needs only torch (CPU wheel).
"""
import argparse
import resource
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# (image_size, patch, frames, hidden, layers, heads, intermediate, labels): same as model/Presets.java
PRESETS = {
    "tiny": (32, 8, 4, 64, 2, 4, 256, 5),
    "seed": (224, 16, 16, 512, 12, 8, 2048, 400),
    "base": (224, 16, 8, 768, 12, 12, 3072, 400),
    "hr": (448, 16, 16, 768, 12, 12, 3072, 400),
    "l": (224, 16, 96, 768, 12, 12, 3072, 400),
}


class Config:
    def __init__(self, image, patch, frames, dim, layers, heads, inter, labels):
        self.image, self.patch, self.frames, self.dim = image, patch, frames, dim
        self.layers, self.heads, self.inter, self.labels = layers, heads, inter, labels
        self.channels = 3

    @property
    def patches(self):
        return (self.image // self.patch) ** 2

    def forward_flops_per_clip(self):
        """Same analytic count as TimesformerConfig.forwardFlopsPerClip (divided space-time)."""
        d, i, n, t = self.dim, self.inter, self.patches, self.frames
        flops = 2 * n * t * d * self.channels * self.patch * self.patch
        tokens = 1 + n * t
        temporal = 2 * n * t * d * 3 * d + n * 4 * t * t * d + 2 * n * t * d * d + 2 * n * t * d * d
        st = t * (n + 1)
        spatial = 2 * st * d * 3 * d + t * 4 * (n + 1) * (n + 1) * d + 2 * st * d * d
        per_block = temporal + spatial + 4 * tokens * d * i
        return flops + self.layers * per_block + 2 * d * self.labels

    def parameter_count(self):
        d, i, n = self.dim, self.inter, self.patches
        attn = 3 * d * d + 3 * d + d * d + d
        block = 2 * d + attn + 2 * d + (d * i + i) + (i * d + d) + 2 * d + attn + d * d + d
        emb = d + (n + 1) * d + self.channels * self.patch * self.patch * d + d + self.frames * d
        return emb + self.layers * block + 2 * d + d * self.labels + self.labels


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):                                   # (R, L, D) -> (R, L, D)
        r, l, d = x.shape
        q, k, v = self.qkv(x).reshape(r, l, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        a = F.scaled_dot_product_attention(q, k, v)         # (R, h, L, d/h)
        return self.proj(a.transpose(1, 2).reshape(r, l, d))


class Block(nn.Module):
    """Divided space-time block: temporal attention (+ temporal_fc), spatial attention with CLS, MLP."""

    def __init__(self, c):
        super().__init__()
        d = c.dim
        self.temporal_norm = nn.LayerNorm(d, eps=1e-6)
        self.temporal_attn = Attention(d, c.heads)
        self.temporal_fc = nn.Linear(d, d)
        self.norm1 = nn.LayerNorm(d, eps=1e-6)
        self.attn = Attention(d, c.heads)
        self.norm2 = nn.LayerNorm(d, eps=1e-6)
        self.fc1 = nn.Linear(d, c.inter)
        self.fc2 = nn.Linear(c.inter, d)

    def forward(self, x, b, t):                             # x (B, 1+N*T, D), tokens time-fastest
        d = x.shape[2]
        n = (x.shape[1] - 1) // t
        patches = x[:, 1:]
        res_t = self.temporal_attn(self.temporal_norm(patches.reshape(b * n, t, d))).reshape(b, n * t, d)
        xt = patches + self.temporal_fc(res_t)
        init_cls = x[:, :1]
        cls = init_cls.repeat(1, t, 1).reshape(b * t, 1, d)
        xs = torch.cat([cls, xt.reshape(b, n, t, d).permute(0, 2, 1, 3).reshape(b * t, n, d)], 1)
        res_s = self.attn(self.norm1(xs))                   # (B*T, 1+N, D)
        cls_res = res_s[:, 0].reshape(b, t, d).mean(1, keepdim=True)
        res = res_s[:, 1:].reshape(b, t, n, d).permute(0, 2, 1, 3).reshape(b, n * t, d)
        x = torch.cat([init_cls, xt], 1) + torch.cat([cls_res, res], 1)
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class TimeSformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        d = c.dim
        self.patch_embed = nn.Conv2d(c.channels, d, c.patch, stride=c.patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embed = nn.Parameter(torch.zeros(1, c.patches + 1, d))
        self.time_embed = nn.Parameter(torch.zeros(1, c.frames, d))
        self.blocks = nn.ModuleList([Block(c) for _ in range(c.layers)])
        self.norm = nn.LayerNorm(d, eps=1e-6)
        self.head = nn.Linear(d, c.labels)
        # official init: trunc_normal(.02) for Linear weights and cls/pos, zero biases, temporal_fc zero
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02, a=-0.04, b=0.04)
                nn.init.zeros_(m.bias)
        nn.init.trunc_normal_(self.cls_token, std=0.02, a=-0.04, b=0.04)
        nn.init.trunc_normal_(self.pos_embed, std=0.02, a=-0.04, b=0.04)
        for blk in self.blocks:
            nn.init.zeros_(blk.temporal_fc.weight)

    def forward(self, pixels):                              # (B, T, C, H, W)
        b, t, c, h, w = pixels.shape
        d = self.c.dim
        n = (h // self.c.patch) * (w // self.c.patch)
        x = self.patch_embed(pixels.reshape(b * t, c, h, w)).flatten(2).transpose(1, 2)   # (B*T, N, D)
        x = torch.cat([self.cls_token.expand(b * t, 1, d), x], 1) + self.pos_embed
        cls = x[:b, :1]
        tokens = x[:, 1:].reshape(b, t, n, d).permute(0, 2, 1, 3) + self.time_embed       # (B, N, T, D)
        x = torch.cat([cls, tokens.reshape(b, n * t, d)], 1)
        for blk in self.blocks:
            x = blk(x, b, t)
        return self.head(self.norm(x)[:, 0])


def matmul_peak(n, dtype):
    a, b = torch.randn(n, n).to(dtype), torch.randn(n, n).to(dtype)
    a @ b
    best, start = 0.0, time.perf_counter()
    for r in range(10):
        if r >= 3 and time.perf_counter() - start >= 1.0:
            break
        t0 = time.perf_counter()
        (a @ b).sum().item()
        best = max(best, 2.0 * n ** 3 / (time.perf_counter() - t0) / 1e9)
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="base", choices=sorted(PRESETS))
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--frames", type=int)
    p.add_argument("--image-size", type=int)
    p.add_argument("--hidden-size", type=int, help="override the preset's width (intermediate = 4x)")
    p.add_argument("--layers", type=int)
    p.add_argument("--heads", type=int)
    p.add_argument("--threads", type=int)
    p.add_argument("--iters", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16"])
    p.add_argument("--mode", default="train", choices=["train", "eval"],
                   help="train: forward + backward + Adam; eval: no-grad forward (model.eval(), inference_mode)")
    p.add_argument("--adam", default="default", choices=["default", "foreach", "fused"],
                   help="torch.optim.Adam implementation (default: PyTorch's choice, the for-loop one on CPU)")
    p.add_argument("--matmul-size", type=int, default=2048)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()

    if a.threads:
        torch.set_num_threads(a.threads)
    image, patch, frames, dim, layers, heads, inter, labels = PRESETS[a.preset]
    if a.hidden_size:
        dim, inter = a.hidden_size, 4 * a.hidden_size
    c = Config(a.image_size or image, patch, a.frames or frames, dim, a.layers or layers, a.heads or heads,
               inter, labels)
    torch.manual_seed(0)
    train = a.mode == "train"
    model = TimeSformer(c).train(train)
    kw = {} if a.adam == "default" else {a.adam: True}
    opt = torch.optim.Adam(model.parameters(), lr=1e-4, **kw)
    bf16 = a.precision == "bf16"
    print(f"pytorch reference: preset {a.preset} (divided_space_time, {c.frames} frames x {c.image} px, "
          f"{c.parameter_count():,} params), {a.mode}, batch {a.batch}, {a.precision}, {torch.get_num_threads()} threads, "
          f"torch {torch.__version__}, adam {a.adam}")
    ms = []
    for i in range(-a.warmup, a.iters):
        t0 = time.perf_counter()
        x = torch.randn(a.batch, c.frames, c.channels, c.image, c.image)
        y = torch.randint(c.labels, (a.batch,))
        if train:
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                logits = model(x)
            loss = F.cross_entropy(logits.float(), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss.item()
        else:
            with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                model(x).float().sum().item()
        dt = (time.perf_counter() - t0) * 1e3
        if i >= 0:
            ms.append(dt)
        print(f"  step {'warm-up' if i < 0 else i + 1}: {dt:.0f} ms", flush=True)
    median, mean = statistics.median(ms), statistics.fmean(ms)
    fwd = c.forward_flops_per_clip()
    clips_per_s = a.batch * 1000.0 / median
    achieved = (3 if train else 1) * fwd * clips_per_s / 1e9
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    peak32 = matmul_peak(a.matmul_size, torch.float32) if a.matmul_size > 0 else math.nan
    peak16 = matmul_peak(a.matmul_size, torch.bfloat16) if a.matmul_size > 0 else math.nan
    print(f"step: median {median:.1f} ms, mean {mean:.1f} ms  ->  {clips_per_s:.3f} clips/s")
    print(f"model FLOPs: {fwd / 1e9:.3f} GFLOP forward per clip, ~{3 * fwd / 1e9:.3f} GFLOP per training clip (3x)")
    print(f"achieved: {achieved:.2f} GFLOP/s ({'3x forward' if train else 'forward'} FLOPs)")
    print(f"peak RSS: {rss} MiB")
    if a.matmul_size > 0:
        n = a.matmul_size
        print(f"matmul {n}x{n} peak: fp32 {peak32:.1f} GFLOP/s, bf16 {peak16:.1f} GFLOP/s -> model at "
              f"{100 * achieved / (peak16 if bf16 else peak32):.1f}% of the {a.precision} peak")
    if a.json:
        print(json.dumps({
            "benchmark": "pytorch_reference", "torch": torch.__version__, "preset": a.preset,
            "attention": "divided_space_time", "frames": c.frames, "image_size": c.image, "hidden_size": c.dim,
            "layers": c.layers, "batch": a.batch, "precision": a.precision, "mode": a.mode, "peak_rss_mib": rss, "blas": "MKL (torch wheel)", "threads": torch.get_num_threads(),
            "adam": a.adam, "iters": a.iters, "parameters": c.parameter_count(), "ms_per_step_median": median,
            "ms_per_step_mean": mean, "clips_per_s": clips_per_s, "forward_gflop_per_clip": fwd / 1e9,
            "achieved_gflops": achieved, "matmul_fp32_gflops": peak32, "matmul_bf16_gflops": peak16}))


if __name__ == "__main__":
    main()
