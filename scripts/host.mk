# SPDX-License-Identifier: MIT
#
# Host programs built from the components' plain-C sources: unit tests
# (tests/test_*.c, cmocka), fuzz targets (tests/fuzz_*.c, libFuzzer) and
# micro-benchmarks (tests/bench_*.c).  A program is linked with its
# component's host-y objects, those of every component it requires
# (transitively) and the host support library in tests/host/.
#
#   VARIANT=unit   gcc -O2, unit tests and benchmarks       -> $(objtree)/host/unit
#   VARIANT=cov    gcc --coverage, unit tests + gcovr        -> $(objtree)/host/cov
#   VARIANT=fuzz   clang, libFuzzer + ASan + UBSan           -> $(objtree)/host/fuzz

include $(objtree)/.config
include $(objtree)/components.mk

VARIANT ?= unit
OUT := $(objtree)/host/$(VARIANT)

ifeq ($(VARIANT),fuzz)
HOSTCC := clang
VARIANT_CFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
	-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
VARIANT_LDFLAGS := -fsanitize=fuzzer,address,undefined
PROGRAM_GLOB := fuzz_*.c
else ifeq ($(VARIANT),cov)
HOSTCC := gcc
VARIANT_CFLAGS := -O0 -g --coverage
VARIANT_LDFLAGS := --coverage
PROGRAM_GLOB := test_*.c
else
HOSTCC := gcc
VARIANT_CFLAGS := -O2 -g
VARIANT_LDFLAGS :=
PROGRAM_GLOB := test_*.c bench_*.c
endif

SUPPORT_DIR := $(srctree)/tests/host
INCLUDES := -I$(objtree)/include -I$(SUPPORT_DIR)/include \
	$(foreach c,$(COMPONENTS),-I$(COMPONENT_DIR_$(c))/include)
HOST_CFLAGS := -std=c11 -Wall -Wextra -Werror -fno-common $(VARIANT_CFLAGS) \
	-include $(objtree)/include/generated/autoconf.h $(INCLUDES)

quiet = $(if $(Q),@printf '  %-7s %s\n' '$(1)' '$(patsubst $(objtree)/%,%,$(2))')

# Host objects of one component, and its test programs.
define host_component
src := $(COMPONENT_DIR_$(1))
obj-y :=
host-y :=
ccflags-y :=
archive-y :=
include $(COMPONENT_DIR_$(1))/component.mk
HOSTOBJS_$(1) := $$(addprefix $(OUT)/obj/$(1)/,$$(host-y))
PROGRAMS_$(1) := $$(sort $$(foreach g,$(PROGRAM_GLOB),$$(wildcard $(COMPONENT_DIR_$(1))/tests/$$(g))))

