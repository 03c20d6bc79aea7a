# sshkvm: a KVM over IP you reach with plain ssh.
#
#   make          build build/sshkvm
#   make run      install missing packages, build, start the demo target
#   make test     install missing packages, build, run every test (ends "N passed, N failed")
#   make check    warnings as errors + cppcheck + make layers
#   make layers   each folder of src/ includes only from the layers below it
#   make format   apply .clang-format to the C sources; make format-check: fail where it differs
#   make fuzz     every libFuzzer target for FUZZ_SECONDS (default 60)
#   make test-asan / test-valgrind   the integration tests under ASan+UBSan / valgrind
#   make test-tsan  the unit tests and the threaded integration tests under ThreadSanitizer
#   make soak     SOAK_SECONDS (default 600) of clients coming and going
#   make install  install to $(DESTDIR)$(PREFIX)
#   make CROSS=aarch64-linux-gnu- [unit]   the arm64 build (armhf: arm-linux-gnueabihf-), cross.mk
#   make clean

CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
CFLAGS ?= -O2 -g
LDFLAGS ?=
PKG_CONFIG ?= pkg-config

PKGS := libssh caca libv4l2 libturbojpeg libmicrohttpd libcrypto zlib jansson libgpiod libtelnet
# libgpiod 1.x and 2.x differ: src/power/gpio.c picks its API from the major version.
GPIOD_MAJOR := $(firstword $(subst ., ,$(shell $(PKG_CONFIG) --modversion libgpiod 2>/dev/null)))
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null) -DSK_GPIOD_MAJOR=$(or $(GPIOD_MAJOR),1)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

# _FILE_OFFSET_BITS=64: on 32-bit armhf, files over 2 GiB (boot images) and directories on
# file systems with 64-bit inode numbers (readdir fails with EOVERFLOW without it: test_arm).
SK_CFLAGS := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Isrc -pthread -MMD -MP \
	-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
	-Wno-unused-parameter -Wvla -Wpointer-arith
SK_LIBS := -pthread -lm -lcrypt

SRCS := $(shell find src -name '*.c' | sort)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
OBJS := $(SRCS:%.c=build/%.o)
LIB_OBJS := $(LIB_SRCS:%.c=build/%.o)

# Unit tests are built with AddressSanitizer and UBSan, against their own objects.
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ASAN_OBJS := $(LIB_SRCS:%.c=build/asan/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/asan/tests/%)
# ThreadSanitizer (make test-tsan): the unit tests and the server, against their own objects.
# The text recogniser's target_clones (an ifunc) is turned off there: under TSan it crashes at load.
TSAN := -fsanitize=thread -fno-omit-frame-pointer -DSK_NO_TARGET_CLONES
TSAN_OBJS := $(LIB_SRCS:%.c=build/tsan/%.o)
TSAN_UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/tsan/tests/%)
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(HELPER_SRCS:tests/helpers/%.c=build/tests/%)
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=build/bench/%)

# libFuzzer targets (fuzz/fuzz_*.c): clang, ASan + UBSan, against their own objects.
FUZZ_CC ?= clang
FUZZ_SAN := $(SAN) -Wno-format-nonliteral
FUZZ_OBJS := $(LIB_SRCS:%.c=build/fuzz/%.o)
FUZZ_SRCS := $(wildcard fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:fuzz/%.c=build/fuzz/bin/%)
FUZZ_SECONDS ?= 60

ifeq ($(V),1)
Q :=
else
Q := @
endif

# make CROSS=aarch64-linux-gnu- / arm-linux-gnueabihf-: the ARM builds, in build/<triplet>/ (cross.mk).
ifneq ($(CROSS),)
include cross.mk
else

.PHONY: all run test layers format format-check test-vm test-asan test-tsan test-valgrind soak unit check install uninstall clean deps deps-test \
	deps-bench bench fuzz fuzz-build deb

SK_BIN := build/sshkvm
all: $(SK_BIN)

