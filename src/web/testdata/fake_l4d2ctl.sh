#!/usr/bin/env bash
# A stand-in for l4d2ctl in the web app's unit tests only (integration tests run the real one).
# State lives under $LEFT4ME_ROOT/fake: <name>.state, <name>.spec, <name>.log, calls.log.
# $LEFT4ME_ROOT/fake/delay (seconds) slows start/stop/restart, to observe job ordering; list_delay slows list,
# list_fail makes it fail. <name>.fail_start makes start/restart fail with its text as the reason (status's
# last_error, kept until a start succeeds), leaving the instance stopped as the real one does; <name>.fail_delete
# makes delete fail with its text, changing nothing. `maps` lists five
# official campaigns, "Dark Wood" for an overlay named campaign, and fails for an overlay named missing; each call
# is counted in maps_calls. `rcon` appends each command to <name>.rcon and answers `status` or `ran: <command>`;
# `--players` adds one player named <b>Zoë</b> to a running instance's live object. Game builds: `builds` (one id
# a line) and `current` name the installed builds; a start records the current build in <name>.build, which
# status reports while running (`current` compared anew); <name>.players sets the players A2S reports (default
# 1); `available` is what `install --check` finds (recorded in last_check.json for `install --list`); `disk`
# ("<free> <total>" bytes) is the disk `install --list` reports (none without it).
# `build-overlay <id> <script>` runs the script with bash in overlays/<id> (no sandbox), as the real one's output.
set -u
dir="$LEFT4ME_ROOT/fake"
mkdir -p "$dir"
cmd=${1:-}; shift || true
args="$*"
echo "$(date +%s.%N) begin $cmd $args" >>"$dir/calls.log"
finish() { echo "$(date +%s.%N) end $cmd $args" >>"$dir/calls.log"; exit "$1"; }
delay() { [ -f "$dir/delay" ] && sleep "$(cat "$dir/delay")"; return 0; }
status_json() {
  local name=$1 state=stopped port=0
  [ -f "$dir/$name.state" ] && state=$(cat "$dir/$name.state")
  [ -f "$dir/$name.spec" ] && port=$(sed -n 's/^port: *//p' "$dir/$name.spec" | head -1)
  local live=null players=1 build=null since=null
  [ -f "$dir/$name.players" ] && players=$(cat "$dir/$name.players")
  local player_list=''
  case " $args " in
    *" --players "*) player_list=',"player_list":[{"name":"<b>Zo\u00eb</b>","score":3,"seconds":3725}]' ;;
  esac
  [ "$state" = running ] && live='{"hostname":"h","map":"c1m1_hotel","players":'"$players"',"max_players":8,"query_ms":0.5'"$player_list"'}'
  [ "$state" = running ] && since='"2026-12-02T16:44:33Z"'
  if [ "$state" = running ] && [ -f "$dir/$name.build" ]; then
    local id current=false; id=$(cat "$dir/$name.build")
    [ "$id" = "$(cat "$dir/current" 2>/dev/null)" ] && current=true
    build='{"id":"'"$id"'","version":"2.2.4.'"${id: -1}"'","current":'"$current"'}'
  fi
  local last_error=null
  [ -f "$dir/$name.last_error" ] && last_error="\"$(cat "$dir/$name.last_error")\""
  printf '{"name":"%s","state":"%s","pid":null,"since":%s,"port":%s,"live":%s,"last_error":%s,"connect":"203.0.113.7:%s","build":%s}' \
    "$name" "$state" "$since" "${port:-0}" "$live" "$last_error" "${port:-0}" "$build"
}
builds_json() {
  local first=1 id current; current=$(cat "$dir/current" 2>/dev/null || true)
  printf '{"current":%s,"builds":[' "$([ -n "$current" ] && echo "{\"id\":\"$current\",\"version\":\"2.2.4.${current: -1}\"}" || echo null)"
  for id in $(cat "$dir/builds" 2>/dev/null); do
    [ $first = 1 ] || printf ','; first=0
    local used='' spec name
    for spec in "$dir"/*.spec; do
      [ -e "$spec" ] || continue; name=$(basename "$spec" .spec)
      [ "$(cat "$dir/$name.state" 2>/dev/null)" = running ] && [ "$(cat "$dir/$name.build" 2>/dev/null)" = "$id" ] &&
        used="$used${used:+,}\"$name\""
    done
    printf '{"id":"%s","version":"2.2.4.%s","current":%s,"used_by":[%s]}' "$id" "${id: -1}" \
      "$([ "$id" = "$current" ] && echo true || echo false)" "$used"
  done
  # <dir>/disk ("<free bytes> <total bytes>") gives the data root's disk; without it, none (as an older host).
  local disk='' free total; [ -f "$dir/disk" ] && read -r free total <"$dir/disk" &&
    disk=",\"disk\":{\"path\":\"$LEFT4ME_ROOT\",\"free_bytes\":$free,\"total_bytes\":$total}"
  printf '],"instances":{},"last_check":%s%s}\n' "$(cat "$dir/last_check.json" 2>/dev/null || echo null)" "$disk"
}
build_installed() { grep -qx "$1" "$dir/builds" 2>/dev/null; }
in_use() { local f; for f in "$dir"/*.build; do [ -e "$f" ] || continue
  [ "$(cat "$f")" = "$1" ] && [ "$(cat "${f%.build}.state")" = running ] && return 0; done; return 1; }
case "$cmd" in
  initialize)
    name=$1; file=$3
    grep -q '^port:' "$file" || { echo "l4d2ctl: initialize '$name': no port" >&2; finish 2; }
    cp "$file" "$dir/$name.spec"
    [ -f "$dir/$name.state" ] || echo stopped >"$dir/$name.state"
    echo "initialized $name"; finish 0 ;;
  start|restart)
    name=$1; [ -f "$dir/$name.spec" ] || finish 3
    delay
    if [ -f "$dir/$name.fail_start" ]; then
      cp "$dir/$name.fail_start" "$dir/$name.last_error"; echo stopped >"$dir/$name.state"
      echo "l4d2ctl: start '$name': $(cat "$dir/$name.fail_start"); it was stopped" >&2; finish 1
    fi
    rm -f "$dir/$name.last_error"
    [ -f "$dir/current" ] && cp "$dir/current" "$dir/$name.build"
    echo running >"$dir/$name.state"; echo "started $name"; echo "$name started" >>"$dir/$name.log"; finish 0 ;;
  stop)
    name=$1; [ -f "$dir/$name.spec" ] || finish 3
    delay; echo stopped >"$dir/$name.state"; echo "stopped $name"; finish 0 ;;
  delete)
    name=$1
    [ -f "$dir/$name.fail_delete" ] && { echo "l4d2ctl: delete '$name': $(cat "$dir/$name.fail_delete")" >&2; finish 1; }
    rm -f "$dir/$name.spec" "$dir/$name.state"; echo "deleted $name"; finish 0 ;;
  status)
    name=$1; [ -f "$dir/$name.spec" ] || { echo "l4d2ctl: status '$name': no such instance" >&2; finish 3; }
    status_json "$name"; echo; finish 0 ;;
  list)
    [ -f "$dir/list_delay" ] && sleep "$(cat "$dir/list_delay")"
    [ -f "$dir/list_fail" ] && { echo "l4d2ctl: list: broken on purpose" >&2; finish 1; }
    printf '['; first=1
    for spec in "$dir"/*.spec; do
      [ -e "$spec" ] || continue
      name=$(basename "$spec" .spec)
      [ $first = 1 ] || printf ','; first=0
      status_json "$name"
    done
    printf ']\n'; finish 0 ;;
  rcon)
    name=$1; shift; [ "${1:-}" = -- ] && shift
    [ -f "$dir/$name.spec" ] || { echo "l4d2ctl: rcon '$name': no such instance" >&2; finish 3; }
    printf '%s\n' "$*" >>"$dir/$name.rcon"
    state=stopped; [ -f "$dir/$name.state" ] && state=$(cat "$dir/$name.state")
    [ "$state" = running ] || { echo "l4d2ctl: rcon '$name': the server is not running ($state)" >&2; finish 1; }
    case "$*" in
      status) printf 'hostname: h\nmap     : c1m1_hotel\n' ;;
      *) printf 'ran: %s\n' "$*" ;;
    esac
    finish 0 ;;
  logs)
    name=$1; lines=$3
    echo "$(date +%s.%N) follower $name" >>"$dir/followers.log"
    touch "$dir/$name.log"
    exec tail -n "$lines" -F "$dir/$name.log" 2>/dev/null ;;
  maps)
    echo x >>"$dir/maps_calls"
    official='{"title":"Dead Center","origin":"official","file":null,"maps":[{"map":"c1m1_hotel","title":"Dead Center, 1: Hotel","found_in":[]},{"map":"c1m2_streets","title":"Dead Center, 2: Streets","found_in":[]}]},{"title":"Dark Carnival","origin":"official","file":null,"maps":[{"map":"c2m1_highway","title":"Dark Carnival, 1: Highway","found_in":[]},{"map":"c2m2_fairgrounds","title":"Dark Carnival, 2: Fairgrounds","found_in":[]}]},{"title":"Swamp Fever","origin":"official","file":null,"maps":[{"map":"c3m1_plankcountry","title":"Swamp Fever, 1: Plank Country","found_in":[]}]},{"title":"Hard Rain","origin":"official","file":null,"maps":[{"map":"c4m1_milltown_a","title":"Hard Rain, 1: Milltown","found_in":[]}]},{"title":"The Parish","origin":"official","file":null,"maps":[{"map":"c5m1_waterfront","title":"The Parish, 1: Waterfront","found_in":[]}]}'
    extra=''
    while [ $# -gt 0 ]; do
      [ "$1" = --overlay ] && case "$2" in
        missing) echo "l4d2ctl: maps: overlay 'missing' does not exist ($dir/overlays/missing)" >&2; finish 2 ;;
        campaign) extra=',{"title":"Dark Wood","origin":"overlay campaign","file":"left4dead2/addons/darkwood.vpk","maps":[{"map":"dw_01_path","title":"Dark Wood, 1: The Path","found_in":["overlay campaign"]}]}' ;;
      esac
      shift
    done
    printf '{"campaigns":[%s%s],"other_maps":[],"problems":[]}\n' "$official" "$extra"; finish 0 ;;
  install)
    case "${1:-}" in
      --list) builds_json; finish 0 ;;
      --check)
        [ -f "$dir/check_fail" ] && { echo "l4d2ctl: install --check: steamcmd failed on purpose" >&2; finish 1; }
        current=$(cat "$dir/current" 2>/dev/null || true); available=$(cat "$dir/available" 2>/dev/null || echo "$current")
        printf '{"at":%s,"current":"%s","available":"%s","update_available":%s,"error":null}\n' "$(date +%s)" \
          "$current" "$available" "$([ "$current" = "$available" ] && echo false || echo true)" >"$dir/last_check.json"
        cat "$dir/last_check.json"; finish 0 ;;
      --use)
        build_installed "$2" || { echo "l4d2ctl: install --use $2: no build $2 is installed" >&2; finish 3; }
        echo "$2" >"$dir/current"; builds_json; finish 0 ;;
      --remove)
        build_installed "$2" || { echo "l4d2ctl: install --remove $2: no build $2 is installed" >&2; finish 3; }
        [ "$2" = "$(cat "$dir/current")" ] && { echo "l4d2ctl: install --remove $2: it is the current build" >&2; finish 2; }
        in_use "$2" && { echo "l4d2ctl: install --remove $2: mounted instances use it" >&2; finish 2; }
        grep -vx "$2" "$dir/builds" >"$dir/builds.new"; mv "$dir/builds.new" "$dir/builds"; builds_json; finish 0 ;;
    esac
    for p in 0 50 100; do
      printf '{"phase":"downloading","percent":%s,"bytes_done":%s,"bytes_total":100}\n' $p $p
    done
    printf '{"phase":"done","percent":100,"bytes_done":100,"bytes_total":100}\n'; finish 0 ;;
  build-overlay)
    # As the real one, without its sandbox: the script copied to scripts/<id>.sh and run with bash in overlays/<id>,
    # its output (stdout and stderr together) as l4d2ctl's, its status as l4d2ctl's.
    id=$1; script=$2
    [ -d "$LEFT4ME_ROOT/overlays/$id" ] || { echo "l4d2ctl: build-overlay '$id': overlays/$id does not exist" >&2; finish 3; }
    [ -f "$script" ] || { echo "l4d2ctl: build-overlay '$id': script $script: No such file or directory" >&2; finish 2; }
    mkdir -p "$LEFT4ME_ROOT/scripts"
    [ "$script" -ef "$LEFT4ME_ROOT/scripts/$id.sh" ] || cp "$script" "$LEFT4ME_ROOT/scripts/$id.sh"
    cd "$LEFT4ME_ROOT/overlays/$id" && OVERLAY=$PWD bash "$LEFT4ME_ROOT/scripts/$id.sh" 2>&1
    finish $? ;;
  *) echo "l4d2ctl: unknown command '$cmd'" >&2; finish 2 ;;
esac
