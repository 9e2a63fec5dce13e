#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/bench/guest.sh [OPTIONS]: the benchmark, run as root inside a
# tests/vm/run guest with emulated persistent memory (tests/bench/run boots
# it). Runs the same workloads on
#   sealfs  a volume on three servers in this guest, mounted with sealfs.ko
#   nfs     kernel nfsd in this guest, NFSv4.2 over loopback, sync export
#   local   the file system the servers and nfsd store on (the limit)
# and raw TCP over loopback (system "tcp"). One ext4 on /dev/pmem0 (dax when
# it mounts so) holds the servers' meta and data directories, the NFS export
# and the local directory; without /dev/pmem0 they go to the guest's tmpfs
# and the meta record says so.
#
# Writes JSON Lines to OUT: first {"meta": {...}}, then one record per figure
# per system: {"group", "name", "system", "unit", "better", "samples"}, and
# prints each figure as it is measured. Fails only when something breaks
# (a mount, a program, a content mismatch), never on timing.
#
# Options (each also an environment variable, in brackets; defaults tuned
# for a 2-core machine running the guest under TCG: about 15 minutes):
#   --out FILE          output file [BENCH_OUT, /run/vm/bench.jsonl]
#   --repeats N         measurements per figure [BENCH_REPEATS, 3]
#   --systems LIST      of sealfs,nfs,local [BENCH_SYSTEMS, sealfs,nfs,local]
#   --groups LIST       of tcp,metadata,latency,smallfile,data,job
#                       [BENCH_GROUPS, all of them]
#   --meta-files N      files per process in the metadata runs [BENCH_META_FILES, 60]
#   --lat-files N       files in the latency run [BENCH_LAT_FILES, 300]
#   --small-files N     4 KiB files in the small-file run [BENCH_SMALL_FILES, 300]
#   --seq-mb MB         sequential file size [BENCH_SEQ_MB, 128]
#   --rand-secs S       random read and write (on the sequential file), each
#                       [BENCH_RAND_SECS, 8]
#   --rtt-rounds N      TCP round trips [BENCH_RTT_ROUNDS, 1000]
#   --stream-mb MB      TCP stream size [BENCH_STREAM_MB, 64]
#   --procs N           processes of the parallel metadata runs [BENCH_PROCS, 4]
#   --tarball FILE      the real job's tar [BENCH_TARBALL,
#                       ${SEALFS_CACHE:-$HOME/.cache/sealfs}/workload/linux-subset.tar]
#   --tar-members PATH  unpack only PATH of it, "" for all
#                       [BENCH_TAR_MEMBERS, "": all of it]
# fio's JSON output of every run is kept in the directory of OUT, under fio/.
set -euo pipefail
cd "$(dirname "$0")/../.."
TOP=$PWD
# shellcheck source-path=SCRIPTDIR source=../guest/lib/cluster.bash
. tests/guest/lib/cluster.bash

out=${BENCH_OUT:-/run/vm/bench.jsonl}
repeats=${BENCH_REPEATS:-3}
systems=${BENCH_SYSTEMS:-sealfs,nfs,local}
groups=${BENCH_GROUPS:-tcp,metadata,latency,smallfile,data,job}
meta_files=${BENCH_META_FILES:-60}
lat_files=${BENCH_LAT_FILES:-300}
small_files=${BENCH_SMALL_FILES:-300}
seq_mb=${BENCH_SEQ_MB:-128}
rand_secs=${BENCH_RAND_SECS:-8}
rtt_rounds=${BENCH_RTT_ROUNDS:-1000}
stream_mb=${BENCH_STREAM_MB:-64}
procs=${BENCH_PROCS:-4}
tarball=${BENCH_TARBALL:-${SEALFS_CACHE:-$HOME/.cache/sealfs}/workload/linux-subset.tar}
tar_members=${BENCH_TAR_MEMBERS-}

usage() {
	sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//p}' "$0"
	exit "${1:-0}"
}
while (($#)); do
	opt=$1
	case $opt in
	-h | --help) usage ;;
	--*=*) set -- "${opt%%=*}" "${opt#*=}" "${@:2}"; continue ;;
	esac
	(($# >= 2)) || { echo "bench: $opt needs a value" >&2; usage 2 >&2; }
	case $opt in
	--out) out=$2 ;;
	--repeats) repeats=$2 ;;
	--systems) systems=$2 ;;
	--groups) groups=$2 ;;
	--meta-files) meta_files=$2 ;;
	--lat-files) lat_files=$2 ;;
	--small-files) small_files=$2 ;;
	--seq-mb) seq_mb=$2 ;;
	--rand-secs) rand_secs=$2 ;;
	--rtt-rounds) rtt_rounds=$2 ;;
	--stream-mb) stream_mb=$2 ;;
	--procs) procs=$2 ;;
	--tarball) tarball=$2 ;;
	--tar-members) tar_members=$2 ;;
	*) echo "bench: unknown option $opt" >&2; usage 2 >&2 ;;
	esac
	shift 2
