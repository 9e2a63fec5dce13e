# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# Shared by the cluster tests (tests/cluster/*.sh; this file is not one): run from the checkout's
# top directory after setting TEST (the test's name) and tmp (its scratch
# directory). Provides step/die, free ports, sealfs-admin and JSON helpers,
# polling with a deadline, and starting and stopping the manager on $mgr.
# Sourced, not run.

bin=build/bin tools=build/tests
mgr_pid=''

step() { echo "$TEST: $*"; }
# Fails the test, with the tail of every log in $tmp.
die() {
	local f
	echo "$TEST: FAIL: $*" >&2
	for f in "$tmp"/*.log; do
		[[ ! -f $f ]] || sed "s|^|  $(basename "$f" .log): |" "$f" | tail -n 40 >&2
	done
	exit 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mgr=127.0.0.1:$(free_port)
admin() { "$bin/sealfs-admin" -c utils/conf/admin.conf --manager "$mgr" --timeout 5s "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# Polls a condition (observable state, not the clock) for up to 20 s.
wait_for() {
	local what=$1 i
	shift
	for ((i = 0; i < 200; i++)); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	die "timed out waiting for $what"
}
servers_up() { [[ $(admin --json cluster status | json 'sum(s["state"]=="up" for s in d["servers"])') == "$1" ]]; }

# start_manager FAILURE_TIMEOUT: the example configuration, with the test's
# own address, state directory and pace; returns once it answers.
start_manager() {
	"$bin/sealfs-manager" -c utils/conf/manager.conf --listen "$mgr" --state-dir "$tmp/state" \
		--heartbeat 200ms --failure-timeout "$1" --log-level info 2>>"$tmp/mgr.log" &
	mgr_pid=$!
	wait_for "the manager to answer" admin cluster status
}
# An orderly shutdown must exit 0.
stop_manager() {
	kill -TERM "$mgr_pid"
	wait "$mgr_pid" || die "manager exited with status $? on SIGTERM"
	mgr_pid=''
}

# Servers a test starts, by index: their pids and ports.
declare -A srv_pid=() port=()
# srv_start I [ARG...]: sealfs-server I in the background on port[I] (a
# free port the first time), $tmp/metaI and $tmp/dataI, logging to
# $tmp/srvI.log at level ${SRV_LOG_LEVEL:-info}, with ARGs added (such as
# --threads N); its pid in srv_pid[I]. The caller's environment reaches the
# server (the SEALFS_TEST_* hooks).
srv_start() {
	local i=$1
	shift
	[[ -n ${port[$i]:-} ]] || port[$i]=$(free_port)
	mkdir -p "$tmp/data$i"
	"$bin/sealfs-server" --manager "$mgr" --listen "127.0.0.1:${port[$i]}" --meta-dir "$tmp/meta$i" \
		--data-dir "$tmp/data$i" --log-level "${SRV_LOG_LEVEL:-info}" "$@" 2>>"$tmp/srv$i.log" &
	srv_pid[$i]=$!
}
# srv_stop I: SIGTERM to server I, which must exit 0.
srv_stop() {
	local i=$1 rc=0
	kill -TERM "${srv_pid[$i]}"
	wait "${srv_pid[$i]}" || rc=$?
	((rc == 0)) || die "server $i exited with status $rc on SIGTERM"
	unset "srv_pid[$i]"
}

# For `trap cleanup EXIT`: kills every daemon the test started, removes $tmp.
cleanup() {
	local p
	for p in "${srv_pid[@]}" $mgr_pid; do kill -9 "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
