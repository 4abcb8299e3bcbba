#!/usr/bin/env bash
# shift.sh — the role-switching experiment on real processes: worker silos on the simulated engine, traffic from
# ./epd load that shifts from text-heavy to image-heavy halfway, three configurations:
#   (a) static  — the best static split for the text-heavy phase, automatic role moves off
#   (b) switch  — the same split with the scheduler's automatic role moves on
#   (c) aggregated — the same number of workers, each holding all three roles
# For each it writes the load generator's results for both phases, the scheduler's decisions and switches, and a
# summary (attainment and good requests per second per phase and per 30 s bucket, TTFT p90) to OUT/summary.md.
#
#   loadtests/experiments/shift.sh [--out DIR] [--time-scale S] [--rate R] [--split E,P,D] [--workers N]
#                                  [--phase1 SECONDS] [--phase2 SECONDS] [--configs a,b,c] [--seed N] [--summary-only]
# (--summary-only rewrites OUT/summary.md from the runs already in OUT; configurations can be run one at a time.)
#
# Every step time of the profile is stretched by S (Epd:Simulation:TimeScale) and the SLOs with it (TTFT 1.5 s × S,
# TPOT 100 ms × S, those of loadtests/workloads/*-heavy.json), so the cluster's capacity — not this machine's cores —
# limits it: the simulated-time experiment at rate R × S. Defaults: S = 10, R = 2.9 req/s (80 % of the simulated
# phase-1 goodput of E1 P5 D2, 36.2 req/s, over S), 8 workers, 120 s + 240 s. Grain-call timeout, KV lease, drain
# and resume timeouts are stretched by S too; the scheduler keeps its window (30 s), cooldown (30 s) and evaluation
# interval (5 s), with the scaled SLOs. The gateway's admission limits are raised so that queues, not 429s, show load.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
EPD="$ROOT/epd"
out="$ROOT/load-results/shift-$(date -u +%Y%m%d-%H%M%S)"
time_scale=10 rate=2.9 split=1,5,2 workers=8 phase1=120 phase2=240 configs=a,b,c seed=1
profile="$ROOT/loadtests/profiles/epd-tiny-cpu.json"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="${2:?}"; shift 2 ;;
    --time-scale) time_scale="${2:?}"; shift 2 ;;
    --rate) rate="${2:?}"; shift 2 ;;
    --split) split="${2:?}"; shift 2 ;;
    --workers) workers="${2:?}"; shift 2 ;;
    --phase1) phase1="${2:?}"; shift 2 ;;
    --phase2) phase2="${2:?}"; shift 2 ;;
    --configs) configs="${2:?}"; shift 2 ;;
    --summary-only) configs=""; shift ;;
    --seed) seed="${2:?}"; shift 2 ;;
    --profile) profile="${2:?}"; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "shift.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
IFS=, read -r enc pre dec <<<"$split"
[[ "$enc" =~ ^[0-9]+$ && "$pre" =~ ^[0-9]+$ && "$dec" =~ ^[0-9]+$ ]] || { echo "shift.sh: --split takes E,P,D (got $split)" >&2; exit 2; }
(( enc + pre + dec == workers )) || { echo "shift.sh: the split $split does not add up to $workers workers" >&2; exit 2; }
# A TimeSpan of SECONDS × the time scale: timeouts and leases stretch with the profile, so a backlog fails no sooner
# than it would at real time.
stretched() { awk -v s="$time_scale" -v base="$1" 'BEGIN { t = int(base * s + 0.5); printf "%02d:%02d:%02d", t / 3600, (t % 3600) / 60, t % 60 }'; }
ttft_ms=$(awk -v s="$time_scale" 'BEGIN { printf "%d", 1500 * s }')
tpot_ms=$(awk -v s="$time_scale" 'BEGIN { printf "%d", 100 * s }')
mkdir -p "$out"
[[ -z "$configs" ]] || "$EPD" build >/dev/null

