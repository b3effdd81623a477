# Several hosts on this machine, for the tests of issue 17. Source it instead of ../lib.sh (it sources that).
# A panel network namespace (the panel's side: run it with in_panel) and, per host N, a host namespace joined to
# it by a veth pair: the panel side 10.231.N.1/24, the host 10.231.N.2/24 (addresses inside the test's own
# namespaces only; names carry the test's pid, so tests may run side by side). Each host runs Debian's sshd on
# its own config, host key, pid file and log, port 22, with an authorized_keys that holds the panel's key as
# `left4me host-authorize` writes it (restrict, command="<build>/src/cli/l4d2ctl-remote"), and its own
# LEFT4ME_ROOT and host.env (built-in supervisor), named to l4d2ctl-remote by sshd's SetEnv, with a fake game
# installed. The key logs in as root (PermitRootLogin forced-commands-only: the tests run as root).
# Everything (sshd, its sessions, the host's servers, the panel's ssh masters, the namespaces) goes on exit,
# also on failure.
#   make_host N        makes host N (1..250) and prints nothing; its files are under $(host_dir N)
#   panel_env N        the PROBE_* settings of host N for web_ssh_probe (see src/web/ssh_probe_main.cc)
#   panel_ctl N CMD... web_ssh_probe CMD... for host N, in the panel's namespace
#   panel_ssh_argv N   ssh_argv for host N, one word a line (what the web app runs)
#   in_panel CMD...    CMD in the panel's namespace; in_host N CMD... in host N's
#   stop_sshd N        kills host N's sshd and its sessions (its servers run on); start_sshd N starts it again
#   host_l4d2ctl N ARGS...   l4d2ctl on host N directly (as the host's admin would, not over ssh)
#   panel_web_start [KEY=VALUE...]   the real l4d2web in the panel's namespace (on its own loopback, $PANEL_WEB),
#                      its web.env the keys an admin sets (DATABASE_URL under $PANEL_DIR, so the panel key is
#                      the harness's; L4D2CTL; no update check or Workshop refresh) and the given ones; its local
#                      host's host.env an empty root with the built-in supervisor; logged in as an administrator
#   panel_api METHOD PATH [JSON]     the JSON API as that administrator: prints the body
#   panel_api_status METHOD PATH [JSON]   the same, prints the HTTP status; the body is in $PANEL_DIR/api.body
#   panel_add_host N [JSON-MEMBERS]  adds host N through the API (name hN, address, ssh_user root, the given
#                      members, e.g. '"port_min":27015,"port_max":27020,"max_servers":3'), checks that the
#                      fingerprint shown is the host's own key's, confirms it; prints the host's id
# Variables: PANEL_KEY (the panel's private key, made by web_ssh_probe key = ensure_panel_key), PANEL_CONTROL_DIR.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

BIN_REMOTE="$LEFT4ME_BUILD/src/cli/l4d2ctl-remote"
BIN_PROBE="$LEFT4ME_BUILD/src/web/web_ssh_probe"
SSHD=/usr/sbin/sshd
[ -x "$SSHD" ] || fail "$SSHD is missing (scripts/setup installs openssh-server)"
PANEL_NS="l4m-p$$"
PANEL_DIR="$T/panel"
PANEL_KEY="$PANEL_DIR/ssh/id_ed25519"
# A short directory for the control sockets (a socket path holds 107 bytes).
PANEL_CONTROL_DIR=$(mktemp -d /tmp/l4m-ssh.XXXXXX)
on_exit "rm -rf '$PANEL_CONTROL_DIR'"

host_ns() { echo "l4m-h$1-$$"; }
host_dir() { echo "$T/h$1"; }
host_address() { echo "10.231.$1.2"; }
# Only the network namespace is entered (ip netns exec would also make a mount namespace per call): the
# hosts' mounts are in this machine's mount namespace, as on a real host, and unmount_all_under sees them.
in_panel() { nsenter --net="/run/netns/$PANEL_NS" "$@"; }
in_host() { local n=$1; shift; nsenter --net="/run/netns/$(host_ns "$n")" "$@"; }
# kill_namespace NS: SIGKILL every process in NS (sshd, sessions, supervisors, servers, ssh masters), again until
# none is left (one may fork meanwhile, and a dying one may still write a file: the test's directory goes after).
kill_namespace() {
  local pids tries=0
  while pids=$(ip netns pids "$1" 2>/dev/null) && [ -n "$pids" ] && [ $((tries += 1)) -le 50 ]; do
    kill -9 $pids 2>/dev/null || true
    sleep 0.1
  done
}

