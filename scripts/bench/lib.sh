# Shared by scripts/bench/*: build the release benchmark binary, make sure the Python reference
# stack exists, and alternate ours/reference runs, reporting medians.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
THREADS="${BENCH_THREADS:-1}"
ROUNDS="${BENCH_ROUNDS:-5}"
PY="$ROOT/.venv/bin/python"

bench_prepare() {
  if ! "$PY" -c "import torch, transformers" >/dev/null 2>&1; then
    echo "[bench] installing the Python reference stack (scripts/bootstrap --reference)" >&2
    scripts/bootstrap --reference >&2
  fi
  echo "[bench] building release binaries" >&2
  swift build -c release --product steermoe-bench >&2
  BENCH_BIN="$(swift build -c release --show-bin-path)/steermoe-bench"
}

# median of numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
json_field() { "$PY" -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])['$1'])"; }
