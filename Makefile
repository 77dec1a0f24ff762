# Mutual-PR signage — build.
#
#   make            build the programs into $(BUILD)/
#   make test       install missing Debian packages, build, run every test
#   make run        install missing packages, build, show the demo
#   make SANITIZE=1 test   the same suite under ASan + UBSan (build/san/)
#   make fuzz       build the libFuzzer targets with clang and run each briefly
#   make bench      build and run the benchmarks in bench/
#   make install PREFIX=/usr/local DESTDIR=...
#   make deb        the Debian package `signage` (debian/), into build/deb/
#
# Project flags are kept apart from the user's CFLAGS/LDFLAGS, which are
# appended last so they win.  DEVELOPER=1 (the default inside a git checkout,
# and in CI) adds -Werror.

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share/signage
LIBEXECDIR ?= $(PREFIX)/lib/signage
MANDIR   ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR  ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
SYSCONFDIR ?= /etc
# Examples for admins: the central server's nginx config (README, "Many boxes").
DOCDIR   ?= $(PREFIX)/share/doc/signage
# The font is installed under DATADIR unless FONT=no: the Debian package
# takes it from fonts-morisawa-bizud-gothic instead (media/fonts.h).
FONT     ?= yes
# `state` when signage.cfg names none, relative to the file's directory
# unless absolute; the Debian package builds with /var/lib/signage.
DEFAULT_STATE ?= ./var
DESTDIR  ?=
CC       ?= cc
CFLAGS   ?= -O2 -g
LDFLAGS  ?=
SANITIZE ?=
DEVELOPER ?= $(if $(wildcard .git),1,)

ifeq ($(SANITIZE),1)
BUILD ?= build/san
else
BUILD ?= build
endif

# Every library comes from pkg-config; DEB_PKGS below installs them.
PKGS_CORE   = libconfig icu-uc icu-i18n
PKGS_MEDIA  = libavformat libavcodec libavutil libswscale fontconfig
# Headers only: the player opens libavfilter with dlopen() when a video first
# needs a filter (media/lavfi.h), not at every start.
PKGS_LAVFI  = libavfilter
# What partners send that the screens cannot show as is, converted at accept
# time (scheduler/derive.h): poppler+cairo for PDF, libheif for HEIC/AVIF,
# libwebpdemux for animated WebP.
PKGS_DERIVE = poppler-glib cairo libheif libwebpdemux
PKGS_SCHED  = $(PKGS_CORE) $(PKGS_MEDIA) $(PKGS_DERIVE) libsystemd jansson
PKGS_PLAYER = $(PKGS_CORE) $(PKGS_MEDIA) sdl2 SDL2_image SDL2_ttf libsystemd jansson
PKGS_CTL    = $(PKGS_CORE) jansson
# signage-sync (a box pulling from a central state, SPEC §10): HTTP(S) by
# libcurl; no FFmpeg (its SHA-256 is common/sha256.c).
PKGS_SYNC   = $(PKGS_CORE) libcurl libsystemd
PKGS_ALL    = $(sort $(PKGS_SCHED) $(PKGS_PLAYER) $(PKGS_SYNC) check)
# The load generator of bench/bench_sync.sh links libcurl too.
PKGS_BENCH  = libcurl

# Debian 12 packages: libraries, the programs the tests and the demo drive
# (ffmpeg makes fixtures, Xvfb gives the demo a display, valgrind and clang
# check memory and fuzz, headless chromium is the typesetting reference of
# t_typeset and reads the report's page; jq and GNU time are bench_report's
# peer and stopwatch; cage, Xwayland and grim run the kiosk of t_kiosk;
# debhelper to debootstrap build, lint and install the Debian package in
# t_deb, and the font package it depends on; libcurl for signage-sync and
# nginx (with its WebDAV module) as the central server of t_sync and
# bench_sync, wrk as that bench's ceiling; curl and openssl for t_network's
# certificates and the requests a box must not get through).
DEB_PKGS = build-essential pkg-config libconfig-dev libicu-dev \
	libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libavfilter-dev \
	libsdl2-dev libsdl2-image-dev libsdl2-ttf-dev libsystemd-dev \
	libjansson-dev check ffmpeg xvfb xauth valgrind clang \
	libclang-rt-14-dev clang-format strace imagemagick \
	libpoppler-glib-dev libcairo2-dev libheif-dev libwebp-dev libheif-examples nodejs \
	libfontconfig-dev fonts-noto-cjk fonts-noto-color-emoji chromium jq time \
	cage xwayland grim \
	debhelper dpkg-dev fakeroot lintian cpio man-db debootstrap systemd \
	fonts-morisawa-bizud-gothic libcurl4-openssl-dev nginx wrk curl openssl
