#!/usr/bin/env bash
# Builds the CloudSim Plus comparison tool and replays the first N tasks of a workload for each N,
# printing a markdown table. Usage:
#   tools/cloudsim-compare/run.sh WORKLOAD_DIR [N ...]        (default N: 10000 50000 200000 1000000)
# Environment: NODES (12130), XMX (4g), TIMEOUT_S (300 per run), EXTRA_ARGS (passed to the tool),
#              RESULTS (JSON-lines output file; default target/results-<time>.jsonl)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
if [[ $# -lt 1 || ! -f "$1/nodes.csv" || ! -f "$1/tasks.csv" ]]; then
  echo "usage: $0 WORKLOAD_DIR [TASKS ...]   (WORKLOAD_DIR must hold nodes.csv and tasks.csv)" >&2
  exit 2
fi
workload="$1"; shift
counts=("$@"); [[ ${#counts[@]} -gt 0 ]] || counts=(10000 50000 200000 1000000)
nodes="${NODES:-12130}"
xmx="${XMX:-4g}"
timeout_s="${TIMEOUT_S:-300}"
# the tool stops itself a bit before the hard timeout, so a cut-off run still reports its rate
soft_s=$(( timeout_s > 30 ? timeout_s - 15 : timeout_s ))

"${MVNW:-$here/../../mvnw}" -q -B -f "$here/pom.xml" package
jar="$here/target/cloudsim-compare.jar"
results="${RESULTS:-$here/target/results-$(date +%Y%m%d-%H%M%S).jsonl}"
: > "$results"

for n in "${counts[@]}"; do
  err="$(mktemp)"
  rc=0
  # shellcheck disable=SC2086
  line="$(timeout "$timeout_s" java -Xmx"$xmx" -jar "$jar" --workload "$workload" --tasks "$n" \
          --nodes "$nodes" --max-wall-s "$soft_s" ${EXTRA_ARGS:-} 2>"$err")" || rc=$?
  if [[ -z "$line" ]]; then
    why="exit $rc"; [[ $rc -eq 124 ]] && why="killed by timeout ${timeout_s}s"
    grep -q OutOfMemoryError "$err" && why="OutOfMemoryError"
    line="{\"tasks\":$n,\"nodes\":$nodes,\"error\":\"$why\"}"
  fi
  rm -f "$err"
  echo "$line" >> "$results"
  echo "$line" >&2
done

# one-line JSON objects with flat scalar values: pull a field with sed
field() { sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p" <<<"$1"; }

echo
echo "CloudSim Plus $(field "$(head -n1 "$results")" cloudsimplus_version), $(nproc) cores, -Xmx$xmx, ${timeout_s}s per run; results: $results"
echo
echo "| tasks | nodes | complete | tasks arrived | cloudlets finished | sim events | sim time s | wall s | run s | run CPU s | events/s | events/CPU-s | tasks/s | peak heap MiB | heap after GC MiB | load avg |"
echo "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
while IFS= read -r r; do
  if [[ -n "$(field "$r" error)" ]]; then
    echo "| $(field "$r" tasks) | $(field "$r" nodes) | $(field "$r" error) | | | | | | | | | | | | | |"
  else
    row="|"
    for k in tasks nodes complete tasks_arrived cloudlets_finished sim_events sim_time_s wall_s run_s run_cpu_s \
             events_per_s events_per_cpu_s tasks_per_s peak_heap_mib heap_after_gc_mib load_avg; do
      row+=" $(field "$r" "$k") |"
    done
    echo "$row"
  fi
done < "$results"
