# SPDX-License-Identifier: GPL-2.0-only OR Apache-2.0
#
# SealFS top-level build.
#
#   make                 userspace programs and libraries, and sealfs.ko
#   make userspace       userspace only (build/)
#   make module          sealfs.ko for KDIR, in build/kmod/<release>/
#   make module-check    sealfs.ko with W=1 and sparse (C=2); fails on any finding
#   make check           unit tests and guest tests; last line "N passed, N failed"
#   make unit-check      unit tests only
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

.PHONY: all userspace module module-path module-check check unit-check \
	install clean
.DEFAULT_GOAL := all

all: userspace module

# USERSPACE-RULES

# ---- kernel module --------------------------------------------------------

# Kbuild writes objects next to the sources; a shadow tree of symbolic links
# per kernel release keeps builds for different kernels apart.
$(KBUILD_TREE)/.tree: Kbuild $(wildcard kmod/*.c kmod/*.h common/*.c common/*.h)
	@test -n "$(KREL)" || { echo "no kernel headers in KDIR='$(KDIR)'" >&2; exit 1; }
	@mkdir -p $(KBUILD_TREE)
	@find $(KBUILD_TREE) -xtype l -delete
	@cp -rsf $(CURDIR)/kmod $(CURDIR)/common $(KBUILD_TREE)/
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

clean:
	rm -rf $(BUILD)