DEB_CMDS = pkg-config ffmpeg ffprobe Xvfb xauth valgrind clang clang-format strace setpriv \
	heif-enc node npm chromium jq cage Xwayland grim dh dpkg-buildpackage fakeroot lintian \
	cpio man debootstrap systemd-sysusers systemd-tmpfiles systemd-analyze nginx wrk \
	curl openssl
# Checked by path: a convert elsewhere on PATH may not be ImageMagick; the
# fallback fonts for characters the bundled font lacks.
DEB_FILES = /usr/bin/convert /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc \
	/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf /usr/sbin/nginx

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla \
	-Wwrite-strings -fno-common -Wformat=2
ifeq ($(DEVELOPER),1)
WARN += -Werror
endif
SAN_FLAGS =
ifeq ($(SANITIZE),1)
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
endif

pc_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pc_libs   = $(shell pkg-config --libs $(1) 2>/dev/null)

# The release every program's --version prints.
VERSION = 0.13.0
SIGNAGE_CPPFLAGS = -I. -D_GNU_SOURCE -DSIGNAGE_DATADIR='"$(DATADIR)"' \
	-DSIGNAGE_BINDIR='"$(BINDIR)"' -DSIGNAGE_LIBEXECDIR='"$(LIBEXECDIR)"' \
	-DSIGNAGE_VERSION='"$(VERSION)"' -DSIGNAGE_DEFAULT_STATE='"$(DEFAULT_STATE)"'
SIGNAGE_CFLAGS = -std=c11 -MMD -MP -pthread $(WARN) $(SAN_FLAGS) \
	$(SIGNAGE_CPPFLAGS) $(call pc_cflags,$(ROOM_PKGS))
SIGNAGE_LDFLAGS = -pthread $(SAN_FLAGS)

ALL_CFLAGS  = $(SIGNAGE_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SIGNAGE_LDFLAGS) $(LDFLAGS)

LIBS_CORE   = $(call pc_libs,$(PKGS_CORE)) -lm
LIBS_SCHED  = $(call pc_libs,$(PKGS_SCHED)) -lm
LIBS_PLAYER = $(call pc_libs,$(PKGS_PLAYER)) -lm
LIBS_CTL    = $(call pc_libs,$(PKGS_CTL)) -lm
LIBS_TEST   = $(call pc_libs,$(PKGS_ALL)) -lm

