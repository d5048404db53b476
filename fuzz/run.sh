#!/usr/bin/env bash
# Builds and runs each fuzz target for a bounded time, one after the other with one worker,
# seeded from the bundled Dushanbe draft. A crash stops the script with libFuzzer's report;
# the input that caused it is saved under fuzz/artifacts/<target>/.
#
#   fuzz/run.sh                  # every target, FUZZ_SECONDS (default 60) each
#   FUZZ_SECONDS=600 fuzz/run.sh redline
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). cargo-fuzz passes nightly-only
# flags (-Zsanitizer=address); RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them.
set -euo pipefail

fuzz_dir=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz_dir")
draft="$root/drafts/dushanbe-2022"
seconds=${FUZZ_SECONDS:-60}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(load redline merge)
fi
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-$fuzz_dir/target}

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz is missing: cargo install cargo-fuzz --locked" >&2
  exit 1
fi

# The seeds: the draft's files, and the repository its recorded negotiation replays into
# (amendment files, and each clause at the zero draft, at rev1 and as adopted). Made once.
seeds="$fuzz_dir/corpus/seeds"
if [ ! -d "$seeds" ]; then
  echo "== making the seed corpus from $draft"
  decl=${DECL:-}
  if [ -z "$decl" ]; then
    (cd "$root" && cargo build --quiet --bin decl --target-dir "$CARGO_TARGET_DIR/seed")
    decl="$CARGO_TARGET_DIR/seed/debug/decl"
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  DECL_TIMESTAMP=2022-08-29T10:00:00+05:00 "$decl" init --from "$draft" "$work/repo" >/dev/null
  mkdir -p "$seeds/load" "$seeds/redline" "$seeds/merge"
  repo="$work/repo"
  # One seed per file, and the whole repository as one seed.
  (
    cd "$repo"
    whole="$seeds/load/repository"
    : >"$whole"
    for file in declaration.yaml delegations.yaml clauses/*.yaml amendments/*.yaml; do
      name=${file//\//_}
      { printf '%s\n' "$file"; cat "$file"; } >"$seeds/load/$name"
      { printf '%s\n' "$file"; cat "$file"; printf '\0'; } >>"$whole"
    done
    # The same files as a Windows editor saves them: a byte-order mark and CRLF.
    for file in declaration.yaml clauses/op-api.yaml amendments/EU-1.yaml; do
      name=${file//\//_}
      { printf '%s\n\xef\xbb\xbf' "$file"; sed 's/$/\r/' "$file"; } >"$seeds/load/crlf-$name"
    done
    for file in clauses/*.yaml; do
      name=$(basename "$file" .yaml)
      zero=$(git show "zero-draft:$file" 2>/dev/null || true)
      rev1=$(git show "rev1:$file" 2>/dev/null || true)
      adopted=$(git show "adopted:$file" 2>/dev/null || true)
      { printf '\0'; printf '%s\0%s' "$zero" "$adopted"; } >"$seeds/redline/$name"
      { printf '\1'; printf '%s\0%s' "$zero" "$rev1"; } >"$seeds/redline/$name-ws"
      printf '%s\0%s\0%s' "$zero" "$rev1" "$adopted" >"$seeds/merge/$name"
    done
  )
fi

cd "$root"
for target in "${targets[@]}"; do
  corpus="$fuzz_dir/corpus/$target"
  mkdir -p "$corpus"
  echo "== $target: building"
  cargo fuzz build --fuzz-dir "$fuzz_dir" "$target"
  echo "== $target: running for ${seconds}s"
  # One worker, a 10 s limit per input (a redline has a 200 ms deadline per block), the
  # corpus directory first (new inputs are saved there) and the seeds second.
  cargo fuzz run --fuzz-dir "$fuzz_dir" "$target" "$corpus" "$seeds/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
    -print_final_stats=1
done
