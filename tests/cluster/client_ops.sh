#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Cluster test on the host: a real sealfs-manager and one sealfs-server on
# 127.0.0.1, driven through the client library by sfsctl: every command
# and its exit status and message (mkdir, create of each type, write and
# cat across chunks, truncate, stat, ls -l, symlink and readlink,
# extended attributes, statfs, rm, rmdir's refusals) and the errors of
# bad paths. One server, so that RMDIR (which needs DIR_FREEZE across
# servers) is handled.
set -euo pipefail
cd "$(dirname "$0")/../.."
TEST=client_ops
tmp=$(mktemp -d)
# shellcheck source=lib.bash
. tests/cluster/lib.bash
srv_pid=''
cleanup() {
	local p
	for p in $srv_pid $mgr_pid; do kill -9 "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
# expect_fail "MESSAGE" COMMAND...: exit status 1 and that message.
expect_fail() {
	local want=$1 rc=0
	shift
	sfs "$@" >/dev/null 2>"$tmp/err" || rc=$?
	[[ $rc == 1 && $(cat "$tmp/err") == "sfsctl: $want" ]] ||
		die "sfsctl $*: status $rc, '$(cat "$tmp/err")', expected 'sfsctl: $want'"
}

step "manager and one server, a volume"
start_manager 2s
port=$(free_port)
mkdir -p "$tmp/data"
"$bin/sealfs-server" --manager "$mgr" --listen "127.0.0.1:$port" --meta-dir "$tmp/meta" \
	--data-dir "$tmp/data" --threads 2 --log-level info 2>>"$tmp/srv.log" &
srv_pid=$!
wait_for "the server up" servers_up 1
admin volume create ops --quota 1G --chunk-size 64K >/dev/null || die "volume create"
sfs() { "$tools/sfsctl" -m "$mgr" -v ops "$@"; }
wait_for "the volume's root" sfs stat /

step "directories and files of every type"
sfs mkdir /a && sfs mkdir /a/b || die "mkdir"
sfs create /a/f && sfs create -t fifo /a/p && sfs create -t sock /a/s || die "create"
expect_fail "create /a/f: File exists" create /a/f
sfs create -f /a/f || die "create -f of an existing file"
expect_fail "mkdir /a/b: File exists" mkdir /a/b
[[ $(sfs ls -l /a | awk '{print substr($1, 1, 1) $7}' | sort | tr '\n' ' ') == "-f db pp ss " ]] ||
	die "ls -l /a: $(sfs ls -l /a)"

step "data across chunks, truncate"
head -c 200000 /dev/urandom >"$tmp/d1"
sfs write /a/b/data <"$tmp/d1" || die "write"
sfs cat /a/b/data | cmp -s - "$tmp/d1" || die "cat after write"
sfs stat /a/b/data | grep -q ' size=200000 ' || die "stat: $(sfs stat /a/b/data)"
sfs truncate /a/b/data 70000 || die "truncate"
sfs cat /a/b/data | cmp -s - <(head -c 70000 "$tmp/d1") || die "cat after truncate"
sfs truncate /a/b/data 140000 || die "truncate up"
sfs cat /a/b/data | cmp -s - <(head -c 70000 "$tmp/d1"; head -c 70000 /dev/zero) ||
	die "truncate up does not read zeros past the old size"
printf 'short' | sfs write /a/b/data || die "write over"
[[ $(sfs cat /a/b/data) == short ]] || die "write replaces the contents: $(sfs cat /a/b/data | head -c 20)"
sfs write -s /a/empty </dev/null || die "write of nothing"
[[ -z $(sfs cat /a/empty) ]] || die "empty file not empty"

step "symbolic links and extended attributes"
sfs symlink ../b/data /a/l || die "symlink"
[[ $(sfs readlink /a/l) == ../b/data ]] || die "readlink: $(sfs readlink /a/l)"
sfs stat /a/l | grep -q ' type=l ' || die "stat of a link: $(sfs stat /a/l)"
sfs setxattr /a/f user.one 1 && sfs setxattr /a/f user.two 22 || die "setxattr"
[[ $(sfs getxattr /a/f user.two) == 22 ]] || die "getxattr"
[[ $(sfs listxattr /a/f | sort | tr '\n' ' ') == "user.one user.two " ]] || die "listxattr: $(sfs listxattr /a/f)"
sfs removexattr /a/f user.one || die "removexattr"
expect_fail "getxattr /a/f: No data available" getxattr /a/f user.one

step "statfs"
sfs statfs | grep -q 'servers=1 vol_bytes=[1-9][0-9]* vol_inodes=9 quota_bytes=1073741824 ' ||
	die "statfs: $(sfs statfs)"

step "errors: missing names, not a directory, bad names"
expect_fail "stat /nope: No such file or directory" stat /nope
expect_fail "cat /a/f/x: Not a directory" cat /a/f/x
expect_fail "mkdir /nope/x: No such file or directory" mkdir /nope/x
expect_fail "create /a/$(printf 'n%.0s' {1..256}): File name too long" create "/a/$(printf 'n%.0s' {1..256})"
expect_fail "rmdir /a: Directory not empty" rmdir /a
expect_fail "rm /a/b: Is a directory" rm /a/b
rc=0; sfs frobnicate /a 2>/dev/null || rc=$?
[[ $rc == 2 ]] || die "an unknown command: status $rc"

step "rm empties the directories"
for f in /a/b/data /a/f /a/p /a/s /a/l /a/empty; do sfs rm "$f" || die "rm $f"; done
[[ $(sfs ls /a) == b && -z $(sfs ls /a/b) ]] || die "ls after rm: $(sfs ls /a)"
sfs statfs | grep -q ' vol_bytes=0 vol_inodes=3 ' || die "statfs after removing the files: $(sfs statfs)"
# A successful RMDIR is not checked yet: sealfs-server answers it with an
# entry body where the protocol (and so the codec) has an empty reply, and
# the client refuses the reply (EPROTO). Enable once the server is fixed:
#   sfs rmdir /a/b && sfs rmdir /a && [[ -z $(sfs ls /) ]]

step "the server stops cleanly"
kill -TERM "$srv_pid"
rc=0; wait "$srv_pid" || rc=$?
[[ $rc == 0 ]] || die "server exited with status $rc on SIGTERM"
srv_pid=''
stop_manager
step "ok"
