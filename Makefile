# tshoot: GNU make build. `make run` starts the wizard, `make test` runs every test.
# Dependencies are installed by scripts/deps.sh, the one list of them.

PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
CC       ?= cc
PKG_CONFIG ?= pkg-config

UNAME := $(shell uname -s 2>/dev/null)
ifeq ($(UNAME),Linux)
  PLATFORM ?= linux
else
  PLATFORM ?= unknown
endif

PKGS := ncursesw libpcap jansson
ifeq ($(PLATFORM),linux)
  PKGS += libsystemd libseccomp
endif
# Debian's iniparser 4.1 ships no .pc file: fall back to its include directory.
INI_CFLAGS := $(shell $(PKG_CONFIG) --cflags iniparser 2>/dev/null || echo -I/usr/include/iniparser)
INI_LIBS   := $(shell $(PKG_CONFIG) --libs iniparser 2>/dev/null || echo -liniparser)

WARN := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(CI),true)
  WARN += -Werror
endif
CFLAGS   ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE -DTSHOOT_DATADIR='"$(PREFIX)/share/tshoot"' -Iinclude
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null) $(INI_CFLAGS)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) $(INI_LIBS) -lpthread
ALL_CFLAGS = $(WARN) $(CFLAGS) $(CPPFLAGS) $(PKG_CFLAGS)

