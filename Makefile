# SPDX-License-Identifier: MIT
#
# Tessera — a hypervisor assembled from components.
#
#   make aarch64_defconfig | x86_64_defconfig    choose a configuration
#   make menuconfig                              change it
#   make                                         build the image
#   make run                                     build and boot it in an emulator
#   make test                                    all tests
#   make help                                    everything else
#
# The user interface lives here; the image is built by scripts/build.mk and
# the host tests by scripts/host.mk, both run as sub-makes once the
# configuration and the component list are known.

TESSERA_VERSION := 0.1.0

srctree := $(abspath $(dir $(firstword $(MAKEFILE_LIST))))
O ?= build
objtree := $(abspath $(O))
PYTHON ?= /usr/bin/python3

ifeq ($(V),1)
Q :=
else
Q := @
MAKEFLAGS += --no-print-directory
endif

# Out-of-tree components, colon-separated.  Remembered in the build folder
# so that later 'make' runs without the variable keep them; pass
# EXTRA_COMPONENTS= (empty) to drop them.
EXTRA_FILE := $(objtree)/.extra_components
ifeq ($(origin EXTRA_COMPONENTS),command line)
$(shell mkdir -p '$(objtree)' && printf '%s\n' '$(EXTRA_COMPONENTS)' > '$(EXTRA_FILE)')
else
EXTRA_COMPONENTS := $(shell cat '$(EXTRA_FILE)' 2>/dev/null)
endif
EXTRA_DIRS := $(subst :, ,$(EXTRA_COMPONENTS))

COMPDB := $(objtree)/host/compdb
COMPDB_SRCS := $(addprefix $(srctree)/scripts/compdb/,semver.c compdb.c main.c)
COMPDB_ARGS := --srctree $(srctree) --root $(srctree)/components --root $(srctree)/apps \
	$(foreach e,$(EXTRA_DIRS),--extra $(e))
COMPONENTS_KCONFIG := $(objtree)/Kconfig.components
KCONFIG := srctree=$(srctree) KCONFIG_CONFIG=$(objtree)/.config \
	COMPONENTS_KCONFIG=$(COMPONENTS_KCONFIG) TESSERA_VERSION=$(TESSERA_VERSION) \
	KCONFIG_AUTOHEADER=$(objtree)/include/generated/autoconf.h \
	$(PYTHON) $(srctree)/scripts/kconfig.py

SUBMAKE := $(MAKE) srctree=$(srctree) objtree=$(objtree) Q=$(Q) V=$(V) \
	TESSERA_VERSION=$(TESSERA_VERSION)

# The architecture: ARCH=... on the command line, else the one in .config,
# else aarch64.
CONFIG_ARCH_NOW = $(shell sed -n 's/^CONFIG_ARCH="\(.*\)"/\1/p' '$(objtree)/.config' 2>/dev/null)
ifneq ($(ARCH),)
ifeq ($(filter $(ARCH),x86_64 aarch64),)
$(error ARCH=$(ARCH) is not supported; use ARCH=x86_64 or ARCH=aarch64)
endif
endif
DEFAULT_ARCH = $(or $(ARCH),$(CONFIG_ARCH_NOW),aarch64)

.DEFAULT_GOAL := all
.PHONY: guests guest-initrd hostdisk host-fuzz kconfig-components all image archive prepare components menuconfig olddefconfig savedefconfig help \
	clean distclean run debug setup test test-one host-tests coverage fuzz fuzz-long FORCE

all: image

