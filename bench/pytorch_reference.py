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
    """Divided space-time block: temporal attention (+ temporal_fc), spatial attention with CLS, MLP.
    Joint / space-only blocks are plain ViT blocks (attention + MLP) on (B, 1+N*T, D) / (B*T, 1+N, D)."""

    def __init__(self, c):
        super().__init__()
        d = c.dim
        self.attention = getattr(c, "attention", "divided_space_time")
        if self.attention == "divided_space_time":
            self.temporal_norm = nn.LayerNorm(d, eps=1e-6)
            self.temporal_attn = Attention(d, c.heads)
            self.temporal_fc = nn.Linear(d, d)
        self.norm1 = nn.LayerNorm(d, eps=1e-6)
        self.attn = Attention(d, c.heads)
        self.norm2 = nn.LayerNorm(d, eps=1e-6)
        self.fc1 = nn.Linear(d, c.inter)
        self.fc2 = nn.Linear(c.inter, d)

    def forward(self, x, b, t):                             # x (B, 1+N*T, D), tokens time-fastest
        if self.attention != "divided_space_time":
            x = x + self.attn(self.norm1(x))
            return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))
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
    """Options (defaults = official): c.tubelet (frames per token, Conv3d patch embedding when > 1),
    c.input_transform (none | temporal_residual | frame_difference, applied first in forward),
    c.attention (divided_space_time | joint_space_time | space_only), c.init (official | scratch:
    temporal_fc and time embeddings trunc-normal 0.02 instead of zero), c.conv_stem (widths of Conv3d 3x3x3 +
    GroupNorm(1) + GELU layers before the patch projection, the first two of stride (1, 2, 2)), c.pooling (cls |
    mean: LayerNorm of the mean patch token), as io.timesformer4j.model."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        d = c.dim
        self.tubelet = getattr(c, "tubelet", 1)
        self.attention = getattr(c, "attention", "divided_space_time")
        self.input_transform = getattr(c, "input_transform", "none")
        self.pooling = getattr(c, "pooling", "cls")
        widths = list(getattr(c, "conv_stem", []) or [])
        stem, cin = [], c.channels
        for i, w in enumerate(widths):
            stem += [nn.Conv3d(cin, w, 3, stride=(1, 2, 2) if i < 2 else 1, padding=1), nn.GroupNorm(1, w), nn.GELU()]
            cin = w
        self.stem = nn.Sequential(*stem) if stem else None
        q = c.patch // (2 ** min(2, len(widths)))          # projection kernel on the stem's map
        if self.tubelet == 1:
            self.patch_embed = nn.Conv2d(cin, d, q, stride=q)
        else:
            self.patch_embed = nn.Conv3d(cin, d, (self.tubelet, q, q), stride=(self.tubelet, q, q))
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embed = nn.Parameter(torch.zeros(1, c.patches + 1, d))
        if self.attention != "space_only":
            self.time_embed = nn.Parameter(torch.zeros(1, c.frames // self.tubelet, d))
        self.blocks = nn.ModuleList([Block(c) for _ in range(c.layers)])
        self.norm = nn.LayerNorm(d, eps=1e-6)
        self.head = nn.Linear(d, c.labels)
        # official init: trunc_normal(.02) for Linear weights and cls/pos, zero biases, temporal_fc zero
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02, a=-2, b=2)
                nn.init.zeros_(m.bias)
        nn.init.trunc_normal_(self.cls_token, std=0.02, a=-2, b=2)
        nn.init.trunc_normal_(self.pos_embed, std=0.02, a=-2, b=2)
        if getattr(c, "init", "official") == "official":
            for blk in self.blocks:
                if self.attention == "divided_space_time":
                    nn.init.zeros_(blk.temporal_fc.weight)
        elif self.attention != "space_only":
            nn.init.trunc_normal_(self.time_embed, std=0.02, a=-2, b=2)

    def transform(self, x):                                 # (B, T, C, H, W) -> same shape
        if self.input_transform == "temporal_residual":
            return x - x.mean(1, keepdim=True)
        if self.input_transform == "frame_difference":     # x[t+1] - x[t]; the last frame's difference is 0
            return torch.cat([x[:, 1:] - x[:, :-1], torch.zeros_like(x[:, :1])], 1)
        return x

    def forward(self, pixels):                              # (B, T, C, H, W)
        pixels = self.transform(pixels)
        b, t, c, h, w = pixels.shape
        d = self.c.dim
        n = (h // self.c.patch) * (w // self.c.patch)
        if self.stem is not None:                           # (B, T, C, H, W) -> (B, T, W, H/S, W/S)
            pixels = self.stem(pixels.transpose(1, 2)).transpose(1, 2)
            b, t, c, h, w = pixels.shape
        if self.tubelet == 1:
            x = self.patch_embed(pixels.reshape(b * t, c, h, w)).flatten(2).transpose(1, 2)   # (B*T, N, D)
        else:
            t = t // self.tubelet                           # (B, C, T, H, W) -> (B, D, T', H', W')
            x = self.patch_embed(pixels.transpose(1, 2)).permute(0, 2, 3, 4, 1).reshape(b * t, n, d)
        x = torch.cat([self.cls_token.expand(b * t, 1, d), x], 1) + self.pos_embed   # (B*T, 1+N, D)
        if self.attention == "space_only":
            for blk in self.blocks:
                x = blk(x, b, t)
            x = x.reshape(b, t, n + 1, d).mean(1)           # (B, 1+N, D)
            return self.head(self.norm(x[:, 1:].mean(1)) if self.pooling == "mean" else self.norm(x)[:, 0])
        cls = x[:b, :1]
        tokens = x[:, 1:].reshape(b, t, n, d).permute(0, 2, 1, 3) + self.time_embed       # (B, N, T, D)
        x = torch.cat([cls, tokens.reshape(b, n * t, d)], 1)
        for blk in self.blocks:
            x = blk(x, b, t)
        if self.pooling == "mean":                          # the mean patch token (VideoMAE's head)
            return self.head(self.norm(x[:, 1:].mean(1)))
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
    rss_runtime = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024   # interpreter + torch imported
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
    rss_model = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024     # ... and the model built
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
    print(f"peak RSS: {rss} MiB (runtime loaded: {rss_runtime} MiB, model built: {rss_model} MiB)")
    if a.matmul_size > 0:
        n = a.matmul_size
        print(f"matmul {n}x{n} peak: fp32 {peak32:.1f} GFLOP/s, bf16 {peak16:.1f} GFLOP/s -> model at "
              f"{100 * achieved / (peak16 if bf16 else peak32):.1f}% of the {a.precision} peak")
    if a.json:
        print(json.dumps({
            "benchmark": "pytorch_reference", "torch": torch.__version__, "preset": a.preset,
            "attention": "divided_space_time", "frames": c.frames, "image_size": c.image, "hidden_size": c.dim,
            "layers": c.layers, "batch": a.batch, "precision": a.precision, "mode": a.mode, "peak_rss_mib": rss,
            "rss_runtime_mib": rss_runtime, "rss_model_mib": rss_model, "blas": "MKL (torch wheel)", "threads": torch.get_num_threads(),
            "adam": a.adam, "iters": a.iters, "parameters": c.parameter_count(), "ms_per_step_median": median,
            "ms_per_step_mean": mean, "clips_per_s": clips_per_s, "forward_gflop_per_clip": fwd / 1e9,
            "achieved_gflops": achieved, "matmul_fp32_gflops": peak32, "matmul_bf16_gflops": peak16}))

# ---------------------------------------------------------------------------------------------------------
# Training control: the same model and recipe as `timesformer train`, on the same decoded clips.

PARTNERS = {"left": "right", "right": "left", "up": "down", "down": "up", "cw": "ccw", "ccw": "cw",
            "grow": "shrink", "shrink": "grow"}


def load_clips(root, frames, short_side):
    """Class folders of videos -> (list of uint8 (T, H, W, 3), one per video, sizes may differ; labels; class
    names): PyAV decode (FFmpeg, swscale bilinear to the short side, as the Java decoder), TSN sampling (centre
    of each of T segments)."""
    import os
    import av
    import numpy as np
    classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    clips, labels = [], []
    for k, cls in enumerate(classes):
        for f in sorted(os.listdir(os.path.join(root, cls))):
            with av.open(os.path.join(root, cls, f)) as box:
                raw = [fr for fr in box.decode(video=0)]
            w, h = raw[0].width, raw[0].height
            s = short_side / min(w, h)
            ow, oh = max(1, round(w * s)), max(1, round(h * s))
            idx = [min(len(raw) - 1, int((i + 0.5) * len(raw) / frames)) for i in range(frames)]
            clips.append(np.stack([raw[i].reformat(width=ow, height=oh, format="rgb24",
                                                   interpolation="BILINEAR").to_ndarray() for i in idx]))
            labels.append(k)
    return [torch.from_numpy(c) for c in clips], torch.tensor(labels), classes


def crop_batch(clips, size, train, gen, min_scale):
    """B uint8 (T, H, W, 3) clips -> normalised float (B, T, 3, size, size): TRAIN a random-resized crop per clip
    (area min_scale..1, aspect 3/4..4/3, bilinear, no flip), VAL the centre square; mean 0.45, std 0.225."""
    out = []
    for clip in clips:
        v = clip.permute(0, 3, 1, 2).float() / 255.0        # (T, 3, H, W)
        h, w = v.shape[2], v.shape[3]
        if train:
            for _ in range(10):
                area = h * w * (min_scale + (1 - min_scale) * torch.rand(1, generator=gen).item())
                aspect = math.exp(math.log(3 / 4) + (math.log(4 / 3) - math.log(3 / 4)) * torch.rand(1, generator=gen).item())
                cw, ch = round(math.sqrt(area * aspect)), round(math.sqrt(area / aspect))
                if 1 <= cw <= w and 1 <= ch <= h:
                    x0 = int(torch.randint(w - cw + 1, (1,), generator=gen))
                    y0 = int(torch.randint(h - ch + 1, (1,), generator=gen))
                    break
            else:
                cw = ch = min(h, w)
                x0, y0 = (w - cw) // 2, (h - ch) // 2
        else:
            cw = ch = min(h, w)
            x0, y0 = (w - cw) // 2, (h - ch) // 2
        v = v[:, :, y0:y0 + ch, x0:x0 + cw]
        out.append(F.interpolate(v, size=(size, size), mode="bilinear", align_corners=False))
    return (torch.stack(out) - 0.45) / 0.225


def evaluate(model, clips, labels, classes, size, batch):
    """val accuracy, and the share of time-reversed clips predicted as the partner class."""
    model.eval()
    correct = partner = 0
    with torch.no_grad():
        for i in range(0, len(labels), batch):
            x = crop_batch(clips[i:i + batch], size, False, None, 1.0)
            y = labels[i:i + batch]
            correct += (model(x).argmax(1) == y).sum().item()
            pr = model(x.flip(1)).argmax(1)
            for p_, y_ in zip(pr.tolist(), y.tolist()):
                want = PARTNERS.get(classes[y_])
                partner += int(want is not None and classes[p_] == want)
    model.train()
    return correct / len(labels), partner / len(labels)


def train_main(a):
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    t0 = time.perf_counter()
    tr_x, tr_y, classes = load_clips(a.train_data, a.frames, a.image_size)
    va_x, va_y, vclasses = load_clips(a.val_data, a.frames, a.image_size)
    assert classes == vclasses, (classes, vclasses)
    image, patch, frames, dim, layers, heads, inter, _ = PRESETS[a.preset]
    c = Config(a.image_size, a.patch or patch, a.frames, a.hidden_size or dim, a.layers or layers,
               a.heads or heads, 4 * (a.hidden_size or dim) if a.hidden_size else inter, len(classes))
    c.tubelet, c.input_transform, c.attention, c.init = a.tubelet, a.input_transform, a.attention, a.init
    c.conv_stem = [int(w) for w in a.conv_stem.split(",") if w.strip() and int(w) > 0] if a.conv_stem else []
    c.pooling = a.pooling
    model = TimeSformer(c).train()
    # AdamW groups as Optimizers.java: no decay for ndim <= 1 and cls/pos/time embeddings
    decay = [p for n, p in model.named_parameters() if p.ndim > 1 and n not in ("cls_token", "pos_embed", "time_embed")]
    no_decay = [p for n, p in model.named_parameters() if not (p.ndim > 1 and n not in ("cls_token", "pos_embed", "time_embed"))]
    if a.optimizer == "adamw":
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay},
                                 {"params": no_decay, "weight_decay": 0.0}], lr=a.lr)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    steps_per_epoch = math.ceil(len(tr_y) / a.batch)
    total, warm = a.epochs * steps_per_epoch, a.warmup_epochs * steps_per_epoch

    def lr_at(step):                                        # LrSchedule.java: warm-up then cosine to 0
        if warm > 0 and step < warm:
            return a.lr * (step + 1) / warm
        if a.schedule == "constant":
            return a.lr
        prog = (step - warm) / max(1, total - warm)
        return a.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, prog)))

    gen = torch.Generator().manual_seed(a.seed)
    print(f"pytorch control: {len(tr_y)} train / {len(va_y)} val clips, {len(classes)} classes, {c.frames}x{c.image} "
          f"patch {c.patch} tubelet {c.tubelet} stem {c.conv_stem} {c.pooling} pooling {c.attention} {c.input_transform} "
          f"init {c.init}; "
          f"{a.optimizer} lr {a.lr} wd {a.weight_decay}, {a.epochs} epochs, batch {a.batch}; "
          f"decode {time.perf_counter() - t0:.1f} s", flush=True)
    step, t1, rows = 0, time.perf_counter(), []
    for epoch in range(1, a.epochs + 1):
        perm = torch.randperm(len(tr_y), generator=gen)
        tot = n = hit = 0
        for i in range(0, len(perm), a.batch):
            idx = perm[i:i + a.batch]
            x = crop_batch([tr_x[j] for j in idx.tolist()], a.image_size, True, gen, a.min_scale)
            y = tr_y[idx]
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            logits = model(x)
            loss = F.cross_entropy(logits, y, label_smoothing=a.label_smoothing)
            opt.zero_grad()
            loss.backward()
            if a.clip_grad > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip_grad)
            opt.step()
            step += 1
            tot += loss.item() * len(y)
            n += len(y)
            hit += (logits.argmax(1) == y).sum().item()
        va, rev = evaluate(model, va_x, va_y, classes, a.image_size, a.batch)
        row = {"epoch": epoch, "train_loss": tot / n, "train_acc": hit / n, "val_acc": va, "reversed_to_partner": rev,
               "seconds": time.perf_counter() - t1}
        rows.append(row)
        print(f"[{epoch}] loss: {tot / n:.4f}, train_acc: {hit / n:.3f}, val_acc: {va:.4f}, reversed->partner: {rev:.3f}"
              f"  ({row['seconds']:.0f} s)", flush=True)
    best = max(r["val_acc"] for r in rows)
    print(f"best val_acc {best:.4f}; final reversed->partner {rows[-1]['reversed_to_partner']:.3f}; "
          f"training {time.perf_counter() - t1:.0f} s")
    if a.metrics:
        with open(a.metrics, "w") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")


def train_args(argv):
    p = argparse.ArgumentParser(description="PyTorch training control (same model and recipe as `timesformer train`)")
    p.add_argument("--train-data", required=True)
    p.add_argument("--val-data", required=True)
    p.add_argument("--preset", default="tiny", choices=sorted(PRESETS))
    p.add_argument("--frames", type=int, default=8)
    p.add_argument("--image-size", type=int, default=32)
    p.add_argument("--patch", type=int)
    p.add_argument("--hidden-size", type=int)
    p.add_argument("--layers", type=int)
    p.add_argument("--heads", type=int)
    p.add_argument("--tubelet", type=int, default=1)
    p.add_argument("--input-transform", default="none", choices=["none", "temporal_residual", "frame_difference"])
    p.add_argument("--attention", default="divided_space_time",
                   choices=["divided_space_time", "joint_space_time", "space_only"])
    p.add_argument("--init", default="official", choices=["official", "scratch"])
    p.add_argument("--conv-stem", default="", help="stem widths, e.g. 32,32 (default: none)")
    p.add_argument("--pooling", default="cls", choices=["cls", "mean"])
    p.add_argument("--optimizer", default="adamw", choices=["adam", "adamw"])
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--schedule", default="cosine", choices=["cosine", "constant"])
    p.add_argument("--warmup-epochs", type=float, default=1)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--label-smoothing", type=float, default=0.0)
    p.add_argument("--clip-grad", type=float, default=1.0)
    p.add_argument("--min-scale", type=float, default=0.3)
    p.add_argument("--threads", type=int)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--metrics", help="write one JSON line per epoch here")
    return p.parse_args(argv)


if __name__ == "__main__":
    import sys
    if "--train-data" in sys.argv:
        train_main(train_args(sys.argv[1:]))
    else:
        main()
