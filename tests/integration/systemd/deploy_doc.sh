#!/usr/bin/env bash
# docs/deploy.md is the test: in a booted systemd container, every `sh` block of the page runs in order, as
# written, as root (a block after a `test: skip` comment is skipped, for its stated reason), with the package
# built from this tree. Then what the page promises is checked: the packaged web unit, started as shipped,
# answers on its address; the administrator signs in; a server created in the panel starts (the web unit
# runs the helpers through sudo) and answers A2S, its blueprint stacking a Workshop overlay the panel filled
# from fake-steam-api, whose VPKs the server unit sees in addons/ (issue 14); the CLI-made instance is not the
# panel's but adoptable; the server unit's security score is the one the page states. Then the upgrade to the
# next package version keeps the database, the instances and the running servers (same pids) and runs the
# migrations. Only what an administrator would change is changed: host.env names the stand-in steamcmd and
# game server (Valve's cannot be downloaded here), web.env the stand-in Steam Web API, and create-user gets
# its password in the environment.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root (boots a container)"; exit 77; }
CI="$LEFT4ME_SOURCE/tests/integration/systemd/ci-systemd.sh"
DOC="$LEFT4ME_SOURCE/docs/deploy.md"
name=doc-$$
inside() { "$CI" sh "$name" "$@"; }
ADMIN_PASSWORD='a long admin passphrase'
base=http://127.0.0.1:8000
for port in 8000 27000 27030; do
  python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null ||
    fail "port $port is taken on this machine; the page's defaults need it"
done

# Two versions of the package: the page installs the first, the upgrade the second.
for version in 0.0.1 0.0.2; do
  (cd "$LEFT4ME_BUILD" && cpack -G DEB -B "$T/pkg-$version" -D CPACK_PACKAGE_VERSION=$version >"$T/cpack.log" 2>&1) ||
    { cat "$T/cpack.log"; fail "cpack $version"; }
done
mkdir -p "$T/install" "$T/upgrade"
cp "$T"/pkg-0.0.1/left4me_0.0.1_*.deb "$T/install/"
cp "$T"/pkg-0.0.2/left4me_0.0.2_*.deb "$T/upgrade/"

# The page's blocks, in order: "run" or "skip: reason", and each block's text in its own file.
python3 - "$DOC" "$T/blocks" <<'PY'
import os, re, sys
text, out = open(sys.argv[1]).read().split("\n"), sys.argv[2]
os.makedirs(out)
blocks, skip, i = [], None, 0
while i < len(text):
    line = text[i]
    m = re.match(r"<!-- test: skip: (.*) -->$", line.strip())
    if m:
        skip = m.group(1)
    elif line.startswith("```sh"):
        j = i + 1
        while not text[j].startswith("```"):
            j += 1
        blocks.append((skip, "\n".join(text[i + 1:j]) + "\n"))
        skip, i = None, j
    elif line.strip():
        skip = None
    i += 1
with open(os.path.join(out, "index"), "w") as index:
    for n, (reason, body) in enumerate(blocks, 1):
        open(os.path.join(out, "%02d.sh" % n), "w").write(body)
        index.write("%02d %s\n" % (n, "run" if reason is None else "skip: " + reason))
PY
grep -q " run" "$T/blocks/index" || fail "no runnable block in docs/deploy.md"
[ "$(grep -c ' skip: ' "$T/blocks/index")" -le 3 ] || fail "more than three skipped blocks: $(cat "$T/blocks/index")"

on_exit "'$CI' down '$name'"
"$CI" up "$name" --bind-ro="$T:/mnt/t" --bind-ro="$LEFT4ME_BUILD" >/dev/null
# The stand-in game where a real one would be visible to the hardened unit (PrivateTmp hides /tmp).
inside install -D -m 0755 "$BIN_FAKE_SRCDS" /usr/local/lib/left4me-test/fake-srcds

# What an administrator changes in host.env after installing the package (step 2 of the page).
configure_host_env() {
  inside sh -c "sed -i 's|^LEFT4ME_STEAMCMD=.*|LEFT4ME_STEAMCMD=$BIN_FAKE_STEAMCMD|' /etc/left4me/host.env &&
    echo FAKE_SRCDS=/usr/local/lib/left4me-test/fake-srcds >>/etc/left4me/host.env"
}
# The panel's public key of step 8, as the administrator copied it from the panel.
inside ssh-keygen -q -t ed25519 -N '' -C panel -f /root/left4me-panel </dev/null >/dev/null
while read -r number what; do
  if [ "$what" != run ]; then echo "block $number skipped: ${what#skip: }"; continue; fi
  if ! inside env LEFT4ME_ADMIN_PASSWORD="$ADMIN_PASSWORD" bash -euo pipefail -c "cd /mnt/t/install
