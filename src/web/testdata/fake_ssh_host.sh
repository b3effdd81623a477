#!/usr/bin/env bash
# A stand-in for ssh in the job runner's tests of other hosts (hosts_jobs_test.cc); tests/integration/hosts/
# runs the real ssh and sshd. The destination is the second-to-last argument (user@address), the quoted l4d2ctl
# arguments the last. In $LEFT4ME_ROOT/fake: down-<address> makes the host unreachable (ssh's own error, exit
# 255); key-changed-<address> makes ssh refuse a changed host key (its warning, exit 255); otherwise the arguments
# are split as l4d2ctl-remote splits them (the same quoting as a POSIX shell's), `-f -` takes the spec from
# standard input (a file of its own per call), each call is appended to ssh.log as "<address> <arguments>", and the stand-in l4d2ctl
# ($FAKE_L4D2CTL) runs them. A session is refused (exit 2), as an l4d2ctl-remote without sessions does.
set -u
dir="$LEFT4ME_ROOT/fake"
mkdir -p "$dir"
destination=${*: -2:1}
line=${*: -1}
address=${destination#*@}
if [ -e "$dir/down-$address" ]; then
  echo "ssh: connect to host $address port 22: Connection refused" >&2
  exit 255
fi
if [ -e "$dir/key-changed-$address" ]; then
  cat >&2 <<WARNING
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
The fingerprint for the ED25519 key sent by the remote host is
SHA256:changedchangedchangedchangedchangedchanged00.
Host key verification failed.
WARNING
  exit 255
fi
# A session (SshSession) is refused as by an l4d2ctl-remote without sessions: the Ctl makes single calls.
if [ "$line" = session ]; then
  echo "l4d2ctl-remote: 'session' is not a command this key may run" >&2
  exit 2
fi
eval "set -- $line"
echo "$address $*" >>"$dir/ssh.log"
words=()
for word in "$@"; do
  if [ "$word" = - ]; then
    # Each call its own file: two jobs may initialize on one host at once. The last spec read is also kept as
    # ssh-spec-<address> (renamed into place whole) for the tests to look at.
    word=$(mktemp "$dir/ssh-spec-$address.XXXXXX")
    cat >"$word"
    cp "$word" "$word.last" && mv "$word.last" "$dir/ssh-spec-$address"
  fi
  words+=("$word")
done
exec "$FAKE_L4D2CTL" "${words[@]}"
