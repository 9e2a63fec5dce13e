#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Cluster test on the host: a real sealfs-manager and three sealfs-server
# processes on 127.0.0.1, driven by srv_probe (requests routed by the
# cluster map): registration (one server started before the manager),
# the namespace and data requests, steering statuses, replays, malformed
# messages, persistence across kill -9, volume usage and purges (also one
# pending across a server's and the manager's restart), clean shutdown
# and refusals.
set -euo pipefail
cd "$(dirname "$0")/../.."
TEST=server_basic
tmp=$(mktemp -d)
# shellcheck source=lib.bash
. tests/cluster/lib.bash
trap cleanup EXIT
servers_known() { [[ $(admin --json cluster status | json 'len(d["servers"])') == "$1" ]]; }

start_server() { srv_start "$1" --threads 2; }

step "a server started before the manager retries, then registers"
start_server 1
wait_for "server 1 to retry" grep -q 'retrying' "$tmp/srv1.log"
kill -0 "${srv_pid[1]}" || die "server 1 exited without a manager"
start_manager 2s
wait_for "server 1 up" servers_up 1

step "three servers register and heartbeat"
start_server 2
start_server 3
wait_for "3 servers up" servers_up 3
admin cluster status | grep -q "127.0.0.1:${port[2]}" || die "cluster status does not show server 2's address"

step "requests: namespace, data, steering, replay, malformed messages"
admin volume create vol1 --quota 1G --chunk-size 64K >/dev/null
"$tools/srv_probe" "$mgr" vol1 run "$tmp/probe.state" >"$tmp/probe.log" 2>&1 ||
	die "srv_probe run: $(cat "$tmp/probe.log")"
read -r name ino owner owner_port <"$tmp/probe.state"

step "kill -9 the owner of an acknowledged create, restart it on the same dirs"
victim=''
for i in 1 2 3; do [[ ${port[$i]} != "$owner_port" ]] || victim=$i; done
[[ -n $victim ]] || die "owner port $owner_port is none of ours"
kill -9 "${srv_pid[$victim]}"
{ wait "${srv_pid[$victim]}"; } 2>/dev/null || true
start_server "$victim"
"$tools/srv_probe" "$mgr" vol1 check "$name" "$ino" >"$tmp/probe2.log" 2>&1 ||
	die "srv_probe check: $(cat "$tmp/probe2.log")"
servers_known 3 || die "the restarted server did not keep its identity"
wait_for "3 servers up after the restart" servers_up 3

step "volume list gathers usage from the servers"
vol_field() { admin --json volume list | json "[v['$2'] for v in d if v['name']=='$1'][0]"; }
vol_used() { (($(vol_field "$1" used_bytes) > 0 && $(vol_field "$1" used_inodes) > 0)); }
vol_gone() { ! admin --json volume list | json "[v['name'] for v in d]" | grep -q "'$1'"; }
# The sdata directory of a volume: %08x of its id under any server's data dir.
vol_dirs() { find "$tmp"/data1 "$tmp"/data2 "$tmp"/data3 -type d -name "$(printf %08x "$1")" | wc -l; }
no_vol_dirs() { [[ $(vol_dirs "$1") == 0 ]]; }
wait_for "vol1 usage" vol_used vol1
vol1_id=$(vol_field vol1 id)
[[ $(vol_dirs "$vol1_id") -gt 0 ]] || die "no data directory of volume $vol1_id on the servers"

step "a deleted volume is purged from every server and leaves the map"
admin volume delete vol1 >/dev/null
wait_for "vol1 to be purged" vol_gone vol1
no_vol_dirs "$vol1_id" || die "volume $vol1_id still has data on the servers"

step "a purge pending while a server is down completes when it is back"
admin volume create vol2 --quota 1G --chunk-size 64K >/dev/null
"$tools/srv_probe" "$mgr" vol2 run "$tmp/probe3.state" >"$tmp/probe3.log" 2>&1 ||
	die "srv_probe run on vol2: $(cat "$tmp/probe3.log")"
vol2_id=$(vol_field vol2 id)
srv_stop 1
wait_for "server 1 down" servers_up 2
admin volume delete vol2 >/dev/null
wait_for "vol2 purged on the servers that are up" \
	test ! -d "$tmp/data2/$(printf %08x "$vol2_id")" -a ! -d "$tmp/data3/$(printf %08x "$vol2_id")"
[[ $(vol_field vol2 state) == deleting ]] || die "vol2 left the map while server 1 was down"
step "restart the manager while the purge is pending"
stop_manager
start_manager 2s
[[ $(vol_field vol2 state) == deleting ]] || die "vol2 is not deleting after a manager restart"
start_server 1
wait_for "vol2 to be purged" vol_gone vol2
no_vol_dirs "$vol2_id" || die "volume $vol2_id still has data on the servers"

step "clean shutdown on SIGTERM"
for i in 1 2 3; do
	srv_stop "$i"
done

step "refusals: unwritable --meta-dir, missing options"
: >"$tmp/file"
rc=0
timeout 20 "$bin/sealfs-server" --manager "$mgr" --listen "127.0.0.1:$(free_port)" --meta-dir "$tmp/file/meta" \
	--data-dir "$tmp/data1" 2>"$tmp/err" || rc=$?
[[ $rc != 0 && $rc != 124 ]] && grep -q 'meta' "$tmp/err" ||
	die "unwritable --meta-dir: status $rc: $(cat "$tmp/err")"
rc=0
"$bin/sealfs-server" --listen "127.0.0.1:$(free_port)" --meta-dir "$tmp/m" --data-dir "$tmp/d" 2>"$tmp/err" || rc=$?
[[ $rc != 0 ]] && grep -q 'required' "$tmp/err" || die "missing --manager: status $rc"

stop_manager
step "ok"
