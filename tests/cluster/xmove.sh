#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Cluster test on the host: a directory may not be moved below itself when
# its ancestry spans servers. A real sealfs-manager and three
# sealfs-server processes on 127.0.0.1, driven by srv_probe: a chain of
# directories whose inodes go round the three servers, every ancestor
# moved below every descendant answers EINVAL and the tree stays intact
# (xdeep); then two processes move two directories into each other's
# subdirectory over and over at the same time, the servers pausing after
# each walk (SEALFS_TEST_WALK_DELAY_MS) so the moves overlap, and the two
# never end up inside each other (xcross: the marks, server/ssrv_walk.c).
set -euo pipefail
cd "$(dirname "$0")/../.."
TEST=xmove
tmp=$(mktemp -d)
# shellcheck source=lib.bash
. tests/cluster/lib.bash
trap cleanup EXIT

# start_server I [WALK_DELAY_MS]
start_server() { SEALFS_TEST_WALK_DELAY_MS=${2:-0} srv_start "$1" --threads 4; }
probe() { "$tools/srv_probe" "$mgr" vol1 "$@"; }

start_manager 2s
for i in 1 2 3; do start_server "$i"; done
wait_for "3 servers up" servers_up 3
admin volume create vol1 --quota 1G --chunk-size 64K >/dev/null

step "a chain over three servers: no directory below itself"
probe xdeep >"$tmp/xdeep.log" 2>&1 || die "srv_probe xdeep: $(cat "$tmp/xdeep.log")"

step "two directories moved into each other at the same time"
# Each coordinator waits 50 ms after its ancestry walk: the moves overlap.
for i in 1 2 3; do
	srv_stop "$i"
	start_server "$i" 50
done
wait_for "3 servers up" servers_up 3
probe xcross_prep "$tmp/x.state" >"$tmp/xprep.log" 2>&1 || die "xcross_prep: $(cat "$tmp/xprep.log")"
probe xcross "$tmp/x.state" a 4 >"$tmp/xa.log" 2>&1 & pa=$!
probe xcross "$tmp/x.state" b 4 >"$tmp/xb.log" 2>&1 & pb=$!
rc=0; wait "$pa" || rc=$?
[[ $rc == 0 ]] || die "xcross a: $(cat "$tmp/xa.log")"
rc=0; wait "$pb" || rc=$?
[[ $rc == 0 ]] || die "xcross b: $(cat "$tmp/xb.log")"
step "$(cat "$tmp/xa.log"); $(cat "$tmp/xb.log")"
probe xcross "$tmp/x.state" check 0 >"$tmp/xc.log" 2>&1 || die "xcross check: $(cat "$tmp/xc.log")"

step "clean shutdown on SIGTERM"
for i in 1 2 3; do
	srv_stop "$i"
done
stop_manager
step "ok"
