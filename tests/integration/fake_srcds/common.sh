# Helpers for the fake-srcds tests. Source after lib.sh.

# game_root NAME: a game root $T/NAME with left4dead2/cfg; prints its path.
game_root() {
  mkdir -p "$T/$1/left4dead2/cfg"
  echo "$T/$1"
}
# steam_client_home: a HOME $T/steam-home holding .steam/sdk32/steamclient.so (a stand-in), as srcds
# needs to leave LAN mode; prints its path.
steam_client_home() {
  mkdir -p "$T/steam-home/.steam/sdk32"
  printf '\177ELF stand-in steamclient.so\n' >"$T/steam-home/.steam/sdk32/steamclient.so"
  echo "$T/steam-home"
}
# start_fake ROOT PORT [srcds args...]: runs fake-srcds in ROOT (the game root, as srcds_run is started)
# on 127.0.0.1:PORT with stdout+stderr in ROOT/stdout.log; sets FAKE_PID; killed on exit.
# FAKE_SRCDS_* variables given before the call reach the server; HOME is FAKE_HOME, else
# steam_client_home's.
start_fake() {
  local root=$1 port=$2 home; shift 2
  home=${FAKE_HOME:-$(steam_client_home)}
  (cd "$root" && HOME=$home exec "$BIN_FAKE_SRCDS" -game left4dead2 -norestart +ip 127.0.0.1 -port "$port" "$@") \
    >"$root/stdout.log" 2>&1 &
  FAKE_PID=$!
  on_exit "kill -9 $FAKE_PID 2>/dev/null"
}
# wait_line ROOT TEXT [SECONDS]: waits until the server printed a line containing TEXT.
wait_line() {
  wait_until "${3:-10}" grep -qF -- "$2" "$1/stdout.log"
}
# a2s_raw PORT: quakestat's one-line raw answer ("A2S;addr;name;map;max;players;..." or "...;DOWN"/"TIMEOUT").
a2s_raw() {
  quakestat -a2s "127.0.0.1:$1" -raw ';' -nh -timeout 1 -retry 1 -interval 0.2 | head -n 1
}
# a2s_answers PORT [MAP]: true if A2S_INFO answers (with MAP, if given).
a2s_answers() {
  local line
  line=$(a2s_raw "$1")
  [[ "$line" != *";DOWN" && "$line" != *";TIMEOUT" && "$line" == *";${2:-}"* ]]
}
a2s_silent() { ! a2s_answers "$1"; }
# wait_exit PID SECONDS: waits for the background job PID to end; sets EXIT_CODE (shell convention).
wait_exit() {
  local pid=$1 seconds=$2 deadline
  deadline=$((SECONDS + seconds))
  while kill -0 "$pid" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || fail "process $pid still running after ${seconds}s"
    sleep 0.05
  done
  set +e
  wait "$pid"
  EXIT_CODE=$?
  set -e
}
# assert_json JSON EXPR EXPECTED [EXPR EXPECTED...]: evaluates each Python expression on the parsed JSON `j`
# (one interpreter for all) and fails listing every mismatch. Results print like json_get's.
assert_json() {
  python3 - "$@" <<'PY' || fail "JSON checks failed (see above); JSON: ${1:0:2000}"
import json, sys
j = json.loads(sys.argv[1])
bad = 0
for expr, want in zip(sys.argv[2::2], sys.argv[3::2]):
    try:
        r = eval(expr)
        got = json.dumps(r) if isinstance(r, (dict, list, bool)) or r is None else str(r)
    except Exception as e:
        got = f"<{type(e).__name__}: {e}>"
    if got != want:
        print(f"FAIL: {expr}: expected {want!r}, got {got!r}", file=sys.stderr)
        bad = 1
sys.exit(bad)
PY
}
