#!/usr/bin/env bash
# Interleaved Java vs PyTorch training-step benchmark (A B A B ...), for a shared, noisy CPU.
#   bench/compare.sh SHAPE ROUNDS OUT.jsonl [extra args for both, e.g. --precision bf16 --threads 2]
# SHAPE: tiny | mid (dim 384, depth 4, 6 heads, 8x112) | base.  Needs torch importable by $PYTHON
# (default python3; see docs/performance.md). Each run appends its --json line, tagged, to OUT.jsonl.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shape=$1; rounds=$2; out=$3; shift 3
case "$shape" in
  tiny) cfg=(--preset tiny --batch 2 --iters 10) ;;
  mid)  cfg=(--preset base --hidden-size 384 --layers 4 --heads 6 --frames 8 --image-size 112 --batch 2 --iters ${ITERS:-3}) ;;
  base) cfg=(--preset base --batch 1 --iters ${ITERS:-2}) ;;
  *) echo "unknown shape $shape" >&2; exit 2 ;;
esac
py=${PYTHON:-python3}
load() { uptime | sed 's/.*load average: \([0-9.]*\).*/\1/'; }
tag() { sed -n 's/^{/{"shape":"'"$shape"'","round":'"$1"',"load":'"$2"',"env_omp_wait_policy":"'"${OMP_WAIT_POLICY:-}"'",/p'; }
for r in $(seq 1 "$rounds"); do
  l=$(load); "$here/bin/timesformer" benchmark model "${cfg[@]}" --json "$@" | tee /dev/stderr | tag "$r" "$l" >> "$out"
  l=$(load); "$py" "$here/bench/pytorch_reference.py" "${cfg[@]}" --json "$@" | tee /dev/stderr | tag "$r" "$l" >> "$out"
done
