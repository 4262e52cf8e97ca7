#!/usr/bin/env bash
# make bench, notebook part: a small notebook's cold run, its unchanged re-run,
# a prose-only edit and a one-block code edit, each timed (goals: ≤ 1 s, ≤ 2 s, ≤ 10 s for the last three);
# figure1 at the quick profile; the snapshot cost of 100 and 400 blocks and of a 200 MB value.
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
sed -i 's/^\*\*How we run it.\*\* Conventions/**How we run it (edited).** Conventions/' "$bench/figure1.md"
prose=$(time_figure1)
grep -q "unchanged: nothing ran" "$bench/log.txt" || { echo "notebook-bench: the prose edit ran something:"; cat "$bench/log.txt"; exit 1; }
sed -i 's/^check("every run taken to its limit is stationary there/check("every run taken to its limit (edited) is stationary there/' "$bench/figure1.md"
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

# Snapshot cost: notebooks of 100 and 400 one-line blocks (`let vK = K`, every 50th reading two
# earlier values), each run cold and then after an edit to its 301st or 76th block (blocks before
# it restored); then a notebook whose first block makes a 200 MB [Double]: a full run, an edit to its
# last block (the value restored only if read: it is not) and a --force run, with the bytes its
# kept runs hold on disk (hard links counted once) and counted per link.
rm -rf "$bench"
mkdir -p "$bench/Notebooks"
blocks_notebook() {
  local n=$1 k
  { printf -- '---\ntitle: %s blocks\n---\n' "$n"
    for ((k = 0; k < n; k++)); do
      if (( k % 50 == 49 )); then printf '```swift\nlet v%d = v%d + v%d\nprint(v%d)\n```\n\n' $k $((k - 1)) $((k - 49)) $k
      else printf '```swift\nlet v%d = %d\n```\n\n' $k $k; fi
    done; } > "$bench/Notebooks/b$n.md"
}
time_notebook() {
  local start end
  start=$(date +%s.%N)
  (cd "$bench" && "$notebook" run "Notebooks/$1.md" --out out --cache cache "${@:2}" 2>log.txt)
  end=$(date +%s.%N)
  awk "BEGIN { print $end - $start }"
}
for n in 100 400; do
  blocks_notebook $n
  cold=$(time_notebook b$n)
  edited=$(( n == 400 ? 300 : 75 ))
  sed -i "s/^let v$edited = $edited\$/let v$edited = $edited + 0/" "$bench/Notebooks/b$n.md"
  resumed=$(time_notebook b$n)
  grep -q "restored blocks 1–$edited" "$bench/log.txt" || { echo "notebook-bench: the b$n edit did not resume:"; cat "$bench/log.txt"; exit 1; }
  printf '%-36s %8.2f s   (the kernel built already)\n' "$n one-line blocks, cold" "$cold"
  printf '%-36s %8.2f s   (blocks 1–%d restored)\n' "$n blocks, block $((edited + 1)) edited" "$resumed" "$edited"
done
cat > "$bench/Notebooks/large.md" <<'MD'
```swift
let large = (0..<25_000_000).map { Double($0) }
```

```swift
let total = large.reduce(0, +)
```

```swift
print("total \(total)")
```
MD
full=$(time_notebook large)
sed -i 's/print("total/print("the total/' "$bench/Notebooks/large.md"
resumed=$(time_notebook large)
forced=$(time_notebook large --force)
printf '%-36s %8.2f s\n' "200 MB [Double]: full run" "$full"
printf '%-36s %8.2f s   (blocks 1–2 restored, the value not read)\n' "200 MB [Double]: last block edited" "$resumed"
printf '%-36s %8.2f s   (the unchanged value linked to the kept file)\n' "200 MB [Double]: --force" "$forced"
printf '%-36s %8s     (%s counting each link)\n' "its kept runs on disk" "$(du -sh "$bench/cache/large/runs" | cut -f1)" "$(du -sh --count-links "$bench/cache/large/runs" | cut -f1)"
rm -rf "$bench"
