#!/usr/bin/env bash
# The flow of the kernel's memory-hotplug selftest
# (tools/testing/selftests/memory-hotplug/mem-on-off-test.sh), made
# deterministic: every removable block is tried, in glob order, instead of a
# random share. Run it against a model, not a real machine:
#
#   pfnlab shell scenarios/hotplug-1tib.yaml -- scripts/memory-hotplug-flow.sh
#
# Phases, with the memory notifier error injector off, on and off again:
#   online        echo online > state for every removable offline block
#   offline       echo offline > state for every removable online block
#   online-veto   MEM_GOING_ONLINE fails with ERRNO: every online must fail
#   online        every offline block online again
#   offline-veto  MEM_GOING_OFFLINE fails with ERRNO: every offline must fail
#   offline       as before, with the injector cleared
#   online        back online
# Each phase prints one line, `PHASE: N tried, N ok, N failed` and the
# failures by message; a failed write must leave the block as it was, and
# one that succeeds must change it: else the line ends in `MISMATCH`.
# Exit status: 0 when the vetoed phases failed every write and nothing
# mismatched, 1 otherwise.
#
# Usage: memory-hotplug-flow.sh [-e ERRNO]   (ERRNO defaults to -12, ENOMEM)
set -u
export LC_ALL=C
errno=-12
while getopts e: opt; do
  case $opt in
    e) errno=$OPTARG ;;
    *) echo "usage: $0 [-e ERRNO]" >&2; exit 2 ;;
  esac
done

memory=/sys/devices/system/memory
actions=/sys/kernel/debug/notifier-error-inject/memory/actions
if [ ! -d "$memory" ] || [ ! -w "$actions/MEM_GOING_ONLINE/error" ]; then
  echo "$0: needs $memory and the memory notifier error injector ($actions)" >&2
  exit 2
fi

status=0

# The removable blocks in state $1, by name, in glob order.
blocks_in() {
  local dir removable state
  for dir in "$memory"/memory*; do
    read -r removable < "$dir/removable" || continue
    read -r state < "$dir/state" || continue
    [ "$removable" = 1 ] && [ "$state" = "$1" ] && echo "${dir##*/}"
  done
}

# phase NAME FROM TO: write TO to every removable block in state FROM.
phase() {
  local name=$1 from=$2 to=$3 block error now tried=0 ok=0 failed=0 mismatch=0
  local -A errors=()
  for block in $(blocks_in "$from"); do
    tried=$((tried + 1))
    error=$( { echo "$to" > "$memory/$block/state"; } 2>&1 )
    read -r now < "$memory/$block/state"
    if [ -z "$error" ]; then
      ok=$((ok + 1))
      [ "$now" = "$to" ] || mismatch=$((mismatch + 1))
    else
      failed=$((failed + 1))
      error=${error##*write error: }
      errors[$error]=$(( ${errors[$error]:-0} + 1 ))
      [ "$now" = "$from" ] || mismatch=$((mismatch + 1))
    fi
  done
  local line="$name: $tried tried, $ok ok, $failed failed" message
  for message in "${!errors[@]}"; do line+="; ${errors[$message]} $message"; done
  [ "$mismatch" -eq 0 ] || { line+="; $mismatch MISMATCH"; status=1; }
  echo "$line"
  last_ok=$ok
}

inject() { echo "$2" > "$actions/$1/error"; }

phase online offline online
phase offline online offline
inject MEM_GOING_ONLINE "$errno"
phase online-veto offline online
[ "$last_ok" -eq 0 ] || status=1
inject MEM_GOING_ONLINE 0
phase online offline online
inject MEM_GOING_OFFLINE "$errno"
phase offline-veto online offline
[ "$last_ok" -eq 0 ] || status=1
inject MEM_GOING_OFFLINE 0
phase offline online offline
phase online offline online
exit $status
