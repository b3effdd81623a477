#!/usr/bin/env bash
# ci-systemd.sh: boots a real systemd in a throw-away container over the host's own root
# (systemd-nspawn --volatile=overlay: every write goes to a tmpfs and vanishes at shutdown).
# Recipe and measurements: ../shared/docs/systemd-nspawn-ci.md, recipe B.
#
#   ci-systemd.sh up NAME [nspawn-bind-option...]   boots; prints "running" when ready
#   ci-systemd.sh sh NAME CMD...                    runs CMD inside (all namespaces)
#   ci-systemd.sh leader NAME                       prints the host pid of the container's PID 1
#   ci-systemd.sh down NAME                         powers off and removes every trace (idempotent)
#
# Bind options are passed to systemd-nspawn as given, e.g. --bind-ro=/build:/mnt/build.
# /var/lib/left4me is a tmpfs inside, because overlayfs cannot use the container's root as upperdir.
set -euo pipefail
command=${1:?usage: ci-systemd.sh up|sh|leader|down NAME ...}
name=${2:?usage: ci-systemd.sh up|sh|leader|down NAME ...}
shift 2
[[ $name =~ ^[a-z0-9][a-z0-9-]{0,30}$ ]] || { echo "ci-systemd: bad container name '$name'" >&2; exit 2; }
state=/run/ci-systemd-$name
root=/var/tmp/ci-systemd-$name.root
cgroup_hierarchies=(unified systemd)

leader() { cat "$state/leader"; }

down() {
  [ -d "$state" ] || return 0
  local nspawn_pid=""
  [ -f "$state/nspawn.pid" ] && nspawn_pid=$(cat "$state/nspawn.pid")
  if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
    if [ -s "$state/leader" ]; then
      timeout 10 nsenter -t "$(leader)" -a -- systemctl poweroff --no-block >/dev/null 2>&1 || true
    fi
    local i
    for i in $(seq 1 200); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$nspawn_pid" 2>/dev/null; then
      kill -TERM "$nspawn_pid" 2>/dev/null || true
      for i in $(seq 1 100); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.05; done
    fi
    if kill -0 "$nspawn_pid" 2>/dev/null; then   # last resort: everything in the container's cgroups
      local h
      for h in "${cgroup_hierarchies[@]}"; do
        find "/sys/fs/cgroup/$h/ci-$name" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
      done
      for i in $(seq 1 100); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.05; done
    fi
  fi
  if mountpoint -q "$root" 2>/dev/null; then umount "$root" || umount -l "$root"; fi
  rmdir "$root" 2>/dev/null || true
  local h
  for h in "${cgroup_hierarchies[@]}"; do
    [ -d "/sys/fs/cgroup/$h/ci-$name" ] && find "/sys/fs/cgroup/$h/ci-$name" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  rm -rf "$state"
}

case $command in
up)
  command -v systemd-nspawn >/dev/null || {
    echo "ci-systemd: systemd-nspawn is missing (scripts/setup installs systemd-container)" >&2; exit 1; }
  [ ! -e "$state" ] || down
  mkdir -p "$state" "$root"
  mount --bind / "$root"                                  # non-recursive: only the root filesystem
  printf '[Unit]\nDescription=CI target\nRequires=basic.target\nAfter=basic.target\nAllowIsolate=yes\n' \
    >"$state/ci.target"
  for h in "${cgroup_hierarchies[@]}"; do mkdir -p "/sys/fs/cgroup/$h/ci-$name"; done
  : >"$state/binds"
  [ $# -eq 0 ] || printf '%q ' "$@" >"$state/binds"
  # nspawn runs from a sub-cgroup of our own, or it leaves /supervisor and /payload behind.
  # --system-call-filter=bpf: nspawn's own seccomp filter (which a host's PID 1 does not have) refuses
  # bpf(2) to everything in the container, and the server unit's bind guard (left4me-bindguard) needs it.
  SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 setsid bash -c '
    for h in unified systemd; do echo $$ > /sys/fs/cgroup/$h/ci-'"$name"'/cgroup.procs; done
    exec systemd-nspawn --quiet --register=no --keep-unit --machine=ci-'"$name"' --system-call-filter=bpf \
      -D '"$root"' --volatile=overlay --console=read-only \
      --bind-ro='"$state"'/ci.target:/etc/systemd/system/ci.target \
      --tmpfs=/var/lib/left4me '"$(cat "$state/binds")"' \
      --boot -- systemd.unit=ci.target systemd.mask=timers.target systemd.mask=postgresql.service \
      systemd.mask=cron.service systemd.mask=ssh.service' \
    </dev/null >"$state/console.log" 2>&1 &
  echo $! >"$state/nspawn.pid"
  leader_pid=""
  for _ in $(seq 1 200); do
    leader_pid=$(pgrep -P "$(cat "$state/nspawn.pid")" || true)
    [ -n "$leader_pid" ] && [ -S "/proc/$leader_pid/root/run/systemd/private" ] && break
    kill -0 "$(cat "$state/nspawn.pid")" 2>/dev/null || break
    sleep 0.05
  done
  if [ -z "$leader_pid" ] || [ ! -S "/proc/$leader_pid/root/run/systemd/private" ]; then
    echo "ci-systemd: container '$name' did not boot; console:" >&2; cat "$state/console.log" >&2 || true
    down; exit 1
  fi
  echo "$leader_pid" >"$state/leader"
  timeout 30 nsenter -t "$leader_pid" -a -- systemctl is-system-running --wait || {
    nsenter -t "$leader_pid" -a -- systemctl --failed --no-pager >&2 || true; }
  ;;
sh) exec nsenter -t "$(leader)" -a -- "$@" ;;
leader) leader ;;
down) down ;;
*) echo "ci-systemd: unknown command '$command'" >&2; exit 2 ;;
esac
