#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Guest test (tests/vm/run -- tests/guest/kernel_vectors.sh): the kernel
# build of common/ gives the golden-vector results the userspace tests
# check (tests/vectors/): sealfs_selftest.ko runs the checks when loaded and
# refuses to load if one fails.
set -euo pipefail

ko=build/kmod/${SEALFS_VM_KREL:?run me with tests/vm/run}/sealfs_selftest.ko
[[ -f $ko ]] || { echo "kernel_vectors: FAIL: no $ko (make module)" >&2; exit 1; }
dmesg -C
if ! insmod "$ko"; then
	dmesg | grep sealfs_selftest >&2
	echo "kernel_vectors: FAIL: sealfs_selftest refused to load" >&2
	exit 1
fi
rmmod sealfs_selftest
dmesg | grep 'sealfs_selftest: ' | sed 's/^\[[ 0-9.]*\] //'
# The counts must be there and cover every vector file.
for what in "codec vectors" "placement keys" "placement rings"; do
	line=$(dmesg | grep "sealfs_selftest: $what: ") ||
		{ echo "kernel_vectors: FAIL: no '$what' result" >&2; exit 1; }
	[[ $line =~ :\ ([1-9][0-9]*)\ checked,\ 0\ failed ]] ||
		{ echo "kernel_vectors: FAIL: $line" >&2; exit 1; }
done
echo "kernel_vectors: ok"