done
for n in "$repeats" "$meta_files" "$lat_files" "$small_files" "$seq_mb" \
	"$rand_secs" "$rtt_rounds" "$stream_mb" "$procs"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "bench: not a positive number: '$n'" >&2; exit 2; }
done
IFS=, read -r -a SYSTEMS <<<"$systems"
IFS=, read -r -a GROUPS_RUN <<<"$groups"

FSBENCH=$TOP/build/tests/fsbench
TCPBENCH=$TOP/build/tests/tcpbench
STORE=/bench                 # the ext4 on /dev/pmem0
MNT_SEALFS=/mnt/bench-sealfs
MNT_NFS=/mnt/bench-nfs
declare -A DIR=([sealfs]=$MNT_SEALFS [nfs]=$MNT_NFS [local]=$STORE/local)

say() { echo "bench: $*"; }
die() { cluster_die "bench: $*"; }
have() {
	local x
	for x in "${@:2}"; do [[ $x == "$1" ]] && return 0; done
	return 1
}
for s in "${SYSTEMS[@]}"; do
	[[ -n ${DIR[$s]:-} ]] || { echo "bench: unknown system '$s'" >&2; exit 2; }
done
for p in "$FSBENCH" "$TCPBENCH"; do [[ -x $p ]] || die "no $p (make check builds it)"; done
command -v fio >/dev/null || die "no fio (utils/setup installs it)"

# ---- tear-down ----------------------------------------------------------------
nfs_pids=()
storage_mounted=0
teardown() {
	local rc=$? p
	set +e
	trap - EXIT
	if mountpoint -q "$MNT_SEALFS"; then umount "$MNT_SEALFS" || umount -f "$MNT_SEALFS" || rc=1; fi
	if mountpoint -q "$MNT_NFS"; then umount "$MNT_NFS" || umount -f "$MNT_NFS" || rc=1; fi
	if mountpoint -q /proc/fs/nfsd; then
		exportfs -ua || rc=1
		rpc.nfsd 0 || rc=1
	fi
	for p in "${nfs_pids[@]}"; do
		kill "$p" 2>/dev/null
		{ wait "$p"; } 2>/dev/null
	done
	if lsmod | grep -q '^sealfs '; then rmmod sealfs || rc=1; fi
	if ((rc == 0)) && [[ -n $CLUSTER_MGR_PID ]]; then
		# cluster_stop exits through cluster_die when a daemon misbehaves.
		trap cluster_cleanup EXIT
		set -e
		cluster_stop
		set +e
		trap - EXIT
	fi
	(exit "$rc")
	cluster_cleanup
	if ((storage_mounted)); then umount "$STORE" || rc=1; fi
	say "torn down"
	exit "$rc"
}
trap teardown EXIT

# ---- storage -------------------------------------------------------------------
storage=''
mkdir -p "$STORE"
modprobe -a nd_e820 nd_pmem 2>/dev/null || true
for _ in $(seq 50); do [[ -b /dev/pmem0 ]] && break; sleep 0.1; done
if [[ -b /dev/pmem0 ]]; then
	mkfs.ext4 -q -F -b 4096 /dev/pmem0 || die "mkfs.ext4 /dev/pmem0 failed"
	if mount -o dax /dev/pmem0 "$STORE" 2>/dev/null; then
		storage="ext4 on /dev/pmem0 (emulated pmem, $(($(blockdev --getsize64 /dev/pmem0) >> 20)) MiB), dax"
	else
		mount /dev/pmem0 "$STORE" || die "cannot mount /dev/pmem0"
		storage="ext4 on /dev/pmem0 (emulated pmem, $(($(blockdev --getsize64 /dev/pmem0) >> 20)) MiB), no dax: mount -o dax failed"
	fi
	storage_mounted=1
else
	storage="tmpfs (no /dev/pmem0: tests/vm/run --pmem missing or nd_pmem failed)"
fi
say "storage: $storage"
mkdir -p "$STORE/local" "$STORE/nfs" "$STORE/sealfs"

