#!/usr/bin/env bash
# make bench, notebook part: a small notebook's cold run, its unchanged re-run,
# a prose-only edit and a one-block code edit, each timed (goals: ≤ 1 s, ≤ 2 s, ≤ 10 s for the last three).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
notebook="$root/.build/release/notebook"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/Notebooks"
cp "$root/Tests/NotebookTests/Notebooks/cells.md" "$work/Notebooks/"
cd "$work"
time_run() {
  local start end
  start=$(date +%s.%N)
  "$notebook" run Notebooks/cells.md --out out --cache cache 2>/dev/null
  end=$(date +%s.%N)
  awk "BEGIN { print $end - $start }"
}
cold=$(time_run)
unchanged=$(time_run)
sed -i 's/Prose between the blocks./Prose, edited./' Notebooks/cells.md
prose=$(time_run)
sed -i 's/block two sees/block two, edited, sees/' Notebooks/cells.md
code=$(time_run)
printf '%-28s %8.2f s\n' "notebook cold run" "$cold"
printf '%-28s %8.2f s   (goal ≤ 1 s)\n' "unchanged re-run" "$unchanged"
printf '%-28s %8.2f s   (goal ≤ 2 s)\n' "prose-only edit" "$prose"
printf '%-28s %8.2f s   (goal ≤ 10 s)\n' "one-block code edit" "$code"
