#!/bin/sh
# The Debian package (issue 14): make deb builds one package `signage` in
# this script's scratch directory (the tree is only read), lintian has
# nothing to say beyond debian/signage.lintian-overrides, the package holds
# what it must and no font of its own, the man pages, the bash completion,
# the Build-Depends and the changelog agree with the programs and the
# Makefile, and the package installs for real with apt into a minimal
# Debian 12 made by debootstrap: the user, the group and the state tree
# are made, the scheduler is enabled, an operator's file is accepted, the
# installed signage.cfg is used and the font is found.  Then the README's
# kiosk in that chroot, headless: the Recommends installed, cage and the
# player run by hand as the player's unit would (systemd is not PID 1 here)
# on an Xvfb window, and grim's screenshot shows the due item.
#
# Needs root (debootstrap, chroot, mount) and the network (debootstrap, and
# apt in the chroot; DEB_MIRROR names another mirror).  A missing tool is a
# failure, not a skip.
. "$SRCDIR/tests/integration/lib.sh"
cd "$SRCDIR" || exit 1
VERSION=$(sed -n 's/^VERSION = //p' Makefile)
MIRROR=${DEB_MIRROR:-http://deb.debian.org/debian}
ROOT=$T/root
NOW=2023-03-15T10:00:00+09:00

# The chroot's /proc (and the kiosk's /dev/shm) are mounted while it is used;
# the kiosk's Xvfb and cage (by pid) stopped and both unmounted before $T goes.
cpid='' xpid=''
trap '[ -n "$cpid" ] && kill "$cpid" 2>/dev/null; [ -n "$xpid" ] && kill "$xpid" 2>/dev/null
    umount "$ROOT/dev/shm" "$ROOT/proc" 2>/dev/null; [ -n "${KEEP:-}" ] && echo "kept $T" >&2 || rm -rf "$T"' EXIT

for tool in dpkg-buildpackage dh lintian dpkg-checkbuilddeps debootstrap cpio git man \
    chroot mount bash ffmpeg identify compare findmnt mountpoint pgrep; do
    check "tool $tool is installed" sh -c 'command -v "$1" >/dev/null' sh "$tool"
done
check "runs as root (debootstrap, chroot and mount need it)" [ "$(id -u)" = 0 ]

unset SIGNAGE_CONFIG SIGNAGE_FONT

# --- build ------------------------------------------------------------------
git status --porcelain --ignored >"$T/status.before"
start=$(date +%s)
make -s --no-print-directory deb DEB_OUT="$T/deb" >"$T/build.log" 2>&1
rc=$?
check "make deb builds (exit $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || tail -30 "$T/build.log"
echo "# make deb: $(($(date +%s) - start)) s"
deb=$T/deb/signage_${VERSION}-1_$(dpkg --print-architecture).deb
check "one binary package, signage_${VERSION}-1" [ -f "$deb" ]
check "no other package (no -dbgsym)" [ "$(ls "$T"/deb/*.deb 2>/dev/null | wc -l)" = 1 ]
git status --porcelain --ignored >"$T/status.after"
check "the tree is only read (git status, ignored files too, is the same)" \
    cmp -s "$T/status.before" "$T/status.after"
check "nothing written next to the tree (../signage_*)" sh -c '! ls ../signage_* >/dev/null 2>&1'
check "dpkg-checkbuilddeps: Build-Depends are installed" dpkg-checkbuilddeps

# --- lintian ----------------------------------------------------------------
lintian -I --pedantic "$T/deb/"*.changes >"$T/lintian.log" 2>&1
sed 's/^/# lintian: /' "$T/lintian.log"
check "lintian: no error or warning beyond the overrides" \
    sh -c '! grep -q "^[EW]: " "$1"' sh "$T/lintian.log"
check "lintian: nothing about the man pages, even pedantic" \
    sh -c '! grep -qi "manpage\|man-page" "$1"' sh "$T/lintian.log"
check "lintian: every override is used" \
    sh -c '! grep -q "unused-override\|mismatched-override" "$1"' sh "$T/lintian.log"

# --- contents ---------------------------------------------------------------
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$T/contents"
for f in /usr/bin/signage-scheduler /usr/bin/signage-player /usr/bin/signagectl \
    /usr/bin/signage-sync /usr/share/man/man8/signage-sync.8.gz /lib/systemd/system/signage-sync.service \
    /usr/lib/signage/signagectl-media \
    /usr/share/man/man8/signage-scheduler.8.gz /usr/share/man/man1/signage-player.1.gz \
    /usr/share/man/man1/signagectl.1.gz /usr/share/man/man5/signage.cfg.5.gz \
    /usr/share/man/man5/signage-campaign.5.gz \
    /usr/share/bash-completion/completions/signagectl \
    /usr/lib/sysusers.d/signage.conf /usr/lib/tmpfiles.d/signage.conf \
    /etc/signage/signage.cfg /etc/pam.d/signage-kiosk /usr/share/doc/signage/copyright \
    /usr/share/doc/signage/examples/nginx-central.conf; do
    check "package has $f" grep -qx "$f" "$T/contents"
done
for u in deploy/*.service; do
    check "package has the unit ${u##*/}" grep -qx "/lib/systemd/system/${u##*/}" "$T/contents"
done
check "package ships no font of its own" sh -c '! grep -qi "\.ttf$\|\.otf$\|\.ttc$" "$1"' sh "$T/contents"
# Built for where it is installed, whatever the environment of make test
# (BUILD, SANITIZE): the programs name /usr paths, not /usr/local's.
dpkg-deb -x "$deb" "$T/x"
check "signagectl looks for signagectl-media in /usr/lib/signage" \
    grep -q /usr/lib/signage "$T/x/usr/bin/signagectl"
check "the programs name no /usr/local path" \
    sh -c '! grep -l /usr/local "$1"/usr/bin/* "$1"/usr/lib/signage/*' sh "$T/x"
check "the central server's nginx example is the README's (deploy/nginx-central.conf)" \
    cmp -s "$T/x/usr/share/doc/signage/examples/nginx-central.conf" "$SRCDIR/deploy/nginx-central.conf"
check "the programs are not built with ASan" \
    sh -c '! grep -l __asan_init "$1"/usr/bin/* "$1"/usr/lib/signage/*' sh "$T/x"
dpkg-deb -e "$deb" "$T/control"
check "signage.cfg is a conffile" grep -qx /etc/signage/signage.cfg "$T/control/conffiles"
check "the kiosk's PAM stack is a conffile" grep -qx /etc/pam.d/signage-kiosk "$T/control/conffiles"
depends=$(dpkg-deb -f "$deb" Depends)
recommends=$(dpkg-deb -f "$deb" Recommends)
echo "# Depends: $depends"
echo "# Recommends: $recommends"
lavfi=libavfilter$(pkg-config --modversion libavfilter | cut -d. -f1)
for p in fonts-morisawa-bizud-gothic "$lavfi" libsdl2-2.0-0 libconfig9 procps systemd; do
    check "Depends has $p" sh -c 'echo "$1" | tr "," "\n" | grep -q "^ *$2\b"' sh "$depends" "$p"
done
for p in fonts-noto-cjk fonts-noto-color-emoji cage xwayland; do
    check "Recommends has $p" sh -c 'echo "$1" | tr "," "\n" | grep -q "^ *$2\b"' sh "$recommends" "$p"
done
check "the postinst makes the user before the tree" \
    sh -c '[ "$(grep -n systemd-sysusers "$1" | cut -d: -f1)" -lt "$(grep -n "systemd-tmpfiles " "$1" | cut -d: -f1)" ]' \
    sh "$T/control/postinst"
check "the postinst enables the scheduler, not the player template" \
    sh -c 'grep -q "enable .signage-scheduler.service" "$1" && ! grep -q "signage-player@" "$1"' \
    sh "$T/control/postinst"

# --- versions and Build-Depends agree with the Makefile ----------------------
chver=$(dpkg-parsechangelog -l debian/changelog -S Version)
check "debian/changelog $chver is VERSION $VERSION of the Makefile" [ "${chver%-*}" = "$VERSION" ]
# Every pkg-config module the programs build with comes from a -dev
# package in Build-Depends, and every -dev package there gives one.
mods=$(printf 'print-pc:\n\t@echo $(sort $(PKGS_SCHED) $(PKGS_PLAYER) $(PKGS_CTL) $(PKGS_SYNC) $(PKGS_LAVFI))\n' |
    make -s --no-print-directory -f Makefile -f - print-pc)
bdeps=$(sed -n '/^Build-Depends:/,/^$/p' debian/control |
    grep -v '^#' | tr ',' '\n' | sed -n 's/^ *\(lib[a-z0-9.+-]*-dev\).*/\1/p' | sort -u)
needed=$(for m in $mods; do
    pc=$(pkg-config --variable=pcfiledir "$m")/$m.pc
    dpkg -S "$(readlink -f "$pc")" 2>/dev/null || dpkg -S "$pc"
done | cut -d: -f1 | sort -u)
echo "# modules: $mods"
check "Build-Depends' -dev packages are exactly the Makefile's modules' ($(echo $needed))" \
    [ "$(echo $bdeps)" = "$(echo $needed)" ]

# --- man pages ---------------------------------------------------------------
for m in man/*.[158]; do
    LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$m" >"$T/man.out" 2>"$T/man.err"
    check "man -l $m renders without warnings" sh -c '[ -s "$1" ] && ! [ -s "$2" ]' sh \
        "$T/man.out" "$T/man.err"
done
# Each option of a program's --help is on its page, and each option on the
# page is one the program takes (--help, and signagectl's --config, the long
# -c, are not in the usage text).
for p in signage-scheduler:man/signage-scheduler.8 signage-player:man/signage-player.1 \
    signagectl:man/signagectl.1 signage-sync:man/signage-sync.8; do
    prog=${p%%:*} page=${p#*:}
    "$BUILD/$prog" --help 2>&1 | grep -o -- '--[a-z][a-z-]*' | sort -u >"$T/help.opts"
    sed '/^\.EX/,/^\.EE/d; s/\\-/-/g' "$page" | grep -o -- '--[a-z][a-z-]*' | sort -u >"$T/man.opts"
    check "$prog: every --help option is in $page" \
        sh -c '[ -z "$(comm -23 "$1" "$2")" ]' sh "$T/help.opts" "$T/man.opts"
    check "$prog: every option in $page is real ($(comm -13 "$T/help.opts" "$T/man.opts" | tr '\n' ' '))" \
        sh -c '[ -z "$(comm -13 "$1" "$2" | grep -vx -- "--help\|--config")" ]' sh \
        "$T/help.opts" "$T/man.opts"
done
"$BUILD/signagectl" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' | sort -u >"$T/help.cmds"
# the word after each .TP of COMMANDS
sed 's/\\f[BIRP]//g' man/signagectl.1 | sed -n '/^\.SH COMMANDS/,/^\.SH EXIT/p' |
    awk 'tp {sub(/^\.[A-Z]+ +/, ""); print $1} {tp = /^\.TP/}' | sort -u >"$T/man.cmds"
check "signagectl(1) has every command of --help" cmp -s "$T/help.cmds" "$T/man.cmds"

# The examples of the pages are accepted as written.
ex() { # ex PAGE N: the Nth .EX block of PAGE, roff escapes undone
    awk -v n="$2" '/^\.EX/{i++; in_ex = 1; next} /^\.EE/{in_ex = 0} in_ex && i == n' "$1" |
        sed 's/\\e/\\/g; s/\\-/-/g'
}
mkdir -p "$T/ex/state/spool/kochi"
ex man/signage.cfg.5 1 | sed "s|/var/lib/signage|$T/ex/state|" >"$T/ex/signage.cfg"
ex man/signage-campaign.5 2 >"$T/ex/state/spool/kochi-makino-expo.cfg"
ex man/signage-campaign.5 3 >"$T/ex/state/spool/appeal.cfg"
ff -f lavfi -i testsrc=size=1920x1080:rate=1 -frames:v 1 "$T/ex/state/spool/kochi/makino.jpg"
ff -f lavfi -i testsrc=size=1920x1080:rate=25 -t 2 -pix_fmt yuv420p "$T/ex/state/spool/kochi/expo.mp4"
check "signage.cfg(5): its example is a valid configuration" \
    "$CTL" -c "$T/ex/signage.cfg" at shinjuku-west-4gou "$NOW"
check "signage-campaign(5): its examples pass signagectl check" \
    "$CTL" -c "$T/ex/signage.cfg" check "$T/ex/state/spool/kochi-makino-expo.cfg" \
    "$T/ex/state/spool/appeal.cfg"
check "deploy/signage.cfg (the conffile) is a valid configuration" \
    "$CTL" -c deploy/signage.cfg at shinjuku-west-plaza "$NOW"

# --- bash completion --------------------------------------------------------
# complete WORDS...: the candidates for the last word, one line, sorted.
complete_words() {
    bash -c '. "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _signagectl
        printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
        "$SRCDIR/deploy/signagectl.bash-completion" "$@"
}
cmds=$(sort "$T/help.cmds" | tr '\n' ' ')
check "completion: the commands of --help ($cmds)" [ "$(complete_words signagectl '')" = "$cmds" ]
check "completion: after -c FILE too" [ "$(complete_words signagectl -c x.cfg '')" = "$cmds" ]
check "completion: 'st' is status" [ "$(complete_words signagectl st)" = "status " ]
check "completion: global options" \
    [ "$(complete_words signagectl --)" = "--config --help --json --now --version " ]
check "completion: report's options" [ "$(complete_words signagectl report --c)" = "--campaign --csv " ]
check "completion: plan's options" [ "$(complete_words signagectl plan x --)" = "--from --json --to " ]
check "completion: preview's options" \
    [ "$(complete_words signagectl preview f.cfg --)" = "--json --out --screen " ]
check "completion: --by keys after a comma" \
    [ "$(complete_words signagectl report --by owner,s)" = "owner,screen " ]
mkdir -p "$T/cwd/sub" && : >"$T/cwd/a.cfg" && : >"$T/cwd/b.txt"
check "completion: check offers .cfg files and folders" \
    [ "$(cd "$T/cwd" && complete_words signagectl check '')" = "a.cfg sub " ]
"$BUILD/signagectl" --help | awk '/^  [a-z]/{r = /^  report/} r' | grep -o -- '--[a-z][a-z-]*' |
    sort -u | tr '\n' ' ' >"$T/report.opts"
check "completion: report's options are those of --help" \
    [ "$(complete_words signagectl report -- | sed 's/--json //')" = "$(cat "$T/report.opts")" ]

# --- make install / uninstall, as without Debian ----------------------------
make -s --no-print-directory install PREFIX=/usr/local DESTDIR="$T/inst" >"$T/inst.log" 2>&1
check "make install PREFIX=/usr/local DESTDIR=..." [ $? = 0 ]
for f in bin/signagectl lib/signage/signagectl-media share/man/man5/signage-campaign.5 \
    share/bash-completion/completions/signagectl lib/sysusers.d/signage.conf \
    share/signage/fonts/BIZUDPGothic-Bold.ttf; do
    check "make install: /usr/local/$f" test -f "$T/inst/usr/local/$f"
done
check "make install: the units run the programs from /usr/local/bin" \
    grep -q '^ExecStart=/usr/local/bin/signage-scheduler ' \
    "$T/inst/usr/local/lib/systemd/system/signage-scheduler.service"
echo 'state = "mine";' >"$T/inst/etc/signage/signage.cfg"
make -s --no-print-directory install PREFIX=/usr/local DESTDIR="$T/inst" >/dev/null 2>&1
check "make install keeps an existing signage.cfg" grep -q mine "$T/inst/etc/signage/signage.cfg"
make -s --no-print-directory uninstall PREFIX=/usr/local DESTDIR="$T/inst" >/dev/null 2>&1
check "make uninstall leaves only signage.cfg" \
    [ "$(find "$T/inst" -type f)" = "$T/inst/etc/signage/signage.cfg" ]

# --- install into a minimal Debian 12 ---------------------------------------
start=$(date +%s)
debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >"$T/debootstrap.log" 2>&1
rc=$?
check "debootstrap --variant=minbase bookworm (exit $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || tail -20 "$T/debootstrap.log"
echo "# debootstrap: $(($(date +%s) - start)) s"
mount -t proc proc "$ROOT/proc"
cp "$deb" "$ROOT/tmp/signage.deb"
start=$(date +%s)
chroot "$ROOT" sh -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq &&
    apt-get install -y -qq --no-install-recommends /tmp/signage.deb' >"$T/apt.log" 2>&1
rc=$?
check "apt-get install ./signage.deb in the chroot (exit $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || tail -30 "$T/apt.log"
echo "# apt-get install: $(($(date +%s) - start)) s"
in_root() { chroot "$ROOT" "$@"; }
# as USER CMD...: runs CMD in the chroot as USER with its groups.
as() { u=$1; shift; chroot "$ROOT" setpriv --reuid="$u" --regid="$u" --init-groups "$@"; }

check "installed: signage" sh -c 'chroot "$1" dpkg-query -W -f "\${Status}" signage | grep -q "install ok installed"' sh "$ROOT"
check "installed: fonts-morisawa-bizud-gothic (Depends)" \
    in_root dpkg-query -W fonts-morisawa-bizud-gothic
for p in signage-scheduler signage-player signagectl signage-sync; do
    check "$p --version is $VERSION" [ "$(in_root $p --version 2>&1)" = "$p $VERSION" ]
done
check "user signage exists" in_root id signage
check "signage is in signage-operators" sh -c 'chroot "$1" id -nG signage | grep -qw signage-operators' sh "$ROOT"
for d in "/var/lib/signage signage:signage 755" "/var/lib/signage/spool signage:signage-operators 2775" \
    "/var/lib/signage/campaigns signage:signage 755" "/var/lib/signage/rejected signage:signage 755" \
    "/var/lib/signage/media signage:signage 755" "/var/lib/signage/playlists signage:signage 755" \
    "/var/lib/signage/log signage:signage 755"; do
    set -- $d
    got=$(in_root stat -c '%U:%G %a' "$1" 2>&1)
    check "$1 is $2 $3 ($got)" [ "$got" = "$2 $3" ]
done
check "signage-scheduler.service is enabled" \
    test -L "$ROOT/etc/systemd/system/multi-user.target.wants/signage-scheduler.service"
check "signage-sync.service is installed, not enabled (a box without a sync group)" \
    sh -c '[ -f "$1/lib/systemd/system/signage-sync.service" ] &&
        ! find "$1/etc/systemd/system" -name "signage-sync.service" | grep -q .' sh "$ROOT"
check "no signage-player@ instance is enabled" \
    sh -c '! find "$1/etc/systemd/system" -name "signage-player@*" | grep -q .' sh "$ROOT"
check "man signage-campaign is there" test -f "$ROOT/usr/share/man/man5/signage-campaign.5.gz"

# An operator (umask 027) drops a campaign; the scheduler, as signage, with
# the installed /etc/signage/signage.cfg (found without -c), accepts it.
in_root useradd -m -G signage-operators op
ex man/signage-campaign.5 3 >"$ROOT/tmp/appeal.cfg"
as op sh -c 'umask 027; cp /tmp/appeal.cfg /var/lib/signage/spool/appeal.cfg'
check "the operator's file is group signage-operators, mode 640 (setgid spool)" \
    [ "$(in_root stat -c '%G %a' /var/lib/signage/spool/appeal.cfg)" = "signage-operators 640" ]
check "signagectl check in the chroot: ok, the font read" \
    sh -c 'chroot "$1" signagectl check /tmp/appeal.cfg >"$2" 2>&1 && ! grep -q "cannot read the font" "$2"' \
    sh "$ROOT" "$T/check.out"
sed 's/^/# /' "$T/check.out"
as signage sh -c "cd / && signage-scheduler --once --now $NOW" >"$T/sched.log" 2>&1
rc=$?
check "signage-scheduler --once as signage with /etc/signage/signage.cfg (exit $rc)" [ "$rc" = 0 ]
check "the operator's campaign is accepted" test -f "$ROOT/var/lib/signage/campaigns/tokubetsuku-disaster-appeal.cfg"
[ -f "$ROOT/var/lib/signage/campaigns/tokubetsuku-disaster-appeal.cfg" ] || sed 's/^/# /' "$T/sched.log"
check "signagectl at: the appeal plays at 10:03" \
    sh -c 'chroot "$1" signagectl at shinjuku-west-plaza 2023-03-15T10:03:00+09:00 | grep -q "^tokubetsuku-disaster-appeal 0 text"' sh "$ROOT"
# A signage.cfg without `state`: this build's default is /var/lib/signage.
grep -v '^state' "$ROOT/etc/signage/signage.cfg" >"$ROOT/tmp/nostate.cfg"
check "no 'state' in signage.cfg means /var/lib/signage" \
    sh -c 'chroot "$1" signagectl -c /tmp/nostate.cfg list | grep -q tokubetsuku-disaster-appeal' sh "$ROOT"
# The player draws the appeal's text with Debian's font; the same frame
# drawn here with the tree's copy of that font is the same picture.
as signage signage-player --screen shinjuku-west-plaza --screenshot-at 2023-03-15T10:03:00+09:00 \
    --out /tmp/shot.png >"$T/player.log" 2>&1
rc=$?
check "signage-player --screenshot-at in the chroot (exit $rc)" [ "$rc" = 0 ]
check "the player found its font" sh -c '! grep -q "cannot open the font\|no font" "$1"' sh "$T/player.log"
sed 's/^/# /' "$T/player.log"
SIGNAGE_FONT=$SRCDIR/fonts/BIZUDPGothic-Bold.ttf "$PLAYER" --playlist \
    "$ROOT/var/lib/signage/playlists/shinjuku-west-plaza.playlist" -c "$ROOT/etc/signage/signage.cfg" \
    --screenshot-at 2023-03-15T10:03:00+09:00 --out "$T/shot-ref.png" >/dev/null 2>&1
md5() { ffmpeg -nostdin -loglevel error -i "$1" -f framemd5 -pix_fmt rgb24 - | tail -1 | awk '{print $NF}'; }
check "the chroot's frame is the text set in BIZ UDPGothic" \
    [ "$(md5 "$ROOT/tmp/shot.png")" = "$(md5 "$T/shot-ref.png")" ]

# --- the README's kiosk, headless, in the chroot -----------------------------
# What `apt install ./signage_*.deb` of the README brings beyond the install
# above, its Recommends (cage, xwayland and the fallback fonts: 66 MB, a few
# seconds from deb.debian.org), and the test's own screen and camera (xvfb,
# grim).  Then the unit's work by hand, as systemd cannot run here: as
# signage, cage -d -- signage-player with the unit's environment on the
# installed signage.cfg's screen, its output a window of Xvfb (as t_kiosk),
# at the time the scheduler run above published for (--clock).
kpkgs=$(echo "$recommends" | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/ //g' | grep .)
start=$(date +%s)
in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"' \
    sh $kpkgs grim xvfb >"$T/apt-kiosk.log" 2>&1
rc=$?
check "apt-get install the Recommends ($(echo $kpkgs)), grim and xvfb in the chroot (exit $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || tail -30 "$T/apt-kiosk.log"
echo "# apt-get install of the kiosk: $(($(date +%s) - start)) s"
for c in cage Xwayland Xvfb grim; do
    check "$c is in the chroot" in_root sh -c 'command -v "$1" >/dev/null' sh "$c"
done
kstart=$(date +%s)
AT=2023-03-15T10:03:00+09:00
uid=$(in_root id -u signage)
RT=/run/user/$uid
mkdir -p "$ROOT$RT" "$ROOT/tmp/.X11-unix" && chmod 1777 "$ROOT/tmp/.X11-unix"
in_root chown signage:signage "$RT" && chmod 700 "$ROOT$RT"
check "XDG_RUNTIME_DIR $RT is signage's, 700" [ "$(in_root stat -c '%U %a' "$RT")" = "signage 700" ]
# kenv CMD...: CMD in the chroot as signage, with only the environment given;
# it execs, so run it in ( ) or with & (then $! is CMD's own pid)
kenv() {
    exec chroot "$ROOT" setpriv --reuid=signage --regid=signage --init-groups \
        env -i PATH=/usr/bin:/bin HOME=/var/lib/signage XDG_RUNTIME_DIR="$RT" "$@"
}
# wlroots and Xwayland need POSIX shared memory: the one mount besides /proc
mount -t tmpfs -o mode=1777,nosuid,nodev,size=64m shm "$ROOT/dev/shm"
check "a tmpfs on the chroot's /dev/shm" mountpoint -q "$ROOT/dev/shm"
ulimit -c 0 # cage 0.1.4 aborts in its own shutdown (t_kiosk)
kenv Xvfb -displayfd 3 -screen 0 1280x1024x24 -ac -nolisten tcp 3>"$T/xdisplay" 2>"$T/xvfb.err" &
xpid=$!
check "Xvfb runs in the chroot as signage" wait_until 10 test -s "$T/xdisplay"
[ -s "$T/xdisplay" ] || sed 's/^/# xvfb: /' "$T/xvfb.err"
kenv DISPLAY=":$(cat "$T/xdisplay")" WLR_BACKENDS=x11 WLR_X11_OUTPUTS=1 WLR_RENDERER=pixman \
    WLR_LIBINPUT_NO_DEVICES=1 SDL_VIDEODRIVER=wayland SDL_AUDIODRIVER=dummy \
    XDG_SESSION_TYPE=wayland XDG_SESSION_CLASS=user \
    cage -d -- /usr/bin/signage-player -c /etc/signage/signage.cfg --screen shinjuku-west-plaza \
    --clock "$AT" >"$T/cage.log" 2>&1 &
cpid=$!
check "cage's wayland socket appears in $RT" wait_until 10 test -S "$ROOT$RT/wayland-0"
# shot FILE: grim in the chroot, the picture out to FILE; ok once it is not
# all black (the player's first frame is there)
shot() {
    (kenv WAYLAND_DISPLAY=wayland-0 grim -) >"$1" 2>"$T/grim.err" && [ -s "$1" ] &&
        [ "$(identify -format '%[fx:mean>0.02]' "$1" 2>/dev/null)" = 1 ]
}
check "grim in the chroot sees the player's first frame (not all black)" \
    wait_until 30 shot "$T/kiosk-first.png"
[ -s "$T/grim.err" ] && sed 's/^/# grim: /' "$T/grim.err"
# The first frame grim sees may come before cage's fullscreen configure has
# reached the player (seen once: the 1920x1080 picture unscaled, its top
# left corner on the output); t_kiosk, too, looks 1.6 s after READY=1.
sleep 1.5
check "grim 1.5 s later" shot "$T/kiosk.png"
sleep 0.5
steady() { shot "$T/kiosk-again.png" && compare -metric AE "$T/kiosk-again.png" "$T/kiosk.png" null: 2>/dev/null; }
check "the picture is steady (the same 0.5 s later)" steady
n=$(compare -metric AE -fuzz 8% "$T/kiosk-first.png" "$T/kiosk.png" null: 2>&1 | cut -d' ' -f1)
[ "$n" = 0 ] || echo "# the first frame grim saw was not the settled one ($n pixels differ)"
ppid_=$(pgrep -P "$cpid" -x signage-player)
check "the player finds the Recommends' fallback fonts (no \"N of 2 fallback fonts\")" \
    sh -c 'grep -q "signage-player: info: renderer " "$1" && ! grep -q "fallback fonts installed" "$1"' \
    sh "$T/cage.log"
check_all "the player runs under cage as signage (uid $uid)" \
    '[ -n "$ppid_" ]' '[ "$(ps -o uid= -p "${ppid_:-0}" | tr -d " ")" = "$uid" ]'
# What is due at $AT says signagectl; its background is in the playlist.
due=$(in_root signagectl at shinjuku-west-plaza "$AT" 2>/dev/null)
set -- $due
cid=${1:-?} idx=${2:-0}
# item KEY: KEY ("#rrggbb") of the due item in the published playlist
item() {
    awk -v id="$cid" -v n="$idx" -v k="$1" '
    index($0, "{ id = \"" id "\";") { c = 1; next }
    c && /\{ id = "/ { c = 0 }
    c && /\{ type = / && i++ == n { if (match($0, k " = \"#[0-9a-fA-F]+\""))
        print substr($0, RSTART + length(k) + 4, 7); exit }' \
        "$ROOT/var/lib/signage/playlists/shinjuku-west-plaza.playlist"
}
bg=$(item background) fg=$(item color)
echo "# due at $AT: $due; background $bg, text $fg"
check "signagectl at: the appeal is due at $AT" [ "$cid" = tokubetsuku-disaster-appeal ]
check "the due item's colours are in the playlist ($bg on $fg)" \
    [ "$bg $fg" = "#b71c1c #ffffff" ]
# The screen is 1920x1080 and cage's X11 output 1024x768: the player shows
# the whole picture as large as fits, centred, black bars above and below.
size=$(identify -format '%wx%h' "$T/kiosk.png" 2>/dev/null)
check "the screenshot is cage's output, 1024x768 ($size)" [ "$size" = 1024x768 ]
scrw=$(sed -n 's/^width = \([0-9]*\);/\1/p' "$ROOT/var/lib/signage/playlists/shinjuku-west-plaza.playlist")
scrh=$(sed -n 's/^height = \([0-9]*\);/\1/p' "$ROOT/var/lib/signage/playlists/shinjuku-west-plaza.playlist")
px=1024 py=768 pw=1024 ph=$((1024 * ${scrh:-1} / ${scrw:-1}))
ox=$(((px - pw) / 2)) oy=$(((py - ph) / 2)) area=$((pw * ph))
echo "# screen ${scrw}x$scrh on the output ${px}x$py: the picture ${pw}x$ph+$ox+$oy"
ff -f lavfi -i "color=c=0x${bg#\#}:s=${pw}x$ph" -frames:v 1 "$T/kiosk-bg.png"
ff -f lavfi -i "color=c=0x${fg#\#}:s=${pw}x$ph" -frames:v 1 "$T/kiosk-fg.png"
unlike() { compare -metric AE -fuzz 8% "$T/kiosk.png[${pw}x$ph+$ox+$oy]" "$1" null: 2>&1 | cut -d' ' -f1; }
dbg=$(unlike "$T/kiosk-bg.png") dfg=$(unlike "$T/kiosk-fg.png")
# (no count, say from a missing picture, is -1: the checks fail, not the shell)
case $dbg$dfg in '' | *[!0-9]*) dbg=-1 neither=-1 ;; *) neither=$((dbg + dfg - area)) ;; esac
# pixels unlike the background: the item's text is drawn (not a blank slide)
check_range "the picture is the item's $bg with its text: pixels unlike $bg" \
    "$dbg" $((area / 100)) $((area * 2 / 5))
# pixels neither background nor text: only the text's anti-aliased edges
check_range "pixels neither $bg nor $fg (edges of the glyphs)" "$neither" 0 $((area * 3 / 100))
# the picture's corners and edges are the background, the bars black
pixel() { identify -format "%[pixel:p{$1,$2}]" "$T/kiosk.png" 2>/dev/null; }
hex2rgb() { printf 'srgb(%d,%d,%d)' \
    "0x$(echo "$1" | cut -c2-3)" "0x$(echo "$1" | cut -c4-5)" "0x$(echo "$1" | cut -c6-7)"; }
want=$(hex2rgb "$bg")
for xy in "$((ox + 2)) $((oy + 2))" "$((ox + pw - 3)) $((oy + 2))" "$((ox + 2)) $((oy + ph - 3))" \
    "$((ox + pw - 3)) $((oy + ph - 3))" "$((px / 2)) $((oy + 2))" "$((ox + 2)) $((py / 2))"; do
    got=$(pixel $xy)
    check "pixel ($xy) is the item's background $want ($got)" [ "$got" = "$want" ]
done
for xy in "$((px / 2)) $((oy / 2))" "$((px / 2)) $((py - oy / 2))"; do
    got=$(pixel $xy)
    check "pixel ($xy), the bar of the 16:9 picture on a 4:3 output, is black ($got)" \
        [ "$got" = "srgb(0,0,0)" ]
done
kill -TERM "$cpid" 2>/dev/null
check "cage ends on SIGTERM" wait_until 5 sh -c '! kill -0 "$1" 2>/dev/null' sh "$cpid"
wait "$cpid" 2>/dev/null
kill -TERM "$xpid" 2>/dev/null
wait "$xpid" 2>/dev/null
cpid='' xpid='' # gone: the trap must not kill a pid used again since
check "nothing runs in the chroot any more" wait_until 5 \
    sh -c '! ls -l /proc/[0-9]*/root 2>/dev/null | grep -q -- "-> $1\$"' sh "$ROOT"
echo "# the kiosk in the chroot: $(($(date +%s) - kstart)) s"
umount "$ROOT/dev/shm" "$ROOT/proc"
check "nothing is mounted under the chroot" sh -c '! findmnt -rn -o TARGET | grep -q "^$1"' sh "$ROOT"
