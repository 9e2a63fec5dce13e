# SPDX-License-Identifier: GPL-2.0-only OR Apache-2.0
#
# SealFS top-level build.
#
#   make                 userspace programs and libraries, and sealfs.ko
#   make userspace       userspace only (build/)
#   make module          sealfs.ko for KDIR, in build/kmod/<release>/
#   make module-check    sealfs.ko with W=1 and sparse (C=2); fails on any finding
#   make checkpatch      checkpatch.pl --strict on all kernel-side sources
#   make kerneldoc       kernel-doc on all kernel-side sources
#   make check           unit tests and guest tests; last line "N passed, N failed"
#   make unit-check      unit tests only
#   make bench           benchmarks in a guest: SealFS, kernel NFS, local, TCP (BENCH_ARGS=...)
#   make install         binaries, module, man pages, systemd units (DESTDIR, PREFIX)
#
# KDIR defaults to the running kernel's build directory when it exists, else to
# the newest Debian 6.1 headers installed (the kernel the test guest boots).

PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     ?= build
CC        ?= cc

KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(shell ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sort -V | tail -n 1))
KREL  = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
KBUILD_TREE = $(CURDIR)/$(BUILD)/kmod/$(KREL)

.PHONY: all userspace module module-path module-check check unit-check bench \
	unit-build hdrcheck placement-report vectors vectors-check checkpatch kerneldoc install clean
.DEFAULT_GOAL := all
# Keep every intermediate file: make must print nothing after `make check`'s
# summary line.
.SECONDARY:

all: userspace module

# ---- userspace -------------------------------------------------------------

WARN        = -Wall -Wextra -Werror
CFLAGS     ?= -O2 -g
USER_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -Icommon -Iutils/lib -I. $(CFLAGS)
SANITIZE    = -fsanitize=address,undefined -fno-sanitize-recover=all \
	      -fno-omit-frame-pointer
USER_LIBS   = -lxxhash -lleveldb -lconfig -lpmem -ljson-c -lsystemd -lpthread

