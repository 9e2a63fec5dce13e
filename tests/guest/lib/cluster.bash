# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# A SealFS cluster inside a test guest: one sealfs-manager and N
# sealfs-server processes on 127.0.0.1, started from the example
# configurations (utils/conf/) with flags for their addresses and
# directories, all under a fresh directory on the guest's tmpfs. Sourced by
# guest tests (tests/guest/*.sh), not run; works on the host as well.
#
#   cluster_start [N]               manager and N servers (default 3); returns
#                                   once all are up in `cluster status`
#   cluster_volume_create NAME [ARG...]
#                                   `sealfs-admin volume create NAME ARG...`
#                                   (default ARGs: --quota 1G)
#   cluster_admin ARG...            sealfs-admin talking to this manager
#   cluster_kill_server I           kill -9 server I (1..N) and reap it
#   cluster_restart_server I        stop server I if it runs (SIGTERM), start
#                                   it again on the same port and directories,
#                                   wait until the manager has it up
#   cluster_wait_up N               wait until N servers are up
#   cluster_stop                    SIGTERM to every daemon; each must exit 0
#   cluster_cleanup                 for `trap cluster_cleanup EXIT`: on a
#                                   failed exit prints the daemons' logs, then
#                                   kills whatever still runs
#   cluster_die MSG                 fail: MSG, the daemons' logs, exit 1
#
# After cluster_start:
#   CLUSTER_MGR          the manager's address, 127.0.0.1:PORT
#   CLUSTER_MGR_PORT     its port
#   CLUSTER_N            number of servers
#   CLUSTER_SRV_ADDR[I]  server I's address, 127.0.0.1:PORT
#   CLUSTER_SRV_PID[I]   its process id ('' while it does not run)
#   CLUSTER_DIR          state, meta and data directories and the logs
#                        (mgr.log, srvI.log)
# Settings (environment): CLUSTER_BIN (default <checkout>/build/bin),
# CLUSTER_TIMEOUT (seconds any wait may take, default 60: TCG is slow),
# CLUSTER_HEARTBEAT and CLUSTER_FAILURE_TIMEOUT (manager, 500ms and 5s),
# CLUSTER_ROOT (where CLUSTER_DIR is made, default /tmp).

CLUSTER_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
CLUSTER_BIN=${CLUSTER_BIN:-$CLUSTER_TOP/build/bin}
CLUSTER_CONF=$CLUSTER_TOP/utils/conf
CLUSTER_TIMEOUT=${CLUSTER_TIMEOUT:-60}
CLUSTER_HEARTBEAT=${CLUSTER_HEARTBEAT:-500ms}
CLUSTER_FAILURE_TIMEOUT=${CLUSTER_FAILURE_TIMEOUT:-5s}
CLUSTER_ROOT=${CLUSTER_ROOT:-/tmp}
CLUSTER_DIR='' CLUSTER_MGR='' CLUSTER_MGR_PORT='' CLUSTER_MGR_PID='' CLUSTER_N=0
CLUSTER_SRV_ADDR=() CLUSTER_SRV_PID=()
cluster_dumped=0

cluster_say() { echo "cluster: $*"; }

# The last lines of every daemon log, once.
cluster_dump_logs() {
	local f
	((!cluster_dumped)) && [[ -n $CLUSTER_DIR ]] || return 0
	cluster_dumped=1
	for f in "$CLUSTER_DIR"/*.log; do
		[[ -f $f ]] || continue
		echo "---- ${f##*/} (last 40 lines) ----"
		tail -n 40 "$f" | sed 's/^/  /'
	done >&2
}

cluster_die() {
	echo "cluster: FAIL: $*" >&2
	cluster_dump_logs
	exit 1
}

cluster_cleanup() {
	local rc=$? p
	((rc == 0)) || cluster_dump_logs
	for p in "${CLUSTER_SRV_PID[@]}" $CLUSTER_MGR_PID; do
		[[ -n $p ]] || continue
		kill -9 "$p" 2>/dev/null || true
		{ wait "$p"; } 2>/dev/null || true
	done
	[[ -z $CLUSTER_DIR ]] || rm -rf "$CLUSTER_DIR"
	return "$rc"
}

