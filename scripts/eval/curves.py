#!/usr/bin/env python3
"""Learning curves of training runs side by side, from their train_log.jsonl: the dev metrics of
every evaluation, and the mean training loss (and the auxiliary CTC loss, where the run has one) in bins of
steps. Standard library only.

    python3 scripts/eval/curves.py runs/steermoe-smollm2-sky-ctc runs/steermoe-smollm2-sky-ctc-aug --bin 250
"""
import argparse
import json
import os
import sys


def log_path(run):
    path = os.path.join(run, "train_log.jsonl")
    if not os.path.exists(path):
        sys.exit(f"{path}: no train_log.jsonl (is {run} a run folder?)")
    return path


def records_by_step(run, kinds):
    """{kind: {step: record}} of a run's train_log.jsonl for the given record kinds. A resumed run
    logs its steps again from the checkpoint: the later line wins."""
    path = log_path(run)
    found = {kind: {} for kind in kinds}
    with open(path) as f:
        for number, line in enumerate(f, 1):
            try:
                o = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{number}: not JSON ({e})")
            if o.get("kind") in found:
                found[o["kind"]][o["step"]] = o
    return found


def read_log(run):
    found = records_by_step(run, ("train", "eval"))
    return found["train"], found["eval"]


def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def cell(v, fmt):
    return "—" if v is None else fmt.format(v)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("runs", nargs="+", help="run folders (training.output_dir)")
    p.add_argument("--bin", type=int, default=250, help="steps per loss bin (default 250)")
    a = p.parse_args()
    logs = {run: read_log(run) for run in a.runs}
    names = [os.path.basename(os.path.normpath(r)) for r in a.runs]

    print("dev WER / CER (%) at each evaluation")
    print("| step | " + " | ".join(names) + " |")
    print("|---:|" + "---:|" * len(names))
    for step in sorted({s for _, evals in logs.values() for s in evals}):
        row = []
        for run in a.runs:
            e = logs[run][1].get(step)
            row.append("—" if e is None else f"{100 * e['wer']:.1f} / {100 * e['cer']:.1f}")
        print(f"| {step} | " + " | ".join(row) + " |")

    print(f"\nmean training loss per {a.bin}-step bin (in brackets: the unweighted CTC loss; loss = transcript loss + ctc_weight x CTC)")
    print("| steps | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    last = max((max(train) for train, _ in logs.values() if train), default=0)
    for lo in range(0, last, a.bin):
        row = []
        for run in a.runs:
            steps = [o for s, o in logs[run][0].items() if lo < s <= lo + a.bin]
            loss, ctc = mean([o.get("loss") for o in steps]), mean([o.get("ctc_loss") for o in steps])
            row.append(cell(loss, "{:.2f}") + ("" if ctc is None else f" ({ctc:.2f})"))
        print(f"| {lo + 1}–{lo + a.bin} | " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