build/sshkvm: $(OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(PKG_LIBS) $(SK_LIBS)

# The text recogniser's per-pixel loops, vectorised with -O3's cost model: bench/textrec
# reads the same cells about 1.5 times as fast as at -O2 (docs/benchmarks-text.md). Only with
# the default CFLAGS: a CFLAGS of your own (make CFLAGS="-O0 -g") builds them as it says.
HOT_OBJS := build/src/text/textrec.o build/src/text/glyphfit.o
ifeq ($(origin CFLAGS),file)
$(HOT_OBJS): HOT_CFLAGS := -O3
endif

build/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(SK_CFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(HOT_CFLAGS) -c -o $@ $<

# A sanitizer build in build/NAME/ (asan: ASan + UBSan; tsan: ThreadSanitizer): its objects,
# the whole program (for make test-asan and make test-tsan) and the unit tests.
# $(call SAN_BUILD,NAME,FLAGS)
define SAN_BUILD
build/$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	@echo "  CC-$(1)  $$<"
	$$(Q)$$(CC) $$(SK_CFLAGS) $$(PKG_CFLAGS) -O1 -g $(2) -c -o $$@ $$<

build/$(1)/sshkvm: $$($(1)_OBJS) build/$(1)/src/main.o
	@echo "  LD-$(1)  $$@"
	$$(Q)$$(CC) -O1 -g $(2) -o $$@ $$^ $$(PKG_LIBS) $$(SK_LIBS)

build/$(1)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) build/$(1)/libsk.a
	@mkdir -p $$(dir $$@)
	@echo "  TEST    $$@"
	$$(Q)$$(CC) $$(SK_CFLAGS) -Itests/unit $$(PKG_CFLAGS) -O1 -g $(2) -o $$@ $$< build/$(1)/libsk.a \
		$$(PKG_LIBS) $$(SK_LIBS)
endef
asan_OBJS = $(ASAN_OBJS)
tsan_OBJS = $(TSAN_OBJS)
$(eval $(call SAN_BUILD,asan,$(SAN)))
$(eval $(call SAN_BUILD,tsan,$(TSAN)))

# The library of the objects a build's tests link (unit tests: asan and tsan, fuzz targets: fuzz).
build/asan/libsk.a: $(ASAN_OBJS)
build/tsan/libsk.a: $(TSAN_OBJS)
build/fuzz/libsk.a: $(FUZZ_OBJS)
build/%/libsk.a:
	$(Q)rm -f $@ && ar rcs $@ $^

build/tests/%: tests/helpers/%.c build/sshkvm
	@mkdir -p $(dir $@)
	@echo "  HELPER  $@"
	$(Q)$(CC) $(SK_CFLAGS) $(PKG_CFLAGS) $(CFLAGS) -o $@ $< $(LIB_OBJS) $(PKG_LIBS) $(SK_LIBS)

build/bench/%: bench/%.c build/sshkvm
	@mkdir -p $(dir $@)
	@echo "  BENCH   $@"
	$(Q)$(CC) $(SK_CFLAGS) $(PKG_CFLAGS) $(CFLAGS) -o $@ $< $(LIB_OBJS) $(PKG_LIBS) $(SK_LIBS)

build/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC-FUZZ $<"
	$(Q)$(FUZZ_CC) $(SK_CFLAGS) $(PKG_CFLAGS) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/bin/%: fuzz/%.c fuzz/fuzz.h build/fuzz/libsk.a
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(SK_CFLAGS) $(PKG_CFLAGS) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< \
		build/fuzz/libsk.a $(PKG_LIBS) $(SK_LIBS)

deps:
	@scripts/deps.sh build

deps-bench:
	@scripts/deps.sh bench

deps-test:
	@scripts/deps.sh test

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-demo.sh

unit: $(UNIT_BINS)

# deps-bench and $(BENCH_BINS): test_bench_smoke runs every benchmark once in smoke mode.
test: deps-test deps-bench
	@$(MAKE) --no-print-directory all unit $(HELPER_BINS) $(FUZZ_BINS) $(BENCH_BINS)
	@tests/run.sh

# The real-kernel suite alone (make test runs it too): QEMU, dummy_hcd, f_hid, vivid.
test-vm: deps-test
	@$(MAKE) --no-print-directory all
	@TESTS=vm_ tests/run.sh

fuzz-build: deps-test
	@$(MAKE) --no-print-directory $(FUZZ_BINS)

# Each target for FUZZ_SECONDS on its committed corpus (fuzz/corpus/NAME), new
# finds kept in build/fuzz/corpus; prints executions and crashes per target.
fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh

# The integration tests against the ASan + UBSan build: any report (a leak
# at exit included) fails the test program it came from. The quarantine of
# freed memory is kept small (8 MiB, not 256) so that the tests' "memory
# stays flat" checks measure sshkvm, not ASan holding freed frames; they
# also allow 32 MiB more for ASan's per-thread caches and shadow memory
# (LeakSanitizer is the leak check there).
SAN_LOGS = $(CURDIR)/build/san-logs
test-asan: deps-test
	@$(MAKE) --no-print-directory all build/asan/sshkvm $(HELPER_BINS)
	@rm -rf $(SAN_LOGS)
	@SUITES=integration SSHKVM_BIN=$(CURDIR)/build/asan/sshkvm SSHKVM_SLOW=3 SSHKVM_RSS_SLACK_KB=32768 \
		SK_SAN_LOGDIR=$(SAN_LOGS) \
		ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:quarantine_size_mb=8:log_path=$(SAN_LOGS)/asan \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(SAN_LOGS)/ubsan \
		tests/run.sh

# The unit tests, then the integration tests whose server runs many threads at
# once (sessions, the web's connections, the HID and capture threads, and
# shutdown), under ThreadSanitizer: any report fails the program it came
# from. tests/tsan.supp holds only races inside the libraries we use.
TSAN_LOGS = $(CURDIR)/build/tsan-logs
TSAN_TESTS ?= test_console test_ssh_commands test_http test_roles test_hold_paste test_web_console \
	test_shutdown test_serial_term test_serial_telnet
TSAN_ENV = SK_SAN_LOGDIR=$(TSAN_LOGS) \
	TSAN_OPTIONS=halt_on_error=0:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/tsan.supp:log_path=$(TSAN_LOGS)/tsan
test-tsan: deps-test
	@$(MAKE) --no-print-directory all build/tsan/sshkvm $(TSAN_UNIT_BINS) $(HELPER_BINS)
	@rm -rf $(TSAN_LOGS)
	@SUITES=unit SK_UNIT_DIR=build/tsan/tests $(TSAN_ENV) tests/run.sh
	@SUITES=integration TESTS="$(TSAN_TESTS)" SSHKVM_BIN=$(CURDIR)/build/tsan/sshkvm SSHKVM_SLOW=3 \
		SSHKVM_RSS_SLACK_KB=65536 $(TSAN_ENV) tests/run.sh

# A representative subset under valgrind (memcheck is ~30x slower, so the
# suites that drive browsers, players and VMs are left out): the CLI, ssh
# commands, the console, HTTP and the web's doors, and hostile frames.
VALGRIND_TESTS ?= test_cli test_ssh_commands test_console test_http test_web_auth test_hostile_frames
test-valgrind: deps-test
	@$(MAKE) --no-print-directory all $(HELPER_BINS)
	@rm -rf $(SAN_LOGS)
	@SUITES=integration TESTS="$(VALGRIND_TESTS)" SSHKVM_SLOW=10 SK_SAN_LOGDIR=$(SAN_LOGS) \
		SSHKVM_WRAP="valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite --log-file=$(SAN_LOGS)/valgrind.%p" \
		tests/run.sh

# Viewers and writers joining and leaving for SOAK_SECONDS while frames flow
# and a script pastes: RSS, descriptors and threads must come back, every
# paste must arrive exactly. make test runs a 60 s soak (test_soak).
SOAK_SECONDS ?= 600
soak: deps-test
	@$(MAKE) --no-print-directory all $(HELPER_BINS)
	@SOAK_SECONDS=$(SOAK_SECONDS) bash tests/soak.sh

# Cleans before and after: its objects are built without the text recogniser's -O3
# (HOT_OBJS), and make does not rebuild an object when only the flags change.
check: layers format-check
	$(MAKE) --no-print-directory clean
	$(MAKE) --no-print-directory all CFLAGS="-O2 -g -Werror"
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--suppress=missingIncludeSystem -Isrc src
	$(MAKE) --no-print-directory clean

# The layers of src/ (scripts/layers.sh has the table; README.md's source map says it in words).
layers:
	@scripts/layers.sh src

# The committed .clang-format, over every C file of ours (generated font tables included).
FORMAT_SRCS = $(shell find src tests/unit tests/helpers fuzz bench -name '*.[ch]' | sort)
format:
	@clang-format -i $(FORMAT_SRCS)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_SRCS) && echo "format: ok ($(words $(FORMAT_SRCS)) files)"

