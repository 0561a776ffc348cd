"""Word error types of `steermoe evaluate` predictions: substitutions, deletions and insertions as
percentages of the reference words (one minimum-edit alignment per line, substitutions preferred on
ties), and the exact lines. Same normalisation as the evaluator (scoring.normalize), so S + D + I is
its WER.

    .venv/bin/python scripts/eval/error_types.py runs/x/eval-dev/predictions.jsonl [more.jsonl ...]
"""
import json
import sys

from scoring import normalize


def error_counts(ref, hyp):
    """(substitutions, deletions, insertions) of a minimum-edit alignment of two word lists."""
    # Each cell: (edits, subs, dels, ins); ties keep the substitution/match path.
    prev = [(j, 0, 0, j) for j in range(len(hyp) + 1)]
    for i in range(1, len(ref) + 1):
        cur = [(i, 0, i, 0)]
        for j in range(1, len(hyp) + 1):
            diag, up, left = prev[j - 1], prev[j], cur[j - 1]
            miss = ref[i - 1] != hyp[j - 1]
            best = (diag[0] + miss, diag[1] + miss, diag[2], diag[3])
            if up[0] + 1 < best[0]:
                best = (up[0] + 1, up[1], up[2] + 1, up[3])
            if left[0] + 1 < best[0]:
                best = (left[0] + 1, left[1], left[2], left[3] + 1)
            cur.append(best)
        prev = cur
    return prev[-1][1:]


def main(paths):
    for path in paths:
        subs = dels = ins = words = exact = lines = 0
        for line in open(path):
            row = json.loads(line)
            ref, hyp = normalize(row["reference"]).split(), normalize(row["hypothesis"]).split()
            s, d, i = error_counts(ref, hyp)
            subs, dels, ins, words = subs + s, dels + d, ins + i, words + len(ref)
            exact += ref == hyp
            lines += 1
        pct = lambda n: 100 * n / max(words, 1)
        print(f"{path}: {words} words, WER {pct(subs + dels + ins):.2f}%: substitutions {pct(subs):.1f}%, "
              f"deletions {pct(dels):.1f}%, insertions {pct(ins):.1f}%; {exact}/{lines} lines exact")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
