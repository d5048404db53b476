#!/usr/bin/env bash
# The scale benchmark: decl on a large generated negotiation, side by side with plain git doing
# comparable work, in one run.
#
#   bench/run.sh [--rebuild] [--runs N] [--slow-runs N] [--out FILE]
#
# Builds decl and the generator in release mode (honours CARGO_TARGET_DIR), generates once (cached
# in $BENCH_DIR, default target/bench; --rebuild makes them again):
#   large   2,000 clauses, 100 delegations, 20,000 amendments, 5 revisions (30,000+ commits)
#   tenth   the same declaration with a tenth of the amendments (a tenth of the history)
#   small   40 clauses, 50 amendments (a few hundred commits)
# then times with hyperfine (median of N runs, default 5, after one warm-up; the slow ones
# --slow-runs, default 3) and records the peak resident memory of one more run (GNU time):
#
#   decl check                          vs  git ls-files | xargs cat (reading every file)
#   decl show --rev rev1                vs  git show rev1:<file> of every clause file (one git)
#   decl redline rev1 rev2 --format html vs git diff --word-diff rev1 rev2 -- clauses declaration.yaml
#                                        and vs git diff --word-diff rev1 rev2 (every file)
#   decl compile --format html          (every pending amendment under its clause)
#   decl amend propose                  on large vs on tenth, and on large vs on small
#   git add + git commit of one file     on large vs on tenth (the index: git's own floor)
#   decl log CLAUSE, decl blame CLAUSE  vs  git log --oneline -- clauses/CLAUSE.yaml
#   decl amend list                     vs  git ls-files | xargs cat
#   decl export --format docx
#
# and prints a Markdown table. Needs hyperfine, GNU time, jq and git:
#   apt-get update && apt-get install -y hyperfine time jq
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# For a quick trial run elsewhere, at another size:
#   BENCH_DIR=/tmp/b BENCH_LARGE_ARGS="--clauses 100 --amendments 300" bench/run.sh
BENCH="${BENCH_DIR:-$ROOT/target/bench}"
RUNS=5
SLOW_RUNS=3
REBUILD=0
OUT=""
while [ $# -gt 0 ]; do
    case "$1" in
        --rebuild) REBUILD=1 ;;
        --runs) RUNS="$2"; shift ;;
        --slow-runs) SLOW_RUNS="$2"; shift ;;
        --out) OUT="$2"; shift ;;
        -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

for tool in hyperfine jq git; do
    if ! command -v "$tool" > /dev/null; then
        echo "run.sh: $tool is missing (apt-get update && apt-get install -y hyperfine time jq)" >&2
        exit 1
    fi
done
if [ ! -x /usr/bin/time ]; then
    echo "run.sh: /usr/bin/time is missing (apt-get install -y time)" >&2
    exit 1
fi

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
echo "== building (release) in $TARGET_DIR" >&2
(cd "$ROOT" && cargo build --release --quiet --example generate --bin decl)
DECL="$TARGET_DIR/release/decl"
GENERATE="$TARGET_DIR/release/examples/generate"

