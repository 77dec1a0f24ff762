#!/bin/sh
# The shipped units (issue 14): `systemd-analyze verify` finds nothing to say
# about them, and `systemd-analyze security --offline=true` rates the
# scheduler's sandbox at 2.0 or less, signage-sync's at 3.0 or less and the
# kiosk's (cage running the player) at 4.0 or less.  No systemd needs to run for either.
. tests/integration/lib.sh

command -v systemd-analyze >/dev/null || { fail "systemd-analyze is not installed"; exit 0; }
U=$T/units
mkdir -p "$U"
# verify checks that each ExecStart= program exists: point the units at the
# build tree's programs (cage is a Debian package, there as on a box)
for f in "$SRCDIR"/deploy/*.service; do
    sed "s#/usr/bin/signage-#$(cd "$BUILD" && pwd)/signage-#g" "$f" >"$U/$(basename "$f")"
done
check "the units name the programs the build makes" \
    grep -q "^ExecStart=$(cd "$BUILD" && pwd)/signage-scheduler " "$U/signage-scheduler.service"
check "the kiosk runs the player inside cage" \
    grep -Eq "^ExecStart=/usr/bin/cage .*-- $(cd "$BUILD" && pwd)/signage-player .*--screen %i" \
    "$U/signage-player@.service"

# verify: exit 0 and not a word on stderr (an unknown setting or a bad value
# is only a warning there, and the unit would run without it)
for u in signage-scheduler.service signage-player@plaza.service signage-sync.service; do
    (cd "$U" && systemd-analyze verify --man=no "./$u") >"$T/verify.out" 2>&1
    rc=$?
    check "systemd-analyze verify $u: exit 0 ($rc)" [ $rc -eq 0 ]
    check "systemd-analyze verify $u: no warnings" [ ! -s "$T/verify.out" ]
    [ -s "$T/verify.out" ] && sed 's/^/# /' "$T/verify.out"
done

# exposure NAME: the overall exposure level of unit file NAME, times ten
exposure() {
    systemd-analyze security --offline=true "$U/$1" 2>/dev/null |
        sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p' | awk '{ printf "%d\n", $1 * 10 + 0.5 }'
}
# passes LIMIT UNIT: systemd-analyze's own gate (--threshold, in tenths)
passes() { systemd-analyze security --offline=true --threshold="$1" "$U/$2" >/dev/null 2>&1; }
s=$(exposure signage-scheduler.service)
check_range "scheduler: exposure x10 at most 2.0" "${s:-999}" 0 20
p=$(exposure signage-player@.service)
check_range "kiosk (cage and player): exposure x10 at most 4.0" "${p:-999}" 0 40
y=$(exposure signage-sync.service)
check_range "sync: exposure x10 at most 3.0" "${y:-999}" 0 30
# and systemd's own gate agrees (--threshold is in tenths too)
check "security --threshold=20 passes the scheduler" passes 20 signage-scheduler.service
check "security --threshold=30 passes the sync" passes 30 signage-sync.service
check "security --threshold=40 passes the kiosk" passes 40 signage-player@.service
# the gate can fail: a unit with no sandbox is refused
printf '[Service]\nExecStart=/bin/true\n' >"$U/bare.service"
check_not "security --threshold=40 refuses a unit with no sandbox" passes 40 bare.service

# What the sandbox must keep (the scores would not notice these going)
K=$U/signage-player@.service
check "kiosk: the player's notifications are taken from cage's child" grep -qx 'NotifyAccess=all' "$K"
check "kiosk: a watchdog" grep -Eq '^WatchdogSec=[1-9]' "$K"
check "kiosk: never gives up restarting" grep -qx 'StartLimitIntervalSec=0' "$K"
check "kiosk: no IP sockets at all" grep -qx 'RestrictAddressFamilies=AF_UNIX AF_NETLINK' "$K"
check "kiosk: no capabilities" grep -qx 'CapabilityBoundingSet=' "$K"
check "kiosk: writes STATE/log only" sh -c "grep -qx 'ProtectSystem=strict' '$K' &&
    grep -qx 'StateDirectory=signage/log' '$K' && ! grep -q '^ReadWritePaths=.*signage' '$K'"
check "kiosk: its PAM stack registers the session with logind" \
    grep -Eq '^session +required +pam_systemd.so' "$SRCDIR/deploy/signage-kiosk.pam"
# signage-sync (issue 15): the network, and nothing more than the state
Y=$U/signage-sync.service
check "sync: runs the built program" grep -q "^ExecStart=$(cd "$BUILD" && pwd)/signage-sync " "$Y"
check "sync: Type=notify with a watchdog" sh -c "grep -qx 'Type=notify' '$Y' && grep -Eq '^WatchdogSec=[1-9]' '$Y'"
check "sync: IP sockets allowed, nothing else but AF_UNIX" \
    grep -qx 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' "$Y"
check "sync: writes the state only" sh -c "grep -qx 'ProtectSystem=strict' '$Y' &&
    grep -qx 'ReadWritePaths=/var/lib/signage' '$Y'"
check "sync: a box without a sync group (exit 0) is not restarted" grep -qx 'Restart=on-failure' "$Y"
check "sync: no capabilities" grep -qx 'CapabilityBoundingSet=' "$Y"
exit 0
