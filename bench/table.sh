#!/usr/bin/env bash
# The docs/performance.md table: bench/compare.sh (Java A, PyTorch B, interleaved) for every
# shape x mode x precision x threads, appending to OUT.jsonl. Run it under the shared CPU lock:
#   flock /work/cpu.lock bench/table.sh OUT.jsonl [SHAPES] [ROUNDS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out=$1; shapes=${2:-"mid base"}; rounds=${3:-2}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
for shape in $shapes; do
  for mode in train eval; do
    for prec in fp32 bf16; do
      for th in 2 1; do
        "$here/bench/compare.sh" "$shape" "$rounds" "$out" --mode "$mode" --precision "$prec" --threads "$th" --matmul-size 1024 2>/dev/null
      done
    done
  done
done
