#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Guest test (tests/vm/run -- tests/guest/kernel_vectors.sh): the kernel
# build of common/ gives the golden-vector results the userspace tests
# check (tests/vectors/): sealfs_selftest.ko runs the checks when loaded,
# as a KUnit suite on kernels with KUnit, else on its own (refusing to load
# if one fails).
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
if dmesg | grep -q '# Subtest: sealfs_vectors'; then
	# A kernel with KUnit: the checks ran as the KUnit suite; read its KTAP.
	ktap=$(dmesg | sed 's/^\[[ 0-9.]*\] //' | sed -n '/# Subtest: sealfs_vectors/,/^ok [0-9]* sealfs_vectors$/p')
	echo "$ktap"
	# Each case's result, as tests/guest/kunit.sh prints them (make check
	# counts these lines).
	grep -E '^ +(not )?ok [0-9]+ ' <<<"$ktap" | sed 's/^ *//; s/^/kunit: sealfs_vectors: /' || true
	! grep -q 'not ok' <<<"$ktap" || { echo "kernel_vectors: FAIL: KUnit reports failures" >&2; exit 1; }
	[[ $(grep -cE '^ +ok [0-9]+ ' <<<"$ktap") -ge 3 ]] ||
		{ echo "kernel_vectors: FAIL: fewer than 3 KUnit cases passed" >&2; exit 1; }
	grep -qE '^ok [0-9]+ sealfs_vectors' <<<"$ktap" ||
		{ echo "kernel_vectors: FAIL: no suite result" >&2; exit 1; }
	echo "kernel_vectors: ok (KUnit)"
	exit 0
fi
dmesg | grep 'sealfs_selftest: ' | sed 's/^\[[ 0-9.]*\] //'
# The counts must be there and cover every vector file.
for what in "codec vectors" "placement keys" "placement rings"; do
	line=$(dmesg | grep "sealfs_selftest: $what: ") ||
		{ echo "kernel_vectors: FAIL: no '$what' result" >&2; exit 1; }
	[[ $line =~ :\ ([1-9][0-9]*)\ checked,\ 0\ failed ]] ||
		{ echo "kernel_vectors: FAIL: $line" >&2; exit 1; }
done
echo "kernel_vectors: ok"
