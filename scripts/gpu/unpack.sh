# Sourced by scripts/gpu/train-runs and scripts/gpu/long-runs on the GPU machine (PyTorch 2.11 cu130,
# no Swift, no network), from the repository root with STASH and OUT set:
#   1. unpacks the payload staged by scripts/gpu/stage from $STASH into this tree, /tmp/steermoe
#      and /tmp/libs, and checks every file against scripts/gpu/payload.sha256;
#   2. points LD_LIBRARY_PATH at the wheel's libtorch and CUDA libraries (scripts/gpu/libpath.sh);
#   3. converts the GGUF with our converter and checks the result's SHA-256 against this repo's
#      models/smollm2-135m-instruct (the converter is deterministic).
# Defines say (a timestamped line, also appended to $OUT/summary.txt). Exits on any failure.
mkdir -p "$OUT" runs/gpu
start=$(date +%s)
say() { echo "[$(( $(date +%s) - start ))s] $*" | tee -a "$OUT/summary.txt"; }

say "unpacking"
cat "$STASH"/big.* | tar x || { say "FAIL payload tar"; exit 1; }
xz -dc "$STASH/steermoe.xz" > /tmp/steermoe && chmod +x /tmp/steermoe
xz -dc "$STASH/libs.tar.xz" | tar x -C /tmp
sums=scripts/gpu/payload.sha256  # payloads staged before c1 carried their own sums
[ -f "$STASH/payload.sha256" ] && sums=$STASH/payload.sha256
sha256sum --quiet -c "$sums" || { say "FAIL payload checksums"; exit 1; }
source scripts/gpu/libpath.sh
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee -a "$OUT/summary.txt"

say "converting the GGUF"
/tmp/steermoe convert gguf models/gguf/SmolLM2-135M-Instruct.Q4_1.gguf --out models/smollm2-135m-instruct > "$OUT/convert.log" 2>&1 \
  || { say "FAIL convert"; tail -5 "$OUT/convert.log"; exit 1; }
want=9fc6e2a4ba0ca6db8a8d20d7e424570a69771665f43257f5a616cd1c85ae1e9b
got=$(sha256sum models/smollm2-135m-instruct/model.safetensors | cut -d' ' -f1)
say "smollm2 model.safetensors sha256 $got ($( [ "$got" = "$want" ] && echo 'same as here' || echo "DIFFERS from $want"))"
q=models/gguf/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf
if [ -f "$q" ]; then
  /tmp/steermoe convert gguf "$q" --out models/qwen2.5-coder-0.5b-instruct > "$OUT/convert-qwen.log" 2>&1 \
    || { say "FAIL convert qwen"; tail -5 "$OUT/convert-qwen.log"; exit 1; }
  want=125f0d32e582308aef936ceeb784a59cb4177afdf1c0bfdd819ab6549286247f
  got=$(sha256sum models/qwen2.5-coder-0.5b-instruct/model.safetensors | cut -d' ' -f1)
  say "qwen2.5 model.safetensors sha256 $got ($( [ "$got" = "$want" ] && echo 'same as here' || echo "DIFFERS from $want"))"
fi