$(cat "$T/blocks/$number.sh")" >"$T/block.log" 2>&1; then
    fail "docs/deploy.md block $number failed:
$(cat "$T/blocks/$number.sh")
--- its output:
$(tail -40 "$T/block.log")
--- left4me-web.service: $(inside journalctl -u left4me-web.service --no-pager -o cat | tail -15)"
  fi
  if grep -q 'apt-get install ./left4me_' "$T/blocks/$number.sh"; then configure_host_env; fi
done <"$T/blocks/index"
pass "every block of docs/deploy.md ran as written"
assert_eq "restrict,command=\"/opt/left4me/bin/l4d2ctl-remote\" $(inside cut -d' ' -f1,2 /root/left4me-panel.pub) left4me-panel" \
  "$(inside cat /var/lib/left4me/.ssh/authorized_keys)" "the panel's key after step 8"

# The daily update check, as shipped, runs as the service user and leaves its result where the panel reads it.
inside systemctl start left4me-update-check.service || fail "left4me-update-check.service: $(inside journalctl -u left4me-update-check.service --no-pager -o cat | tail -15)"
check=$(inside left4me l4d2ctl install --list --json)
assert_eq "null" "$(json_get "$check" 'j["last_check"]["error"]')" "the timer's check: $check"
[ -n "$(json_get "$check" 'j["last_check"]["available"]')" ] || fail "the timer's check found no build: $check"
pass "left4me-update-check.service checks for an update and records it"

# The daily Workshop refresh, as shipped: it queues one refresh_workshop job in the panel's database.
inside systemctl start left4me-workshop-refresh.service ||
  fail "left4me-workshop-refresh.service: $(inside journalctl -u left4me-workshop-refresh.service --no-pager -o cat | tail -15)"
assert_contains "$(inside journalctl -u left4me-workshop-refresh.service --no-pager -o cat)" "refresh_workshop job" \
  "what left4me-workshop-refresh.service said"
pass "left4me-workshop-refresh.service queues the refresh of the Workshop overlays"

# The web unit, as shipped, answers on the documented address.
assert_eq active "$(inside systemctl is-active left4me-web.service)" "left4me-web.service"
assert_eq "/opt/left4me/bin/l4d2web serve" \
  "$(inside systemctl show -p ExecStart --value left4me-web.service | sed -n 's/.*argv\[\]=\([^;]*\) ;.*/\1/p' | sed 's/ *$//')" \
  "the web unit's command line"
assert_contains "$(curl -sf "$base/health")" '"status":"ok"'
# The administrator signs in.
jar="$T/jar"
token=$(curl -sf -c "$jar" "$base/api/v1/csrf" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
csrf=$(curl -sf -b "$jar" -c "$jar" -H "X-CSRF-Token: $token" -H 'Content-Type: application/json' \
  -d "{\"name\":\"alice\",\"password\":\"$ADMIN_PASSWORD\"}" "$base/api/v1/session" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])') || fail "alice cannot sign in"
api() {  # api METHOD PATH [JSON]
  curl -s --max-time 60 -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -X "$1" \
    ${3:+-d "$3"} "$base$2"
}
pass "the web unit runs as shipped and the administrator signs in"

job_done() { local s; s=$(json_get "$(api GET "/api/v1/jobs/$job")" 'j["job"]["state"]'); [ "$s" != queued ] && [ "$s" != running ]; }

# Issue 14: the panel's server stacks a Workshop overlay. The stand-in Steam Web API runs in the container (Valve's
# cannot be reached here) and web.env names it, as an administrator would set STEAM_WEB_API_URL.
inside systemd-run --quiet --unit=fake-steam-api -p StandardOutput=file:/run/fake-steam-api.url \
  "$LEFT4ME_BUILD/src/testing/fake_steam_api/fake-steam-api"
wait_until 10 inside test -s /run/fake-steam-api.url
inside sh -c "echo STEAM_WEB_API_URL=$(inside head -n 1 /run/fake-steam-api.url) >>/etc/left4me/web.env &&
  systemctl restart left4me-web.service"
wait_until 30 curl -sf "$base/health"
workshop=$(json_get "$(api POST /api/v1/overlays '{"name":"workshop maps","kind":"workshop"}')" 'j["overlay"]["id"]') ||
  fail "the panel did not create a Workshop overlay"
