#!/usr/bin/env python3
"""How a SteerMoE run uses its experts, from the steering analysis in its train_log.jsonl (written every
`steering_log_interval` steps): per encoder layer, the share of the most used expert (mean gate over the
batch's positions), the effective number of experts exp(H(mean gate)) (8 = uniform use of 8 experts,
1 = one expert takes all), the mean per-position gate entropy in nats, the layer scale and the norm of the
layer's steering vectors. Standard library only.

    python3 scripts/eval/expert_usage.py runs/steermoe-smollm2-sky-ctc-mlp-speed-long-bf16 [--step N]
"""
import argparse
import math
import sys

from curves import log_path, records_by_step


def steering_records(run):
    records = records_by_step(run, ("steering",))["steering"]
    if not records:
        sys.exit(f"{log_path(run)}: no steering records (a linear run, or steering_log_interval 0?)")
    return records


def layer_rows(record):
    layers = sorted({int(k.split("/")[0][5:]) for k in record if k.startswith("layer") and "/" in k})
    for layer in layers:
        prefix = f"layer{layer}/"
        gates = [record[k] for k in sorted(record, key=lambda k: int(k.split("expert")[1]) if "/expert" in k else -1)
                 if k.startswith(prefix + "expert")]
        total = sum(gates)
        usage = [g / total for g in gates] if total > 0 else gates
        entropy_of_mean = -sum(p * math.log(p) for p in usage if p > 0)
        yield (layer, max(usage), math.exp(entropy_of_mean), record.get(prefix + "gate_entropy"),
               record.get(prefix + "scale"), record.get(prefix + "vector_norm"), len(gates))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", help="run folders (with train_log.jsonl)")
    parser.add_argument("--step", type=int, help="the steering record at this step (default: the last)")
    args = parser.parse_args()
    for run in args.runs:
        records = steering_records(run)
        step = args.step if args.step is not None else max(records)
        if step not in records:
            sys.exit(f"{run}: no steering record at step {step} (steps {min(records)}..{max(records)})")
        print(f"{run}, step {step}")
        print("| layer | top expert share | effective experts | gate entropy (nats) | scale | vector norm |")
        print("|---:|---:|---:|---:|---:|---:|")
        for layer, top, effective, entropy, scale, norm, count in layer_rows(records[step]):
            fmt = lambda v, f: "—" if v is None else f.format(v)
            print(f"| {layer} | {top:.3f} | {effective:.2f} of {count} | {fmt(entropy, '{:.3f}')} | "
                  f"{fmt(scale, '{:.3f}')} | {fmt(norm, '{:.2f}')} |")
        print()


if __name__ == "__main__":
    main()
