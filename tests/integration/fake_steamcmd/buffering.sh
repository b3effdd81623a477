#!/usr/bin/env bash
# fake-steamcmd buffers stdout like the real one: about 4 KiB blocks into a pipe (so progress shows
# up only at the end), line by line on a terminal (script(1) gives it a pty).
. "$(dirname "$0")/../lib.sh"
export FAKE_STEAMCMD_HOME=$T/steam FAKE_SRCDS=/bin/true FAKE_STEAMCMD_DELAY_MS=120
command=("$BIN_FAKE_STEAMCMD" +force_install_dir "$T/install" +login anonymous
         +@sSteamCmdForcePlatformType windows +app_update 222860 +quit)
# Stamps each line with the time (ms) it arrived: bash's own clock, as a date(1) per line would add its own start
# to every line (tens of ms over the progress lines on a machine where a process start costs a few ms).
stamp() { while IFS= read -r line; do echo "$((${EPOCHREALTIME/./} / 1000)) ${line%$'\r'}"; done; }
# spread OUTPUT: ms between the arrival of the first progress line and of the Success line.
spread() {
  local first last
  first=$(grep -m1 ' Update state (0x61)' <<<"$1" | cut -d' ' -f1)
  last=$(grep -m1 "Success! App '222860' fully installed." <<<"$1" | cut -d' ' -f1)
  [ -n "$first" ] && [ -n "$last" ] || fail "progress or success missing: $1"
  echo $((last - first))
}

piped=$("${command[@]}" | stamp)
gap=$(spread "$piped")
[ "$gap" -lt 100 ] || fail "piped output arrived progressively (${gap} ms apart); it should be block-buffered"
pass "piped: all progress arrived at once (${gap} ms)"

rm -rf "$T/install"
printf -v quoted '%q ' "${command[@]}"
tty=$(script -qfec "$quoted" /dev/null | stamp)
gap=$(spread "$tty")
[ "$gap" -ge 600 ] || fail "pty output was not streamed line by line (${gap} ms apart)"
pass "on a pty: progress streamed over ${gap} ms"