api PUT "/api/v1/overlays/$workshop/workshop" '{"entries":["902"]}' >/dev/null  # nested: 1004, 1001, 1003, 1002
job=$(json_get "$(api POST "/api/v1/overlays/$workshop/workshop/refresh")" 'j["job"]["id"]')
wait_until 60 job_done
assert_eq succeeded "$(json_get "$(api GET "/api/v1/jobs/$job")" 'j["job"]["state"]')" "the Workshop refresh: $(
  api GET "/api/v1/jobs/$job/log" | grep '^data:' | tail -3)"

# A server created in the panel starts and answers A2S.
blueprint=$(json_get "$(api POST /api/v1/blueprints "{\"name\":\"coop\",\"spec\":{\"map\":\"c2m1_highway\",\"overlays\":[$workshop]}}")" \
  'j["blueprint"]["id"]')
server_json=$(api POST /api/v1/servers "{\"name\":\"friends-coop\",\"blueprint_id\":$blueprint}")
server=$(json_get "$server_json" 'j["server"]["id"]')
port=$(json_get "$server_json" 'j["server"]["port"]')
job=$(json_get "$(api POST "/api/v1/servers/$server/start")" 'j["job"]["id"]')
wait_until 120 job_done
state=$(json_get "$(api GET "/api/v1/jobs/$job")" 'j["job"]["state"]')
[ "$state" = succeeded ] || fail "the start job ended $state: $(api GET "/api/v1/jobs/$job/log" | grep '^data:' | tail -3)
--- the server's journal: $(inside journalctl --no-pager -o cat -u 'left4me-server@*' | tail -25)"
wait_until 30 sh -c "quakestat -a2s 127.0.0.1:$port -raw , | grep -q c2m1_highway"
assert_contains "$(quakestat -a2s "127.0.0.1:$port" -raw ,)" "friends-coop" "the server's name in A2S"
instance=$(json_get "$(api GET "/api/v1/servers/$server")" 'j["server"]["instance"]')
assert_eq active "$(inside systemctl is-active "left4me-server@$instance.service")" "the panel's server unit"
pass "a server created in the panel starts under systemd and answers A2S on port $port"

# The server unit's own view (its mount namespace, its uid): the Workshop overlay's VPKs in addons/ through the
# overlayfs mount, each the cached file, and workshop_cache/ visible and readable (upstream lost addons silently
# when the unit could not see it).
pid=$(inside systemctl show -p MainPID --value "left4me-server@$instance.service")
in_unit() { inside nsenter --target "$pid" --mount --setuid "$(inside stat -c %u "/proc/$pid")" \
  --setgid "$(inside stat -c %g "/proc/$pid")" "$@"; }
game=/var/lib/left4me/runtime/$instance/merged
inside grep -q " $game .* - overlay " "/proc/$pid/mountinfo" || fail "$game is not an overlayfs mount in the unit"
assert_eq "1001.vpk 1002.vpk 1003.vpk 1004.vpk" "$(in_unit ls "$game/left4dead2/addons" | tr '\n' ' ' | sed 's/ $//')" \
  "addons/ as the server unit sees it"
for item in 1001 1002 1003 1004; do
  in_unit cmp "$game/left4dead2/addons/$item.vpk" "/var/lib/left4me/workshop_cache/$item.vpk" ||
    fail "the unit cannot read $item.vpk in addons/ and workshop_cache/ alike"
done
pass "the panel's server unit sees the Workshop overlay's VPKs in addons/ and can read workshop_cache/"

# Issue 13, bug 1 under systemd: a start that never answers ends stopped, with its reason on the server's page
# and the dashboard row. The administrator adds an overlay holding a custom campaign whose addon lacks its
# second map's file (listed, so the panel accepts it; srcds cannot load it), and shortens web.env's start wait.
python3 "$LEFT4ME_SOURCE/tests/integration/campaign_vpk.py" --without dw_02_cabin "$T/darkwood.vpk"
inside sh -c 'echo LEFT4ME_START_WAIT_SECONDS=5 >>/etc/left4me/web.env && systemctl restart left4me-web.service'
wait_until 30 curl -sf "$base/health"
campaign=$(json_get "$(api POST /api/v1/overlays '{"name":"campaign"}')" 'j["overlay"]["id"]') ||
  fail "the panel did not create an overlay"
inside install -d -o left4me -g left4me "/var/lib/left4me/overlays/$campaign/left4dead2" \
  "/var/lib/left4me/overlays/$campaign/left4dead2/addons"
inside install -o left4me -g left4me -m 0644 /mnt/t/darkwood.vpk "/var/lib/left4me/overlays/$campaign/left4dead2/addons/"
stuck_blueprint=$(json_get "$(api POST /api/v1/blueprints "{\"name\":\"cabin\",\"spec\":{\"map\":\"dw_02_cabin\",\"overlays\":[$campaign]}}")" \
  'j["blueprint"]["id"]') || fail "the panel refused a blueprint on the overlay's listed map"
stuck=$(json_get "$(api POST /api/v1/servers "{\"name\":\"broken cabin\",\"blueprint_id\":$stuck_blueprint}")" 'j["server"]["id"]')
job=$(json_get "$(api POST "/api/v1/servers/$stuck/start")" 'j["job"]["id"]')
wait_until 60 job_done
assert_eq failed "$(json_get "$(api GET "/api/v1/jobs/$job")" 'j["job"]["state"]')" "the stuck start's job"
reason="the server did not answer with map 'dw_02_cabin' within 5 s"
page_text() { curl -sf -b "$jar" "$base$1" | python3 -c 'import html,re,sys; print(html.unescape(re.sub(r"<[^>]*>", "", sys.stdin.read())))'; }
server_page=$(page_text "/servers/$stuck")
assert_contains "$server_page" "Last start failed"
assert_contains "$server_page" "$reason" "the server page"
assert_eq stopped "$(curl -sf -b "$jar" "$base/servers/$stuck" | grep -o 'id="server-state">[a-z]*' | cut -d'>' -f2)" \
  "the state on the server page"
assert_contains "$(page_text /)" "Last start failed: $reason" "the dashboard"
stuck_instance=$(json_get "$(api GET "/api/v1/servers/$stuck")" 'j["server"]["instance"]')
assert_eq inactive "$(inside systemctl is-active "left4me-server@$stuck_instance.service")" "the stuck server's unit"
pass "a start that never answers ends stopped under systemd, its reason on the page and the dashboard"

# The CLI-made instance of step 6 runs, and the panel offers it for adoption instead of showing it.
assert_contains "$(inside left4me l4d2ctl status first)" "running"
assert_contains "$(api GET /api/v1/servers/adoptable)" '"first"'
assert_not_contains "$(api GET /api/v1/servers)" '"instance":"first"'
pass "the CLI instance is not the panel's, and an admin can adopt it"

# The security score the page states.
stated=$(grep -o 'scores an exposure of [0-9.]*' "$DOC" | grep -o '[0-9.]*$')
[ -n "$stated" ] || fail "docs/deploy.md states no exposure score"
measured=$(inside sh -c 'cd /usr/local/lib/systemd/system && systemd-analyze security --offline=true --no-pager left4me-server@.service' 2>&1 |
  grep -o 'Overall exposure level for [^:]*: [0-9.]*' | grep -o '[0-9.]*$')
assert_eq "$stated" "$measured" "the server unit's exposure (docs/deploy.md says $stated)"
pass "the server unit's security score is the stated $stated"

# Upgrade to the next version: database, instances and running servers are kept, the web app comes back
# and its database is at the newest schema.
pid_web=$(inside systemctl show -p MainPID --value "left4me-server@$instance.service")
pid_first=$(inside systemctl show -p MainPID --value left4me-server@first.service)
pid_app=$(inside systemctl show -p MainPID --value left4me-web.service)
inside sh -c 'cd /mnt/t/upgrade && apt-get install -y ./left4me_0.0.2_*.deb' >"$T/upgrade.log" 2>&1 ||
  { cat "$T/upgrade.log"; fail "the upgrade"; }
assert_eq "install ok installed 0.0.2" "$(inside dpkg-query -W -f='${Status} ${Version}' left4me)"
assert_eq "$pid_web" "$(inside systemctl show -p MainPID --value "left4me-server@$instance.service")" "the panel's server after the upgrade"
assert_eq "$pid_first" "$(inside systemctl show -p MainPID --value left4me-server@first.service)" "the CLI server after the upgrade"
wait_until 30 curl -sf "$base/health"
# The new web app runs (postinst restarted it): it migrates the database as it starts (from every older
# schema, rows kept: DatabaseTest.MigratesADatabaseFromEveryOlderSchemaKeepingItsRows).
[ "$(inside systemctl show -p MainPID --value left4me-web.service)" != "$pid_app" ] || fail "the web app was not restarted"
assert_eq running "$(json_get "$(api GET "/api/v1/servers/$server")" 'j["server"]["state"]')" "the server's state in the panel"
assert_eq friends-coop "$(json_get "$(api GET "/api/v1/servers/$server")" 'j["server"]["name"]')" "the server record"
schema=$(inside left4me migrate)
assert_contains "$schema" "is at schema version"
version=$(inside python3 -c 'import sqlite3; print(sqlite3.connect("/var/lib/left4me/web/left4me.db").execute("PRAGMA user_version").fetchone()[0])')
assert_contains "$schema" "schema version $version" "the database's schema after the upgrade"
pass "the upgrade to 0.0.2 kept the database, the instances and the running servers"