make_panel() {
  ip netns add "$PANEL_NS"
  on_exit "kill_namespace $PANEL_NS; ip netns del $PANEL_NS"
  ip -n "$PANEL_NS" link set lo up
  mkdir -p "$PANEL_DIR"
  "$BIN_PROBE" key "$PANEL_DIR/ssh" >"$PANEL_DIR/id_ed25519.pub" || fail "web_ssh_probe key"
}

make_host() {
  local n=$1 ns dir
  ns=$(host_ns "$n") dir=$(host_dir "$n")
  [ -e "$PANEL_DIR" ] || make_panel
  ip netns add "$ns"
  on_exit "kill_namespace $ns; unmount_all_under '$dir/root'; ip netns del $ns"
  ip link add "l4p$n-$$" netns "$PANEL_NS" type veth peer name "l4h$n-$$" netns "$ns"
  ip -n "$PANEL_NS" addr add "10.231.$n.1/24" dev "l4p$n-$$"
  ip -n "$ns" addr add "10.231.$n.2/24" dev "l4h$n-$$"
  ip -n "$ns" link set lo up
  ip -n "$PANEL_NS" link set "l4p$n-$$" up
  ip -n "$ns" link set "l4h$n-$$" up
  mkdir -p "$dir/root"
  printf 'LEFT4ME_ROOT=%s\nLEFT4ME_SUPERVISOR=builtin\n' "$dir/root" >"$dir/host.env"
  LEFT4ME_HOST_ENV="$dir/host.env" LEFT4ME_STEAMCMD="$BIN_FAKE_STEAMCMD" FAKE_SRCDS="$BIN_FAKE_SRCDS" \
    "$BIN_L4D2CTL" install --json >"$dir/install.log" 2>&1 || { cat "$dir/install.log"; fail "install on host $n"; }
  printf 'restrict,command="%s" %s\n' "$BIN_REMOTE" "$(cat "$PANEL_DIR/id_ed25519.pub")" >"$dir/authorized_keys"
  ssh-keygen -q -t ed25519 -N '' -C "host-$n" -f "$dir/ssh_host_ed25519_key"
  write_sshd_config "$n"
  start_sshd "$n"
}

write_sshd_config() {
  local n=$1 dir
  dir=$(host_dir "$n")
  # StrictModes no: the test's files lie under /tmp, which sshd's ownership walk refuses (world-writable).
  # HOME: sshd runs the forced command with the user's login shell; a real host's service user has /bin/sh,
  # which reads no startup file, but root's is bash, which reads ~/.bashrc when sshd starts it: the host's
  # own empty home keeps this machine's root's startup files out of the timings and the tests.
  mkdir -p "$dir/home"
  cat >"$dir/sshd_config" <<EOF
ListenAddress $(host_address "$n"):22
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin forced-commands-only
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
SetEnv LEFT4ME_HOST_ENV=$dir/host.env HOME=$dir/home
MaxSessions 20
EOF
}

start_sshd() {
  local n=$1 dir
  dir=$(host_dir "$n")
  mkdir -p /run/sshd  # sshd's privilege separation directory (Debian's unit makes it)
  in_host "$n" "$SSHD" -D -f "$dir/sshd_config" -E "$dir/sshd.log" &
  disown $!  # killed by stop_sshd or at exit, not waited for
  wait_until 10 in_host "$n" bash -c "exec 3<>/dev/tcp/$(host_address "$n")/22"
}