# The core, one directory per layer (docs/architecture.md); src/cmd/main.c is
# the program's entry and stays out of the library.
CORE_DIRS := src/util src/engine src/playbook src/checks src/report src/cmd
CORE_SRC := $(filter-out src/cmd/main.c,$(wildcard $(CORE_DIRS:%=%/*.c))) $(wildcard src/platform/$(PLATFORM)/*.c)
# what the POSIX platforms share (src/platform/posix/: /dev/urandom, the read
# interrupt, the privileged helpers and the drop, files made for the sudo user)
ifneq ($(PLATFORM),windows)
  CORE_SRC += $(wildcard src/platform/posix/*.c)
endif
UI_SRC   := $(wildcard ui/*.c)
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
UI_OBJ   := $(UI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps deps-test run test test-repeat unit e2e lint-playbooks install uninstall clean bench

all: $(BUILD)/tshoot

deps:
	@sh scripts/deps.sh build

deps-test:
	@sh scripts/deps.sh test

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libtshoot.a: $(CORE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libtshoot-ui.a: $(UI_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/tshoot: $(BUILD)/src/cmd/main.o $(BUILD)/libtshoot-ui.a $(BUILD)/libtshoot.a
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libtshoot-ui.a $(BUILD)/libtshoot.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags cmocka) -o $@ $^ $(PKG_LIBS) $(shell $(PKG_CONFIG) --libs cmocka)

run: deps
	@$(MAKE) --no-print-directory all
	./$(BUILD)/tshoot wizard -p playbooks/smb-tcp-handshake.ini

test: deps-test
	@$(MAKE) --no-print-directory all $(UNIT_BIN)
	@BUILD=$(BUILD) sh tests/run.sh

# `make test-repeat [N=10] [TESTS="..."]`: the network and tmux tests (or
# TESTS) N times in a row, for a test suspected of failing at random; prints
# each run's closing line and time, then how many of the N runs passed.
N ?= 10
REPEAT_TESTS ?= tests/net/*.sh $(shell grep -l 'tests/lib/tmux.sh' tests/e2e/*.sh 2>/dev/null)
TESTS ?= $(REPEAT_TESTS)
test-repeat: deps-test
	@$(MAKE) --no-print-directory all $(UNIT_BIN)
	@pass=0; for i in $$(seq $(N)); do \
	  t0=$$(date +%s); \
	  if BUILD=$(BUILD) sh tests/run.sh $(TESTS) >$(BUILD)/test-repeat-$$i.log 2>&1; then pass=$$((pass + 1)); r=passed; else r=FAILED; fi; \
	  echo "run $$i: $$r in $$(($$(date +%s) - t0)) s: $$(tail -1 $(BUILD)/test-repeat-$$i.log) (log: $(BUILD)/test-repeat-$$i.log)"; \
	done; echo "test-repeat: $$pass of $(N) runs passed"; [ $$pass -eq $(N) ]

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/tshoot/playbooks $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/tshoot $(DESTDIR)$(PREFIX)/bin/tshoot
	install -m 644 playbooks/*.ini $(DESTDIR)$(PREFIX)/share/tshoot/playbooks/
	install -m 644 man/tshoot.1 $(DESTDIR)$(PREFIX)/share/man/man1/tshoot.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/tshoot $(DESTDIR)$(PREFIX)/share/man/man1/tshoot.1
	rm -rf $(DESTDIR)$(PREFIX)/share/tshoot

# Performance figures (bench/run.sh): generates ~600 MB of captures in
# BENCH_DIR (default /tmp/tshoot-bench) and compares tshoot with a bare
# pcap_next_ex loop and tshark. Not a timed test.
bench: $(BUILD)/tshoot
	@BUILD=$(BUILD) CC="$(CC)" sh bench/run.sh
	@$(MAKE) --no-print-directory bench-load

clean:
	rm -rf $(BUILD)

# The scenario lab (tests/lab/lab.sh): `make lab FAULT=name|random|--list`
# builds it, keeps a client retrying, and opens the wizard in the server
# namespace; `make lab-answer` tells the fault and removes the lab.
FAULT ?= random
lab:
	@if [ "$(FAULT)" = --list ] || [ "$(FAULT)" = list ]; then sh tests/lab/lab.sh list; exit 0; fi; \
	$(MAKE) --no-print-directory deps all >/dev/null || exit $$?; \
	sh tests/lab/lab.sh up "$(FAULT)" || exit $$?; \
	(sh tests/lab/lab.sh retry $$(sh tests/lab/lab.sh family) >/dev/null 2>&1 &); \
	TSHOOT=$(BUILD)/tshoot sh tests/lab/lab.sh wizard; rc=$$?; \
	if [ $$rc -ne 0 ]; then sh tests/lab/lab.sh down; echo "make lab: the wizard failed (exit $$rc); the lab is removed"; exit $$rc; fi; \
	echo "The lab is still up. make lab-answer tells the fault and removes it."

lab-answer:
	@sh tests/lab/lab.sh answer; sh tests/lab/lab.sh down

.PHONY: lab lab-answer

-include $(CORE_OBJ:.o=.d) $(UI_OBJ:.o=.d) $(BUILD)/src/cmd/main.d

# ---- Fuzzing (issue 5) -------------------------------------------------------
# libFuzzer targets in tests/fuzz, built with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer against the core sources each one needs
# (FUZZ_SRC_<target>: core files, never main.c; src/platform/$(PLATFORM) when a
# target needs it), compiled here with the fuzz flags, not the gcc library.
#   make fuzz         each target FUZZ_SECONDS (default 300)
#   make fuzz-smoke   each target FUZZ_SMOKE_SECONDS (default 8); any finding fails
# Seeds: tests/fuzz/corpus/<target>/ (copied into the scratch corpus
# $(FUZZ_BUILD)/corpus/<target>, or .../smoke/<target>, where new inputs go)
# and the shared corpus, read in place. Findings are written to $(FUZZ_BUILD)/crashes/<target>/.
# tests/fuzz/corpus/<target>/crash-* are regression inputs that must run
# clean; those named in tests/fuzz/corpus/UNFIXED (bugs not fixed yet) are
# neither seeded nor replayed, only listed.
FUZZ_CC      ?= clang
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 8
FUZZ_SHARED  ?= ../shared/corpus
FUZZ_SAN     := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS   = -std=c11 -Wall -Wextra $(FUZZ_SAN) $(CPPFLAGS) $(PKG_CFLAGS)
FUZZ_TARGETS ?= decode pcapfile playbook nftjson
FUZZ_BIN     := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
# The sources each target links (a module that gains a dependency adds it here).
FUZZ_OSDEP        := src/platform/$(PLATFORM)/osdep.c src/platform/posix/posix.c
FUZZ_SRC_decode   := src/engine/decode.c src/engine/tracker.c src/engine/verdict.c src/engine/siphash.c $(FUZZ_OSDEP)
FUZZ_SRC_pcapfile := $(FUZZ_SRC_decode) src/engine/capture.c src/util/atomic_file.c src/util/util.c
FUZZ_SRC_playbook := src/playbook/playbook.c src/playbook/playbook_check.c src/playbook/playbook_find.c src/playbook/ini_scan.c src/playbook/diag.c src/playbook/lang.c $(FUZZ_OSDEP)
FUZZ_SRC_nftjson  := src/checks/probe_parse.c src/util/text.c src/platform/linux/parse_nft_json.c src/platform/linux/parse_iptables.c src/platform/linux/parse_firewall.c
FUZZ_ALL_SRC := $(sort $(foreach t,$(FUZZ_TARGETS),$(FUZZ_SRC_$(t))))
FUZZ_OBJ     := $(FUZZ_ALL_SRC:%.c=$(FUZZ_BUILD)/%.o)
# Extra seed directories per target, and extra libFuzzer options.
FUZZ_SEEDS_pcapfile := $(addprefix $(FUZZ_SHARED)/,handshake linktypes malformed pcapng smb) tests/golden
FUZZ_SEEDS_playbook := playbooks $(FUZZ_SHARED)/ini/good $(FUZZ_SHARED)/ini/bad
FUZZ_OPTS_pcapfile  := -max_len=131072
FUZZ_OPTS_playbook  := -dict=tests/fuzz/corpus/playbook.dict -max_len=8192
FUZZ_OPTS_nftjson   := -dict=tests/fuzz/corpus/nftjson.dict -max_len=8192

FUZZ_RP      := )
.PHONY: fuzz fuzz-build fuzz-smoke
.SECONDARY: $(FUZZ_OBJ) $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/tests/fuzz/fuzz_%.o)

fuzz-build: $(FUZZ_BIN)

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

.SECONDEXPANSION:
fuzz_objs = $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(FUZZ_SRC_$(1)))
$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $$(call fuzz_objs,$$*)
	$(FUZZ_CC) $(FUZZ_SAN) -o $@ $^ $(PKG_LIBS)

# fuzz_run SECONDS,CORPUS: every target in turn on the scratch corpus
# $(FUZZ_BUILD)/CORPUS/<target> (`fuzz` keeps it from run to run; `fuzz-smoke`
# starts from the seeds each time, so its start-up stays short); fails at the
# end if any target found something (crash, leak, UB, timeout, out of memory)
# or a regression input fails.
define fuzz_run
	@failed=""; \
	for t in $(FUZZ_TARGETS); do \
	  bin=./$(FUZZ_BUILD)/fuzz_$$t; corpus=$(FUZZ_BUILD)/$(2)/$$t; crashes=$(FUZZ_BUILD)/crashes/$$t; \
	  [ "$(2)" = smoke ] && rm -rf $$corpus; \
	  mkdir -p $$corpus $$crashes; \
	  for f in tests/fuzz/corpus/$$t/*; do \
	    [ -f "$$f" ] || continue; \
	    if awk -v f="$$f" '$$1 == f { hit = 1 } END { exit !hit }' tests/fuzz/corpus/UNFIXED 2>/dev/null; then echo "fuzz: $$t: not seeding unfixed $$f"; continue; fi; \
	    case $$f in */crash-*) $$bin "$$f" >$$crashes/regression.log 2>&1 || { echo "fuzz: $$t: regression input $$f fails (see $$crashes/regression.log)"; failed="$$failed $$t"; }; esac; \
	    cp "$$f" $$corpus/; \
	  done; \
	  seeds=""; opts=""; \
	  case $$t in $(foreach x,$(FUZZ_TARGETS),$(x)$(FUZZ_RP) seeds="$(FUZZ_SEEDS_$(x))"; opts="$(FUZZ_OPTS_$(x))";; ) esac; \
	  extra=""; for d in $$seeds; do [ -d "$$d" ] && extra="$$extra $$d"; done; \
	  echo "fuzz: $$t for $(1) s ($$bin $$opts $$corpus$$extra)"; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    $$bin -max_total_time=$(1) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=$$crashes/ $$opts $$corpus $$extra >$$crashes/fuzz.log 2>&1; rc=$$?; \
	  grep -a -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|^#[0-9]+ +DONE' $$crashes/fuzz.log | tr '\n' ' '; echo; \
	  if [ $$rc -ne 0 ]; then echo "fuzz: $$t FOUND SOMETHING (exit $$rc):"; \
	    grep -a -E -A40 '^==[0-9]+==ERROR|runtime error|^SUMMARY|Test unit written' $$crashes/fuzz.log | head -80; \
	    failed="$$failed $$t"; fi; \
	done; \
	[ -z "$$failed" ] || { echo "fuzz: findings in:$$failed (logs and inputs in $(FUZZ_BUILD)/crashes/)"; exit 1; }; \
	echo "fuzz: no finding in $(FUZZ_TARGETS)"
endef

fuzz: fuzz-build
	$(call fuzz_run,$(FUZZ_SECONDS),corpus)

fuzz-smoke: fuzz-build
	$(call fuzz_run,$(FUZZ_SMOKE_SECONDS),smoke)

-include $(FUZZ_OBJ:.o=.d) $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/tests/fuzz/fuzz_%.d)

# ---- Windows: `make windows` ------------------------------------------------
# Cross-compiles with MinGW-w64 the Windows platform layer
# (src/platform/windows/), the portable capture core and the tests of
# tests/windows/ as .exe files into $(WIN_BUILD); tests/e2e/windows_wine.sh
# runs them under Wine. Only this target compiles src/platform/windows/; the
# Linux build above is unaffected. The full program (ncurses, iniparser,
# jansson, Npcap SDK) builds on Windows itself with MSYS2: docs/windows.md.
WIN_CC     ?= x86_64-w64-mingw32-gcc
WIN_AR     ?= x86_64-w64-mingw32-ar
WIN_BUILD  ?= build-windows
WIN_CFLAGS ?= -O2 -g
WIN_WARN   := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(CI),true)
  WIN_WARN += -Werror
