#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/check.sh [--unit-only] [UNIT_TEST_BINARY...]
#
# The test runner behind `make check` and `make unit-check`. Runs:
#   - each cmocka binary given (TAP output; a crash or a missing result is
#     a failure),
#   - the build checks: vectors up to date, sealfs.ko with W=1 and sparse,
#     checkpatch --strict and kernel-doc on the kernel sources, make install
#     into a DESTDIR, the self-test of the benchmark report generator,
#   - unless --unit-only: every cluster test tests/cluster/*.sh (real
#     daemons on 127.0.0.1), the QEMU harness's self-test and every guest test
#     tests/guest/*.sh, all in one guest booted by tests/vm/run per kernel
#     (tests/vm/guest-suite gives a result per test), on every kernel in
#     SEALFS_TEST_KERNELS (default: Debian's 6.1 and 6.12, and the debug
#     kernel with KASAN, lockdep, kmemleak and KUnit, where tests/vm/checkers
#     replaces the self-test and proves that each of those checkers fires).
# Prints PASS/FAIL per test, the output of what failed, and last
# "N passed, N failed". Exits 0 only when nothing failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

unit_only=0
if [[ ${1:-} == --unit-only ]]; then
	unit_only=1
	shift
fi

passed=0 failed=0
# Guest kernels: each gets the module build check and every guest test.
kernels=${SEALFS_TEST_KERNELS:-6.1 6.12 debug}
failures=()
logdir=build/check-logs
rm -rf "$logdir"
mkdir -p "$logdir"

pass() {
	passed=$((passed + 1))
	echo "PASS $1"
}

fail() { # NAME LOG [WHY]
	failed=$((failed + 1))
	failures+=("$1")
	echo "FAIL $1${3:+: $3}"
	if [[ -s $2 ]]; then
		echo "---- $1: last lines of $2 ----"
		tail -n 60 "$2" | sed 's/^/  /'
		echo "----"
	fi
}

