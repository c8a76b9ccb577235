#!/usr/bin/env bash
# End-to-end comparison from a folder of mp4 files (class folders), interleaved A B A B on a shared CPU:
#   one training epoch: `timesformer train` vs a PyTorch DataLoader decoding with PyAV vs the seed pipeline
#   (extract every frame at 30 fps to PNG, then read the PNGs; the extraction time is counted), and
#   predict: `timesformer predict` on every file vs a PyTorch eager loop.
# Same model (the tiny preset's width at --frames/--image-size), threads, decode workers, batch, sampling, crops.
#   bench/pipeline.sh DATA_DIR ROUNDS OUT.jsonl [--png-rounds N]
# Each measurement appends one JSON line (wall seconds of the whole command, `uptime` load before it) to OUT.jsonl.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data=$1; rounds=$2; out=$3; shift 3
png_rounds=1
[ "${1:-}" = "--png-rounds" ] && png_rounds=$2
frames=${FRAMES:-8}; size=${SIZE:-112}; batch=${BATCH:-4}; workers=${WORKERS:-2}; threads=${THREADS:-2}
py=${PYTHON:-python3}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
clips=$(find "$data" -type f \( -name '*.mp4' -o -name '*.avi' -o -name '*.mkv' -o -name '*.webm' \) | wc -l)
load() { uptime | sed 's/.*load average: \([0-9.]*\).*/\1/'; }
now() { date +%s.%N; }
emit() { echo "$1" | tee -a "$out"; }

for r in $(seq 1 "$rounds"); do
  # A: Java training epoch
  l=$(load); t0=$(now)
  rm -rf "$tmp/run"
  "$here/bin/timesformer" train --data "$data" --out "$tmp/run" --preset tiny --frames "$frames" --image-size "$size" \
      --batch-size "$batch" --epochs 1 --val-split 0 --workers "$workers" --threads "$threads" --no-progress > "$tmp/train.log" 2>&1
  wall=$(echo "$(now) - $t0" | bc)
  m=$(tail -1 "$tmp/run/metrics.jsonl")
  emit "{\"pipeline\":\"java_train\",\"round\":$r,\"load\":$l,\"clips\":$clips,\"wall_s\":$wall,\"metrics\":$m}"
  # B: PyTorch + PyAV DataLoader epoch
  l=$(load); t0=$(now)
  j=$("$py" "$here/bench/pipeline_reference.py" --data "$data" --mode pyav --frames "$frames" --image-size "$size" \
      --batch "$batch" --workers "$workers" --threads "$threads")
  wall=$(echo "$(now) - $t0" | bc)
  emit "{\"pipeline\":\"pytorch_pyav_train\",\"round\":$r,\"load\":$l,\"wall_s\":$wall,\"result\":$j}"
  # C: the seed's PNG pipeline (slow: only the first --png-rounds rounds)
  if [ "$r" -le "$png_rounds" ]; then
    l=$(load); t0=$(now)
    j=$("$py" "$here/bench/pipeline_reference.py" --data "$data" --mode png --frames "$frames" --image-size "$size" \
        --batch "$batch" --workers "$workers" --threads "$threads" --work "$tmp/png")
    wall=$(echo "$(now) - $t0" | bc)
    emit "{\"pipeline\":\"pytorch_png_train\",\"round\":$r,\"load\":$l,\"wall_s\":$wall,\"result\":$j}"
  fi
  # predict: Java CLI on every file vs PyTorch eager loop
  l=$(load); t0=$(now)
  find "$data" -type f -name '*.mp4' | sort | xargs "$here/bin/timesformer" predict --model "$tmp/run/best" --json \
      --workers "$workers" --threads "$threads" > "$tmp/predict.json"
  wall=$(echo "$(now) - $t0" | bc)
  emit "{\"pipeline\":\"java_predict\",\"round\":$r,\"load\":$l,\"clips\":$clips,\"wall_s\":$wall}"
  l=$(load); t0=$(now)
  j=$("$py" "$here/bench/pipeline_reference.py" --data "$data" --mode predict --frames "$frames" --image-size "$size" \
      --threads "$threads")
  wall=$(echo "$(now) - $t0" | bc)
  emit "{\"pipeline\":\"pytorch_predict\",\"round\":$r,\"load\":$l,\"wall_s\":$wall,\"result\":$j}"
done