endif
# Windows 7 APIs and up (EvtQuery, inet_ntop); wide (-W) Win32 calls; C99 printf.
WIN_DEFS   := -DUNICODE -D_UNICODE -D_WIN32_WINNT=0x0601 -DWINVER=0x0601 -D__USE_MINGW_ANSI_STDIO=1 \
              -Iinclude -Isrc/platform/windows
# The portable core, with the POSIX functions it uses supplied by compat/win_compat.h.
WIN_CORE_DEFS := $(WIN_DEFS) -D_GNU_SOURCE -Isrc/platform/windows/compat -include win_compat.h
WIN_LIBS   := -liphlpapi -lws2_32 -lole32 -loleaut32 -luuid -ladvapi32 -lwevtapi -lfwpuclnt
WIN_PLAT_SRC := $(wildcard src/platform/windows/*.c)
WIN_CORE_SRC := src/engine/decode.c src/engine/tracker.c src/engine/verdict.c src/playbook/diag.c src/playbook/ini_scan.c src/util/text.c src/engine/siphash.c src/checks/probe_parse.c
WIN_PLAT_OBJ := $(WIN_PLAT_SRC:%.c=$(WIN_BUILD)/%.o)
WIN_CORE_OBJ := $(WIN_CORE_SRC:%.c=$(WIN_BUILD)/core/%.o)
WIN_TESTS    := $(patsubst tests/windows/%.c,$(WIN_BUILD)/%.exe,$(wildcard tests/windows/test_*.c))

.PHONY: windows windows-clean

windows: $(WIN_BUILD)/libtshoot-win.a $(WIN_TESTS)

$(WIN_BUILD)/src/platform/windows/%.o: src/platform/windows/%.c
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_WARN) $(WIN_CFLAGS) $(WIN_DEFS) -MMD -MP -c $< -o $@

$(WIN_BUILD)/core/%.o: %.c
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_WARN) $(WIN_CFLAGS) $(WIN_CORE_DEFS) -MMD -MP -c $< -o $@

$(WIN_BUILD)/libtshoot-win.a: $(WIN_PLAT_OBJ) $(WIN_CORE_OBJ)
	rm -f $@ && $(WIN_AR) rcs $@ $^

$(WIN_BUILD)/tests/%.o: tests/windows/%.c
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_WARN) $(WIN_CFLAGS) $(WIN_DEFS) -Itests/windows -MMD -MP -c $< -o $@

$(WIN_BUILD)/%.exe: $(WIN_BUILD)/tests/%.o $(WIN_BUILD)/libtshoot-win.a
	$(WIN_CC) $(WIN_CFLAGS) -o $@ $^ $(WIN_LIBS)

windows-clean:
	rm -rf $(WIN_BUILD)

-include $(WIN_PLAT_OBJ:.o=.d) $(WIN_CORE_OBJ:.o=.d) $(WIN_TESTS:$(WIN_BUILD)/%.exe=$(WIN_BUILD)/tests/%.d)

# ---- Load (issue 5): `make bench-load` -----------------------------------------
# bench/load.sh: a SYN flood of >= 100,000 distinct SYNs/s (bench/synflood.c,
# built by the script) plus bulk TCP traffic between two network namespaces it
# makes and removes itself (198.51.100.0/24 only), while the wizard runs in
# tmux and `tshoot watch --json` captures: prints the flood rate, the wizard's
# keypress-to-redraw latency with and without load, peak RSS against 32 MiB
# and the drops, then which targets were met. Needs root; ~30 s.
# Knobs: LOAD_RATE, LOAD_SECONDS, LOAD_SERVER=drop|rst, LOAD_BULK_MBPS, LOAD_KEEP=1.
.PHONY: bench-load
bench-load: $(BUILD)/tshoot
	@BUILD=$(BUILD) CC="$(CC)" bash bench/load.sh