$(OUT)/obj/$(1)/%.o: $(COMPONENT_DIR_$(1))/%.c $(objtree)/include/generated/autoconf.h
	@mkdir -p $$(@D)
	$$(call quiet,HOSTCC,$$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -MMD -MP -c $$< -o $$@
endef
$(foreach c,$(COMPONENTS),$(eval $(call host_component,$(c))))

SUPPORT_OBJS := $(OUT)/obj/host-support/support.o
$(OUT)/obj/host-support/%.o: $(SUPPORT_DIR)/%.c
	@mkdir -p $(@D)
	$(call quiet,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

# One program: $(1) component, $(2) source file.
define host_program
$(OUT)/tests/$(1)/$(basename $(notdir $(2))): $(2) $$(HOSTOBJS_$(1)) \
		$$(foreach d,$$(COMPONENT_DEPS_$(1)),$$(HOSTOBJS_$$(d))) $(SUPPORT_OBJS)
	@mkdir -p $$(@D)
	$$(call quiet,HOSTLD,$$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -MMD -MP -I$(COMPONENT_DIR_$(1)) -o $$@ $(2) $$(filter %.o,$$^) \
		$(VARIANT_LDFLAGS) $(if $(filter fuzz,$(VARIANT)),,-lcmocka)
PROGRAMS += $(OUT)/tests/$(1)/$(basename $(notdir $(2)))
PROGRAM_LIST += $(1)/$(basename $(notdir $(2)))=$(OUT)/tests/$(1)/$(basename $(notdir $(2)))=$(COMPONENT_DIR_$(1))
endef
PROGRAMS :=
PROGRAM_LIST :=
$(foreach c,$(COMPONENTS),$(foreach p,$(PROGRAMS_$(c)),$(eval $(call host_program,$(c),$(p)))))

# The component database tool is tested like a component.
COMPDB_DIR := $(srctree)/scripts/compdb
ifneq ($(VARIANT),fuzz)
COMPDB_TESTS := $(sort $(wildcard $(COMPDB_DIR)/tests/test_*.c))
$(OUT)/tests/compdb/%: $(COMPDB_DIR)/tests/%.c $(COMPDB_DIR)/semver.c $(COMPDB_DIR)/compdb.c
	@mkdir -p $(@D)
	$(call quiet,HOSTLD,$@)
	$(Q)$(HOSTCC) -std=c11 -Wall -Wextra -Werror $(VARIANT_CFLAGS) -I$(COMPDB_DIR) -o $@ $^ \
		$(VARIANT_LDFLAGS) -lcmocka
PROGRAMS += $(patsubst $(COMPDB_DIR)/tests/%.c,$(OUT)/tests/compdb/%,$(COMPDB_TESTS))
PROGRAM_LIST += $(foreach t,$(COMPDB_TESTS),compdb/$(basename $(notdir $(t)))=$(OUT)/tests/compdb/$(basename $(notdir $(t)))=$(COMPDB_DIR))
endif

.PHONY: all list coverage fuzz bench
all: $(PROGRAMS) list

# name=program=component-folder, one per line, for the test runner.
list:
	@mkdir -p $(OUT)
	@printf '%s\n' $(PROGRAM_LIST) > $(OUT)/programs.list

COVERAGE_MIN ?= 85
coverage: all
	$(Q)find $(OUT) -name '*.gcda' -delete
	$(Q)failed=0; for p in $(filter-out %/bench_%,$(PROGRAMS)); do \
		$$p >/dev/null 2>&1 || { echo "FAIL $$p"; failed=1; }; done; \
		[ $$failed = 0 ] || { echo "error: some unit tests failed; coverage not reported."; exit 1; }
	@command -v gcovr >/dev/null || { echo "error: gcovr is missing; install the Debian package gcovr."; exit 1; }
	$(Q)gcovr -r $(srctree) --object-directory $(OUT) $(OUT) \
		--filter '$(srctree)/components/devices/' --filter '$(srctree)/components/fwcfg/' \
		--filter '$(srctree)/components/x86emu/' --filter '$(srctree)/components/vm/' \
		--filter '$(srctree)/components/acpi/' --filter '$(srctree)/components/smbios/' \
		--exclude '.*/tests/.*' --print-summary --fail-under-line $(COVERAGE_MIN) \
		--html-details $(OUT)/coverage.html -o $(OUT)/coverage.txt --txt $(OUT)/coverage.txt \
		&& cat $(OUT)/coverage.txt \
		&& echo "guest-facing component line coverage >= $(COVERAGE_MIN)%: ok (details: $(OUT)/coverage.html)"

FUZZ_SECONDS ?= 60
FUZZ_ONLY ?= *
# FUZZ_RUNS=N: each target runs N inputs instead of FUZZ_SECONDS (make fuzz-long).
FUZZ_RUNS ?=
FUZZ_LIMIT = $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),-max_total_time=$(FUZZ_SECONDS))
FUZZ_WHAT = $(if $(FUZZ_RUNS),$(FUZZ_RUNS) runs,$(FUZZ_SECONDS)s)
fuzz: all
	$(Q)failed=0; for entry in $(PROGRAM_LIST); do \
		name=$${entry%%=*}; rest=$${entry#*=}; prog=$${rest%%=*}; dir=$${rest#*=}; \
		case "$$name" in $(FUZZ_ONLY)) ;; *) continue ;; esac; \
		stem=$${name#*/}; seeds=$$dir/tests/corpus/$$stem; work=$(OUT)/corpus/$$name; \
		mkdir -p $$work $(OUT)/artifacts; \
		printf '  FUZZ    %-34s %s ... ' "$$name" "$(FUZZ_WHAT)"; \
		start=$$(date +%s); \
		if $$prog $(FUZZ_LIMIT) -print_final_stats=1 \
			-artifact_prefix=$(OUT)/artifacts/$$stem- $$work $$( [ -d $$seeds ] && echo $$seeds ) \
			> $(OUT)/$$stem.log 2>&1; then \
			echo "ok ($$(sed -n 's/^stat::number_of_executed_units: *//p' $(OUT)/$$stem.log) runs, $$(( $$(date +%s) - start )) s)"; \
		else echo "FINDING (log: $(OUT)/$$stem.log; input in $(OUT)/artifacts/)"; failed=1; fi; \
	done; [ $$failed = 0 ] && echo "fuzzing: no findings" || { echo "fuzzing: findings above"; exit 1; }

bench: all
	$(Q)found=0; for p in $(filter $(OUT)/tests/$(BENCH)/bench_%,$(PROGRAMS)); do found=1; $$p || exit 1; done; \
		[ $$found = 1 ] || { echo "error: component '$(BENCH)' has no tests/bench_*.c (or is not enabled)."; exit 1; }

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)
