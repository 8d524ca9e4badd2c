# crond-lite: a plain Makefile (STYLE.md point 11).
#   make            build build/crond-lite
#   make run        install missing dependencies, build, run on examples/
#   make test       unit + end-to-end tests; last line "N passed, N failed"
#   make check-asan the whole suite under AddressSanitizer + UBSan
#   make bench      microbenchmarks (figures go to bench/README.md by hand)
#   make static     build/static/crond-lite: fully static, stripped
#   make lint       cppcheck, clang-tidy and shellcheck, zero findings
#   make fuzz       every libFuzzer target for FUZZ_TIME seconds (tests/fuzz)
#   make install    PREFIX=/usr/local DESTDIR=
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DESTDIR ?=
BUILD   ?= build
CC      ?= cc

VERSION := 0.1.0
PKGS    := cmocka

WARN     := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wvla
HARDEN   := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
OPT      ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE -Iinclude -DCROND_VERSION='"$(VERSION)"'
CFLAGS   ?=
CFLAGS   += $(WARN) $(OPT)
LDFLAGS  += -pie -Wl,-z,relro -Wl,-z,now
LIBS     := -lev -linih -lhttp_parser -lhiredis

# A fully static binary (README, "Static binary"): plain -static, not
# -static-pie, so that file(1) and ldd on any system call it static; users
# and groups come from pwfile.c, never NSS, so the linker's warning about
# getpwnam in static programs cannot appear. The one warning allowed is
# glibc's about getaddrinfo (hiredis resolves --claim's host): glibc 2.34
# and later resolve through /etc/hosts and DNS without NSS modules, so it
# works in a scratch image; $(BIN)'s rule fails on any other warning.
ifeq ($(STATIC),1)
  LDFLAGS := -static -no-pie -s -Wl,-z,relro -Wl,-z,now
  LIBS    += -lm
endif

ifeq ($(SANITIZE),1)
  HARDEN  := -fPIE
  CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
  LDFLAGS += -fsanitize=address,undefined
endif
CFLAGS += $(HARDEN)

SRCS      := $(sort $(wildcard src/*.c))
LIB_SRCS  := $(filter-out src/main.c,$(SRCS))
LIB_OBJS  := $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRCS:= $(sort $(wildcard bench/*.c))
BENCH_BINS:= $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)
BIN       := $(BUILD)/crond-lite

.PHONY: all run test unit e2e check-asan bench install clean deps test-deps static static-bin lint
all: $(BIN)

$(BUILD)/obj/%.o: src/%.c $(wildcard include/crond/*.h) | $(BUILD)/obj
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -c -o $@ $<

$(BUILD)/lib.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(BUILD)/obj/main.o $(BUILD)/lib.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) 2>$@.ld || { cat $@.ld >&2; exit 1; }
	@cat $@.ld >&2; if grep 'warning' $@.ld | grep -qv "'getaddrinfo' in statically linked"; \
	  then echo "linker warnings (see above)" >&2; rm -f $@; exit 1; fi

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(BUILD)/lib.a | $(BUILD)/tests
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) -o $@ $< $(BUILD)/lib.a $(LDFLAGS) -lcmocka $(LIBS)

$(BUILD)/bench/%: bench/%.c $(BUILD)/lib.a | $(BUILD)/bench
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/lib.a $(LDFLAGS) $(LIBS)

$(BUILD)/obj $(BUILD)/tests $(BUILD)/bench:
	mkdir -p $@

# A missing library or tool is installed by the project's own script, so a
# fresh Debian machine needs nothing but `make run` / `make test`.
deps:
	@scripts/install-deps.sh --if-missing

# the tests also need Prometheus and promtool (taken out of Debian's package)
test-deps:
	@scripts/install-deps.sh --if-missing --test-tools

# Validates the example crontabs, then runs the daemon on them in the
# foreground (Ctrl-C stops it gracefully).
run: deps
	$(MAKE) all
	$(BIN) --check -f examples/crontabs
	$(BIN) -f examples/crontabs

unit: $(UNIT_BINS)
e2e: $(BIN)

# tests/e2e/test_static.sh tests the static build too
test: test-deps
	$(MAKE) $(BIN) $(UNIT_BINS) $(FUZZ_REPLAY_BINS) static-bin
	tests/run.sh $(BUILD)

check-asan: test-deps
	$(MAKE) BUILD=build/asan SANITIZE=1 OPT='-O1 -g' build/asan/crond-lite \
	  $(UNIT_BINS:$(BUILD)/%=build/asan/%) $(FUZZ_REPLAY_BINS:$(BUILD)/%=build/asan/%)
	$(MAKE) $(BIN) static-bin
	VALGRIND_BIN=$(abspath $(BIN)) tests/run.sh build/asan

static-bin:
	$(MAKE) BUILD=build/static STATIC=1 build/static/crond-lite

static: deps static-bin
	file build/static/crond-lite
	@echo "size: $$(stat -c %s build/static/crond-lite) bytes"

lint: deps
	scripts/lint.sh

bench: $(BIN) $(BENCH_BINS)
	bench/run.sh $(BUILD)

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/crond-lite
	install -d $(DESTDIR)$(MANDIR)/man8
	install -m 0644 doc/crond-lite.8 $(DESTDIR)$(MANDIR)/man8/crond-lite.8

clean:
	rm -rf build

-include $(wildcard $(BUILD)/obj/*.d)

# make fuzz, fuzz-build, fuzz-replay (tests/fuzz/README.md). "-include":
# the image's build context (.dockerignore) has no tests/.
-include tests/fuzz/fuzz.mk
