#!/usr/bin/env bash
# Interleaved training-step benchmark with both PyTorch Adam implementations, per round:
#   Java (this build) | [Java baseline jar] | PyTorch default Adam (the for-loop one on CPU) | PyTorch fused=True
#   bench/compare_adam.sh SHAPE ROUNDS OUT.jsonl [args for all, e.g. --precision bf16 --threads 2 --matmul-size 0]
# SHAPE: mid | base (as bench/compare.sh; ITERS sets --iters). BASELINE_JAR=path/to/an/older/timesformer4j.jar
# adds that build (same classpath) as a fourth run per round. With --mode eval the fused-Adam run is left out
# (an eval step has no optimizer). Summary: python3 bench/adam_ratios.py OUT.jsonl
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shape=$1; rounds=$2; out=$3; shift 3
case "$shape" in
  mid)  cfg=(--preset base --hidden-size 384 --layers 4 --heads 6 --frames 8 --image-size 112 --batch 2 --iters ${ITERS:-3}) ;;
  base) cfg=(--preset base --batch 1 --iters ${ITERS:-2}) ;;
  *) echo "unknown shape $shape" >&2; exit 2 ;;
esac
py=${PYTHON:-python3}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} KMP_BLOCKTIME=${KMP_BLOCKTIME:-1}   # as bin/timesformer
"$here/bin/timesformer" --version > /dev/null                                         # builds when needed
cp="$(cat "$here/target/classpath.txt")"
tag() { sed -n 's/^{/{"shape":"'"$shape"'","round":'"$1"',"impl":"'"$2"'",/p'; }
java_run() { java -Xss4m -cp "$1:$cp" io.timesformer4j.cli.Main benchmark model "${cfg[@]}" --json "${@:2}"; }
for r in $(seq 1 "$rounds"); do
  java_run "$here/target/timesformer4j-0.1.0-SNAPSHOT.jar" "$@" | tag "$r" java >> "$out"
  if [ -n "${BASELINE_JAR:-}" ]; then java_run "$BASELINE_JAR" "$@" | tag "$r" java-baseline >> "$out"; fi
  "$py" "$here/bench/pytorch_reference.py" "${cfg[@]}" --json "$@" | tag "$r" pytorch-default >> "$out"
  case " $* " in *" eval "*) ;; *)                                  # eval steps have no optimizer: one PyTorch run
  "$py" "$here/bench/pytorch_reference.py" "${cfg[@]}" --json --adam fused "$@" | tag "$r" pytorch-fused >> "$out" ;; esac
done
