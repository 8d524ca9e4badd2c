# Fuzzing (tests/fuzz/README.md). Included at the end of the top-level
# Makefile (`include tests/fuzz/fuzz.mk`, after BUILD and LIB_SRCS are set):
# it uses the Makefile's BUILD, CC, CPPFLAGS, CFLAGS, LDFLAGS and LIB_SRCS
# and defines only FUZZ_* variables. tests/e2e/test_fuzz_replay.sh needs the
# replay binaries next to the crond-lite under test, so `test` builds
# $(FUZZ_REPLAY_BINS) and `check-asan` $(FUZZ_REPLAY_BINS:$(BUILD)/%=build/asan/%).
#   make fuzz-build     $(BUILD)/fuzz/fuzz_NAME: libFuzzer + ASan + UBSan (clang)
#   make fuzz           runs each target FUZZ_TIME seconds (default 60),
#                       FUZZ_JOBS at a time (default 2); fails on any crash,
#                       leak or timeout
#   make fuzz-replay    $(BUILD)/fuzz-replay/fuzz_NAME: the targets with a
#                       plain main() and the project's compiler and flags
#                       (SANITIZE=1 applies), for tests/e2e/test_fuzz_replay.sh

# A fragment included first must not become the default goal.
FUZZ_SAVED_GOAL := $(.DEFAULT_GOAL)

FUZZ_TARGETS   := cronspec crontab config duration relay tzif posix_tz timefmt options pwfile \
                  httpreq compat claimurl
FUZZ_CC        ?= clang
FUZZ_TIME      ?= 60
FUZZ_JOBS      ?= 2
FUZZ_DIR       := $(BUILD)/fuzz
FUZZ_SAN       := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS    := -g -O1 -fno-omit-frame-pointer -std=c11 $(FUZZ_SAN)
# Our own files build warning-free; the library sources get the same
# warnings without -Werror here (make all checks them with gcc).
FUZZ_WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
                  -Wformat=2 -Wvla
FUZZ_LIB_OBJS  := $(LIB_SRCS:src/%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_BINS      := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_REPLAY_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz-replay/fuzz_%)
FUZZ_LIBS      := -lev -linih -lhttp_parser -lhiredis -lm
# fuzz.h and the checks some targets share (zone_check.h)
FUZZ_HDRS      := $(wildcard tests/fuzz/*.h)

.PHONY: fuzz fuzz-build fuzz-replay

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	FUZZ_TIME=$(FUZZ_TIME) FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_TARGETS)

fuzz-replay: $(FUZZ_REPLAY_BINS)

$(FUZZ_DIR)/obj/%.o: src/%.c $(wildcard include/crond/*.h) | $(FUZZ_DIR)/obj
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(FUZZ_WARN) -fsanitize=fuzzer-no-link -MMD -c -o $@ $<

$(FUZZ_DIR)/lib.a: $(FUZZ_LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

# Only the library members a target needs are linked (libev is not).
$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_HDRS) $(FUZZ_DIR)/lib.a
	$(FUZZ_CC) $(CPPFLAGS) -Itests/fuzz $(FUZZ_CFLAGS) $(FUZZ_WARN) -Werror -fsanitize=fuzzer \
	  -o $@ $< $(FUZZ_DIR)/lib.a $(FUZZ_LIBS)

$(BUILD)/fuzz-replay/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_HDRS) \
                             $(BUILD)/lib.a | $(BUILD)/fuzz-replay
	$(CC) $(CPPFLAGS) -Itests/fuzz $(CFLAGS) -o $@ tests/fuzz/replay.c $< $(BUILD)/lib.a \
	  $(LDFLAGS) $(FUZZ_LIBS)

$(FUZZ_DIR)/obj $(BUILD)/fuzz-replay:
	mkdir -p $@

-include $(wildcard $(FUZZ_DIR)/obj/*.d)

.DEFAULT_GOAL := $(FUZZ_SAVED_GOAL)
