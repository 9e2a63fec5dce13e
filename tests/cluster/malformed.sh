#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Cluster test on the host: a real sealfs-manager and one sealfs-server on
# 127.0.0.1. A table of malformed requests (tests/tools/raw_requests.py:
# bad magic, version, length, flags, reserved fields, names, opcodes, the
# reply flag, HELLO misuse, server-to-server messages on a client's session,
# ...), each on its own raw TCP connection: the
# server closes that connection or answers the documented status, keeps
# answering new connections, and afterwards still serves a well-formed
# client correctly, with the process alive.
set -euo pipefail
cd "$(dirname "$0")/../.."
TEST=malformed
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

step "manager and one server, a volume with a file"
start_manager 2s
port=$(free_port)
mkdir -p "$tmp/data"
"$bin/sealfs-server" --manager "$mgr" --listen "127.0.0.1:$port" --meta-dir "$tmp/meta" \
	--data-dir "$tmp/data" --threads 2 --log-level info 2>>"$tmp/srv.log" &
srv_pid=$!
wait_for "the server up" servers_up 1
admin volume create m --quota 1G --chunk-size 64K >/dev/null || die "volume create"
vol_id=$(admin --json volume list | json "[v['id'] for v in d if v['name']=='m'][0]")
sfs() { "$tools/sfsctl" -m "$mgr" -v m "$@"; }
wait_for "the volume's root" sfs stat /
echo "before the malformed requests" >"$tmp/data1"
sfs mkdir /dir && sfs write /dir/file <"$tmp/data1" || die "creating /dir/file"

step "malformed requests, one per connection"
python3 tests/tools/raw_requests.py "127.0.0.1:$port" "$vol_id" 2>&1 | tee "$tmp/raw.out" | sed "s/^/  /" ||
	die "malformed requests: $(grep -v ' ok ' "$tmp/raw.out")"
[[ $(grep -c ' ok ' "$tmp/raw.out") -ge 20 ]] || die "too few cases ran: $(cat "$tmp/raw.out")"
kill -0 "$srv_pid" || die "the server died"

step "a well-formed client still gets correct answers"
sfs cat /dir/file | cmp -s - "$tmp/data1" || die "/dir/file reads back wrong"
sfs create /dir/new || die "create after the malformed requests"
[[ $(sfs ls /dir | sort | tr '\n' ' ') == "file new " ]] || die "ls /dir: $(sfs ls /dir)"
sfs lookup-nothing 2>/dev/null && die "sfsctl accepted an unknown command"
sfs statfs | grep -q 'servers=1 ' || die "statfs: $(sfs statfs)"
kill -0 "$srv_pid" || die "the server died"

step "the server stops cleanly"
kill -TERM "$srv_pid"
rc=0; wait "$srv_pid" || rc=$?
[[ $rc == 0 ]] || die "server exited with status $rc on SIGTERM"
srv_pid=''
stop_manager
step "ok"
