#!/usr/bin/env python3
"""Makes stand-ins for the twelve openb workloads of the FGD study that are not shipped here
(cpu100/200/250, gpushare60/80/100, multigpu30/40/50, gpuspec20/25/33), from the shipped default
list, following the definitions in ../shared/docs/fgd-method.md (section 1.2):

  cpuNNN      GPU tasks as in default; CPU-only tasks (drawn from default's) are NNN/10 % of all tasks.
  gpushareNN  8,152 tasks; 1,088 CPU-only as in default; sharing tasks (drawn from default's) supply
              NN % of the total GPU request, whole-GPU tasks (drawn from default's) the rest.
  multigpuNN  default plus multi-GPU tasks (drawn from default's) until they supply NN % of the GPU request.
  gpuspecNN   default with NN % of the GPU tasks given a GPU-model constraint, drawn with gpuspec33's
              published frequencies, only where some node of those models can host the task.

They are synthetic: the real files were drawn by the trace's authors from the production trace, so
expect the same kind of mix, not the same tasks. Seeded, so the output is always the same. Used to
check that a policy is not tuned to the five shipped workloads (docs/policies.md).

Usage: make_openb_mix.py TRACE_DIR OUT_DIR   (writes OUT_DIR/openb_pod_list_syn<name>.csv for the twelve)
"""
import csv
import os
import random
import sys

trace_dir, out_dir = sys.argv[1], sys.argv[2]
os.makedirs(out_dir, exist_ok=True)
nodes = list(csv.DictReader(open(f"{trace_dir}/openb_node_list_gpu_node.csv")))
default = list(csv.DictReader(open(f"{trace_dir}/openb_pod_list_default.csv")))
fields = list(default[0].keys())


def demand(r):
    return int(r["num_gpu"]) * int(r["gpu_milli"])


def kind(r):
    k, g = int(r["num_gpu"]), int(r["gpu_milli"])
    return "cpu" if k == 0 else "share" if g < 1000 else "one" if k == 1 else "multi"


by_kind = {k: [r for r in default if kind(r) == k] for k in ("cpu", "share", "one", "multi")}


def renamed(rows):
    out = []
    for i, r in enumerate(rows):
        c = dict(r)
        c["name"] = f"syn-pod-{i:05d}"
        out.append(c)
    return out


def write(name, rows):
    with open(f"{out_dir}/openb_pod_list_syn{name}.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    gpu = sum(demand(r) for r in rows)
    share = sum(demand(r) for r in rows if kind(r) == "share")
    multi = sum(demand(r) for r in rows if kind(r) == "multi")
    cpu = sum(1 for r in rows if kind(r) == "cpu")
    spec = sum(1 for r in rows if r["gpu_spec"])
    print(f"syn{name}: {len(rows)} tasks, CPU-only {100 * cpu / len(rows):.1f} % of tasks, sharing "
          f"{100 * share / gpu:.1f} % and multi-GPU {100 * multi / gpu:.1f} % of the GPU request, "
          f"{spec} constrained, GPU request {gpu / 6212000 * 100:.1f} % of openb capacity")


def cpu_mix(pct):
    rnd = random.Random(100 + pct)
    gpu = [r for r in default if kind(r) != "cpu"]
    n_cpu = round(pct / 100 * len(gpu) / (1 - pct / 100))
    cpu = [rnd.choice(by_kind["cpu"]) for _ in range(n_cpu)]
    return renamed(gpu + cpu)


def share_mix(pct):
    rnd = random.Random(200 + pct)
    n_gpu = len(default) - len(by_kind["cpu"])
    whole = by_kind["one"] + by_kind["multi"]
    mean_share = sum(demand(r) for r in by_kind["share"]) / len(by_kind["share"])
    mean_whole = sum(demand(r) for r in whole) / len(whole)
    # n sharing tasks so that n * mean_share / (n * mean_share + (n_gpu - n) * mean_whole) = pct
    p = pct / 100
    n_share = n_gpu if p >= 1 else round(p * n_gpu * mean_whole / (mean_share * (1 - p) + p * mean_whole))
    rows = [rnd.choice(by_kind["share"]) for _ in range(n_share)]
    rows += [rnd.choice(whole) for _ in range(n_gpu - n_share)]
    return renamed(list(by_kind["cpu"]) + rows)


def multi_mix(pct):
    rnd = random.Random(300 + pct)
    rows = list(default)
    total = sum(demand(r) for r in rows)
    multi = sum(demand(r) for r in by_kind["multi"])
    while multi / total < pct / 100:
        r = rnd.choice(by_kind["multi"])
        rows.append(r)
        multi += demand(r)
        total += demand(r)
    return renamed(rows)


SPECS = [("T4", 1291), ("G2", 331), ("P100", 279), ("V100M16|V100M32", 141), ("P100|V100M16|V100M32", 103), ("G3", 86)]


def fits(row, spec):
    models = spec.split("|")
    k, cpu, mem = int(row["num_gpu"]), int(row["cpu_milli"]), int(row["memory_mib"])
    return any(n["model"] in models and int(n["gpu"]) >= k and int(n["cpu_milli"]) >= cpu
               and int(n["memory_mib"]) >= mem for n in nodes)


def spec_mix(pct):
    rnd = random.Random(400 + pct)
    rows = [dict(r) for r in default]
    gpu = [r for r in rows if kind(r) != "cpu"]
    order = list(range(len(gpu)))
    rnd.shuffle(order)
    target = round(pct / 100 * len(gpu))
    total = sum(c for _, c in SPECS)
    bag = []
    for s, c in SPECS:
        bag += [s] * round(c * target / total)
    rnd.shuffle(bag)
    i = 0
    for j in order:
        if i >= len(bag):
            break
        if fits(gpu[j], bag[i]):
            gpu[j]["gpu_spec"] = bag[i]
            i += 1
    return renamed(rows)


for pct in (10, 20, 25):
    write(f"cpu{pct * 10:03d}", cpu_mix(pct))
for pct in (60, 80, 100):
    write(f"gpushare{pct}", share_mix(pct))
for pct in (30, 40, 50):
    write(f"multigpu{pct}", multi_mix(pct))
for pct in (20, 25, 33):
    write(f"gpuspec{pct}", spec_mix(pct))
