# cross.mk: the ARM builds, included by the Makefile when CROSS is set.
#
#   make CROSS=aarch64-linux-gnu-       build/aarch64-linux-gnu/sshkvm   (arm64: Pi 3, 4, 5, Zero 2 W)
#   make CROSS=arm-linux-gnueabihf-     build/arm-linux-gnueabihf/sshkvm (armhf: 32-bit Raspberry Pi OS)
#   make CROSS=... unit                 the unit tests, without sanitizers, in build/<triplet>/tests/
#   make CROSS=... build/<triplet>/bench/cost   a benchmark's program (bench/bench_cost.sh)
#
# Debian's cross-compilers link against its multiarch libraries (scripts/deps.sh cross installs
# both); pkg-config reads only the target's .pc files. Objects live in build/<triplet>/, so the
# two ARM builds and the native one never mix. The unit tests run here under qemu-user
# (tests/integration/test_arm.sh). A CFLAGS of your own applies as in the native build.

TRIPLET := $(patsubst %-,%,$(CROSS))
XB := build/$(TRIPLET)
ifneq ($(origin CC),command line)
CC := $(CROSS)gcc
endif
# The target's .pc files, whatever PKG_CONFIG says: dpkg-buildpackage -a passes
# PKG_CONFIG=TRIPLET-pkg-config on the command line, a wrapper Debian 12 does not install.
override PKG_CONFIG := PKG_CONFIG_LIBDIR=/usr/lib/$(TRIPLET)/pkgconfig:/usr/share/pkgconfig pkg-config

X_OBJS := $(SRCS:%.c=$(XB)/%.o)
X_LIB_OBJS := $(LIB_SRCS:%.c=$(XB)/%.o)
X_UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(XB)/tests/%)
# The Makefile's HOT_OBJS, here: the recogniser's loops at -O3 (on aarch64 that vectorises them with NEON).
X_HOT_OBJS := $(XB)/src/text/textrec.o $(XB)/src/text/glyphfit.o
ifeq ($(origin CFLAGS),file)
$(X_HOT_OBJS): HOT_CFLAGS := -O3
endif

.PHONY: all unit clean
SK_BIN := $(XB)/sshkvm
all: $(SK_BIN)
unit: $(X_UNIT_BINS)

$(XB)/sshkvm: $(X_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(X_OBJS) $(PKG_LIBS) $(SK_LIBS)

$(XB)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< ($(TRIPLET))"
	$(Q)$(CC) $(SK_CFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(HOT_CFLAGS) -c -o $@ $<

$(XB)/libsk.a: $(X_LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(XB)/tests/%: tests/unit/%.c tests/unit/check.h $(XB)/libsk.a
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(SK_CFLAGS) -Itests/unit $(PKG_CFLAGS) $(CFLAGS) -o $@ $< $(XB)/libsk.a $(PKG_LIBS) $(SK_LIBS)

# Removes this architecture's build only.
# The benchmarks' programs (bench/bench_cost.sh counts build/<triplet>/bench/cost's instructions).
$(XB)/bench/%: bench/%.c $(XB)/libsk.a
	@mkdir -p $(dir $@)
	@echo "  BENCH   $@"
	$(Q)$(CC) $(SK_CFLAGS) $(PKG_CFLAGS) $(CFLAGS) -o $@ $< $(XB)/libsk.a $(PKG_LIBS) $(SK_LIBS)

clean:
	rm -rf $(XB)

-include $(X_OBJS:.o=.d) $(X_UNIT_BINS:=.d)
