# Helpers for the l4d2web integration tests (sourced after lib.sh).
BIN_L4D2WEB="$LEFT4ME_BUILD/src/web/l4d2web"
export LEFT4ME_FAST_PASSWORD_HASH=1  # Argon2id at libsodium's minimum cost: tests log in often
export LEFT4ME_WEB_ENV=/nonexistent/web.env

# web_start DIR PORT [ENV=VALUE...]: runs `l4d2web serve` in DIR, output in DIR/out and DIR/err; sets WEB_PID.
web_start() {
  local dir=$1 port=$2; shift 2
  mkdir -p "$dir"
  (cd "$dir" && exec env LEFT4ME_WEB_LISTEN="127.0.0.1:$port" "$@" "$BIN_L4D2WEB" serve >"$dir/out" 2>"$dir/err") &
  WEB_PID=$!
  on_exit "kill -9 $WEB_PID 2>/dev/null"
  wait_until 10 curl -sf --max-time 2 "http://127.0.0.1:$port/health"
}

# csrf_login URL NAME PASSWORD JAR: logs in through the API, prints the session's CSRF token.
api_login() {
  local base=$1 name=$2 password=$3 jar=$4 token
  token=$(curl -sf -c "$jar" "$base/api/v1/csrf" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
  curl -sf -b "$jar" -c "$jar" -H "X-CSRF-Token: $token" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$name\",\"password\":\"$password\"}" "$base/api/v1/session" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])'
}
