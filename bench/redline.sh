#!/usr/bin/env bash
# The redline command against git's word diff and the Python `redlines` package, side by side.
#
#     bench/redline.sh [--runs N] [--redlines-full SECONDS] [--no-build]
#
# Generates once (bench/gen_texts.py, seeded) in $REDLINE_BENCH_DIR (default /tmp/redline-bench):
#   edited/old.txt, edited/new.txt  2,000 numbered paragraphs, ~163,000 words, 20% of the
#                                   paragraphs edited (1-3 word substitutions/insertions/deletions)
#   unrelated/a.txt, unrelated/b.txt  two unrelated ~100,000-word texts (the pathological pair)
#   prefix10/old.txt, prefix10/new.txt  the first 200 paragraphs (10%) of the edited pair, and
#   prefix5/...                          the first 100 (5%)
# then times, with hyperfine (median of N runs, default 10, after one warm-up run), and measures
# peak resident memory with /usr/bin/time -f %M:
#   decl redline --files OLD NEW           (release build, default --format term, to /dev/null;
#                                           also --format md on the edited pair, for comparison)
#   git diff --no-index --word-diff OLD NEW (exit code 1 means "differs": hyperfine -i)
#   python3: Redlines(old, new).output_markdown  (the `redlines` package, pip install redlines)
# and prints a Markdown table. `redlines` (difflib.SequenceMatcher over the whole text, autojunk
# off) takes many minutes on the full texts (14 min in bench/redline-results.md), so it is timed
# on the 5% and 10% prefixes (3 runs each, no warm-up) and extrapolated to the full size with the
# growth exponent measured between them; that extrapolation is only indicative (its cost grows
# faster at larger sizes: it predicted 3 min where one full run took 14). --redlines-full SECONDS
# adds one full-size run under `timeout SECONDS`: its time if it finishes, else a lower bound.
#
# Environment: CARGO_TARGET_DIR (default /tmp/redline-bench-target), REDLINE_BENCH_DIR.
set -euo pipefail

runs=10
redlines_full=0
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --redlines-full) redlines_full="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/tmp/redline-bench-target}"
work="${REDLINE_BENCH_DIR:-/tmp/redline-bench}"
decl="$CARGO_TARGET_DIR/release/decl"

for tool in hyperfine git python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || {
        echo "missing: $tool (apt-get install -y hyperfine time; git; python3)" >&2
        exit 1
    }
done
python3 -c 'import redlines' 2>/dev/null || {
    echo "missing: the redlines package (pip install redlines)" >&2
    exit 1
}

if [ "$build" = 1 ]; then
    (cd "$root" && cargo build --release --quiet --bin decl)
fi
[ -x "$decl" ] || { echo "no release build at $decl" >&2; exit 1; }

# --- Texts, generated once -------------------------------------------------------------------
mkdir -p "$work"
if [ ! -s "$work/edited/new.txt" ]; then
    python3 "$root/bench/gen_texts.py" edited "$work/edited" --paragraphs 2000 --percent 20 --seed 1
fi
if [ ! -s "$work/unrelated/b.txt" ]; then
    python3 "$root/bench/gen_texts.py" unrelated "$work/unrelated" --words 100000 --seed 1
fi
# Prefixes: the first N paragraphs of both files (edits never add or remove a paragraph, so
# paragraph i of new.txt is the edited paragraph i of old.txt).
for pair in "prefix10 200" "prefix5 100"; do
    set -- $pair
    if [ ! -s "$work/$1/new.txt" ]; then
        mkdir -p "$work/$1"
        for side in old new; do
            awk -v n="$2" 'BEGIN { RS = ""; ORS = "\n\n" } NR <= n' \
                "$work/edited/$side.txt" >"$work/$1/$side.txt"
        done
    fi
done
cat >"$work/run_redlines.py" <<'EOF'
"""Redlines(old, new).output_markdown on two files, written to standard output."""
import sys
from redlines import Redlines

with open(sys.argv[1], encoding="utf-8") as f:
    old = f.read()
with open(sys.argv[2], encoding="utf-8") as f:
    new = f.read()
sys.stdout.write(Redlines(old, new).output_markdown)
EOF

words() { wc -w <"$1" | tr -d ' '; }

# --- Timing -------------------------------------------------------------------------------------
results="$work/results"
rm -rf "$results"
mkdir -p "$results"
load_before="$(uptime)"

# name|hyperfine runs|command (run without a shell; hyperfine sends its output to /dev/null)
cases=(
    "decl|$runs|$decl redline --files $work/edited/old.txt $work/edited/new.txt"
    "decl_md|$runs|$decl redline --files $work/edited/old.txt $work/edited/new.txt --format md"
    "git|$runs|git diff --no-index --word-diff $work/edited/old.txt $work/edited/new.txt"
    "decl_unrelated|$runs|$decl redline --files $work/unrelated/a.txt $work/unrelated/b.txt"
    "git_unrelated|$runs|git diff --no-index --word-diff $work/unrelated/a.txt $work/unrelated/b.txt"
    "decl_p10|$runs|$decl redline --files $work/prefix10/old.txt $work/prefix10/new.txt"
    "git_p10|$runs|git diff --no-index --word-diff $work/prefix10/old.txt $work/prefix10/new.txt"
    "redlines_p5|3|python3 $work/run_redlines.py $work/prefix5/old.txt $work/prefix5/new.txt"
    "redlines_p10|3|python3 $work/run_redlines.py $work/prefix10/old.txt $work/prefix10/new.txt"
)
for case in "${cases[@]}"; do
    IFS='|' read -r name n command <<<"$case"
    echo ">>> $name: $command" >&2
    warmup=1
    case "$name" in redlines_*) warmup=0 ;; esac
    hyperfine --shell=none --ignore-failure --style basic --warmup "$warmup" --runs "$n" \
        --export-json "$results/$name.json" "$command" >&2
    # Peak resident set size (KiB) of one more run.
    # shellcheck disable=SC2086
    /usr/bin/time -f %M -o "$results/$name.mem" $command >/dev/null 2>&1 || true