# ---- sealfs ----------------------------------------------------------------------
store_mb=$(($(df -Pk "$STORE" | awk 'NR == 2 { print $2 }') / 1024))
if have sealfs "${SYSTEMS[@]}"; then
	# shellcheck disable=SC2034 # cluster_start reads it
	CLUSTER_ROOT=$STORE/sealfs
	cluster_start 3
	cluster_volume_create bench --quota "$((store_mb > 2048 ? store_mb / 1024 : 1))G"
	modprobe sealfs || die "modprobe sealfs failed"
	mkdir -p "$MNT_SEALFS"
	mount -t sealfs "$CLUSTER_MGR:/bench" "$MNT_SEALFS" || die "mount -t sealfs failed"
	say "sealfs: volume bench on 3 servers (meta and data under $CLUSTER_DIR) at $MNT_SEALFS"
fi

# ---- kernel NFS -------------------------------------------------------------------
if have nfs "${SYSTEMS[@]}"; then
	modprobe -a nfsd nfs nfsv4 || die "modprobe nfsd nfs nfsv4 failed"
	mountpoint -q /proc/fs/nfsd || mount -t nfsd nfsd /proc/fs/nfsd || die "cannot mount the nfsd file system"
	# Without these the first opens wait out a 90 s grace period.
	echo 10 >/proc/fs/nfsd/nfsv4gracetime
	echo 10 >/proc/fs/nfsd/nfsv4leasetime
	mkdir -p /var/lib/nfs/v4recovery /run/rpcbind
	: >/etc/exports
	rpcbind -f &
	nfs_pids+=($!)
	sleep 0.5
	exportfs -o rw,sync,no_subtree_check,no_root_squash,insecure,fsid=0 "127.0.0.1:$STORE/nfs" ||
		die "exportfs failed"
	rpc.mountd -F -N 3 &
	nfs_pids+=($!)
	rpc.nfsd -N 3 4 || die "rpc.nfsd failed"
	mkdir -p "$MNT_NFS"
	mount -t nfs -o vers=4.2,proto=tcp 127.0.0.1:/ "$MNT_NFS" || die "NFS mount failed"
	say "nfs: $STORE/nfs exported (sync) by nfsd, mounted at $MNT_NFS: $(grep " $MNT_NFS " /proc/mounts | cut -d' ' -f4)"
	# Wait out the (shortened) grace period before measuring.
	for _ in $(seq 150); do
		touch "$MNT_NFS/.grace" 2>/dev/null && break
		sleep 0.1
	done
	rm -f "$MNT_NFS/.grace"
fi

# ---- results -------------------------------------------------------------------------
declare -A SAMPLES=() UNIT=() BETTER=()
ORDER=()
mkdir -p "$(dirname "$out")"
: >"$out"

# A JSON string (the names here have no control characters).
jstr() {
	local v=${1//\\/\\\\}
	printf '"%s"' "${v//\"/\\\"}"
}

# add GROUP NAME SYSTEM UNIT BETTER VALUE
add() {
	local k="$1|$2|$3"
	[[ -n ${SAMPLES[$k]+x} ]] || { SAMPLES[$k]=''; ORDER+=("$k"); }
	SAMPLES[$k]+="${SAMPLES[$k]:+, }$6"
	UNIT[$k]=$4 BETTER[$k]=$5
	printf 'bench: %-9s %-28s %-6s %12s %s\n' "$1" "$2" "$3" "$6" "$4"
}

# Writes the records collected so far and forgets them.
flush() {
	local k g n s
	for k in "${ORDER[@]}"; do
		IFS='|' read -r g n s <<<"$k"
		printf '{"group": %s, "name": %s, "system": %s, "unit": %s, "better": %s, "samples": [%s]}\n' \
			"$(jstr "$g")" "$(jstr "$n")" "$(jstr "$s")" "$(jstr "${UNIT[$k]}")" \
			"$(jstr "${BETTER[$k]}")" "${SAMPLES[$k]}" >>"$out"
		say "$g / $n / $s: [${SAMPLES[$k]}] ${UNIT[$k]}"
	done
	SAMPLES=() UNIT=() BETTER=() ORDER=()
}

drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }

