#!/usr/bin/env bash
# trx-summary.sh RESULTS_DIR RUNNER_EXIT_CODE
# Sums the Counters of every TRX file under RESULTS_DIR and prints one line:
#   tests: N passed, N failed, N skipped
# A runner that failed without reporting a failed test (a crashed test host, a build error) counts as
# one failure, so the line never reads green for a run that was not. Exits non-zero unless all passed.
set -euo pipefail
dir="${1:?results directory}"
runner_status="${2:-0}"
passed=0 failed=0 skipped=0 files=0
while IFS= read -r -d '' trx; do
  files=$(( files + 1 ))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)
  value() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  total=$(value total); executed=$(value executed); p=$(value passed); f=$(value failed)
  e=$(value error); t=$(value timeout); a=$(value aborted)
  passed=$(( passed + ${p:-0} ))
  failed=$(( failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0} ))
  skipped=$(( skipped + ${total:-0} - ${executed:-0} ))
done < <(find "$dir" -name '*.trx' -print0 2>/dev/null)
if (( runner_status != 0 && failed == 0 )); then
  echo "the test runner exited with code $runner_status without a failed test in $files result file(s): counting it as a failure" >&2
  failed=1
fi
if (( files == 0 && failed == 0 )); then
  echo "no test results were written to $dir" >&2
  failed=1
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
(( failed == 0 ))
