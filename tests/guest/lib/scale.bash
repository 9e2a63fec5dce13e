# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# Sizes of guest tests per kernel. Under QEMU's TCG emulation the debug
# kernel (tests/vm/debug.config: KASAN, lockdep, kmemleak; release
# *-sealfs-debug) starts processes about 3 times and runs file system
# calls several times slower than Debian's stock kernels, so a test runs its
# code paths there with smaller counts. Sourced by guest tests, not run.
#
#   guest_scale STOCK DEBUG   prints STOCK, or DEBUG on the debug kernel

guest_scale() {
	if [[ $(uname -r) == *-sealfs-debug ]]; then
		echo "$2"
	else
		echo "$1"
	fi
}
