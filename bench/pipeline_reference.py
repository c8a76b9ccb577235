#!/usr/bin/env python3
"""PyTorch reference pipelines for `bench/pipeline.sh`: one training epoch, or predict, from a folder of mp4 files.

Modes (same model, threads, batch, sampling and crops as `timesformer train --preset tiny --frames T --image-size S`):
  pyav  - a torch Dataset that decodes each mp4 with PyAV (sequentially, up to the last wanted frame), in a
          DataLoader with --workers processes;
  png   - the seed pipeline: first extract every frame at 30 fps to PNG (what `ffmpeg -i v.mp4 -vf fps=30
          frame%04d.png` does; done here with PyAV's decoder and PNG encoder, timed and included), then a Dataset
          that reads the sampled PNGs (torchvision.io.read_image when torchvision imports, else PyAV's PNG decoder);
  predict - eager no-grad forward of each file, one at a time, centre crop, as `timesformer predict`.
Prints one JSON line with wall times. Speed only: the weights are random (the official init), not trained.
"""
import argparse
import json
import math
import os
import random
import shutil
import sys
import time
from fractions import Fraction

import av
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_reference import Config, TimeSformer  # noqa: E402

try:
    from torchvision.io import read_image  # the seed's reader
except Exception:  # torchvision absent or built for another torch
    read_image = None

MEAN, STD = 0.45, 0.225


def videos(root):
    classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    out = []
    for ci, c in enumerate(classes):
        for f in sorted(os.listdir(os.path.join(root, c))):
            if f.lower().endswith((".mp4", ".avi", ".mkv", ".webm", ".mov")):
                out.append((os.path.join(root, c, f), ci))
    return classes, out


def tsn(n, t, rng):
    """TSN: one random frame in each of t equal segments (centre of each segment when rng is None)."""
    seg = n / t
    return [min(n - 1, int(seg * i + (seg / 2 if rng is None else rng.random() * seg))) for i in range(t)]


def frame_count(path):
    with av.open(path) as c:
        s = c.streams.video[0]
        if s.frames:
            return s.frames
        return sum(1 for _ in c.decode(video=0))


def decode_frames(path, idx):
    """Sequential decode up to the last wanted index; returns (T, H, W, 3) uint8."""
    want = sorted(set(idx))
    got = {}
    with av.open(path) as c:
        s = c.streams.video[0]
        s.thread_type = "AUTO"
        for i, fr in enumerate(c.decode(s)):
            if i in want:
                got[i] = fr.to_ndarray(format="rgb24")
            if i >= want[-1]:
                break
    last = got[max(got)]
    return np.stack([got.get(i, last) for i in idx])


def to_clip(frames, size, rng):
    """(T, H, W, 3) uint8 -> (T, 3, size, size) float: short side to size, random-resized crop
    (30-100 % area, aspect 3/4-4/3) in training (rng), centre crop otherwise; normalised."""
    x = torch.from_numpy(frames).permute(0, 3, 1, 2).float().div_(255)
    h, w = x.shape[2:]
    s = size / min(h, w)
    x = F.interpolate(x, size=(max(size, round(h * s)), max(size, round(w * s))), mode="bilinear", align_corners=False)
    h, w = x.shape[2:]
    if rng is not None:
        for _ in range(10):
            area = h * w * rng.uniform(0.3, 1.0)
            ar = math.exp(rng.uniform(math.log(3 / 4), math.log(4 / 3)))
            cw, ch = int(round(math.sqrt(area * ar))), int(round(math.sqrt(area / ar)))
            if 0 < cw <= w and 0 < ch <= h:
                break
        else:
            cw = ch = min(h, w)
        y0, x0 = rng.randint(0, h - ch), rng.randint(0, w - cw)
        x = F.interpolate(x[:, :, y0:y0 + ch, x0:x0 + cw], size=(size, size), mode="bilinear", align_corners=False)
    else:
        y0, x0 = (h - size) // 2, (w - size) // 2
        x = x[:, :, y0:y0 + size, x0:x0 + size]
    return (x - MEAN) / STD


class PyAVDataset(torch.utils.data.Dataset):
    def __init__(self, items, frames, size, seed):
        self.items, self.frames, self.size, self.seed = items, frames, size, seed

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        rng = random.Random(self.seed * 100003 + i)
        path, label = self.items[i]
        idx = tsn(frame_count(path), self.frames, rng)
        return to_clip(decode_frames(path, idx), self.size, rng), label


