#!/usr/bin/env bash
# Interleaved inference benchmark, PyTorch 1.13 (msresnet_infer.py) against `spikestream bench model`:
# three rounds, each running every configuration on PyTorch, then on the engine. Every result is one
# JSON line in $OUT (default /tmp/inference-bench.jsonl) tagged with the round, the side and `uptime`.
# Both sides get OMP_WAIT_POLICY=PASSIVE (the launcher's default; on a shared machine spinning OpenMP
# threads made single runs 10-100x slower) and two threads. Run from the repository root:
#   bash model/bench/pytorch/inference_vs_engine.sh [rounds] [config ...]
# configs: bundled1 bundled8 ms18-64 ms18-128 (default: all). ENGINE_OPTS adds JVM options (e.g.
# -Dspikestream.conv=dense for the all-dense engine).
set -euo pipefail
rounds="${1:-3}"
shift || true
configs=("$@")
[[ ${#configs[@]} -eq 0 ]] && configs=(bundled1 bundled8 ms18-64 ms18-128)
out="${OUT:-/tmp/inference-bench.jsonl}"
B=pipeline/src/main/resources/io/spikestream/bundled
F=../shared/fixtures/msresnet
export OMP_WAIT_POLICY=PASSIVE
py() { /usr/bin/python3 model/bench/pytorch/msresnet_infer.py --threads 2 --warmup-s 5 --reps 1 --rep-s 10 "$@" | tail -1; }
engine() { SPIKESTREAM_JAVA_OPTS="-Xmx6g ${ENGINE_OPTS:-}" ./spikestream bench model "$@" 2>/dev/null; }
for r in $(seq 1 "$rounds"); do
  for c in "${configs[@]}"; do
    case "$c" in
      bundled1) t=(--config bundled --size 64 --steps 8 --batch 1)
                e=(--model $B/gesture-msresnet.safetensors --input $B/demo.aedat --batch 1 --warmup 20 --windows 300) ;;
      bundled8) t=(--config bundled --size 64 --steps 8 --batch 8)
                e=(--model $B/gesture-msresnet.safetensors --input $B/demo.aedat --batch 8 --warmup 10 --windows 60) ;;
      ms18-64)  t=(--config ms18 --size 64 --steps 16 --batch 16)
                e=(--model $F/ms18-64.weights.safetensors --height 64 --width 64 --steps 16 --batch 16 --warmup 2 --windows 6) ;;
      ms18-128) t=(--config ms18 --size 128 --steps 16 --batch 1)
                e=(--model $F/ms18-64.weights.safetensors --height 128 --width 128 --steps 16 --batch 1 --warmup 3 --windows 20) ;;
      *) echo "unknown config $c" >&2; exit 2 ;;
    esac
    echo "{\"round\":$r,\"config\":\"$c\",\"side\":\"pytorch\",\"uptime\":\"$(uptime | sed 's/.*load/load/')\",\"result\":$(py "${t[@]}")}" >> "$out"
    echo "{\"round\":$r,\"config\":\"$c\",\"side\":\"engine\",\"opts\":\"${ENGINE_OPTS:-}\",\"uptime\":\"$(uptime | sed 's/.*load/load/')\",\"result\":$(engine "${e[@]}")}" >> "$out"
    tail -2 "$out" | cut -c1-220
  done
done