# Userspace code by component. A component's main.c is its program; all the
# rest goes into one library that the programs and the tests link.
COMMON_SRC  = $(wildcard common/*.c)
COMMON_HDR  = $(wildcard common/*.h)
LIB_SRC     = $(COMMON_SRC) $(wildcard utils/lib/*.c) \
	      $(filter-out %/main.c %/mount_sealfs.c,$(wildcard server/*.c manager/*.c \
	      utils/admin/*.c utils/mount/*.c))
LIBCOMMON   = $(BUILD)/lib/libsealfs-common.a
LIBSEALFS   = $(BUILD)/lib/libsealfs.a
# Unit tests link a copy of everything built with ASan and UBSan.
LIBSAN      = $(BUILD)/san/libsealfs-san.a

# Programs: built when their main.c exists.
PROG_MAINS  = $(wildcard server/main.c manager/main.c utils/admin/main.c)
prog_name   = $(if $(filter utils/admin/main.c,$1),sealfs-admin,sealfs-$(patsubst %/main.c,%,$1))
PROGRAMS_BUILT = $(foreach m,$(PROG_MAINS),$(BUILD)/bin/$(call prog_name,$(m)))
# The mount helper links only its own files and common/ (no daemon libraries).
MOUNT_HELPER = $(BUILD)/bin/mount.sealfs

UNIT_TESTS  = $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS   = $(UNIT_TESTS:%=$(BUILD)/tests/test_%)
# Golden vectors shared with the kernel tests, written by generators.
VECTORS     = codec placement

userspace: $(LIBCOMMON) $(LIBSEALFS) $(PROGRAMS_BUILT) $(MOUNT_HELPER) hdrcheck

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(SANITIZE) -MMD -MP -c $< -o $@

$(LIBCOMMON): $(COMMON_SRC:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBSEALFS): $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBSAN): $(LIB_SRC:%.c=$(BUILD)/san/%.o)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/sealfs-server: $(BUILD)/obj/server/main.o $(LIBSEALFS)
$(BUILD)/bin/sealfs-manager: $(BUILD)/obj/manager/main.o $(LIBSEALFS)
$(BUILD)/bin/sealfs-admin: $(BUILD)/obj/utils/admin/main.o $(LIBSEALFS)
$(PROGRAMS_BUILT):
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $^ -o $@ $(USER_LIBS)
$(MOUNT_HELPER): $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard utils/mount/*.c)) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $^ -o $@

# Every shared header must compile on its own in userspace.
hdrcheck: $(COMMON_HDR:common/%.h=$(BUILD)/hdrcheck/%.o)
$(BUILD)/hdrcheck/%.o: common/%.h
	@mkdir -p $(@D)
	printf '#include "%s"\n' $*.h | $(CC) $(USER_CFLAGS) -x c -c - -o $@

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIBSAN)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(SANITIZE) -Itests -MMD -MP $< $(LIBSAN) \
		-o $@ -lcmocka $(USER_LIBS)

$(BUILD)/tests/%: tests/tools/%.c $(LIBSEALFS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -Itests -MMD -MP $< $(LIBSEALFS) -o $@ $(USER_LIBS) -lm

unit-build: $(UNIT_BINS) hdrcheck
unit-check: unit-build
	@tests/check.sh --unit-only $(UNIT_BINS)

# Programs the cluster and guest tests run besides the daemons, and the
# benchmark tools of tests/bench/.
TEST_TOOLS  = $(BUILD)/tests/fake_servers $(BUILD)/tests/srv_probe $(BUILD)/tests/sfsctl \
	      $(BUILD)/tests/posix_suite $(BUILD)/tests/fsmodel $(BUILD)/tests/fsconc \
	      $(BUILD)/tests/srvbench $(BUILD)/tests/ldbbench \
	      $(BUILD)/tests/fsbench $(BUILD)/tests/tcpbench

check: unit-build userspace $(TEST_TOOLS) module
	@tests/check.sh $(UNIT_BINS)

# SealFS beside kernel NFS and the local limit in one QEMU guest (tests/bench/run).
BENCH_ARGS ?=
bench:
	tests/bench/run $(BENCH_ARGS)

placement-report: $(BUILD)/tests/placement_report
	$<

# Rewrites the vector files; vectors-check fails when one is out of date.
vectors: $(VECTORS:%=$(BUILD)/tests/gen_%_vectors)
	@set -e; for v in $(VECTORS); do \
		$(BUILD)/tests/gen_$${v}_vectors >tests/vectors/$${v}_vectors.h.tmp; \
		mv tests/vectors/$${v}_vectors.h.tmp tests/vectors/$${v}_vectors.h; done
vectors-check: $(VECTORS:%=$(BUILD)/tests/gen_%_vectors)
	@set -e; for v in $(VECTORS); do \
		$(BUILD)/tests/gen_$${v}_vectors | cmp -s - tests/vectors/$${v}_vectors.h || \
		{ echo "tests/vectors/$${v}_vectors.h is out of date: run make vectors" >&2; \
		  exit 1; }; done

-include $(shell find $(BUILD)/obj $(BUILD)/san $(BUILD)/tests -name '*.d' 2>/dev/null)

# ---- kernel module --------------------------------------------------------

# Kbuild writes objects next to the sources; a shadow tree of symbolic links
# per kernel release keeps builds for different kernels apart.
$(KBUILD_TREE)/.tree: Kbuild $(wildcard kmod/*.[ch] common/*.[ch] tests/kmod/*.[ch] tests/vectors/*.h)
	@test -n "$(KREL)" || { echo "no kernel headers in KDIR='$(KDIR)'" >&2; exit 1; }
	@mkdir -p $(KBUILD_TREE)/tests
	@find $(KBUILD_TREE) -xtype l -delete
	@cp -rsf $(CURDIR)/kmod $(CURDIR)/common $(KBUILD_TREE)/
	@cp -rsf $(CURDIR)/tests/kmod $(CURDIR)/tests/vectors $(KBUILD_TREE)/tests/
	@ln -sf $(CURDIR)/Kbuild $(KBUILD_TREE)/Kbuild
	@touch $@

module: $(KBUILD_TREE)/.tree
	$(MAKE) -C $(KDIR) M=$(KBUILD_TREE) modules

module-path:
	@echo $(KBUILD_TREE)/sealfs.ko

# W=1 and sparse; any diagnostic from either is a failure.
module-check: $(KBUILD_TREE)/.tree
	@$(MAKE) -C $(KDIR) M=$(KBUILD_TREE) clean >/dev/null
	@$(MAKE) -C $(KDIR) M=$(KBUILD_TREE) W=1 C=2 modules 2>&1 | tee $(KBUILD_TREE)/check.log
	@! grep -E 'warning:|error:' $(KBUILD_TREE)/check.log

# ---- install --------------------------------------------------------------

# Programs, manual pages, systemd units (ExecStart pointing at SBINDIR) and
# example configurations are picked up from their directories; mount.sealfs
# goes to /sbin, where mount(8) looks for helpers, whatever PREFIX; sealfs.ko
# goes to the module tree of the kernel it was built for (depmod runs when
# installing into /).
PROGRAMS    = $(PROGRAMS_BUILT)
MANPAGES    = $(wildcard Documentation/man/*.[1-8])
UNITS       = $(wildcard utils/systemd/*.service)
EXAMPLES    = $(wildcard utils/conf/*.conf)
EXAMPLEDIR ?= $(PREFIX)/share/sealfs/examples
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= /lib/systemd/system
MOUNTDIR   ?= /sbin
MODDIR      = /lib/modules/$(KREL)/extra

install: all
	@test -f $(KBUILD_TREE)/sealfs.ko || { echo "no sealfs.ko for '$(KREL)'" >&2; exit 1; }
	install -d $(DESTDIR)$(MODDIR)
	install -m 0644 $(KBUILD_TREE)/sealfs.ko $(DESTDIR)$(MODDIR)/sealfs.ko
	$(if $(PROGRAMS),install -d $(DESTDIR)$(SBINDIR) && \
		install -m 0755 $(PROGRAMS) $(DESTDIR)$(SBINDIR)/)
	install -d $(DESTDIR)$(MOUNTDIR)
	install -m 0755 $(MOUNT_HELPER) $(DESTDIR)$(MOUNTDIR)/mount.sealfs
	$(foreach s,$(sort $(patsubst .%,%,$(suffix $(MANPAGES)))),\
		install -d $(DESTDIR)$(MANDIR)/man$(s) && \
		install -m 0644 $(filter %.$(s),$(MANPAGES)) $(DESTDIR)$(MANDIR)/man$(s)/;)
	$(if $(UNITS),install -d $(DESTDIR)$(UNITDIR))
	$(foreach u,$(UNITS),sed 's|@SBINDIR@|$(SBINDIR)|g' $(u) >$(DESTDIR)$(UNITDIR)/$(notdir $(u)) && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$(notdir $(u));)
	$(if $(EXAMPLES),install -d $(DESTDIR)$(EXAMPLEDIR) && \
		install -m 0644 $(EXAMPLES) $(DESTDIR)$(EXAMPLEDIR)/)
	$(if $(DESTDIR),,depmod -a $(KREL))

# The kernel's coding style, as scripts/checkpatch.pl --strict sees it, on
# every file the kernel compiles. utils/setup unpacks checkpatch.pl.
SEALFS_CACHE ?= $(HOME)/.cache/sealfs
CHECKPATCH   ?= $(firstword $(wildcard $(SEALFS_CACHE)/linux-source-6.1/scripts/checkpatch.pl \
	/usr/src/linux-source-6.1/scripts/checkpatch.pl))
KERNEL_SRC    = $(sort $(wildcard kmod/*.[ch] common/*.[ch] tests/kmod/*.[ch] tests/vm/canary/*.[ch]))

KERNELDOC    ?= $(firstword $(wildcard $(SEALFS_CACHE)/linux-source-6.1/scripts/kernel-doc \
	/usr/src/linux-source-6.1/scripts/kernel-doc))

# kernel-doc on every kernel-side file: no warning, and a comment on every
# non-static function.
kerneldoc:
	@test -n "$(KERNELDOC)" || { echo "no kernel-doc: run utils/setup" >&2; exit 1; }
	@tests/kerneldoc_check.py $(KERNELDOC) $(KERNEL_SRC)

checkpatch:
	@test -n "$(CHECKPATCH)" || { echo "no checkpatch.pl: run utils/setup" >&2; exit 1; }
	@rc=0; for f in $(KERNEL_SRC); do \
		perl $(CHECKPATCH) --strict --no-tree --show-types --quiet -f $$f || rc=1; \
	done; test $$rc = 0 && echo "checkpatch --strict: $(words $(KERNEL_SRC)) files, no findings"

clean:
	rm -rf $(BUILD)