# check NAME CMD...: one test that passes when CMD exits 0.
check() {
	local name=$1 log=$logdir/${1//\//_}.log start secs rc=0
	shift
	start=$(date +%s)
	"$@" >"$log" 2>&1 || rc=$?
	secs=$(($(date +%s) - start))
	if ((rc == 0)); then
		pass "$name (${secs} s)"
	else
		fail "$name" "$log" "exit status $rc after ${secs} s"
	fi
}

# A cmocka binary: every TAP result counts; so does a crash.
unit() {
	local bin=$1 name log plan n_ok n_bad rc=0
	name=unit/${bin##*/}
	log=$logdir/${bin##*/}.log
	CMOCKA_MESSAGE_OUTPUT=TAP "$bin" >"$log" 2>&1 || rc=$?
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -n 1)
	n_ok=$(grep -c '^ok ' "$log")
	n_bad=$(grep -c '^not ok ' "$log")
	grep '^ok ' "$log" | sed "s#^ok [0-9]* - #PASS $name: #"
	grep '^not ok ' "$log" | sed "s#^not ok [0-9]* - #FAIL $name: #"
	passed=$((passed + n_ok))
	failed=$((failed + n_bad))
	((n_bad == 0)) || failures+=("$name")
	if [[ -z $plan ]] || ((n_ok + n_bad < plan)); then
		fail "$name" "$log" "stopped after $((n_ok + n_bad)) of ${plan:-?} tests (exit status $rc)"
	elif ((rc != 0 && n_bad == 0)); then
		fail "$name" "$log" "exit status $rc with no failed test (sanitizer report or crash at exit)"
	elif ((n_bad)); then
		echo "---- $name: $log ----"
		sed 's/^/  /' "$log" | tail -n 60
		echo "----"
	fi
}

echo "== unit tests"
for bin in "$@"; do
	unit "$bin"
done

# kunit_cases KERNEL LOG: one result per KUnit case that tests/guest/kunit.sh
# or kernel_vectors.sh reported ("kunit: SUITE: ok N CASE", KTAP's result lines). Skipped cases
# are listed and counted neither way. The suites' presence and the KTAP
# parsing itself are kunit.sh's own result.
kunit_cases() {
	local k=$1 log=$2 suite res case
	[[ -s $log ]] || return 0
	while IFS=$'\t' read -r suite res case; do
		if [[ $case == *'# SKIP'* ]]; then
			echo "SKIP kunit/$suite/${case%% # SKIP*}/$k"
		elif [[ $res == ok ]]; then
			pass "kunit/$suite/$case/$k"
		else
			fail "kunit/$suite/$case/$k" "$log" "KTAP: not ok"
		fi
	done < <(sed -nE 's/^kunit: (sealfs_[A-Za-z0-9_]+): (ok|not ok) [0-9]+ (.*)$/\1\t\2\t\3/p' "$log")
}

# guest_suite KERNEL TEST...: every guest test in one boot of KERNEL
# (tests/vm/guest-suite); one result per test, and one for the kernel log
# of the whole boot (findings after the tests, kmemleak).
guest_suite() {
	local k=$1 log=$logdir/guest-suite_$1.log rc=0 name res secs why seen=' '
	shift
	tests/vm/run --kernel "$k" --timeout "${SEALFS_SUITE_TIMEOUT:-3600}" -- \
		tests/vm/guest-suite "$@" >"$log" 2>&1 || rc=$?
	while read -r name res secs why; do
		seen+="$name "
		local tlog=$logdir/guest_${name}_$k.log
		sed -n "/^=== guest-suite: begin $name\$/,/^=== guest-suite: result $name /p" "$log" >"$tlog"
		if [[ $res == pass ]]; then
			pass "guest/$name/$k (${secs} s)"
		else
			fail "guest/$name/$k" "$tlog" "$why"
		fi
	done < <(sed -n 's/^=== guest-suite: result //p' "$log")
	for t in "$@"; do
		[[ $seen == *" ${t##*/} "* ]] || fail "guest/${t##*/}/$k" "$log" "no result (the guest stopped early)"
	done
	kunit_cases "$k" "$logdir/guest_kunit.sh_$k.log"
	kunit_cases "$k" "$logdir/guest_kernel_vectors.sh_$k.log"
	# The harness lists the findings of the whole boot (kmemleak's too);
	# status 1 is the suite's (a test failed), anything else its own.
	if ((rc > 1)); then
		fail "guest-kernel-log/$k" "$log" "tests/vm/run exit status $rc"
	elif sed -n '/^=== guest kernel log findings/{n;p}' "$log" | grep -qx '  none'; then
		pass "guest-kernel-log/$k"
	else
		fail "guest-kernel-log/$k" "$log" "findings in the guest kernel log"
	fi
}

echo "== build checks"
check vectors-up-to-date make -s --no-print-directory vectors-check
# The module must build cleanly for every kernel the guest tests boot.
for k in $kernels; do
	kdir=$(tests/vm/kernel-info "$k" 2>/dev/null | sed -n 's/^KDIR=//p')
	if [[ -z $kdir ]]; then
		fail "module-w1-sparse/$k" /dev/null "kernel $k is not fetched (run utils/setup)"
		continue
	fi
	check "module-w1-sparse/$k" make -s --no-print-directory module-check KDIR="$kdir"
done
check checkpatch-strict make -s --no-print-directory checkpatch
check kernel-doc make -s --no-print-directory kerneldoc
check install-destdir tests/install_check.sh
# Debian's interpreter: python3-matplotlib (utils/setup) is installed for it,
# and a python3 found earlier on PATH (a virtualenv, pyenv) may lack it.
py=/usr/bin/python3
[[ -x $py ]] || py=python3
check bench-report "$py" tests/bench/report_test.py

if ((!unit_only)); then
	echo "== cluster tests (daemons on 127.0.0.1)"
	for t in tests/cluster/*.sh; do
		[[ -e $t ]] || continue
		check "cluster/${t##*/}" "$t"
	done
	for k in $kernels; do
		echo "== guest tests (tests/vm/run --kernel $k)"
		# The harness's own checks need no debug kernel.
		[[ $k == debug ]] || check "vm/selftest/$k" tests/vm/selftest --kernel "$k"
		# Each checker of the debug kernel reports a planted bug.
		[[ $k != debug ]] || check "vm/checkers/debug" tests/vm/checkers
		tests=()
		for t in tests/guest/*.sh; do
			# "# guest-kernels: 6.1 6.12" in a test's header limits it
			# to those kernels (long workloads that the debug kernel
			# would run for too long under emulation).
			only=$(sed -n 's/^# guest-kernels: //p' "$t")
			[[ -z $only || " $only " == *" $k "* ]] && tests+=("$t")
		done
		guest_suite "$k" "${tests[@]}"
	done
fi

if ((failed)); then
	echo "failed: ${failures[*]}"
	echo "logs: $logdir/ and build/vm-logs/"
fi
echo "$passed passed, $failed failed"
((failed == 0))