class PngDataset(torch.utils.data.Dataset):
    def __init__(self, folders, frames, size, seed):
        self.folders, self.frames, self.size, self.seed = folders, frames, size, seed

    def __len__(self):
        return len(self.folders)

    def __getitem__(self, i):
        rng = random.Random(self.seed * 100003 + i)
        folder, label = self.folders[i]
        names = sorted(os.listdir(folder))
        idx = tsn(len(names), self.frames, rng)
        imgs = []
        for j in idx:
            p = os.path.join(folder, names[j])
            if read_image is not None:
                imgs.append(read_image(p).permute(1, 2, 0).numpy())
            else:
                with av.open(p) as c:
                    imgs.append(next(c.decode(video=0)).to_ndarray(format="rgb24"))
        return to_clip(np.stack(imgs), self.size, rng), label


def extract_png(path, out_dir, fps=30):
    """Frames resampled to `fps` (each output time takes the latest frame at or before it, as ffmpeg's fps
    filter does up to rounding), written as frame%04d.png with FFmpeg's PNG encoder."""
    os.makedirs(out_dir, exist_ok=True)
    enc, n, nxt = None, 0, 0
    with av.open(path) as c:
        s = c.streams.video[0]
        start = s.start_time or 0
        for k, fr in enumerate(c.decode(s)):
            t = float((fr.pts - start) * s.time_base) if fr.pts is not None else k / fps
            if enc is None:
                enc = av.CodecContext.create("png", "w")
                enc.width, enc.height, enc.pix_fmt = fr.width, fr.height, "rgb24"
                enc.time_base = Fraction(1, fps)
            rgb = None
            while nxt / fps <= t + 0.5 / fps:
                rgb = rgb or fr.reformat(format="rgb24")
                for pkt in enc.encode(rgb):
                    n += 1
                    with open(os.path.join(out_dir, f"frame{n:04d}.png"), "wb") as f:
                        f.write(bytes(pkt))
                nxt += 1
    if enc is not None:
        for pkt in enc.encode(None):
            n += 1
            with open(os.path.join(out_dir, f"frame{n:04d}.png"), "wb") as f:
                f.write(bytes(pkt))
    return n


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, help="class folders of videos")
    p.add_argument("--mode", required=True, choices=["pyav", "png", "predict"])
    p.add_argument("--frames", type=int, default=8)
    p.add_argument("--image-size", type=int, default=112)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--work", default="/tmp/pipeline-png", help="png mode: where the frames go (deleted first)")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    t_start = time.perf_counter()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    classes, items = videos(a.data)
    model = TimeSformer(Config(a.image_size, 8, a.frames, 64, 2, 4, 256, len(classes)))   # the `tiny` preset's width
    res = {"benchmark": "pipeline_reference", "mode": a.mode, "clips": len(items), "parameters": sum(q.numel() for q in model.parameters()), "frames": a.frames,
           "image_size": a.image_size, "batch": a.batch, "workers": a.workers, "threads": torch.get_num_threads(),
           "torch": torch.__version__, "png_reader": "torchvision.read_image" if read_image else "pyav"}
    if a.mode == "predict":
        model.eval()
        t0 = time.perf_counter()
        with torch.inference_mode():
            for path, _ in items:
                idx = tsn(frame_count(path), a.frames, None)
                x = to_clip(decode_frames(path, idx), a.image_size, None).unsqueeze(0)
                model(x).softmax(-1).topk(min(5, len(classes)))
        dt = time.perf_counter() - t0
        res.update(predict_s=dt, clips_per_s=len(items) / dt)
    else:
        extract_s = 0.0
        if a.mode == "png":
            shutil.rmtree(a.work, ignore_errors=True)
            t0 = time.perf_counter()
            folders = []
            for k, (path, label) in enumerate(items):
                d = os.path.join(a.work, f"{k:05d}")
                extract_png(path, d)
                folders.append((d, label))
            extract_s = time.perf_counter() - t0
            ds = PngDataset(folders, a.frames, a.image_size, a.seed)
        else:
            ds = PyAVDataset(items, a.frames, a.image_size, a.seed)
        dl = torch.utils.data.DataLoader(ds, batch_size=a.batch, shuffle=True, num_workers=a.workers,
                                         generator=torch.Generator().manual_seed(a.seed))
        opt = torch.optim.Adam(model.parameters(), lr=1e-4)
        model.train()
        t0 = time.perf_counter()
        wait = 0.0
        tw = time.perf_counter()
        steps = 0
        for x, y in dl:
            wait += time.perf_counter() - tw
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss.item()
            steps += 1
            tw = time.perf_counter()
        epoch_s = time.perf_counter() - t0
        res.update(extract_s=extract_s, epoch_s=epoch_s, loader_wait_s=wait, steps=steps,
                   epoch_plus_extract_s=epoch_s + extract_s, clips_per_s=len(items) / (epoch_s + extract_s))
        if a.mode == "png":
            shutil.rmtree(a.work, ignore_errors=True)
    res["process_s"] = time.perf_counter() - t_start
    print(json.dumps(res))


if __name__ == "__main__":
    main()