# The generator's options for each repository; a cached repository is reused only when it was
# made with the same options and finished (the stamp is written last).
# shellcheck disable=SC2206 # word splitting of the override is intended
LARGE_ARGS=(${BENCH_LARGE_ARGS:---size large --seed 1})
TENTH_ARGS=(${BENCH_TENTH_ARGS:---size large --seed 1 --amendments 2000})
SMALL_ARGS=(--size small --seed 1)
mkdir -p "$BENCH"
generate() { # name, options...
    local name="$1"; shift
    local dir="$BENCH/$name" stamp="$BENCH/$name.stamp"
    if [ "$REBUILD" = 0 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$*" ]; then
        echo "== $name: cached in $dir ($*)" >&2
        return
    fi
    echo "== $name: generating ($*), log in $BENCH/$name.log" >&2
    rm -rf "$dir" "$stamp"
    /usr/bin/time -f "generation: %e s elapsed, %U s user, %S s sys, %M KB peak" \
        "$GENERATE" "$@" "$dir" > "$BENCH/$name.log" 2>&1 \
        || { tail -5 "$BENCH/$name.log" >&2; exit 1; }
    tail -12 "$BENCH/$name.log" >&2
    echo "$*" > "$stamp"
}
generate large "${LARGE_ARGS[@]}"
generate tenth "${TENTH_ARGS[@]}"
generate small "${SMALL_ARGS[@]}"
LARGE="$BENCH/large"
TENTH="$BENCH/tenth"
SMALL="$BENCH/small"

# Commands run with a cleared, fixed environment: no user git config, fixed clock, no colour.
export DECL_TIMESTAMP=2025-12-01T10:00:00+01:00
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null NO_COLOR=1 GIT_PAGER=cat PAGER=cat
unset DECL_AS

# The clause whose file the most commits touched (the zero draft, cuts and status marks).
CLAUSE=$(git -C "$LARGE" log --format= --name-only -- clauses/ \
    | sort | uniq -c | sort -k1,1nr -k2 | awk 'NR == 1 { print $2 }' \
    | sed 's|^clauses/||; s|\.yaml$||')
CLAUSE_COMMITS=$(git -C "$LARGE" rev-list --count HEAD -- "clauses/$CLAUSE.yaml")
COMMITS=$(git -C "$LARGE" rev-list --count HEAD)
AMENDMENTS=$(git -C "$LARGE" ls-files amendments | wc -l)
CLAUSES=$(git -C "$LARGE" ls-files clauses | wc -l)
SMALL_COMMITS=$(git -C "$SMALL" rev-list --count HEAD)
TENTH_COMMITS=$(git -C "$TENTH" rev-list --count HEAD)
PENDING=$(git -C "$LARGE" grep -l "^status: tabled" HEAD -- amendments | wc -l)
REV1_CHANGED=$(git -C "$LARGE" diff --name-only rev1 rev2 -- clauses | wc -l)
echo "== large: $COMMITS commits, $CLAUSES clauses, $AMENDMENTS amendments ($PENDING pending); clause $CLAUSE changed in $CLAUSE_COMMITS commits; rev1 -> rev2 changes $REV1_CHANGED clause files" >&2
echo "== tenth: $TENTH_COMMITS commits; small: $SMALL_COMMITS commits" >&2

# Proposals make a commit: they run in throwaway clones, reset to their start before each run.
WORK_LARGE="$BENCH/work-large"
WORK_TENTH="$BENCH/work-tenth"
WORK_SMALL="$BENCH/work-small"
rm -rf "$WORK_LARGE" "$WORK_TENTH" "$WORK_SMALL"
git clone -q "$LARGE" "$WORK_LARGE"
git clone -q "$TENTH" "$WORK_TENTH"
git clone -q "$SMALL" "$WORK_SMALL"
trap 'rm -rf "$WORK_LARGE" "$WORK_TENTH" "$WORK_SMALL"' EXIT
START_LARGE=$(git -C "$WORK_LARGE" rev-parse HEAD)
START_TENTH=$(git -C "$WORK_TENTH" rev-parse HEAD)
START_SMALL=$(git -C "$WORK_SMALL" rev-parse HEAD)
PROPOSE="amend propose --as D001 --insert-at-end operative --text '*Decide* to remain actively seized of the matter.' --justification 'Benchmark.'"

RESULTS=$(mktemp -d)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# bench NAME DECL_COMMAND COMPARISON_NAME COMPARISON_COMMAND [hyperfine options...]
bench() {
    local name="$1" decl_cmd="$2" cmp_name="$3" cmp_cmd="$4"; shift 4
    echo "== $name" >&2
    hyperfine --style basic "$@" \
        --export-json "$RESULTS/$name.json" \
        -n "decl" "$decl_cmd" -n "$cmp_name" "$cmp_cmd" >&2
    # Peak memory: one more run of each under GNU time, after the same --prepare as the timed
    # runs (a commit benchmark needs its repository reset first).
    local prepare=true mem_decl mem_cmp
    while [ $# -gt 0 ]; do
        if [ "$1" = --prepare ]; then prepare="$2"; fi
        shift
    done
    bash -c "$prepare"
    mem_decl=$(/usr/bin/time -f %M bash -c "$decl_cmd" 2>&1 > /dev/null | tail -1)
    bash -c "$prepare"
    mem_cmp=$(/usr/bin/time -f %M bash -c "$cmp_cmd" 2>&1 > /dev/null | tail -1)
    echo "$mem_decl $mem_cmp" > "$RESULTS/$name.mem"
}
# bench_alone NAME DECL_COMMAND [hyperfine options...]: a decl command with nothing to compare.
bench_alone() {
    local name="$1" decl_cmd="$2"; shift 2
    echo "== $name" >&2
    hyperfine --style basic "$@" --export-json "$RESULTS/$name.json" -n "decl" "$decl_cmd" >&2
    /usr/bin/time -f %M bash -c "$decl_cmd" 2>&1 > /dev/null | tail -1 > "$RESULTS/$name.mem"
}

SLOW=(--warmup 0 --runs "$SLOW_RUNS")
FAST=(--warmup 1 --runs "$RUNS")
bench check "$DECL -C $LARGE check" \
    "git ls-files | xargs cat" "cd $LARGE && git ls-files -z | xargs -0 cat > /dev/null" "${FAST[@]}"
git -C "$LARGE" ls-tree --name-only rev1 clauses/ | sed 's/^/rev1:/' > "$RESULTS/show-args"
bench show "$DECL -C $LARGE show --rev rev1" \
    "git show rev1:<every clause file>" "cd $LARGE && xargs git show < $RESULTS/show-args" "${FAST[@]}"
bench redline "$DECL -C $LARGE redline rev1 rev2 --format html" \
    "git diff --word-diff" "git -C $LARGE diff --word-diff rev1 rev2 -- clauses declaration.yaml" "${FAST[@]}"
# The issue names the whole-repository diff; it also word-diffs every amendment file changed.
bench redline_all "$DECL -C $LARGE redline rev1 rev2 --format html" \
    "git diff --word-diff (all files)" "git -C $LARGE diff --word-diff rev1 rev2" "${FAST[@]}"
bench_alone compile "$DECL -C $LARGE compile --format html" "${SLOW[@]}"
# --prepare runs before every timed run of both commands; the last run's commit is undone at
# the end (the clones are deleted anyway).
bench propose "$DECL -C $WORK_LARGE $PROPOSE" \
    "tenth" "$DECL -C $WORK_TENTH $PROPOSE" "${FAST[@]}" \
    --prepare "git -C $WORK_LARGE reset -q --hard $START_LARGE && git -C $WORK_TENTH reset -q --hard $START_TENTH"
bench propose_small "$DECL -C $WORK_LARGE $PROPOSE" \
    "small" "$DECL -C $WORK_SMALL $PROPOSE" "${FAST[@]}" \
    --prepare "git -C $WORK_LARGE reset -q --hard $START_LARGE && git -C $WORK_SMALL reset -q --hard $START_SMALL"
# The floor under any commit in a work tree: git itself reads and rewrites the whole index
# (one entry per file) to commit one file.
GIT_COMMIT="echo x > note.txt && git add note.txt && git -c gc.auto=0 -c user.name=b -c user.email=b@x commit -q -m note"
bench git_commit "cd $WORK_LARGE && $GIT_COMMIT" \
    "tenth" "cd $WORK_TENTH && $GIT_COMMIT" "${FAST[@]}" \
    --prepare "git -C $WORK_LARGE reset -q --hard $START_LARGE && git -C $WORK_TENTH reset -q --hard $START_TENTH"
git -C "$WORK_LARGE" reset -q --hard "$START_LARGE"
bench log "$DECL -C $LARGE log $CLAUSE" \
    "git log" "git -C $LARGE log --oneline -- clauses/$CLAUSE.yaml" "${SLOW[@]}"
bench blame "$DECL -C $LARGE blame $CLAUSE" \
    "git log" "git -C $LARGE log --oneline -- clauses/$CLAUSE.yaml" "${SLOW[@]}"
bench list "$DECL -C $LARGE amend list" \
    "git ls-files | xargs cat" "cd $LARGE && git ls-files -z | xargs -0 cat > /dev/null" "${FAST[@]}"
bench_alone docx "$DECL -C $LARGE export --format docx --draft -o $RESULTS/out.docx" "${FAST[@]}"

# The table.
seconds() { # json file, command index -> median in a readable unit
    jq -r ".results[$2].median" "$1"
}
human() {
    awk -v s="$1" 'BEGIN { if (s >= 1) printf "%.2f s", s; else printf "%.1f ms", s * 1000 }'
}
row() { # name, operation label, comparison label, target
    local name="$1" label="$2" cmp_label="$3" target="$4"
    local json="$RESULTS/$name.json"
    local d c mem_d mem_c
    d=$(seconds "$json" 0)
    if [ -z "$cmp_label" ]; then
        read -r mem_d < "$RESULTS/$name.mem"
        printf '| %s | %s | — | — | %s | %.0f MB |\n' "$label" "$(human "$d")" "$target" \
            "$(awk -v k="$mem_d" 'BEGIN { print k / 1024 }')"
        return
    fi
    c=$(seconds "$json" 1)
    read -r mem_d mem_c < "$RESULTS/$name.mem"
    printf '| %s | %s | %s: %s | %s | %s | %.0f / %.0f MB |\n' \
        "$label" "$(human "$d")" "$cmp_label" "$(human "$c")" \
        "$(awk -v d="$d" -v c="$c" 'BEGIN { printf "%.2fx", d / c }')" "$target" \
        "$(awk -v k="$mem_d" 'BEGIN { print k / 1024 }')" "$(awk -v k="$mem_c" 'BEGIN { print k / 1024 }')"
}
{
    echo
    echo "Large repository: $COMMITS commits, $CLAUSES clauses, $AMENDMENTS amendments ($PENDING pending); tenth: $TENTH_COMMITS commits; small: $SMALL_COMMITS commits."
    echo "Median of $RUNS runs after 1 warm-up (compile, log, blame: $SLOW_RUNS runs, no warm-up), hyperfine; peak resident memory of one run (GNU time), decl / comparison."
    echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); load before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo "| operation | decl median | comparison median | ratio | target | peak memory |"
    echo "| --- | --- | --- | --- | --- | --- |"
    row check "decl check" "git ls-files \\| xargs cat" "< 1 s"
    row show "decl show --rev rev1" "git show rev1:<each clause file>" "≤ 2x"
    row redline "decl redline rev1 rev2 --format html ($REV1_CHANGED clause files changed)" "git diff --word-diff rev1 rev2 -- clauses declaration.yaml" "≤ 1x"
    row redline_all "the same" "git diff --word-diff rev1 rev2 (every file)" "≤ 1x"
    row compile "decl compile --format html ($PENDING pending amendments)" "" "< 3 s, < 300 MB"
    row propose "decl amend propose (large, $COMMITS commits)" "same on tenth ($TENTH_COMMITS commits)" "≤ 1.5x"
    row git_commit "for reference: git add + git commit of one file (large)" "same on tenth" "—"
    row propose_small "decl amend propose (large, $COMMITS commits)" "same on small ($SMALL_COMMITS commits)" "—"
    row log "decl log $CLAUSE ($CLAUSE_COMMITS changes)" "git log --oneline -- clauses/$CLAUSE.yaml" "≤ 2x"
    row blame "decl blame $CLAUSE" "git log --oneline -- clauses/$CLAUSE.yaml" "≤ 2x"
    row list "decl amend list" "git ls-files \\| xargs cat" "—"
    row docx "decl export --format docx" "" "< 2 s"
} | tee ${OUT:+"$OUT"}
rm -rf "$RESULTS"