# Rooms (STYLE.md).  Each directory's *.c except main.c is one static library;
# calls go down only: player, scheduler -> media (FFmpeg) -> playlists -> common.
COMMON_SRC    = $(wildcard common/*.c)
PLAYLISTS_SRC = $(wildcard playlists/*.c)
MEDIA_SRC     = $(wildcard media/*.c)
SCHED_SRC     = $(filter-out scheduler/main.c,$(wildcard scheduler/*.c))
PLAYER_SRC    = $(filter-out player/main.c,$(wildcard player/*.c))
TOOLS_SRC     = $(filter-out tools/signagectl.c tools/signagectl_media.c,$(wildcard tools/*.c))
SYNC_SRC      = $(filter-out sync/main.c,$(wildcard sync/*.c))

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

# Each room compiles with its own libraries' headers only, so the layering
# is enforced by the compiler too: <SDL.h> or an FFmpeg header included from
# common/ or playlists/ is not found.  (t_layering reads the includes.)
ROOM_PKGS = $(PKGS_ALL) $(PKGS_LAVFI)
$(BUILD)/common/%.o: ROOM_PKGS =
$(BUILD)/playlists/%.o: ROOM_PKGS = $(PKGS_CORE)
$(BUILD)/media/%.o: ROOM_PKGS = $(PKGS_CORE) $(PKGS_MEDIA) $(PKGS_LAVFI)
$(BUILD)/scheduler/%.o: ROOM_PKGS = $(PKGS_SCHED)
$(BUILD)/player/%.o: ROOM_PKGS = $(PKGS_PLAYER) $(PKGS_LAVFI)
$(BUILD)/tools/%.o: ROOM_PKGS = $(PKGS_SCHED)
$(BUILD)/sync/%.o: ROOM_PKGS = $(PKGS_SYNC)

LIB_COMMON    = $(BUILD)/libcommon.a
LIB_PLAYLISTS = $(BUILD)/libplaylists.a
LIB_MEDIA     = $(BUILD)/libmedia.a
LIB_SCHED     = $(BUILD)/libsched.a
LIB_PLAYER    = $(BUILD)/libplayer.a
LIB_TOOLS     = $(BUILD)/libtools.a
LIB_SYNC      = $(BUILD)/libsync.a

SCHEDULER = $(BUILD)/signage-scheduler
PLAYER    = $(BUILD)/signage-player
CTL       = $(BUILD)/signagectl
CTL_MEDIA = $(BUILD)/signagectl-media
SYNC      = $(BUILD)/signage-sync
PROGRAMS  = $(if $(wildcard scheduler/main.c),$(SCHEDULER)) \
	$(if $(wildcard player/main.c),$(PLAYER)) \
	$(if $(wildcard tools/signagectl.c),$(CTL) $(CTL_MEDIA)) \
	$(if $(wildcard sync/main.c),$(SYNC))

UNIT_SRC   = $(wildcard tests/unit/test_*.c)
UNIT_BINS  = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
BENCH_SRC  = $(wildcard bench/bench_*.c)
BENCH_BINS = $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
FUZZ_SRC   = $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all test run deps check-deps test-build test-run run-demo bench fuzz \
	install uninstall deb clean format format-check
.SUFFIXES:
.SECONDARY:

all: $(PROGRAMS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB_COMMON): $(call obj,$(COMMON_SRC))
$(LIB_PLAYLISTS): $(call obj,$(PLAYLISTS_SRC))
$(LIB_MEDIA): $(call obj,$(MEDIA_SRC))
$(LIB_SCHED): $(call obj,$(SCHED_SRC))
$(LIB_PLAYER): $(call obj,$(PLAYER_SRC)) $(BUILD)/gen/phrase_ja.o
$(LIB_TOOLS): $(call obj,$(TOOLS_SRC))
$(LIB_SYNC): $(call obj,$(SYNC_SRC))
# BudouX (Google, Apache-2.0): the Japanese phrase model of player/phrase.c,
# fetched from the npm registry at a pinned version, checked against its
# SHA-256, and compiled in as a table (tools/budoux_gen.mjs).
BUDOUX_VERSION = 0.9.2
BUDOUX_SHA256 = d7b9ec38495974d0da89cc268de5115f9921024070d6748778c4d915c7e3693d
BUDOUX_DIR = build/budoux
BUDOUX_TGZ = $(BUDOUX_DIR)/budoux-$(BUDOUX_VERSION).tgz
BUDOUX_MODEL = $(BUDOUX_DIR)/package/module/data/models/ja.js

# Downloaded aside and moved into place only once its hash is right, so a
# bad download is never taken by a later make.
$(BUDOUX_TGZ):
	@mkdir -p $(@D)/dl
	cd $(@D)/dl && npm pack --silent budoux@$(BUDOUX_VERSION) >/dev/null
	echo "$(BUDOUX_SHA256)  $(@D)/dl/$(@F)" | sha256sum -c --quiet
	mv $(@D)/dl/$(@F) $@
$(BUDOUX_MODEL): $(BUDOUX_TGZ)
	tar -xzf $< -C $(BUDOUX_DIR) package/package.json package/module/package.json \
		package/module/parser.js \
		package/module/data/models/ja.js
	touch $@
$(BUILD)/gen/phrase_ja.c: $(BUDOUX_MODEL) tools/budoux_gen.mjs
	@mkdir -p $(@D)
	node tools/budoux_gen.mjs $< >$@.tmp && mv $@.tmp $@
$(BUILD)/gen/phrase_ja.o: $(BUILD)/gen/phrase_ja.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/lib%.a:
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(SCHEDULER): $(BUILD)/scheduler/main.o $(LIB_SCHED) $(LIB_MEDIA) $(LIB_PLAYLISTS) $(LIB_COMMON)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_SCHED)

$(PLAYER): $(BUILD)/player/main.o $(LIB_PLAYER) $(LIB_MEDIA) $(LIB_PLAYLISTS) $(LIB_COMMON)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_PLAYER)

# signagectl links no FFmpeg, SDL or fontconfig: its commands read campaigns,
# playlists and logs (libconfig, ICU, jansson).  check and preview probe media
# with FFmpeg: they are signagectl-media, which signagectl runs for them
# (beside it in a build tree, from LIBEXECDIR when installed).  t_layering
# checks what each program links.
$(CTL): $(BUILD)/tools/signagectl.o $(LIB_TOOLS) $(LIB_SCHED) $(LIB_PLAYLISTS) $(LIB_COMMON)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_CTL)

$(CTL_MEDIA): $(BUILD)/tools/signagectl_media.o $(LIB_TOOLS) $(LIB_SCHED) $(LIB_MEDIA) \
	$(LIB_PLAYLISTS) $(LIB_COMMON)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_SCHED)

# signage-sync links libcurl, playlists/ and common/: no FFmpeg, no SDL.
$(SYNC): $(BUILD)/sync/main.o $(LIB_SYNC) $(LIB_PLAYLISTS) $(LIB_COMMON)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc_libs,$(PKGS_SYNC)) -lm

# Unit tests: one Check binary per tests/unit/test_*.c, each with the shared
# runner main (tests/unit/check_main.c) and the libraries of its room.
TEST_LIBS = $(LIB_TOOLS) $(LIB_PLAYER) $(LIB_SCHED) $(LIB_MEDIA) $(LIB_PLAYLISTS) $(LIB_COMMON)
TEST_LINK = $(TEST_LIBS)
TEST_LINK_LIBS = $(LIBS_TEST)
# A test of playlists/ or common/ links only those and libconfig/ICU, and
# the plan's (the player's decisions) those and jansson: neither can reach
# SDL or FFmpeg, or the link fails.
TESTS_CORE = test_cfgutil test_config test_imghdr test_logkeep test_model test_normalised test_plfile test_sha256 \
	test_pltime test_schedule test_slurp
$(addprefix $(BUILD)/tests/,$(TESTS_CORE)): TEST_LINK = $(LIB_PLAYLISTS) $(LIB_COMMON)
$(addprefix $(BUILD)/tests/,$(TESTS_CORE)): TEST_LINK_LIBS = $(call pc_libs,$(PKGS_CORE) check) -lm
$(BUILD)/tests/test_plan: TEST_LINK = $(LIB_PLAYER) $(LIB_PLAYLISTS) $(LIB_COMMON)
$(BUILD)/tests/test_plan: TEST_LINK_LIBS = $(call pc_libs,$(PKGS_CORE) jansson check) -lm
$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(BUILD)/tests/unit/check_main.o $(TEST_LIBS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(TEST_LINK) $(TEST_LINK_LIBS)

$(BUILD)/bench/bench_%: $(BUILD)/bench/bench_%.o $(TEST_LIBS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_TEST)

# The load generator of bench/bench_sync.sh: not a bench_* binary, since
# run-bench.sh runs those bare and this one needs the script's nginx.
SIM_BOXES = $(BUILD)/bench/sim_boxes
$(BUILD)/bench/sim_boxes.o: ROOM_PKGS = $(PKGS_BENCH)
$(SIM_BOXES): $(BUILD)/bench/sim_boxes.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pc_libs,$(PKGS_BENCH)) -lm

# --- the two commands -------------------------------------------------------

# Installs the Debian packages when a library or a tool is missing.
check-deps:
	@missing=; \
	for p in $(PKGS_ALL) $(PKGS_LAVFI) $(PKGS_BENCH); do pkg-config --exists $$p 2>/dev/null || missing="$$missing $$p"; done; \
	for c in $(DEB_CMDS); do command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; done; \
	for f in $(DEB_FILES); do [ -e $$f ] || missing="$$missing $$f"; done; \
	if [ -n "$$missing" ]; then echo "missing:$$missing -- installing Debian packages"; \
		$(MAKE) --no-print-directory deps; fi

deps:
	@if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	set -e; export DEBIAN_FRONTEND=noninteractive; \
	$$sudo apt-get update -qq; \
	$$sudo apt-get install -y -qq --no-install-recommends $(DEB_PKGS); \
	command -v npm >/dev/null || $$sudo apt-get install -y -qq --no-install-recommends npm

test: check-deps
	@$(MAKE) --no-print-directory test-build
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) sh tests/run-tests.sh

test-build: $(PROGRAMS) $(UNIT_BINS) $(BUDOUX_MODEL) # test_phrase runs the package's parser

run: check-deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) sh demo/run-demo.sh

bench: check-deps
	@$(MAKE) --no-print-directory $(PROGRAMS) $(BENCH_BINS) $(SIM_BOXES)
	@BUILD=$(BUILD) sh bench/run-bench.sh

# libFuzzer targets: tests/fuzz/fuzz_*.c, built with clang against the
# library sources directly (not the gcc archives).
FUZZ_BUILD = build/fuzz
FUZZ_SECONDS ?= 20
FUZZ_LIBSRC = $(COMMON_SRC) $(PLAYLISTS_SRC) $(MEDIA_SRC) $(SCHED_SRC) tools/report.c tools/report_html.c
fuzz: check-deps
	@mkdir -p $(FUZZ_BUILD)
	@set -e; for f in $(FUZZ_SRC); do \
		n=$$(basename $$f .c); \
		echo "fuzz: building $$n"; \
		clang -g -O1 -std=c11 -fsanitize=fuzzer,address,undefined $(SIGNAGE_CPPFLAGS) \
			$(call pc_cflags,$(PKGS_SCHED)) -o $(FUZZ_BUILD)/$$n $$f $(FUZZ_LIBSRC) \
			$(call pc_libs,$(PKGS_SCHED)) -lm; \
		mkdir -p $(FUZZ_BUILD)/$$n.corpus; \
		seeds=tests/fuzz/$$n.seeds; [ -d $$seeds ] || seeds=; \
		echo "fuzz: running $$n for $(FUZZ_SECONDS) s"; \
		$(FUZZ_BUILD)/$$n -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
			-rss_limit_mb=2048 $(FUZZ_BUILD)/$$n.corpus $$seeds 2>$(FUZZ_BUILD)/$$n.log \
			|| { tail -40 $(FUZZ_BUILD)/$$n.log; exit 1; }; \
		tail -1 $(FUZZ_BUILD)/$$n.log; \
	done

# Programs, man pages, bash completion, the systemd units (their
# /usr/bin/ paths made BINDIR's), sysusers.d and tmpfiles.d, and the example
# signage.cfg when there is none yet (an admin's file is never replaced).
MAN_PAGES = man/signage-scheduler.8 man/signage-player.1 man/signagectl.1 man/signage.cfg.5 \
	man/signage-campaign.5 man/signage-sync.8
UNITS = $(wildcard deploy/*.service)
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
		$(DESTDIR)$(SYSCONFDIR)/signage $(DESTDIR)$(SYSCONFDIR)/pam.d \
		$(DESTDIR)$(DOCDIR)/examples \
		$(addprefix $(DESTDIR)$(MANDIR)/man,1 5 8)
	install -m 755 $(filter-out $(CTL_MEDIA),$(PROGRAMS)) $(DESTDIR)$(BINDIR)/
	install -m 755 $(CTL_MEDIA) $(DESTDIR)$(LIBEXECDIR)/
	set -e; for m in $(MAN_PAGES); do \
		install -m 644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/; done
	install -m 644 deploy/signagectl.bash-completion $(DESTDIR)$(BASHCOMPDIR)/signagectl
	set -e; for u in $(UNITS); do \
		sed 's|/usr/bin/signage|$(BINDIR)/signage|g' $$u >$(DESTDIR)$(UNITDIR)/$${u##*/}; \
		chmod 644 $(DESTDIR)$(UNITDIR)/$${u##*/}; done
	install -m 644 deploy/signage.sysusers $(DESTDIR)$(SYSUSERSDIR)/signage.conf
	install -m 644 deploy/signage.tmpfiles $(DESTDIR)$(TMPFILESDIR)/signage.conf
	install -m 644 deploy/signage-kiosk.pam $(DESTDIR)$(SYSCONFDIR)/pam.d/signage-kiosk
	install -m 644 deploy/nginx-central.conf $(DESTDIR)$(DOCDIR)/examples/
	[ -e $(DESTDIR)$(SYSCONFDIR)/signage/signage.cfg ] || \
		install -m 644 deploy/signage.cfg $(DESTDIR)$(SYSCONFDIR)/signage/signage.cfg
ifeq ($(FONT),yes)
	install -d $(DESTDIR)$(DATADIR)/fonts
	install -m 644 fonts/*.ttf fonts/OFL.txt $(DESTDIR)$(DATADIR)/fonts/
endif

# signage.cfg stays: it is the admin's.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/signage-scheduler $(DESTDIR)$(BINDIR)/signage-player \
		$(DESTDIR)$(BINDIR)/signagectl $(DESTDIR)$(BINDIR)/signage-sync \
		$(DESTDIR)$(BASHCOMPDIR)/signagectl \
		$(DESTDIR)$(SYSUSERSDIR)/signage.conf $(DESTDIR)$(TMPFILESDIR)/signage.conf \
		$(DESTDIR)$(SYSCONFDIR)/pam.d/signage-kiosk \
		$(DESTDIR)$(DOCDIR)/examples/nginx-central.conf \
		$(foreach m,$(MAN_PAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
		$(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(UNITS)))
	rm -rf $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DATADIR)

# The Debian package (debian/): dpkg-buildpackage writes it next to the
# source tree, so it is built from a copy of the tree's files (committed or
# not, what git ls-files names) in DEB_OUT/src and lands in DEB_OUT
# (build/deb; t_deb gives its scratch directory).  build/budoux, the
# pinned phrase model, goes along so that no download is needed.
DEB_OUT ?= build/deb
deb:
	rm -rf $(DEB_OUT)
	mkdir -p $(DEB_OUT)/src/signage
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
		cpio -0 -pdm --quiet $(DEB_OUT)/src/signage
	if [ -d build/budoux ]; then mkdir -p $(DEB_OUT)/src/signage/build && \
		cp -a build/budoux $(DEB_OUT)/src/signage/build/; fi
	cd $(DEB_OUT)/src/signage && dpkg-buildpackage -b -us -uc
	mv $(DEB_OUT)/src/*.deb $(DEB_OUT)/src/*.buildinfo $(DEB_OUT)/src/*.changes $(DEB_OUT)/
	rm -rf $(DEB_OUT)/src
	@ls -l $(DEB_OUT)/*.deb

clean:
	rm -rf build

FORMAT_SRC = $(wildcard common/*.[ch] playlists/*.[ch] media/*.[ch] scheduler/*.[ch] player/*.[ch] \
	tools/*.[ch] sync/*.[ch] tests/unit/*.[ch] tests/fuzz/*.c bench/*.c)
format:
	clang-format -i $(FORMAT_SRC)
format-check:
	clang-format --dry-run --Werror $(FORMAT_SRC)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
