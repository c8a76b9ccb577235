#!/usr/bin/env python3
"""Re-encode every mp4 under SRC as H.264 High the way cameras and streaming sites write it (libx264 from
PyAV's wheel, a keyframe every 30 frames, 2 B-frames, CRF 23, preset veryfast), into DST with the same
folder layout. `timesformer synth` can only write H.264 Constrained Baseline (the LGPL FFmpeg build has
OpenH264, not x264): one keyframe per clip and no B-frames, so keyframe seeks cannot help there.

    python3 bench/reencode_x264.py SRC DST        # needs: python3 -m pip install av
"""
import os
import sys

import av


def main():
    src, dst = sys.argv[1], sys.argv[2]
    for root, _, files in os.walk(src):
        for f in sorted(files):
            if not f.endswith(".mp4"):
                continue
            ip = os.path.join(root, f)
            op = os.path.join(dst, os.path.relpath(ip, src))
            os.makedirs(os.path.dirname(op), exist_ok=True)
            with av.open(ip) as i, av.open(op, "w") as o:
                s = i.streams.video[0]
                rate = int(round(float(s.average_rate or 30)))
                v = o.add_stream("libx264", rate=rate,
                                 options={"preset": "veryfast", "g": "30", "bf": "2", "crf": "23"})
                v.width, v.height, v.pix_fmt = s.codec_context.width, s.codec_context.height, "yuv420p"
                for fr in i.decode(s):
                    frame = av.VideoFrame.from_ndarray(fr.to_ndarray(format="yuv420p"), format="yuv420p")
                    for p in v.encode(frame):
                        o.mux(p)
                for p in v.encode():
                    o.mux(p)


if __name__ == "__main__":
    main()
