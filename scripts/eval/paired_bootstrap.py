"""Is system A's WER/CER really different from system B's on the same clips? Paired bootstrap over
utterances (Koehn 2004; Bisani & Ney 2004): resample the clips with replacement, recompute both
corpus-level error rates on each resample, and report the difference B - A with its 95% interval
and a two-sided p-value. Both files are `steermoe evaluate` predictions.jsonl of the same split;
lines are matched by (parquet file, row), or by line number where a file lacks them, and both must
hold the same clips with the same references.

    .venv/bin/python scripts/eval/paired_bootstrap.py A/predictions.jsonl B/predictions.jsonl [--resamples 10000] [--seed 0]

Scoring is scoring.error_counts (the evaluator's normalisation), so the point estimates are the
WER/CER that `steermoe evaluate` printed.
"""
import argparse
import json
import random
import sys

from scoring import error_counts


def clip_key(row):
    """A clip's name: its parquet file (split folder and file name, so that the same split read from
    another working directory still matches) and row; None where the file lacks them (older
    scripts/eval outputs)."""
    if row.get("source") is None or row.get("row") is None:
        return None
    return "/".join(row["source"].replace("\\", "/").split("/")[-2:]), row["row"]


def load(path):
    """[(clip key, reference, hypothesis)] of one predictions.jsonl, in file order."""
    lines = [json.loads(line) for line in open(path)]
    return [(clip_key(row), row["reference"], row["hypothesis"]) for row in lines]


def paired_counts(path_a, path_b):
    """Per clip: (word edits A, word edits B, words, char edits A, char edits B, chars). Clips are
    matched by key when both files name them, by line order otherwise."""
    a, b = load(path_a), load(path_b)
    if all(k is not None for k, _, _ in a + b):
        for path, lines in ((path_a, a), (path_b, b)):
            if len({k for k, _, _ in lines}) != len(lines):
                sys.exit(f"{path}: a clip appears twice")
        by_key = {k: (ref, hyp) for k, ref, hyp in b}
        missing = [k for k, _, _ in a if k not in by_key]
        if missing or len(a) != len(b):
            sys.exit(f"the two files hold different clips ({len(a)} and {len(b)} lines; e.g. {missing[:1]} only in {path_a})")
        pairs = [(k, ref, hyp, *by_key[k]) for k, ref, hyp in a]
    else:
        if len(a) != len(b):
            sys.exit(f"{path_a} has {len(a)} lines, {path_b} {len(b)}; without clip names they are matched by line")
        pairs = [(n + 1, ra, ha, rb, hb) for n, ((_, ra, ha), (_, rb, hb)) in enumerate(zip(a, b))]
    counts = []
    for key, ref_a, hyp_a, ref_b, hyp_b in pairs:
        if ref_a != ref_b:
            sys.exit(f"clip {key}: the references differ ({ref_a!r} vs {ref_b!r})")
        wa, words, ca, chars = error_counts(ref_a, hyp_a)
        wb, _, cb, _ = error_counts(ref_b, hyp_b)
        counts.append((wa, wb, words, ca, cb, chars))
    return counts


def rates(counts):
    """(WER A, WER B, CER A, CER B) in %, corpus level."""
    s = [sum(c[i] for c in counts) for i in range(6)]
    return 100 * s[0] / s[2], 100 * s[1] / s[2], 100 * s[3] / s[5], 100 * s[4] / s[5]


def bootstrap(counts, resamples, seed):
    """Sorted differences B - A of WER and of CER over `resamples` resamples of the clips."""
    rng = random.Random(seed)
    n = len(counts)
    wer_diffs, cer_diffs = [], []
    for _ in range(resamples):
        sample = [counts[rng.randrange(n)] for _ in range(n)]
        wa, wb, ca, cb = rates(sample)
        wer_diffs.append(wb - wa)
        cer_diffs.append(cb - ca)
    return sorted(wer_diffs), sorted(cer_diffs)


def summary(name, point, diffs):
    lo, hi = diffs[int(0.025 * len(diffs))], diffs[int(0.975 * len(diffs)) - 1]
    # Two-sided: how often a resample puts the difference on the other side of zero.
    below = sum(d <= 0 for d in diffs) / len(diffs)
    above = sum(d >= 0 for d in diffs) / len(diffs)
    p = min(1.0, 2 * min(below, above))
    p_text = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    return f"{name} B - A: {point:+.2f} points, 95% interval [{lo:+.2f}, {hi:+.2f}], {p_text}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--resamples", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    counts = paired_counts(args.a, args.b)
    wa, wb, ca, cb = rates(counts)
    better_a = sum(c[0] < c[1] for c in counts)
    better_b = sum(c[1] < c[0] for c in counts)
    print(f"A: {args.a}\nB: {args.b}")
    print(f"{len(counts)} clips, {sum(c[2] for c in counts)} words; WER A {wa:.2f}%, B {wb:.2f}%; CER A {ca:.2f}%, B {cb:.2f}%")
    print(f"clips with fewer word errors: A {better_a}, B {better_b}, tied {len(counts) - better_a - better_b}")
    wer_diffs, cer_diffs = bootstrap(counts, args.resamples, args.seed)
    print(summary("WER", wb - wa, wer_diffs))
    print(summary("CER", cb - ca, cer_diffs))


if __name__ == "__main__":
    main()