cluster_admin() {
	"$CLUSTER_BIN/sealfs-admin" -c "$CLUSTER_CONF/admin.conf" --manager "$CLUSTER_MGR" \
		--timeout 10s "$@"
}

# "ADDRESS STATE" per server, from `cluster status` (pretty-printed JSON,
# one key per line).
cluster_servers() {
	cluster_admin --json cluster status | awk -F'"' '
		$2 == "state" { st = $4 }
		$2 == "address" { ad = $4 }
		/}/ && ad != "" { print ad, st; ad = ""; st = "" }'
}
cluster_count_up() { cluster_servers | awk '$2 == "up"' | wc -l; }
cluster_is_up() { [[ $(cluster_count_up) == "$1" ]]; }
cluster_server_is_up() { cluster_servers | grep -qxF "${CLUSTER_SRV_ADDR[$1]} up"; }

# Fails at once if a daemon that should run has exited.
cluster_check_alive() {
	local i
	[[ -z $CLUSTER_MGR_PID ]] || kill -0 "$CLUSTER_MGR_PID" 2>/dev/null ||
		cluster_die "sealfs-manager (pid $CLUSTER_MGR_PID) exited"
	for i in "${!CLUSTER_SRV_PID[@]}"; do
		[[ -z ${CLUSTER_SRV_PID[$i]} ]] || kill -0 "${CLUSTER_SRV_PID[$i]}" 2>/dev/null ||
			cluster_die "sealfs-server $i (pid ${CLUSTER_SRV_PID[$i]}) exited"
	done
}

# cluster_wait WHAT CMD...: polls CMD (state, not the clock) until it
# succeeds, for up to CLUSTER_TIMEOUT seconds.
cluster_wait() {
	local what=$1 deadline=$((SECONDS + CLUSTER_TIMEOUT))
	shift
	until "$@" >/dev/null 2>&1; do
		cluster_check_alive
		((SECONDS < deadline)) || cluster_die "timed out after ${CLUSTER_TIMEOUT} s waiting for $what"
		sleep 0.1
	done
}

cluster_wait_up() { cluster_wait "$1 server(s) up" cluster_is_up "$1"; }

