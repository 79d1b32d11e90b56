#!/usr/bin/env bash
# test/faults/run.sh: plants each fault of test/faults/*.diff in a throwaway copy of this
# repository, runs the property suite there, and replays every counterexample it writes with
# `sgsim run`, in the faulty copy and in the unplanted one. Not part of `npm test` (it runs the
# property suite once per fault: several minutes).
#
#   bash test/faults/run.sh [f1 f2 …]      # default: every test/faults/f*.diff
#
# Prints, per fault, the properties that failed and how many counterexample files failed (exit
# 1) in the faulty copy and passed (exit 0) unplanted. Exit status 1 if a fault went uncaught,
# or its patch no longer applies or type-checks (re-cut it against the current code).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/sgsim-faults.XXXXXX)
faults=("$@")
[ ${#faults[@]} -eq 0 ] && for d in "$root"/test/faults/f*.diff; do faults+=("$(basename "$d" .diff)"); done
copy() {
  mkdir -p "$1"
  (cd "$root" && git ls-files -z | xargs -0 tar cf - 2>/dev/null) | tar xf - -C "$1"
  ln -s "$root/node_modules" "$1/node_modules"
}
copy "$work/base"
uncaught=0
for f in "${faults[@]}"; do
  dir="$work/$f"
  copy "$dir"
  (cd "$dir" && git apply "$root/test/faults/$f.diff") || { echo "$f: the patch does not apply"; uncaught=1; continue; }
  # A fault must be a plausible bug, not code that no longer compiles against the current tree
  # (then every property "fails" with a ReferenceError and nothing is learned).
  (cd "$dir" && npx tsc --noEmit -p tsconfig.json > "$work/$f.tsc" 2>&1) || { echo "$f: the planted copy does not type-check ($work/$f.tsc)"; uncaught=1; continue; }
  (cd "$dir" && npx vitest run test/props > "$work/$f.log" 2>&1)
  failed=$(grep -o 'property "[^"]*" failed' "$work/$f.log" | sort -u | sed 's/property "\(.*\)" failed/\1/' | paste -sd ';' -)
  files=$(ls "$dir"/test/props/counterexamples/*.yaml 2>/dev/null)
  n=0; faulty=0; clean=0
  for cx in $files; do
    n=$((n + 1))
    (cd "$dir" && npx tsx src/cli/main.ts run --compile-after 0 "$cx" > /dev/null 2>&1); [ $? -eq 1 ] && faulty=$((faulty + 1))
    (cd "$work/base" && npx tsx src/cli/main.ts run --compile-after 0 "$cx" > /dev/null 2>&1); [ $? -eq 0 ] && clean=$((clean + 1))
  done
  [ -z "$failed" ] && uncaught=1
  echo "$f: $(head -1 "$root/test/faults/$f.diff" | sed 's/^--- a\///; s/\t.*//')"
  echo "  properties failed: ${failed:-NONE}"
  echo "  counterexamples: $n written, $faulty fail in the faulty copy, $clean pass unplanted"
done
echo "logs and copies: $work"
exit $uncaught