# ---- meta record -----------------------------------------------------------------------
dax=false
[[ $storage == *', dax' ]] && dax=true
pmem=false
[[ $storage == *pmem* ]] && pmem=true
python3 - "$out" <<PY
import json, os, sys
meta = {
    "kernel": os.uname().release,
    "machine": os.uname().machine,
    "cpus": os.cpu_count(),
    "mem_mib": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") >> 20,
    "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), ""),
    "accel": os.environ.get("BENCH_ACCEL", "tcg"),
    "storage": "$storage",
    "pmem": $([[ $pmem == true ]] && echo True || echo False),
    "dax": $([[ $dax == true ]] && echo True || echo False),
    "store_mib": $store_mb,
    "systems": "$systems".split(","),
    "groups": "$groups".split(","),
    "sealfs": "3 servers (--threads 2) and a manager in the guest, sealfs.ko over TCP on 127.0.0.1",
    "nfs": "kernel nfsd in the guest, export rw,sync,no_subtree_check, NFSv4.2 over TCP on 127.0.0.1",
    "local": "the ext4 the servers and nfsd store on",
    "repeats": $repeats,
    "sizes": {
        "meta_files_per_proc": $meta_files, "procs": $procs, "lat_files": $lat_files,
        "small_files": $small_files, "small_file_bytes": 4096,
        "seq_mib": $seq_mb, "seq_block": "1M", "rand_secs": $rand_secs,
        "rand_block": "4k", "rtt_rounds": $rtt_rounds, "rtt_bytes": 64, "stream_mib": $stream_mb,
        "tarball": "$(basename "$tarball")",
        "tar_members": "$tar_members" or "all",
        "tar_entries": $(tar -tf "$tarball" ${tar_members:+"$tar_members"} 2>/dev/null | wc -l),
    },
}
with open(sys.argv[1], "a") as f:
    f.write(json.dumps({"meta": meta}) + "\n")
PY
say "meta: $(head -n 1 "$out")"

# ---- workloads ---------------------------------------------------------------------------
t_all=$SECONDS
timed() { # WHAT: prints how long the group took
	say "-- $1 done in $((SECONDS - t_group)) s (total $((SECONDS - t_all)) s)"
}

# fsbench MODE ARG...: its "KEY VALUE UNIT" lines in $res
run_fsbench() { res=$("$FSBENCH" "$@") || die "fsbench $* failed"; }

if have tcp "${GROUPS_RUN[@]}"; then
	t_group=$SECONDS
	for ((r = 1; r <= repeats; r++)); do
		res=$("$TCPBENCH" rtt -n "$rtt_rounds") || die "tcpbench rtt failed"
		while read -r k v _; do
			case $k in
			rtt_median) add latency "round trip" tcp us lower "$v" ;;
			rtt_p99) add latency "round trip p99" tcp us lower "$v" ;;
			esac
		done <<<"$res"
		res=$("$TCPBENCH" stream -m "$stream_mb") || die "tcpbench stream failed"
		while read -r _ v u; do
			add data stream tcp "$u" higher "$v"
		done <<<"$res"
	done
	flush
	timed tcp
fi

if have metadata "${GROUPS_RUN[@]}"; then
	t_group=$SECONDS
	for cfg in "1p:-p 1" "shared ${procs}p:-S -p $procs" "private ${procs}p:-p $procs"; do
		label=${cfg%%:*}
		read -r -a args <<<"${cfg#*:}"
		for ((r = 1; r <= repeats; r++)); do
			for s in "${SYSTEMS[@]}"; do
				run_fsbench meta "${args[@]}" -n "$meta_files" "${DIR[$s]}"
				while read -r k v u; do
					add metadata "$k $label" "$s" "$u" higher "$v"
				done <<<"$res"
			done
		done
	done
	flush
	timed metadata
fi

if have latency "${GROUPS_RUN[@]}"; then
	t_group=$SECONDS
	for ((r = 1; r <= repeats; r++)); do
		for s in "${SYSTEMS[@]}"; do
			run_fsbench lat -n "$lat_files" "${DIR[$s]}"
			while read -r k v u; do
				add latency "${k%_*} ${k##*_}" "$s" "$u" lower "$v"
			done <<<"$res"
		done
	done
	flush
	timed latency
fi

if have smallfile "${GROUPS_RUN[@]}"; then
	t_group=$SECONDS
	for ((r = 1; r <= repeats; r++)); do
		for s in "${SYSTEMS[@]}"; do
			run_fsbench small -n "$small_files" -b 4096 "${DIR[$s]}"
			while read -r k v u; do
				add smallfile "$k 4 KiB files" "$s" "$u" higher "$v"
			done <<<"$res"
		done
	done
	flush
	timed smallfile
fi

