#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Cluster test on the host: operations whose keys live on several servers.
# A real sealfs-manager and three sealfs-server processes on 127.0.0.1,
# driven by srv_probe: RENAME of files and directories across servers
# (over files and empty directories, NOREPLACE, kind mismatches, into its
# own subtree, a target directory whose only entry is on a third server,
# a replay), RMDIR that must see entries on other servers, LINK to an
# inode of another server; then crash safety: a server killed at a named
# point of a cross-server RENAME or RMDIR (SEALFS_TEST_CRASH_AT, see
# server/ssrv_txn.c) and restarted, the operation all-or-nothing; and
# RMDIR answering AGAIN while a server is down.
set -euo pipefail
cd "$(dirname "$0")/../.."
TEST=xserver
tmp=$(mktemp -d)
# shellcheck source=lib.bash
. tests/cluster/lib.bash
trap cleanup EXIT

# start_server I [CRASH_POINT]
start_server() { SEALFS_TEST_CRASH_AT=${2:-} srv_start "$1" --threads 4; }
# The server index listening on port $1.
index_of() {
	local i
	for i in 1 2 3; do [[ ${port[$i]} != "$1" ]] || { echo "$i"; return; }; done
	die "port $1 is none of ours"
}
probe() { "$tools/srv_probe" "$mgr" vol1 "$@"; }
exited() { ! kill -0 "$1" 2>/dev/null; }

start_manager 2s
for i in 1 2 3; do start_server "$i"; done
wait_for "3 servers up" servers_up 3
admin volume create vol1 --quota 1G --chunk-size 64K >/dev/null

step "rename, rmdir and link across servers"
probe xrun >"$tmp/xrun.log" 2>&1 || die "srv_probe xrun: $(cat "$tmp/xrun.log")"

# crash_rename WHO POINT EXPECT: WHO (src: the coordinator, dst: the
# participant) dies at POINT during a RENAME; after its restart the rename
# must be EXPECT (src: not done, dst: done) and nothing else.
crash_rename() {
	local who=$1 point=$2 expect=$3 src dst ino sport dport v out state
	probe xprep "$tmp/x.state" >"$tmp/xprep.log" 2>&1 || die "xprep: $(cat "$tmp/xprep.log")"
	read -r src dst ino sport dport <"$tmp/x.state"
	if [[ $who == src ]]; then v=$(index_of "$sport"); else v=$(index_of "$dport"); fi
	step "crash of the $who server (server $v) at '$point': rename $src -> $dst"
	srv_stop "$v"
	start_server "$v" "$point"
	wait_for "server $v back" probe xstate "$src" "$dst" "$ino"
	out=$(probe xrename "$src" "$dst" 2>>"$tmp/probe.log") || die "xrename failed"
	wait_for "server $v to kill itself at $point" exited "${srv_pid[$v]}"
	{ wait "${srv_pid[$v]}"; } 2>/dev/null || true
	grep -q "SEALFS_TEST_CRASH_AT=$point" "$tmp/srv$v.log" || die "server $v did not reach $point"
	[[ $out != ok ]] || die "rename answered ok although server $v died at $point"
	start_server "$v"
	state=$(probe xstate "$src" "$dst" "$ino" 2>>"$tmp/probe.log") || die "xstate failed"
	[[ $state == "$expect" ]] || die "after the crash at $point: $state, not $expect"
	# nothing stays held: the names take new entries
	if [[ $expect == src ]]; then
		probe xcreate "$dst" >"$tmp/xc.log" 2>&1 || die "xcreate $dst: $(cat "$tmp/xc.log")"
	else
		probe xcreate "$src" >"$tmp/xc.log" 2>&1 || die "xcreate $src: $(cat "$tmp/xc.log")"
	fi
	wait_for "3 servers up" servers_up 3
}

crash_rename dst prepared src
crash_rename src undecided src
crash_rename src decided dst

# crash_rmdir POINT EXPECT: the coordinator of an RMDIR (the entry's owner)
# dies at POINT; after its restart the directory is EXPECT (there, gone),
# and a directory of that name can be made again (nothing stays held).
crash_rmdir() {
	local point=$1 expect=$2 d ino p v out state
	probe xprepdir "$tmp/d.state" >"$tmp/xprepdir.log" 2>&1 || die "xprepdir: $(cat "$tmp/xprepdir.log")"
	read -r d ino p <"$tmp/d.state"
	v=$(index_of "$p")
	step "crash of the coordinator (server $v) at '$point': rmdir $d"
	srv_stop "$v"
	start_server "$v" "$point"
	wait_for "server $v back" probe xgone "$d"
	out=$(probe xrmdir "$d" 2>>"$tmp/probe.log") || die "xrmdir failed"
	wait_for "server $v to kill itself at $point" exited "${srv_pid[$v]}"
	{ wait "${srv_pid[$v]}"; } 2>/dev/null || true
	[[ $out != ok ]] || die "rmdir answered ok although server $v died at $point"
	start_server "$v"
	state=$(probe xgone "$d" 2>>"$tmp/probe.log") || die "xgone failed"
	[[ $state == "$expect" ]] || die "after the crash at $point: $d $state, not $expect"
	if [[ $expect == there ]]; then
		out=$(probe xrmdir "$d" 2>>"$tmp/probe.log")
		wait_for "RMDIR once the freezes are resolved" test "$(probe xrmdir "$d" 2>/dev/null)" != 			"Resource temporarily unavailable"
	fi
	probe xcreate "$d" >"$tmp/xc.log" 2>&1 || die "xcreate $d: $(cat "$tmp/xc.log")"
	wait_for "3 servers up" servers_up 3
}

crash_rmdir undecided there
crash_rmdir decided gone

step "RMDIR answers AGAIN while a server is down"
kill -9 "${srv_pid[3]}"
{ wait "${srv_pid[3]}"; } 2>/dev/null || true
unset "srv_pid[3]"
wait_for "server 3 down" servers_up 2
probe xrmdir_down >"$tmp/xd.log" 2>&1 || die "RMDIR with a server down: $(cat "$tmp/xd.log")"

step "clean shutdown on SIGTERM"
for i in 1 2; do
	srv_stop "$i"
done
stop_manager
step "ok"
