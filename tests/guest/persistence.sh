#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Guest test (tests/vm/run -- tests/guest/persistence.sh): what a SealFS
# mount was told is durable stays: files written and fsync'd, directories,
# symbolic links, modes, sizes and extended attributes survive kill -9 and
# restart of each server in turn (the mount stays up and reconnects), an
# umount and mount, and a restart of the whole cluster on the same
# directories.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source-path=SCRIPTDIR source=lib/cluster.bash
. tests/guest/lib/cluster.bash
TEST=persistence
mnt=/mnt/p
step() { echo "$TEST: $*"; }
die() { cluster_die "$TEST: $*"; }
cleanup() {
	umount -f "$mnt" 2>/dev/null || true
	cluster_cleanup
}
trap cleanup EXIT

# The state a client was promised: names, types, modes, sizes, link
# targets, the user.tag attribute and a digest of each file's bytes, read
# from the servers (the page cache and the dentry and inode caches are
# dropped first).
snapshot() {
	echo 3 >/proc/sys/vm/drop_caches
	(cd "$mnt/keep" && find . -printf '%p %y %m %s %l\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0 sha256sum &&
		find . -type f -print0 | sort -z | xargs -0 getfattr --only-values -n user.tag)
}

step "cluster and volume (64 KiB chunks: files span every server)"
cluster_start 3
cluster_volume_create vol1 --quota 1G --chunk-size 64K
modprobe sealfs
mkdir -p "$mnt"
mount -t sealfs "$CLUSTER_MGR:/vol1" "$mnt" -o timeo=50

step "write and fsync files, make directories, links, modes, attributes"
python3 - "$mnt/keep" <<'PY'
import os, random, sys
top = sys.argv[1]
rnd = random.Random(20261123)
os.makedirs(os.path.join(top, "a/b/c"))
for i in range(40):
    d = os.path.join(top, ("a", "a/b", "a/b/c", "")[i % 4])
    p = os.path.join(d, "f%02d" % i)
    data = rnd.randbytes(rnd.choice((0, 1, 4096, 65535, 65536, 200000, 700000)))
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 + i % 8)
    os.write(fd, data)
    os.fsync(fd)
    os.close(fd)
    os.setxattr(p, "user.tag", b"tag%d" % i)
    os.chmod(p, 0o640 | i % 8)
os.symlink("a/b/c/f02", os.path.join(top, "link"))
os.mkfifo(os.path.join(top, "fifo"))
fd = os.open(os.path.join(top, "sparse"), os.O_WRONLY | os.O_CREAT, 0o644)
os.pwrite(fd, b"end", 5 << 20)
os.fsync(fd)
os.close(fd)
os.setxattr(os.path.join(top, "sparse"), "user.tag", b"sparse")
PY
before=$(snapshot)
[[ $(grep -c ' f ' <<<"$before") == 41 ]] || die "expected 41 files: $before"

for i in 1 2 3; do
	step "kill -9 server $i, restart it, check everything"
	cluster_kill_server "$i"
	cluster_restart_server "$i"
	after=$(snapshot) || die "reading the volume after server $i restarted failed"
	[[ $after == "$before" ]] || die "after server $i restarted: $(diff <(echo "$before") <(echo "$after") | head)"
done

step "umount and mount"
umount "$mnt"
mount -t sealfs "$CLUSTER_MGR:/vol1" "$mnt"
[[ $(snapshot) == "$before" ]] || die "the volume changed across umount and mount"

step "stop and start the whole cluster on the same directories"
umount "$mnt"
cluster_stop
CLUSTER_MGR_PID=''
"$CLUSTER_BIN/sealfs-manager" -c "$CLUSTER_CONF/manager.conf" --listen "$CLUSTER_MGR" \
	--state-dir "$CLUSTER_DIR/state" --heartbeat "$CLUSTER_HEARTBEAT" \
	--failure-timeout "$CLUSTER_FAILURE_TIMEOUT" </dev/null >>"$CLUSTER_DIR/mgr.log" 2>&1 &
CLUSTER_MGR_PID=$!
cluster_wait "the manager to answer" cluster_admin cluster status
for i in 1 2 3; do cluster_server_run "$i"; done
cluster_wait_up 3
mount -t sealfs "$CLUSTER_MGR:/vol1" "$mnt"
[[ $(snapshot) == "$before" ]] || die "the volume changed across a cluster restart"

step "clean up"
rm -rf "$mnt/keep"
[[ -z $(ls -A "$mnt") ]] || die "left: $(ls -A "$mnt")"
umount "$mnt"
rmmod sealfs
cluster_stop
echo "$TEST: ok"