$(COMPDB): $(COMPDB_SRCS) $(wildcard $(srctree)/scripts/compdb/*.h)
	$(Q)mkdir -p $(dir $@)
	$(Q)gcc -std=c11 -O1 -g -Wall -Wextra -Werror -o $@ $(COMPDB_SRCS)

# Kconfig.components lists the Kconfig file of every component found.
kconfig-components: $(COMPDB)
	$(Q)mkdir -p $(objtree)
	$(Q)$(COMPDB) kconfig $(COMPDB_ARGS) --out $(COMPONENTS_KCONFIG)

%_defconfig: kconfig-components
	$(Q)$(KCONFIG) defconfig $(srctree)/configs/$@

# Brings .config up to date (creating it from a defconfig when needed),
# writes autoconf.h and resolves the enabled components.
prepare: kconfig-components
	$(Q)if [ ! -f '$(objtree)/.config' ]; then \
		echo "  CONFIG  no .config yet: using configs/$(DEFAULT_ARCH)_defconfig"; \
		$(KCONFIG) defconfig $(srctree)/configs/$(DEFAULT_ARCH)_defconfig >/dev/null || exit 1; \
	elif [ -n '$(ARCH)' ] && [ '$(CONFIG_ARCH_NOW)' != '$(ARCH)' ]; then \
		cp '$(objtree)/.config' '$(objtree)/.config.old'; \
		echo "  CONFIG  .config was for $(CONFIG_ARCH_NOW): switching to configs/$(ARCH)_defconfig (old one kept as .config.old)"; \
		$(KCONFIG) defconfig $(srctree)/configs/$(ARCH)_defconfig >/dev/null || exit 1; \
	else \
		$(KCONFIG) olddefconfig || exit 1; \
	fi
	$(Q)$(KCONFIG) genconfig
	$(Q)arch=$$(sed -n 's/^CONFIG_ARCH="\(.*\)"/\1/p' '$(objtree)/.config'); \
	if [ -d '$(objtree)/obj' ] && [ "$$(cat '$(objtree)/obj/.arch' 2>/dev/null)" != "$$arch" ]; then \
		echo "  CLEAN   the objects of another architecture in $(objtree)/obj"; \
		rm -rf '$(objtree)/obj' '$(objtree)/tessera.elf' '$(objtree)/tessera.bin'; \
	fi; \
	mkdir -p '$(objtree)/obj' && echo "$$arch" > '$(objtree)/obj/.arch'
	$(Q)mkdir -p $(objtree)/gen
	$(Q)$(COMPDB) resolve $(COMPDB_ARGS) --config $(objtree)/.config \
		--make-out $(objtree)/components.mk --gen-dir $(objtree)/gen

image: prepare
	$(Q)$(SUBMAKE) -f $(srctree)/scripts/build.mk VMS='$(abspath $(VMS))' GUESTS='$(GUESTS)' image

# The bare-metal test guests of tests/guests/ for the configured architecture.
.PHONY: test-guests
test-guests: prepare
	$(Q)$(SUBMAKE) -f $(srctree)/scripts/build.mk test-guests

# Only the boot archive (BOOTARCHIVE=file writes it elsewhere): another set
# of VMS for the same image.
archive: prepare
	$(Q)$(SUBMAKE) -f $(srctree)/scripts/build.mk VMS='$(abspath $(VMS))' GUESTS='$(GUESTS)' \
		$(if $(BOOTARCHIVE),BOOTARCHIVE='$(abspath $(BOOTARCHIVE))') archive

components: prepare
	$(Q)$(COMPDB) list $(COMPDB_ARGS) --config $(objtree)/.config

menuconfig: kconfig-components
	$(Q)if [ ! -f '$(objtree)/.config' ]; then \
		$(KCONFIG) defconfig $(srctree)/configs/$(DEFAULT_ARCH)_defconfig; fi
	$(Q)$(KCONFIG) menuconfig

olddefconfig: kconfig-components
	$(Q)$(KCONFIG) olddefconfig

savedefconfig: kconfig-components
	$(Q)$(KCONFIG) savedefconfig $(objtree)/defconfig
	@echo "  copy it to configs/<name>_defconfig to make it 'make <name>_defconfig'"

# ---- running -------------------------------------------------------------

setup:
	$(Q)bash $(srctree)/scripts/setup.sh

EMULATOR ?= $(shell $(srctree)/scripts/emu/default-emulator.sh $(DEFAULT_ARCH))
CMDLINE ?= $(shell sed -n 's/^CONFIG_IMAGE_CMDLINE="\(.*\)"/\1/p' '$(objtree)/.config' 2>/dev/null)

# The VMs of a run: VM=path/to/my.vm, or GUEST=<name> for a ready-made one
# in configs/vms/<arch>/ (make run GUEST=aavmf).  Without either, aarch64
# boots the test disk (configs/vms/<arch>/disk.vm): AAVMF on aarch64,
# SeaBIOS on x86_64, then GRUB, Debian's kernel and a shell on the disk; GUEST= (empty)
# boots the image alone.  A VM that names guests/ files gets them fetched
# first.
VM_CONFIG_DIR = $(srctree)/configs/vms/$(DEFAULT_ARCH)
DEFAULT_GUEST_aarch64 := disk
DEFAULT_GUEST_x86_64 := disk
ifeq ($(origin GUEST),undefined)
GUEST = $(if $(VM),,$(DEFAULT_GUEST_$(DEFAULT_ARCH)))
endif
RUN_VMS = $(strip $(VM) $(if $(GUEST),$(VM_CONFIG_DIR)/$(GUEST).vm))

# The host disk the emulator attaches (docs/persistence.md): the VMs keep
# their variable stores and disks in its partitions across runs.  'make
# hostdisk' makes the partitions the VMs name that are missing; delete the
# file to start afresh.
HOSTDISK ?= $(objtree)/hostdisk.img

run: setup
	$(Q)$(MAKE) -f $(srctree)/Makefile O=$(O) run-vms-ready
	$(Q)$(MAKE) -f $(srctree)/Makefile O=$(O) VMS='$(RUN_VMS)' image
	$(Q)$(MAKE) -f $(srctree)/Makefile O=$(O) VM='$(VM)' GUEST='$(GUEST)' hostdisk
	$(Q)HOSTDISK='$(abspath $(HOSTDISK))' \
		$(srctree)/scripts/emu/$(EMULATOR)-$(DEFAULT_ARCH).sh run $(objtree) "$(CMDLINE)"

# Makes or extends the host disk from the VMs of the run (or VMS=...).
hostdisk: prepare
	$(Q)$(PYTHON) $(srctree)/scripts/hostdisk.py --image '$(abspath $(HOSTDISK))' \
		--arch $(DEFAULT_ARCH) --guests '$(GUESTS)' \
		$(foreach v,$(or $(VMS),$(RUN_VMS)),--vm '$(abspath $(v))')

# Checks that the VMs of the run exist and fetches the guest files they need.
.PHONY: run-vms-ready
run-vms-ready:
	$(Q)if [ -n '$(GUEST)' ] && [ ! -f '$(VM_CONFIG_DIR)/$(GUEST).vm' ]; then \
		echo "error: there is no ready-made guest '$(GUEST)' for $(DEFAULT_ARCH); GUEST= takes one of:" \
			"$$(cd '$(VM_CONFIG_DIR)' 2>/dev/null && ls *.vm 2>/dev/null | sed 's/\.vm$$//' | tr '\n' ' ')(configs/vms/$(DEFAULT_ARCH)/)."; \
		exit 1; fi
	$(Q)for v in $(RUN_VMS); do [ -f "$$v" ] || { echo "error: the VM configuration $$v does not exist."; exit 1; }; done
	$(Q)if [ -n '$(RUN_VMS)' ] && grep -qs '^[^#]*guests/' $(RUN_VMS); then \
		bash $(srctree)/scripts/guests/fetch.sh '$(GUESTS)' $(DEFAULT_ARCH); fi

debug: setup
	$(Q)$(MAKE) -f $(srctree)/Makefile O=$(O) image
	$(Q)$(srctree)/scripts/emu/$(EMULATOR)-$(DEFAULT_ARCH).sh debug $(objtree) "$(CMDLINE)"

# Guest firmware, kernels, GRUB and initramfs from Debian packages, and the
# disk images made from them (docs/guests.md); each step is skipped when its
# results are newer than its inputs.  One cache shared by every O= build
# folder; GUEST_ARCH= limits it to one architecture.
GUESTS ?= $(srctree)/build/guests
guests:
	$(Q)bash $(srctree)/scripts/guests/fetch.sh '$(GUESTS)' $(GUEST_ARCH)

# The test initramfs plus a folder of your own (kernel modules built against
# the guests' kernel, /init fragments): DIR/initrd.cpio.gz (docs/guests.md).
guest-initrd:
	$(Q)if [ -z '$(DIR)' ]; then echo "error: say which folder: make guest-initrd DIR=path/to/guest"; exit 1; fi
	$(Q)bash $(srctree)/scripts/guests/fetch.sh '$(GUESTS)' $(DEFAULT_ARCH)
	$(Q)bash $(srctree)/scripts/guests/guest-initrd.sh $(DEFAULT_ARCH) '$(DIR)' '$(GUESTS)'

# ---- tests -----------------------------------------------------------------

test: setup
	$(Q)$(PYTHON) $(srctree)/scripts/test/run.py --srctree $(srctree) --objtree $(objtree)

test-one: setup
	$(Q)$(PYTHON) $(srctree)/scripts/test/run.py --srctree $(srctree) --objtree $(objtree) --only '$(T)'

# Host test programs for the current configuration (used by the runner).
host-tests: prepare
	$(Q)$(SUBMAKE) -f $(srctree)/scripts/host.mk VARIANT=unit all

host-fuzz: prepare
	$(Q)$(SUBMAKE) -f $(srctree)/scripts/host.mk VARIANT=fuzz all

coverage: prepare
	$(Q)$(SUBMAKE) -f $(srctree)/scripts/host.mk VARIANT=cov coverage

FUZZ_SECONDS ?= 60
FUZZ_ONLY ?= *
fuzz: prepare
	$(Q)$(SUBMAKE) -f $(srctree)/scripts/host.mk VARIANT=fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) \
		FUZZ_ONLY='$(FUZZ_ONLY)' fuzz

# Every fuzz target for FUZZ_RUNS inputs (10 million by default; not part of make test).
FUZZ_RUNS ?= 10000000
fuzz-long: prepare
	$(Q)$(SUBMAKE) -f $(srctree)/scripts/host.mk VARIANT=fuzz FUZZ_RUNS=$(FUZZ_RUNS) \
		FUZZ_ONLY='$(FUZZ_ONLY)' fuzz

# The performance table of docs/performance.md (not part of make test):
# exit round trips, boots and host CPU time against the plain emulator,
# exits per boot, image sizes.  BENCH_ARCH=x86_64 runs the x86 rows (Bochs),
# BENCH_ROWS=1,6 only some rows.  The table also goes to $(O)/bench/last.txt.
BENCH_ARCH ?= aarch64
BENCH_ROWS ?= 1,2,3,5,6,7
# BENCH_SET='VM_EXIT_TRACE=y': Kconfig settings on top of the defconfig
# (built in a folder of their own).
BENCH_SET ?=
.PHONY: bench
bench: setup
	$(Q)$(PYTHON) $(srctree)/scripts/bench/bench.py --srctree $(srctree) --objtree $(objtree) \
		--arch $(BENCH_ARCH) --rows $(BENCH_ROWS) --log $(objtree)/bench/last.txt \
		$(if $(strip $(BENCH_SET)),--set '$(BENCH_SET)')

bench-%: prepare
	$(Q)$(SUBMAKE) -f $(srctree)/scripts/host.mk VARIANT=unit BENCH=$* bench

# ---- housekeeping ----------------------------------------------------------

clean:
	$(Q)rm -rf $(objtree)/obj $(objtree)/host $(objtree)/gen $(objtree)/archive $(objtree)/test \
		$(objtree)/tessera.elf $(objtree)/tessera.bin $(objtree)/tessera.iso \
		$(objtree)/bootarchive.cpio $(objtree)/components.mk $(objtree)/test-guests

distclean:
	$(Q)if [ '$(objtree)' = '$(srctree)' ]; then \
		echo "error: O is the source tree; remove the build files by hand."; exit 1; fi
	$(Q)rm -rf $(objtree)

help:
	@echo 'Tessera $(TESSERA_VERSION)'
	@echo
	@echo 'Configuration:'
	@for f in $(notdir $(wildcard $(srctree)/configs/*_defconfig)); do \
		printf '  %-24s %s\n' "$$f" "configure from configs/$$f"; done
	@echo '  menuconfig               change the configuration (components, options)'
	@echo '  olddefconfig             update .config, new options at their defaults'
	@echo '  savedefconfig            write a minimal defconfig to $$(O)/defconfig'
	@echo
	@echo 'Building and running:'
	@echo '  all (default)            build the image: $$(O)/tessera.elf, tessera.bin, bootarchive.cpio'
	@echo '  components               list the enabled components, versions and folders'
	@echo '  run                      install what is missing, build, boot in an emulator'
	@echo '                           (ARCH=x86_64|aarch64, EMULATOR=qemu|bochs, CMDLINE="...")'
	@echo '                           GUEST=<name>: with a ready-made VM of configs/vms/<arch>/ (disk, aavmf, linux, ovmf;'
	@echo '                           default: disk, the whole boot chain; GUEST= boots the image alone)'
	@echo '                           VM=path/to/my.vm: with your own VM (docs/vm-config.md)'
	@echo '  archive                  only the boot archive; VMS="a.vm b.vm" adds VMs and their guest files'
	@echo '  hostdisk                 make or extend $$(O)/hostdisk.img, the host disk of make run, with the'
	@echo '                           host:<partition> storage the VMs name (HOSTDISK=file: another image)'
	@echo '  debug                    like run, but the emulator waits for gdb'
	@echo '  test-guests              build the bare-metal test guests (tests/guests/) into $$(O)/test-guests'
	@echo '  guests                   fetch the guest firmware, kernels, GRUB and initramfs from Debian'
	@echo '                           packages into build/guests and make the disk images <arch>/disk.img'
	@echo '                           (GUESTS=DIR, GUEST_ARCH=aarch64|x86_64)'
	@echo '  guest-initrd DIR=d       the test initramfs plus d/: its kernel modules (Kbuild) built for'
	@echo '                           the guests'"'"' kernel, its *.sh run by /init; writes d/initrd.cpio.gz'
	@echo
	@echo 'Testing:'
	@echo '  test                     host unit tests, fuzz regressions and boot tests'
	@echo '  test-one T=<name>        one test, e.g. T=aarch64/banner or T=unit/core/test_heap'
	@echo '  coverage                 line coverage of the guest-facing components (gcovr, >= 85%)'
	@echo '  fuzz FUZZ_SECONDS=N      run every fuzz target for N seconds'
	@echo '  fuzz-long                run every fuzz target for FUZZ_RUNS inputs (10 million; long,'
	@echo '                           not in make test; counts in docs/reliability.md)'
	@echo '                           (FUZZ_ONLY='"'"'virtio/*'"'"': only the targets <component>/<target> matching)'
	@echo '  bench                    the performance table (docs/performance.md; BENCH_ARCH=, BENCH_ROWS=, BENCH_SET=)'
	@echo '  bench-<component>        run that component'"'"'s micro-benchmarks (e.g. bench-bus)'
	@echo
	@echo 'Cleaning:'
	@echo '  clean                    remove build products, keep .config'
	@echo '  distclean                remove the whole build folder'
	@echo
	@echo 'Variables: O=dir (build folder, default build), V=1 (show commands),'
	@echo '  ARCH=x86_64|aarch64, CROSS_COMPILE=prefix (default aarch64-linux-gnu- on aarch64),'
	@echo '  EXTRA_COMPONENTS=/path/a:/path/b (out-of-tree components, remembered in $$(O))'