# N distinct free ports on 127.0.0.1.
cluster_free_ports() {
	python3 - "$1" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# Server I on its port and directories, in the background.
cluster_server_run() {
	local i=$1 d=$CLUSTER_DIR/srv$1
	mkdir -p "$d/data"
	"$CLUSTER_BIN/sealfs-server" -c "$CLUSTER_CONF/server.conf" --manager "$CLUSTER_MGR" \
		--listen "${CLUSTER_SRV_ADDR[$i]}" --meta-dir "$d/meta" --data-dir "$d/data" \
		--threads 2 --log-level info </dev/null >>"$CLUSTER_DIR/srv$i.log" 2>&1 &
	CLUSTER_SRV_PID[i]=$!
}

cluster_start() {
	local n=${1:-3} ports i
	[[ -z $CLUSTER_MGR_PID ]] || cluster_die "cluster_start: a cluster is running"
	[[ $n =~ ^[1-9][0-9]*$ ]] || cluster_die "cluster_start: bad server count '$n'"
	for i in sealfs-manager sealfs-server sealfs-admin; do
		[[ -x $CLUSTER_BIN/$i ]] || cluster_die "no $CLUSTER_BIN/$i (make)"
	done
	CLUSTER_DIR=$(mktemp -d "$CLUSTER_ROOT/sealfs-cluster.XXXXXX") || cluster_die "mktemp failed"
	CLUSTER_N=$n
	read -r -a ports <<<"$(cluster_free_ports $((n + 1)))"
	((${#ports[@]} == n + 1)) || cluster_die "cannot find $((n + 1)) free ports"
	CLUSTER_MGR_PORT=${ports[0]}
	CLUSTER_MGR=127.0.0.1:$CLUSTER_MGR_PORT
	CLUSTER_SRV_ADDR=() CLUSTER_SRV_PID=()
	for ((i = 1; i <= n; i++)); do CLUSTER_SRV_ADDR[i]=127.0.0.1:${ports[i]}; done

	cluster_say "manager on $CLUSTER_MGR, $n server(s), in $CLUSTER_DIR"
	"$CLUSTER_BIN/sealfs-manager" -c "$CLUSTER_CONF/manager.conf" --listen "$CLUSTER_MGR" \
		--state-dir "$CLUSTER_DIR/state" --heartbeat "$CLUSTER_HEARTBEAT" \
		--failure-timeout "$CLUSTER_FAILURE_TIMEOUT" --log-level info \
		</dev/null >>"$CLUSTER_DIR/mgr.log" 2>&1 &
	CLUSTER_MGR_PID=$!
	cluster_wait "the manager to answer" cluster_admin cluster status
	for ((i = 1; i <= n; i++)); do cluster_server_run "$i"; done
	cluster_wait_up "$n"
	cluster_say "$n server(s) up"
}

cluster_volume_create() {
	local name=${1:?cluster_volume_create NAME [ARG...]}
	shift
	(($#)) || set -- --quota 1G
	cluster_admin volume create "$name" "$@" >>"$CLUSTER_DIR/admin.log" 2>&1 ||
		cluster_die "volume create $name $* failed: $(tail -n 1 "$CLUSTER_DIR/admin.log")"
	cluster_say "volume $name created"
}

cluster_check_index() {
	[[ $1 =~ ^[0-9]+$ ]] && (($1 >= 1 && $1 <= CLUSTER_N)) ||
		cluster_die "no server '$1' (1 to $CLUSTER_N)"
}

cluster_kill_server() {
	local i=$1
	cluster_check_index "$i"
	[[ -n ${CLUSTER_SRV_PID[i]} ]] || cluster_die "server $i does not run"
	kill -9 "${CLUSTER_SRV_PID[i]}"
	{ wait "${CLUSTER_SRV_PID[i]}"; } 2>/dev/null || true
	CLUSTER_SRV_PID[i]=''
	cluster_say "server $i killed (kill -9)"
}

# True while PID runs (a child that has exited but is not reaped is a zombie).
cluster_running() {
	local st=''
	read -r _ _ st _ 2>/dev/null <"/proc/$1/stat"
	[[ -n $st && $st != Z ]]
}

# SIGTERM to PID, which must exit 0 within CLUSTER_TIMEOUT; WHAT names it.
cluster_term() {
	local pid=$1 what=$2 rc=0 deadline=$((SECONDS + CLUSTER_TIMEOUT))
	kill -TERM "$pid" 2>/dev/null || cluster_die "$what (pid $pid) is gone"
	while cluster_running "$pid"; do
		if ((SECONDS >= deadline)); then
			kill -9 "$pid" 2>/dev/null
			cluster_die "$what did not exit within ${CLUSTER_TIMEOUT} s of SIGTERM"
		fi
		sleep 0.1
	done
	wait "$pid" || rc=$?
	((rc == 0)) || cluster_die "$what exited with status $rc on SIGTERM"
}

# How often server I has registered: its log says so each time.
cluster_registrations() { grep -c 'registered with manager' "$CLUSTER_DIR/srv$1.log" || true; }
cluster_registered_since() { (($(cluster_registrations "$1") > $2)); }

cluster_restart_server() {
	local i=$1 pid before
	cluster_check_index "$i"
	pid=${CLUSTER_SRV_PID[i]}
	if [[ -n $pid ]]; then
		CLUSTER_SRV_PID[i]=''
		cluster_term "$pid" "sealfs-server $i"
	fi
	before=$(cluster_registrations "$i")
	cluster_server_run "$i"
	# The manager may not have noticed it was gone: wait for the new process.
	cluster_wait "server $i to register again" cluster_registered_since "$i" "$before"
	cluster_wait "server $i up again" cluster_server_is_up "$i"
	cluster_say "server $i restarted"
}

cluster_stop() {
	local i pid
	for ((i = 1; i <= CLUSTER_N; i++)); do
		pid=${CLUSTER_SRV_PID[i]}
		[[ -n $pid ]] || continue
		CLUSTER_SRV_PID[i]=''
		cluster_term "$pid" "sealfs-server $i"
	done
	if [[ -n $CLUSTER_MGR_PID ]]; then
		pid=$CLUSTER_MGR_PID
		CLUSTER_MGR_PID=''
		cluster_term "$pid" sealfs-manager
	fi
	cluster_say "stopped"
}
