#!/usr/bin/env bash
# make bench, notebook part: a small notebook's cold run, its unchanged re-run,
# a prose-only edit and a one-block code edit, each timed (goals: ≤ 1 s, ≤ 2 s, ≤ 10 s for the last three).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
notebook="${NOTEBOOK:-$root/.build/${CONFIG:-release}/notebook}"
work="$(mktemp -d)"
bench="$root/.build/notebook-bench"
trap 'rm -rf "$work" "$bench"' EXIT
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

# figure1.md at the quick profile, in a copy beside the project (so that it finds notebook.yml and
# this project's kernel): rendered once, then a prose edit (nothing runs), an edit to its last Swift
# block (blocks 1–3 restored, the sweep not re-run) and one to its first (everything runs).
rm -rf "$bench"
mkdir -p "$bench"
cp "$root/Notebooks/figure1.md" "$bench/figure1.md"
cd "$root"
time_figure1() {
  local start end
  start=$(date +%s.%N)
  "$notebook" run "$bench/figure1.md" --param quick=true --out "$bench/out" --cache "$bench/cache" 2>"$bench/log.txt"
  end=$(date +%s.%N)
  awk "BEGIN { print $end - $start }"
}
first=$(time_figure1)
sed -i 's/^Conventions (SPEC)/Conventions (SPEC, edited)/' "$bench/figure1.md"
prose=$(time_figure1)
grep -q "unchanged: nothing ran" "$bench/log.txt" || { echo "notebook-bench: the prose edit ran something:"; cat "$bench/log.txt"; exit 1; }
sed -i 's/^check("(a): X_gd, an exact fit/check("(a): X_gd, an exact fit (edited)/' "$bench/figure1.md"
last=$(time_figure1)
grep -q "restored blocks 1–3" "$bench/log.txt" || { echo "notebook-bench: the last-block edit did not resume:"; cat "$bench/log.txt"; exit 1; }
values() { grep -o 'inline-value">[^<]*' "$bench/out/figure1.html"; cat "$bench"/out/data/figure1/*.tsv; }
resumed_values=$(values)
sed -i 's/^print(profile.banner)/print(profile.banner + "")/' "$bench/figure1.md"
whole=$(time_figure1)
[ "$resumed_values" = "$(values)" ] && same="the same" || same="DIFFERENT"
printf '%-36s %8.2f s   (the sweep, and the kernel build when it is new)\n' "figure1 quick, first render" "$first"
printf '%-36s %8.2f s   (nothing runs)\n' "figure1 quick, prose edit" "$prose"
printf '%-36s %8.2f s   (goal ≤ 10 s: blocks 1–3 restored)\n' "figure1 quick, last-block edit" "$last"
printf '%-36s %8.2f s   (everything runs)\n' "figure1 quick, first-block edit" "$whole"
printf '%-36s %8.1f ×\n' "first-block / last-block edit" "$(awk "BEGIN { print $whole / $last }")"
echo "the resumed render's inline values and tables against the full run's: $same"
