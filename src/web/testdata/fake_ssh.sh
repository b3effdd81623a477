#!/usr/bin/env bash
# A stand-in for ssh (and for a local l4d2ctl) in the unit tests of Ctl's argv, quoting and standard input
# only; tests/integration/hosts/ runs the real ssh and sshd. Prints each argument as "arg: <word>", then
# "file: <mode> <bytes>" for the file after -f (unless it is "-"), then "stdin: <bytes> bytes". Environment:
# FAKE_SSH_STDERR, a text written to stderr; FAKE_SSH_EXIT, the exit code (0); FAKE_SSH_NO_STDIN=1 exits
# without reading standard input.
set -u
previous=''
for word in "$@"; do
  printf 'arg: %s\n' "$word"
  if [ "$previous" = -f ] && [ "$word" != - ]; then printf 'file: %s %s\n' "$(stat -c %a "$word")" "$(stat -c %s "$word")"; fi
  previous=$word
done
[ -n "${FAKE_SSH_STDERR:-}" ] && printf '%s\n' "$FAKE_SSH_STDERR" >&2
if [ "${FAKE_SSH_NO_STDIN:-}" != 1 ]; then printf 'stdin: %s bytes\n' "$(wc -c | tr -d ' ')"; fi
exit "${FAKE_SSH_EXIT:-0}"