# sshd_pids N: the listener and every session it forked, all the sshd processes of host N's namespace.
sshd_pids() {
  local pid
  for pid in $(ip netns pids "$(host_ns "$1")"); do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != sshd ] || echo "$pid"
  done
}
no_sshd() { [ -z "$(sshd_pids "$1")" ]; }
stop_sshd() {
  local pids
  pids=$(sshd_pids "$1")
  [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
  wait_until 10 no_sshd "$1"
}

panel_env() {
  local n=$1
  echo "PROBE_ADDRESS=$(host_address "$n") PROBE_PORT=22 PROBE_USER=root" \
    "PROBE_KNOWN_HOSTS=$PANEL_DIR/ssh/known_hosts.d/$n PROBE_KEY=$PANEL_KEY PROBE_CONTROL_DIR=$PANEL_CONTROL_DIR" \
    "PROBE_CONNECT_TIMEOUT=${PROBE_CONNECT_TIMEOUT:-3}"
}
panel_ctl() {
  local n=$1; shift
  mkdir -p "$PANEL_DIR/ssh/known_hosts.d"
  # shellcheck disable=SC2046
  in_panel env $(panel_env "$n") "$BIN_PROBE" "$@"
}
panel_ssh_argv() { panel_ctl "$1" argv; }

host_l4d2ctl() {
  local n=$1; shift
  in_host "$n" env LEFT4ME_HOST_ENV="$(host_dir "$n")/host.env" "$BIN_L4D2CTL" "$@"
}

PANEL_WEB=http://127.0.0.1:8000
panel_web_start() {
  local line
  mkdir -p "$PANEL_DIR/root"
  printf 'LEFT4ME_ROOT=%s\nLEFT4ME_SUPERVISOR=builtin\n' "$PANEL_DIR/root" >"$PANEL_DIR/host.env"
  { echo "DATABASE_URL=sqlite:///$PANEL_DIR/left4me.db"
    echo "LEFT4ME_WEB_LISTEN=127.0.0.1:8000"
    echo "L4D2CTL=$BIN_L4D2CTL"
    echo "LEFT4ME_UPDATE_CHECK_HOURS=0"
    echo "LEFT4ME_WORKSHOP_REFRESH_HOURS=0"
    for line in "$@"; do echo "$line"; done; } >"$PANEL_DIR/web.env"
  # As the packaged unit runs it: web.env named, host.env's keys in the environment (EnvironmentFile).
  PANEL_WEB_ENV=(LEFT4ME_WEB_ENV="$PANEL_DIR/web.env" LEFT4ME_HOST_ENV="$PANEL_DIR/host.env"
                 LEFT4ME_ROOT="$PANEL_DIR/root" LEFT4ME_SUPERVISOR=builtin LEFT4ME_FAST_PASSWORD_HASH=1)
  env "${PANEL_WEB_ENV[@]}" LEFT4ME_ADMIN_PASSWORD=admin-password "$LEFT4ME_BUILD/src/web/l4d2web" \
    create-user admin --admin >/dev/null || fail "l4d2web create-user"
  in_panel env "${PANEL_WEB_ENV[@]}" "$LEFT4ME_BUILD/src/web/l4d2web" serve >"$PANEL_DIR/web.out" 2>"$PANEL_DIR/web.err" &
  PANEL_WEB_PID=$!
  on_exit "kill -9 $PANEL_WEB_PID 2>/dev/null"
  wait_until 10 in_panel curl -sf --max-time 2 "$PANEL_WEB/health"
  local token
  token=$(in_panel curl -sf -c "$PANEL_DIR/jar" "$PANEL_WEB/api/v1/csrf" | json_csrf) || fail "csrf"
  PANEL_CSRF=$(in_panel curl -sf -b "$PANEL_DIR/jar" -c "$PANEL_DIR/jar" -H "X-CSRF-Token: $token" \
    -H 'Content-Type: application/json' -d '{"name":"admin","password":"admin-password"}' "$PANEL_WEB/api/v1/session" |
    json_csrf) || fail "login to the panel: $(cat "$PANEL_DIR/web.err")"
}
json_csrf() { python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])'; }
panel_api() {
  in_panel curl -s --max-time 30 -b "$PANEL_DIR/jar" -H "X-CSRF-Token: $PANEL_CSRF" -H 'Content-Type: application/json' \
    -X "$1" ${3:+-d "$3"} "$PANEL_WEB$2"
}
panel_api_status() {
  in_panel curl -s --max-time 30 -o "$PANEL_DIR/api.body" -w '%{http_code}' -b "$PANEL_DIR/jar" \
    -H "X-CSRF-Token: $PANEL_CSRF" -H 'Content-Type: application/json' -X "$1" ${3:+-d "$3"} "$PANEL_WEB$2"
}
# host_fingerprint N: host N's own key's fingerprint ("SHA256:...").
host_fingerprint() { ssh-keygen -l -E sha256 -f "$(host_dir "$1")/ssh_host_ed25519_key.pub" | cut -d' ' -f2; }
panel_add_host() {
  local n=$1 members=${2:+,$2} code id shown
  code=$(panel_api_status POST /api/v1/hosts \
    "{\"name\":\"h$n\",\"address\":\"$(host_address "$n")\",\"ssh_user\":\"root\"$members}")
  [ "$code" == 201 ] || fail "adding host $n: $code $(cat "$PANEL_DIR/api.body")"
  id=$(json_get "$(cat "$PANEL_DIR/api.body")" 'j["host"]["id"]')
  shown=$(json_get "$(cat "$PANEL_DIR/api.body")" 'j["host"]["key"]["fingerprint"]')
  assert_eq "$(host_fingerprint "$n")" "$shown" "the fingerprint shown for host $n"
  code=$(panel_api_status POST "/api/v1/hosts/$id/confirm-key" "{\"fingerprint\":\"$shown\"}")
  [ "$code" == 200 ] || fail "confirming host $n's key: $code $(cat "$PANEL_DIR/api.body")"
  echo "$id"
}
