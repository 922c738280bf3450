#!/usr/bin/env bash
# check-format.sh: fails when a C++ file git tracks (or is about to) differs
# from what clang-format makes of it with the repository's .clang-format.
# Usage: scripts/check-format.sh          (check; lists the files that differ)
#        scripts/check-format.sh --fix    (rewrite them in place)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v clang-format >/dev/null; then
  echo "check-format: clang-format is missing (scripts/install-deps.sh installs it)" >&2
  exit 2
fi

mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.h' '*.cc' |
                     while read -r f; do [[ -f "$f" ]] && echo "$f"; done)
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
  echo "check-format: formatted ${#files[@]} files"
  exit 0
fi

differ=()
for f in "${files[@]}"; do
  clang-format "$f" | cmp -s - "$f" || differ+=("$f")
done
if ((${#differ[@]} > 0)); then
  echo "check-format: ${#differ[@]} of ${#files[@]} files differ from clang-format:" >&2
  printf '  %s\n' "${differ[@]}" >&2
  echo "run scripts/check-format.sh --fix" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files clean"
