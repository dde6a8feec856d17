#!/usr/bin/env bash
# Runs a command in a root file system roughly the way a container runtime
# would, without one:
#
#   enter.sh [--read-only] [--user UID:GID] ROOT [NAME=VALUE ...] -- COMMAND [ARG ...]
#
# - new mount and PID namespaces: the command is PID 1, and every mount made
#   here disappears with it (nothing to unmount, even after a crash);
# - /proc, a small /dev (null, zero, full, random, urandom, tty), /dev/shm and
#   a read-only /sys inside ROOT; the host's /etc/resolv.conf when ROOT has one;
# - --read-only: ROOT itself is mounted read-only (Kubernetes'
#   readOnlyRootFilesystem);
# - the command runs as UID:GID (default 0:0) with only the NAME=VALUE
#   variables in its environment.
#
# The network is the host's, so ports the command opens are reachable from
# outside on 127.0.0.1. This script becomes unshare(1), which waits for the
# command and returns its exit status; the command is its only child. Kill
# that child to stop everything inside (a parent-death signal does not survive
# the change of user).
set -euo pipefail

if [ "${1:-}" != --inside ]; then
    exec unshare --mount --propagation private --pid --fork --kill-child -- "$0" --inside "$@"
fi
shift

read_only=false
user=0:0
while [ $# -gt 0 ]; do
    case "$1" in
        --read-only) read_only=true; shift ;;
        --user) user=$2; shift 2 ;;
        *) break ;;
    esac
done
root=$(realpath "$1")
shift
environment=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
    environment+=("$1")
    shift
done
[ "${1:-}" = -- ] || { echo "enter.sh: missing -- before the command" >&2; exit 2; }
shift
[ $# -gt 0 ] || { echo "enter.sh: no command" >&2; exit 2; }

# ROOT becomes a mount point of its own, so it can be made read-only below.
mount --bind "$root" "$root"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount -t tmpfs -o nosuid,noexec,mode=0755,size=1m tmpfs "$root/dev"
for node in null zero full random urandom tty; do
    [ -e "/dev/$node" ] || continue
    touch "$root/dev/$node"
    mount --bind "/dev/$node" "$root/dev/$node"
done
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
mkdir "$root/dev/shm" "$root/dev/pts"
mount -t tmpfs -o nosuid,nodev,noexec,mode=1777,size=16m tmpfs "$root/dev/shm"
mkdir -p "$root/sys"
mount --rbind /sys "$root/sys"
mount -o remount,bind,ro "$root/sys"
if [ -f /etc/resolv.conf ] && [ -f "$root/etc/resolv.conf" ]; then
    mount --bind /etc/resolv.conf "$root/etc/resolv.conf"
fi
if $read_only; then
    mount -o remount,bind,ro "$root"
fi

exec chroot --userspec="$user" --groups="${user#*:}" "$root" /usr/bin/env -i "${environment[@]}" "$@"