# The two phases' traffic, as in loadtests/workloads/text-heavy.json and image-heavy.json; 448 px square images are
# tiled into a 2 × 2 grid plus a thumbnail: the workloads' 5 tiles per image.
text_heavy=(--prompt-tokens normal:512,128 --output-tokens uniform:32-96 --images-per-request choice:0=9,1=1)
image_heavy=(--prompt-tokens uniform:16-64 --output-tokens 32 --images-per-request choice:2=2,3=1,4=1)
common=(--image-short-side 448 --aspect-ratios 1:1=1 --image-formats png=1 --goodput "ttft:$ttft_ms" "tpot:$tpot_ms"
        --request-rate "$rate" --progress none --no-build --request-timeout 1200)
# A phase ends at most 10 × S seconds after its last arrival: a request still open then has long missed its TTFT SLO
# (or is far into a long decode) and is cancelled — counted as a failure, as it would count as a miss.
drain_s=$(awk -v s="$time_scale" 'BEGIN { printf "%d", 10 * s }')

run_config() {
  local name="$1" state="$out/$1/state"
  local up=(--simulated --profile "$profile" --set "Epd:Simulation:TimeScale=$time_scale"
            --set "Epd:Scheduler:TtftSloSeconds=$(awk -v m="$ttft_ms" 'BEGIN { print m / 1000 }')"
            --set "Epd:Scheduler:TpotSloSeconds=$(awk -v m="$tpot_ms" 'BEGIN { print m / 1000 }')"
            --set "Epd:Cluster:ResponseTimeout=$(stretched 30)" --set "Epd:Engine:KvLease=$(stretched 30)"
            --set "Epd:Switch:DrainTimeout=$(stretched 60)" --set "Epd:Switch:ResumeTimeout=$(stretched 30)"
            --set Epd:Gateway:Limits:MaxRunningRequests=512 --set Epd:Gateway:Limits:MaxQueuedRequests=1024)
  case "$name" in
    a-static) up+=(--encoders "$enc" --prefills "$pre" --decoders "$dec" --set Epd:Scheduler:Automatic=false) ;;
    b-switch) up+=(--encoders "$enc" --prefills "$pre" --decoders "$dec" --set Epd:Scheduler:Automatic=true) ;;
    c-aggregated) up+=(--aggregated "$workers" --set Epd:Scheduler:Automatic=false) ;;
  esac
  mkdir -p "$out/$name"
  echo "== $name: ./epd up ${up[*]}"
  "$EPD" up --no-build --state-dir "$state" "${up[@]}" >"$out/$name/up.log" 2>&1 || { cat "$out/$name/up.log"; return 1; }
  local url
  url=$(cat "$state/run/gateway.url")
  # Phase 2 starts phase1 seconds after phase 1, while phase 1's last requests still run: one continuous stream.
  "$EPD" load --base-url "$url" --seed "$seed" --duration "$phase1" --max-step-seconds "$((phase1 + drain_s))" "${text_heavy[@]}" "${common[@]}" \
    --output-dir "$out/$name/phase1" >"$out/$name/phase1.log" 2>&1 &
  local first=$!
  sleep "$phase1"
  date -u +%Y-%m-%dT%H:%M:%SZ >"$out/$name/shift-utc"
  "$EPD" load --base-url "$url" --seed "$((seed + 1))" --duration "$phase2" --max-step-seconds "$((phase2 + drain_s))" "${image_heavy[@]}" "${common[@]}" \
    --output-dir "$out/$name/phase2" >"$out/$name/phase2.log" 2>&1 || echo "phase 2 of $name exited with $?"
  wait "$first" || echo "phase 1 of $name exited with $?"
  curl -fsS "$url/admin/scheduler" >"$out/$name/scheduler.json" || true
  curl -fsS "$url/admin/cluster" >"$out/$name/cluster.json" || true
  "$EPD" down --state-dir "$state" >/dev/null
}

for c in ${configs//,/ }; do
  case "$c" in
    a) run_config a-static ;;
    b) run_config b-switch ;;
    c) run_config c-aggregated ;;
    *) echo "shift.sh: unknown configuration $c (a, b or c)" >&2; exit 2 ;;
  esac
