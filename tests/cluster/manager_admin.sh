#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Cluster test on the host: a real sealfs-manager on 127.0.0.1, driven by
# sealfs-admin and by fake_servers (registration and heartbeats over the
# wire): volumes, their errors and exit statuses, membership, failure
# detection, persistence across a manager restart, and refusals to start.
set -euo pipefail
cd "$(dirname "$0")/../.."
TEST=manager_admin
tmp=$(mktemp -d)
# shellcheck source=lib.bash
. tests/cluster/lib.bash
cleanup() {
	[[ -z $mgr_pid ]] || kill "$mgr_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

step "manager starts"
start_manager 1s

step "volumes: create, errors, list, resize, delete"
admin volume create vol1 --quota 100G --inodes 1000 | grep -q 'volume vol1 created' ||
	die "volume create"
admin volume create vol2 --quota 1T --chunk-size 4M >/dev/null
rc=0; admin volume create vol1 --quota 1G 2>"$tmp/err" || rc=$?
[[ $rc == 1 ]] && grep -q 'already exists' "$tmp/err" || die "duplicate volume: status $rc"
rc=0; admin volume create 'a/b' --quota 1G 2>/dev/null || rc=$?
[[ $rc == 1 ]] || die "bad volume name: status $rc"
rc=0; admin volume create vol3 2>/dev/null || rc=$?
[[ $rc == 2 ]] || die "missing --quota: status $rc"
rc=0; admin volume create vol3 --quota 1G --chunk-size 3000 2>/dev/null || rc=$?
[[ $rc == 2 ]] || die "bad chunk size: status $rc"
rc=0; admin volume create vol3 --quota lots 2>/dev/null || rc=$?
[[ $rc == 2 ]] || die "bad quota: status $rc"
admin volume resize vol1 --quota 200G >/dev/null
rc=0; admin volume resize nope --quota 1G 2>/dev/null || rc=$?
[[ $rc == 1 ]] || die "resize of a missing volume: status $rc"
admin --json volume list >"$tmp/vols.json"
[[ $(json 'len(d)' <"$tmp/vols.json") == 2 ]] || die "volume list has not 2 volumes"
[[ $(json '[v["quota_bytes"] for v in d if v["name"]=="vol1"][0]' <"$tmp/vols.json") == $((200 << 30)) ]] ||
	die "vol1's quota is not 200G after resize"
[[ $(json '[v["quota_inodes"] for v in d if v["name"]=="vol1"][0]' <"$tmp/vols.json") == 1000 ]] ||
	die "vol1's inode quota changed"
[[ $(json '[v["chunk_size"] for v in d if v["name"]=="vol2"][0]' <"$tmp/vols.json") == $((4 << 20)) ]] ||
	die "vol2's chunk size is not 4M"
# No server in the map holds data of vol2: it is purged and gone at once.
admin volume delete vol2 >/dev/null
vols() { admin --json volume list | json '" ".join(sorted(v["name"] for v in d))'; }
wait_for "vol2 to leave the list" eval '[[ $(vols) == vol1 ]]'
rc=0; admin volume delete nope 2>/dev/null || rc=$?
[[ $rc == 1 ]] || die "delete of a missing volume: status $rc"

step "membership: three servers register and heartbeat"
epoch0=$(admin --json cluster status | json 'd["epoch"]')
"$tools/fake_servers" "$mgr" 3 3 >"$tmp/fake.out" 2>&1 &
fake=$!
wait_for "3 servers up" servers_up 3
ids=$(admin --json cluster status | json '" ".join(str(s["id"]) for s in sorted(d["servers"], key=lambda s: s["id"]))')
epoch1=$(admin --json cluster status | json 'd["epoch"]')
((epoch1 > epoch0)) || die "registrations did not move the epoch ($epoch0 -> $epoch1)"
admin cluster status | grep -q '127.0.0.1:20000' || die "cluster status does not show addresses"

step "failure detection: silent servers are marked down"
wait "$fake" || die "fake_servers failed: $(cat "$tmp/fake.out")"
wait_for "3 servers down" servers_up 0
epoch2=$(admin --json cluster status | json 'd["epoch"]')
((epoch2 > epoch1)) || die "marking servers down did not move the epoch"

step "a volume deleted while its servers are down stays deleting"
admin volume create vol3 --quota 1G >/dev/null
admin volume delete vol3 >/dev/null
admin --json volume list | json '[v["state"] for v in d if v["name"]=="vol3"][0]' | grep -qx deleting ||
	die "vol3 not marked for deletion"

step "restart: volumes and server identities survive"
stop_manager
start_manager 1s
admin --json volume list | json '" ".join(sorted(v["name"] for v in d))' | grep -qx 'vol1 vol3' ||
	die "volumes lost across a restart"
admin --json volume list | json '[v["state"] for v in d if v["name"]=="vol3"][0]' | grep -qx deleting ||
	die "vol3 is not deleting after a restart"
"$tools/fake_servers" "$mgr" 3 1 >"$tmp/fake2.out"
ids2=$(admin --json cluster status | json '" ".join(str(s["id"]) for s in sorted(d["servers"], key=lambda s: s["id"]))')
[[ $ids == "$ids2" ]] || die "server ids changed across a restart: '$ids' -> '$ids2'"
epoch3=$(admin --json cluster status | json 'd["epoch"]')
((epoch3 > epoch2)) || die "epoch went back across a restart ($epoch2 -> $epoch3)"

step "refusals: port in use, bad config, unreachable manager"
rc=0
"$bin/sealfs-manager" --listen "$mgr" --state-dir "$tmp/state2" 2>"$tmp/err" || rc=$?
[[ $rc != 0 ]] && grep -q 'cannot listen' "$tmp/err" || die "second manager on a used port: status $rc"
printf 'listen = "127.0.0.1:1";\nheartbeat = 5;\n' >"$tmp/bad.conf"
rc=0
"$bin/sealfs-manager" -c "$tmp/bad.conf" 2>"$tmp/err" || rc=$?
[[ $rc == 2 ]] && grep -q 'bad.conf:2' "$tmp/err" || die "bad config: status $rc, $(cat "$tmp/err")"
rc=0
"$bin/sealfs-admin" --manager 127.0.0.1:1 --timeout 2s cluster status 2>/dev/null || rc=$?
[[ $rc == 1 ]] || die "unreachable manager: status $rc"

step "orderly shutdown"
stop_manager
step ok
