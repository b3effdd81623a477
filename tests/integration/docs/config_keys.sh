#!/usr/bin/env bash
# docs/deploy.md lists every key of host.env and web.env exactly as `l4d2ctl --help-config` and
# `l4d2web --help-config` print them, and every key the shipped env files set is one of them, so the page,
# the programs and the shipped files cannot drift apart.
. "$(dirname "$0")/../lib.sh"
DOC="$LEFT4ME_SOURCE/docs/deploy.md"
BIN_L4D2WEB="$LEFT4ME_BUILD/src/web/l4d2web"

# The lines between "<!-- keys: COMMAND -->" and "<!-- end keys -->".
doc_table() { awk -v start="<!-- keys: $1 -->" '$0 == start { on = 1; next } /^<!-- end keys -->$/ { on = 0 } on' "$DOC"; }

for program in l4d2ctl l4d2web; do
  binary=$BIN_L4D2CTL; [ "$program" = l4d2web ] && binary=$BIN_L4D2WEB
  printed=$("$binary" --help-config)
  documented=$(doc_table "$program --help-config")
  [ -n "$documented" ] || fail "docs/deploy.md has no table marked <!-- keys: $program --help-config -->"
  if [ "$printed" != "$documented" ]; then
    diff <(echo "$documented") <(echo "$printed") || true
    fail "docs/deploy.md's table differs from '$program --help-config' (paste the program's output between the markers)"
  fi
done
pass "docs/deploy.md's key tables are what the programs print"

for file in host.env web.env; do
  program=l4d2ctl; [ "$file" = web.env ] && program=l4d2web
  table=$(doc_table "$program --help-config")
  for key in $(grep -oE '^[A-Z_][A-Z0-9_]*=' "$LEFT4ME_SOURCE/deploy/$file" | tr -d =); do
    assert_contains "$table" "| \`$key\` |" "deploy/$file's $key in the documented keys"
  done
done
pass "every key of the shipped host.env and web.env is documented"

# "The shipped web.env" the page shows is the shipped file's settings, line for line.
shown=$(awk '/^The shipped web.env/ { on = 1; next } on && /^```ini$/ { block = 1; next } block && /^```$/ { exit } block' "$DOC")
[ -n "$shown" ] || fail "docs/deploy.md shows no shipped web.env"
shipped=$(grep -E '^[A-Z_][A-Z0-9_]*=' "$LEFT4ME_SOURCE/deploy/web.env")
if [ "$shown" != "$shipped" ]; then
  diff <(echo "$shown") <(echo "$shipped") || true
  fail "docs/deploy.md's shipped web.env differs from deploy/web.env"
fi
pass "the web.env docs/deploy.md shows is the shipped one"