bench: deps-bench
	@$(MAKE) --no-print-directory all $(BENCH_BINS)
	@bench/run.sh

# sshkvm finds keymaps/ and web/ at <exe>/../share/sshkvm/. The unit goes to
# $(PREFIX)/lib/systemd/system, which systemd searches for /usr and /usr/local
# (set SYSTEMDUNITDIR=/etc/systemd/system for other prefixes); its paths are
# rewritten for PREFIX. /etc/sshkvm.conf is installed only if there is none.
install uninstall: SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
clean:
	rm -rf build
endif

# The native build or the ARM one (CROSS=..., cross.mk), installed the same way.
.PHONY: install uninstall
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/lib/sshkvm \
		$(DESTDIR)$(PREFIX)/share/sshkvm/keymaps $(DESTDIR)$(PREFIX)/share/sshkvm/web \
		$(DESTDIR)$(PREFIX)/share/doc/sshkvm $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)/etc/sshkvm \
		$(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(SK_BIN) $(DESTDIR)$(PREFIX)/bin/sshkvm
	install -m 0644 keymaps/* $(DESTDIR)$(PREFIX)/share/sshkvm/keymaps/
	install -m 0644 web/*.* $(DESTDIR)$(PREFIX)/share/sshkvm/web/
	install -d $(DESTDIR)$(PREFIX)/share/sshkvm/web/vendor
	install -m 0644 web/vendor/* $(DESTDIR)$(PREFIX)/share/sshkvm/web/vendor/
	install -m 0755 scripts/sshkvm-gadget $(DESTDIR)$(PREFIX)/lib/sshkvm/sshkvm-gadget
	ln -sf ../lib/sshkvm/sshkvm-gadget $(DESTDIR)$(PREFIX)/sbin/sshkvm-gadget
	sed 's|/usr/local/|$(PREFIX)/|g' dist/sshkvm.service >$(DESTDIR)$(SYSTEMDUNITDIR)/sshkvm.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/sshkvm.service
	install -m 0644 README.md docs/raspberry-pi.md docs/keymaps.md $(DESTDIR)$(PREFIX)/share/doc/sshkvm/
	install -m 0644 docs/sshkvm.8 docs/sshkvm-gadget.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	@if [ -e $(DESTDIR)/etc/sshkvm.conf ]; then \
		echo "  kept $(DESTDIR)/etc/sshkvm.conf (compare with dist/sshkvm.conf)"; \
	else \
		echo "install -m 0644 dist/sshkvm.conf $(DESTDIR)/etc/sshkvm.conf"; \
		install -m 0644 dist/sshkvm.conf $(DESTDIR)/etc/sshkvm.conf; \
	fi
	@echo "  installed; on a Pi see $(PREFIX)/share/doc/sshkvm/raspberry-pi.md (then: systemctl daemon-reload)"

# Leaves /etc/sshkvm.conf, /etc/sshkvm/ and the host keys in /var/lib/sshkvm.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/sshkvm $(DESTDIR)$(PREFIX)/sbin/sshkvm-gadget \
		$(DESTDIR)$(SYSTEMDUNITDIR)/sshkvm.service \
		$(DESTDIR)$(PREFIX)/share/man/man8/sshkvm.8 $(DESTDIR)$(PREFIX)/share/man/man8/sshkvm-gadget.8
	rm -rf $(DESTDIR)$(PREFIX)/lib/sshkvm $(DESTDIR)$(PREFIX)/share/sshkvm $(DESTDIR)$(PREFIX)/share/doc/sshkvm
	@echo "  kept $(DESTDIR)/etc/sshkvm.conf, $(DESTDIR)/etc/sshkvm/ and /var/lib/sshkvm"

-include $(OBJS:.o=.d) $(ASAN_OBJS:.o=.d) $(TSAN_OBJS:.o=.d) $(FUZZ_OBJS:.o=.d)

# make deb: the Debian package (debian/), dpkg-buildpackage -b -us -uc on a copy of the
# checkout's files in build/deb/src/ (so that the package's clean and its own flags leave
# build/ alone); the .deb is copied to build/deb/. DEB_ARCH=arm64 (or armhf) cross-builds
# with dpkg-buildpackage -a, given the -dev:ARCH packages. Rebuilt only when a file changed.
SK_VERSION := $(shell sed -n 's/^\#define SK_VERSION "\(.*\)"$$/\1/p' src/main.c)
DEB_ARCH ?= $(shell dpkg-architecture -qDEB_HOST_ARCH 2>/dev/null)
DEB_FILE := build/deb/sshkvm_$(SK_VERSION)_$(DEB_ARCH).deb
DEB_TREE := build/deb/src/$(DEB_ARCH)/sshkvm-$(SK_VERSION)
DEB_SRCS = $(shell git ls-files -co --exclude-standard 2>/dev/null | grep -Ev '^(hostkeys|tests|bench|fuzz|ansible)/')
deb: $(DEB_FILE)
$(DEB_FILE): $(DEB_SRCS)
	@rm -rf $(DEB_TREE) && mkdir -p $(DEB_TREE)
	$(Q)tar -cf - $(wildcard $(DEB_SRCS)) | tar -xf - -C $(DEB_TREE)
	@echo "  DEB     $@"
	$(Q)cd $(DEB_TREE) && dpkg-buildpackage -b -us -uc $(if $(DEB_ARCH),-a$(DEB_ARCH)) \
		>../build.log 2>&1 || { tail -40 ../build.log; exit 1; }
	$(Q)cp $(DEB_TREE)/../sshkvm_$(SK_VERSION)_$(DEB_ARCH).deb $@