done
if [ "$redlines_full" != 0 ]; then
    echo ">>> redlines_full: one run, timeout ${redlines_full}s" >&2
    start=$(date +%s.%N)
    set +e
    /usr/bin/time -f %M -o "$results/redlines_full.mem" \
        timeout "$redlines_full" python3 "$work/run_redlines.py" \
        "$work/edited/old.txt" "$work/edited/new.txt" >/dev/null 2>&1
    status=$?
    set -e
    end=$(date +%s.%N)
    echo "$status $(echo "$end - $start" | bc -l)" >"$results/redlines_full.status"
fi
load_after="$(uptime)"

# --- Table --------------------------------------------------------------------------------------
python3 - "$results" "$(words "$work/edited/old.txt")" "$(words "$work/prefix10/old.txt")" \
    "$(words "$work/prefix5/old.txt")" "$(words "$work/unrelated/a.txt")" \
    "$(words "$work/unrelated/b.txt")" <<'EOF'
import json, math, os, sys

results, full_words, p10_words, p5_words, a_words, b_words = sys.argv[1], *map(int, sys.argv[2:])

def median(name):
    with open(os.path.join(results, f"{name}.json")) as f:
        return json.load(f)["results"][0]["median"]

def memory(name):
    try:
        with open(os.path.join(results, f"{name}.mem")) as f:
            lines = [line for line in f.read().split() if line.isdigit()]
        return f"{int(lines[-1]) / 1024:.0f} MiB" if lines else "n/a"
    except FileNotFoundError:
        return "n/a"

def duration(seconds):
    if seconds >= 120:
        return f"{seconds / 60:.1f} min"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.0f} ms"

git, git_p10, git_unrelated = median("git"), median("git_p10"), median("git_unrelated")
decl_md = median("decl_md")
decl, decl_p10, decl_unrelated = median("decl"), median("decl_p10"), median("decl_unrelated")
red_p5, red_p10 = median("redlines_p5"), median("redlines_p10")
exponent = math.log(red_p10 / red_p5) / math.log(p10_words / p5_words)
red_full = red_p10 * (full_words / p10_words) ** exponent

rows = [
    (f"`decl redline --files` edited pair ({full_words:,} words, wc -w)", duration(decl), f"{decl / git:.2f}x", memory("decl")),
    (f"`decl redline --files --format md` edited pair", duration(decl_md), f"{decl_md / git:.2f}x", memory("decl_md")),
    (f"`git diff --no-index --word-diff` edited pair", duration(git), "1.00x", memory("git")),
    (f"`redlines` edited pair, **extrapolated** (n^{exponent:.2f} from the 5% and 10% prefixes)",
     f"~{duration(red_full)}", f"~{red_full / git:,.0f}x", "n/a"),
]
status_file = os.path.join(results, "redlines_full.status")
red_full_measured = None
if os.path.exists(status_file):
    status, seconds = open(status_file).read().split()
    seconds = float(seconds)
    if status == "0":
        red_full_measured = seconds
    if status == "124":
        rows.append(("`redlines` edited pair, one run (timed out)", f"> {duration(seconds)}",
                     f"> {seconds / git:,.0f}x", memory("redlines_full")))
    else:
        rows.append(("`redlines` edited pair, one run", duration(seconds), f"{seconds / git:,.0f}x",
                     memory("redlines_full")))
rows += [
    (f"`decl redline --files` 10% prefix ({p10_words:,} words)", duration(decl_p10), f"{decl_p10 / git_p10:.2f}x", memory("decl_p10")),
    (f"`git diff --no-index --word-diff` 10% prefix", duration(git_p10), "1.00x", memory("git_p10")),
    (f"`redlines` 10% prefix (measured)", duration(red_p10), f"{red_p10 / git_p10:,.0f}x", memory("redlines_p10")),
    (f"`redlines` 5% prefix ({p5_words:,} words, measured)", duration(red_p5), "", memory("redlines_p5")),
    (f"`decl redline --files` unrelated pair ({a_words:,} / {b_words:,} words)", duration(decl_unrelated), f"{decl_unrelated / git_unrelated:.2f}x", memory("decl_unrelated")),
    (f"`git diff --no-index --word-diff` unrelated pair", duration(git_unrelated), "1.00x", memory("git_unrelated")),
]
print("| what | median | ratio to git's word diff (same texts) | peak memory |")
print("| --- | ---: | ---: | ---: |")
for row in rows:
    print("| " + " | ".join(row) + " |")
print()
ok = lambda met: "met" if met else "**missed**"
print(f"- decl within 1.5x of git's word diff: {decl / git:.2f}x, {ok(decl <= 1.5 * git)}")
if red_full_measured is not None:
    print(f"- decl at least 100x faster than redlines: {red_full_measured / decl:,.0f}x on the full pair "
          f"(one redlines run), {red_p10 / decl_p10:,.0f}x on the 10% prefix: "
          f"{ok(red_full_measured >= 100 * decl and red_p10 >= 100 * decl_p10)}")
else:
    print(f"- decl at least 100x faster than redlines: {red_p10 / decl_p10:,.0f}x measured on the 10% prefix, "
          f"~{red_full / decl:,.0f}x extrapolated to the full pair: {ok(red_p10 >= 100 * decl_p10)}")
print(f"- pathological pair under 1 s: {duration(decl_unrelated)}, {ok(decl_unrelated < 1.0)}")
EOF
echo
echo "load before: $load_before"
echo "load after:  $load_after"