done

# Summary from requests.csv (step,probe_rate,index,start_s,success,error,http_status,ttft_ms,tpot_ms,...): a request is
# good when it succeeded within both SLOs (the load generator's rule); attainment = good / sent.
summarize() {
  local settle="$1" csv="$2"
  local p90
  p90=$(awk -F, -v settle="$settle" 'FNR > 1 && $4 + 0 >= settle && $8 != "" { print $8 + 0 }' "$csv" | sort -n \
    | awk '{ v[NR] = $1 } END { if (NR == 0) { print 0; exit } r = int(0.9 * NR); if (r < 0.9 * NR) r++; if (r < 1) r = 1; printf "%.0f", v[r] }')
  awk -F, -v ttft="$ttft_ms" -v tpot="$tpot_ms" -v settle="$settle" -v bucket=30 -v p90="$p90" '
    FNR == 1 { next }
    {
      sent++; t = $4 + 0
      good = ($5 == "true" && $8 != "" && $8 + 0 <= ttft && ($9 == "" || $9 + 0 <= tpot))
      ok += good
      if (t >= settle) { sent_s++; ok_s += good }
      b = int(t / bucket); bs[b]++; bg[b] += good; if (b > maxb) maxb = b
    }
    END {
      printf "%d|%.1f|%d|%.1f|%s|", sent, sent ? 100 * ok / sent : 0, sent_s, sent_s ? 100 * ok_s / sent_s : 0, p90
      for (i = 0; i <= maxb; i++) printf "%s%.0f", (i ? " " : ""), bs[i] ? 100 * bg[i] / bs[i] : 0
      printf "\n"
    }' "$csv"
}

{
  echo "# Shift experiment on real processes (simulated engine)"
  echo
  echo "Command: \`loadtests/experiments/shift.sh --time-scale $time_scale --rate $rate --split $split --workers $workers --phase1 $phase1 --phase2 $phase2 --seed $seed\`"
  echo "SLOs: TTFT ≤ ${ttft_ms} ms, TPOT ≤ ${tpot_ms} ms (1.5 s and 100 ms × time scale $time_scale). Profile: $(basename "$profile")."
  echo
  echo "| configuration | phase | requests | attainment | requests after 60 s | attainment after 60 s | TTFT p90 after 60 s (ms) | good req/s (load generator) | attainment per 30 s bucket (%) |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---|"
  for dir in "$out"/*/; do
    name=$(basename "$dir")
    for phase in phase1 phase2; do
      csv="$dir/$phase/requests.csv"
      [[ -f "$csv" ]] || continue
      IFS='|' read -r sent att sent_s att_s p90 buckets <<<"$(summarize 60 "$csv")"
      goodput=$(grep -o '"request_goodput": *[0-9.eE+-]*' "$dir/$phase/result.json" | tail -1 | grep -o '[0-9.eE+-]*$' || echo "?")
      printf '| %s | %s | %s | %s %% | %s | %s %% | %s | %.2f | %s |\n' "$name" "$phase" "$sent" "$att" "$sent_s" "$att_s" "$p90" "$goodput" "$buckets"
    done
  done
  echo
  for dir in "$out"/*/; do
    [[ -f "$dir/scheduler.json" ]] || continue
    echo "Role switches of $(basename "$dir") (traffic shifted at $(cat "$dir/shift-utc" 2>/dev/null || echo '?')):"
    echo
    grep -o '{"workerId":"[^"]*","from":\[[^]]*\],"to":\[[^]]*\],"succeeded":[a-z]*,"error":[^,]*,"startedUtc":"[^"]*","drainSeconds":[0-9.eE+-]*,"totalSeconds":[0-9.eE+-]*' "$dir/scheduler.json" \
      | sed -e 's/^{/- /' || echo "- none"
    echo
  done
} >"$out/summary.md"
cat "$out/summary.md"