# fio_system SYSTEM: one fio run of six jobs, one after the other on one
# file: sequential write and read, buffered (1 MiB blocks) and O_DIRECT, then
# random 4 KiB reads and writes with O_DIRECT for rand_secs each. fio drops
# the file's cached pages before each job (invalidate=1). Its JSON output is
# kept in fio/ beside OUT.
fio_dir=$(dirname "$out")/fio
mkdir -p "$fio_dir"
fio_n=0
FIO_JOBS=(
	"seq write buffered|MiB/s|write_bw|--rw=write --bs=1M --end_fsync=1"
	"seq read buffered|MiB/s|read_bw|--rw=read --bs=1M"
	"seq write direct|MiB/s|write_bw|--rw=write --bs=1M --direct=1 --end_fsync=1"
	"seq read direct|MiB/s|read_bw|--rw=read --bs=1M --direct=1"
	"rand read 4k direct|IOPS|read_iops|--rw=randread --bs=4k --direct=1 --time_based --runtime=RAND --randrepeat=0"
	"rand write 4k direct|IOPS|write_iops|--rw=randwrite --bs=4k --direct=1 --time_based --runtime=RAND --randrepeat=0 --end_fsync=1"
)
fio_system() {
	local s=$1 json j name unit field opts args=() vals
	fio_n=$((fio_n + 1))
	json=$fio_dir/$(printf '%02d' "$fio_n")-$s.json
	for j in "${FIO_JOBS[@]}"; do
		IFS='|' read -r name unit field opts <<<"$j"
		args+=("--name=${name// /-}")
		((${#args[@]} == 1)) || args+=(--stonewall)
		read -r -a opts <<<"${opts//RAND/$rand_secs}"
		args+=("${opts[@]}")
	done
	fio --output-format=json --output="$json" --ioengine=psync --iodepth=1 --numjobs=1 \
		--fallocate=none --invalidate=1 --size="${seq_mb}M" --filename="${DIR[$s]}/fio.dat" \
		"${args[@]}" || die "fio on $s failed: $(tail -n 5 "$json" 2>/dev/null)"
	# fio prints its jobs pretty-printed, each with its "jobname", "error",
	# then the objects "read", "write" and "trim" with "bw_bytes" and "iops":
	# prints "JOBNAME FIELD VALUE" lines.
	vals=$(awk '
		/^ *"jobname" *:/ { job = $3; gsub(/[",]/, "", job); sec = "" }
		/^ *"error" *:/ && job != "" { x = $3; sub(/,/, "", x); if (x != "0") { print job, "error", x } }
		/^ *"(read|write|trim|sync)" *: *\{/ { sec = $1; gsub(/[" :{]/, "", sec) }
		/^ *"bw_bytes" *:/ && sec != "" && !((job, sec, "bw") in seen) {
			seen[job, sec, "bw"] = 1; x = $3; sub(/,/, "", x); printf "%s %s_bw %.1f\n", job, sec, x / 1048576 }
		/^ *"iops" *:/ && sec != "" && !((job, sec, "iops") in seen) {
			seen[job, sec, "iops"] = 1; x = $3; sub(/,/, "", x); printf "%s %s_iops %.1f\n", job, sec, x }' "$json")
	for j in "${FIO_JOBS[@]}"; do
		IFS='|' read -r name unit field _ <<<"$j"
		! grep -q "^${name// /-} error" <<<"$vals" || die "fio job $name on $s: error (see $json)"
		v=$(awk -v j="${name// /-}" -v f="$field" '$1 == j && $2 == f { print $3 }' <<<"$vals")
		[[ -n $v ]] || die "fio job $name on $s: no $field in $json"
		add data "$name" "$s" "$unit" higher "$v"
	done
	rm -f "${DIR[$s]}/fio.dat"
}

if have data "${GROUPS_RUN[@]}"; then
	t_group=$SECONDS
	for ((r = 1; r <= repeats; r++)); do
		for s in "${SYSTEMS[@]}"; do
			rm -f "${DIR[$s]}/fio.dat"
			fio_system "$s"
		done
	done
	flush
	timed data
fi

if have job "${GROUPS_RUN[@]}"; then
	t_group=$SECONDS
	[[ -f $tarball ]] || die "no $tarball (run utils/setup)"
	for ((r = 1; r <= repeats; r++)); do
		for s in "${SYSTEMS[@]}"; do
			d=${DIR[$s]}/src
			rm -rf "$d"
			mkdir "$d"
			t0=$(date +%s.%N)
			tar -xf "$tarball" -C "$d" ${tar_members:+"$tar_members"} || die "tar -xf on $s failed"
			sync -f "$d"
			t1=$(date +%s.%N)
			untar=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
			drop_caches
			t1=$(date +%s.%N)
			rm -rf "$d" || die "rm -rf on $s failed"
			sync -f "${DIR[$s]}"
			t2=$(date +%s.%N)
			[[ ! -e $d ]] || die "rm -rf left $d on $s"
			add job "untar source tree" "$s" s lower "$untar"
			add job "rm -rf source tree" "$s" s lower "$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f", b - a }')"
		done
	done
	flush
	timed job
fi

say "all done in $((SECONDS - t_all)) s; $(wc -l <"$out") records in $out"
