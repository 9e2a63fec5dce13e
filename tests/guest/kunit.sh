#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Guest test (tests/vm/run --kernel debug -- tests/guest/kunit.sh): loads
# sealfs.ko, whose KUnit suites (sealfs_options, sealfs_rpc, sealfs_map and
# any other sealfs_* suite) run while it loads on kernels with KUnit, reads
# their KTAP output from the kernel log and prints each test case's result.
# Fails on any "not ok" and when a suite's result is missing. Kernels
# without KUnit (Debian's stock ones) have nothing to run: that is a pass.
set -euo pipefail

expected=(sealfs_options sealfs_rpc sealfs_map)
fail() { echo "kunit: FAIL: $*" >&2; exit 1; }

# The suites run when the module loads: load it afresh.
if grep -q '^sealfs ' /proc/modules; then
	rmmod sealfs
fi
dmesg -C
modprobe sealfs
log=$(dmesg | sed 's/^\[[ 0-9.]*\] //')
rmmod sealfs

if ! grep -qE ' (kunit_run_tests|__kunit_test_suites_init)$' /proc/kallsyms; then
	echo "kunit: kernel $(uname -r) has no KUnit; no suites to run"
	exit 0
fi

mapfile -t found < <(sed -n 's/^ *# Subtest: \(sealfs_[A-Za-z0-9_]*\)$/\1/p' <<<"$log" | sort -u)
mapfile -t suites < <(printf '%s\n' "${expected[@]}" "${found[@]}" | awk 'NF && !seen[$0]++')

passed=0 failed=0 bad=()
for s in "${suites[@]}"; do
	# From the suite's header to its result, or to where the next suite
	# starts if it has none.
	ktap=$(awk -v s="$s" '
		!on && $0 ~ "^ *# Subtest: " s "$" { on = 1; print; next }
		on && /^ *# Subtest: / { exit }
		on { print }
		on && /^(not )?ok [0-9]+ / { exit }' <<<"$log")
	if [[ -z $ktap ]]; then
		echo "kunit: $s: no KTAP output"
		bad+=("$s (missing)")
		continue
	fi
	cases=$(grep -E '^ +(not )?ok [0-9]+ ' <<<"$ktap" || true)
	[[ -z $cases ]] || awk -v p="kunit: $s: " '{ sub(/^ +/, ""); print p $0 }' <<<"$cases"
	p=$(grep -cE '^ +ok [0-9]+ ' <<<"$ktap" || true)
	f=$(grep -cE '^ +not ok [0-9]+ ' <<<"$ktap" || true)
	passed=$((passed + p)) failed=$((failed + f))
	if ! grep -qE "^ok [0-9]+ $s\$" <<<"$ktap"; then
		# Failed or cut short: show everything the suite said.
		awk -v p="kunit: $s| " '{ print p $0 }' <<<"$ktap"
		if grep -qE "^not ok [0-9]+ $s\$" <<<"$ktap"; then
			bad+=("$s")
		else
			bad+=("$s (no result)")
		fi
	elif ((f)); then
		bad+=("$s")
	fi
done

echo "kunit: $passed cases passed, $failed failed"
((${#bad[@]} == 0)) || fail "suites: ${bad[*]}"
echo "kunit: ok"
