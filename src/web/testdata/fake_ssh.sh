#!/usr/bin/env bash
# A stand-in for ssh (and for a local l4d2ctl) in the unit tests of Ctl's argv, quoting and standard input
# only; tests/integration/hosts/ runs the real ssh and sshd. Prints each argument as "arg: <word>", then
# "file: <mode> <bytes>" for the file after -f (unless it is "-"), then "stdin: <bytes> bytes". Environment:
# FAKE_SSH_STDERR, a text written to stderr; FAKE_SSH_EXIT, the exit code (0); FAKE_SSH_NO_STDIN=1 exits
# without reading standard input. As a session (the last word "session"): runs $FAKE_SSH_SESSION (the tests'
# copy of the real l4d2ctl-remote) with SSH_ORIGINAL_COMMAND=session, appending a line to $FAKE_SSH_SESSION.starts
# at each start; without it, it ends as an l4d2ctl-remote without sessions would (exit 2, unless FAKE_SSH_EXIT
# says otherwise), and the Ctl runs its calls as single calls.
set -u
if [ "${*: -1}" = session ]; then
  if [ -n "${FAKE_SSH_SESSION:-}" ]; then
    echo "$$" >>"$FAKE_SSH_SESSION.starts"
    SSH_ORIGINAL_COMMAND=session exec "$FAKE_SSH_SESSION"
  fi
  [ -n "${FAKE_SSH_STDERR:-}" ] && printf '%s\n' "$FAKE_SSH_STDERR" >&2
  [ "${FAKE_SSH_EXIT:-0}" != 0 ] && exit "$FAKE_SSH_EXIT"
  echo "l4d2ctl-remote: 'session' is not a command this key may run" >&2
  exit 2
fi
previous=''
for word in "$@"; do
  printf 'arg: %s\n' "$word"
  if [ "$previous" = -f ] && [ "$word" != - ]; then printf 'file: %s %s\n' "$(stat -c %a "$word")" "$(stat -c %s "$word")"; fi
  previous=$word
done
[ -n "${FAKE_SSH_STDERR:-}" ] && printf '%s\n' "$FAKE_SSH_STDERR" >&2
if [ "${FAKE_SSH_NO_STDIN:-}" != 1 ]; then printf 'stdin: %s bytes\n' "$(wc -c | tr -d ' ')"; fi
exit "${FAKE_SSH_EXIT:-0}"
