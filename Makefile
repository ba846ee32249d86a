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
  PKGS += libsystemd
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

CORE_SRC := $(filter-out src/main.c,$(wildcard src/*.c)) $(wildcard src/platform/$(PLATFORM)/*.c)
UI_SRC   := $(wildcard ui/*.c)
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
UI_OBJ   := $(UI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps deps-test run test unit e2e lint-playbooks install uninstall clean bench

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

$(BUILD)/tshoot: $(BUILD)/src/main.o $(BUILD)/libtshoot-ui.a $(BUILD)/libtshoot.a
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

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/tshoot/playbooks $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/tshoot $(DESTDIR)$(PREFIX)/bin/tshoot
	install -m 644 playbooks/*.ini $(DESTDIR)$(PREFIX)/share/tshoot/playbooks/
	install -m 644 man/tshoot.1 $(DESTDIR)$(PREFIX)/share/man/man1/tshoot.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/tshoot $(DESTDIR)$(PREFIX)/share/man/man1/tshoot.1
	rm -rf $(DESTDIR)$(PREFIX)/share/tshoot

clean:
	rm -rf $(BUILD)

-include $(CORE_OBJ:.o=.d) $(UI_OBJ:.o=.d) $(BUILD)/src/main.d
