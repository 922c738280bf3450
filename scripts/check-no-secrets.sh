#!/usr/bin/env bash
# check-no-secrets.sh: fails when anything payvox wrote during a test run
# (CTest's log of every test's output, payvoxd's logs included) holds a
# Stripe key, a webhook secret or a payvox token. Usage:
#   scripts/check-no-secrets.sh build/debug/Testing/Temporary/LastTest.log [more files]
set -euo pipefail

pattern='sk_(test|live)_[A-Za-z0-9_]{4,}|rk_(test|live)_[A-Za-z0-9_.]{4,}|whsec_[A-Za-z0-9_]{4,}|pvxt_[a-z0-9-]+\.[A-Za-z0-9_-]{6,}|pvxo_[A-Za-z0-9_-]{6,}'

# The pattern must catch what it is for, and not the masked forms.
if ! printf 'key sk_test_abc123def\n' | grep -Eq "$pattern" ||
   printf 'key sk_test_*** whsec_*** pvxt_*** Bearer ***\n' | grep -Eq "$pattern"; then
  echo "check-no-secrets: the pattern is broken" >&2
  exit 2
fi

status=0
for file in "$@"; do
  [[ -f "$file" ]] || { echo "check-no-secrets: no such file $file" >&2; exit 2; }
  if hits=$(grep -Eon "$pattern" "$file"); then
    echo "check-no-secrets: $file holds secrets (line:match, values cut):" >&2
    echo "$hits" | sed -E 's/(_[A-Za-z0-9]{3})[A-Za-z0-9_.-]*$/\1.../' | head -20 >&2
    status=1
  fi
done
[[ $status -eq 0 ]] && echo "check-no-secrets: no key, secret or token in $# file(s)"
exit $status
