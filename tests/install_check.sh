#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# `make install` into a scratch DESTDIR with PREFIX=/usr puts every piece
# where it belongs, and nothing that is only for tests.
set -euo pipefail
cd "$(dirname "$0")/.."
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail() { echo "install_check: FAIL: $*" >&2; exit 1; }
make -s --no-print-directory install DESTDIR="$d" PREFIX=/usr
ko=$(find "$d" -path '*/lib/modules/*/extra/sealfs.ko')
[[ -n $ko ]] || fail "no sealfs.ko under lib/modules/*/extra"
modinfo -F vermagic "$ko" >/dev/null || fail "$ko is not a module"
for p in build/bin/sealfs-*; do
	[[ -x $d/usr/sbin/${p##*/} ]] || fail "${p##*/} not installed in /usr/sbin"
done
# mount(8) looks for helpers in /sbin only, whatever the PREFIX.
[[ -x $d/sbin/mount.sealfs ]] || fail "mount.sealfs not installed in /sbin"
for m in Documentation/man/*.[1-8]; do
	s=${m##*.}
	[[ -f $d/usr/share/man/man$s/${m##*/} ]] || fail "${m##*/} not installed"
done
for u in utils/systemd/*.service; do
	f=$d/lib/systemd/system/${u##*/}
	[[ -f $f ]] || fail "${u##*/} not installed"
	grep -q '^ExecStart=/usr/sbin/' "$f" || fail "${u##*/}: ExecStart does not point at /usr/sbin"
	! grep -q @SBINDIR@ "$f" || fail "${u##*/}: @SBINDIR@ left in place"
done
for c in utils/conf/*.conf; do
	[[ -f $d/usr/share/sealfs/examples/${c##*/} ]] || fail "example ${c##*/} not installed"
done
! find "$d" -name 'sealfs_selftest*' -o -name 'test_*' | grep -q . || fail "test files installed"
echo "install_check: ok ($(find "$d" -type f | wc -l) files)"
