#!/usr/bin/env python3
"""Makes a gpuspec33-like openb pod list from the default one, for checking that a policy is not tuned to
the five shipped workloads (docs/policies.md, "A mix with more GPU-model constraints").

The real gpuspec33 (33 % of GPU tasks carry a GPU-model constraint) is not shipped here. This script
gives 33 % of the GPU tasks of openb_pod_list_default.csv a constraint, drawn with the frequencies
fgd-method.md lists for gpuspec33 (T4 1291, G2 331, P100 279, V100M16|V100M32 141,
P100|V100M16|V100M32 103, G3 86), and only where some node of those models can host the task.
Seeded, so the output is always the same.

Usage: make_gpuspec_mix.py TRACE_DIR OUT_DIR   (writes OUT_DIR/openb_pod_list_synspec33.csv)
"""
import os
import csv
import random
import sys

trace_dir, out_dir = sys.argv[1], sys.argv[2]
os.makedirs(out_dir, exist_ok=True)
random.seed(7)
nodes = list(csv.DictReader(open(f"{trace_dir}/openb_node_list_gpu_node.csv")))
rows = list(csv.DictReader(open(f"{trace_dir}/openb_pod_list_default.csv")))
specs = [("T4", 1291), ("G2", 331), ("P100", 279), ("V100M16|V100M32", 141), ("P100|V100M16|V100M32", 103), ("G3", 86)]


def fits(row, spec):
    models = spec.split("|")
    k, cpu = int(row["num_gpu"]), int(row["cpu_milli"])
    return any(n["model"] in models and int(n["gpu"]) >= k and int(n["cpu_milli"]) >= cpu for n in nodes)


gpu = [r for r in rows if int(r["num_gpu"]) > 0]
random.shuffle(gpu)
target = int(0.33 * len(gpu))
total = sum(c for _, c in specs)
bag = []
for s, c in specs:
    bag += [s] * round(c * target / total)
random.shuffle(bag)
i = 0
for r in gpu:
    if i >= len(bag):
        break
    if fits(r, bag[i]):
        r["gpu_spec"] = bag[i]
        i += 1
print(f"constrained {i} of {len(gpu)} GPU tasks")
with open(f"{out_dir}/openb_pod_list_synspec33.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=rows[0].keys())
    w.writeheader()
    w.writerows(rows)
