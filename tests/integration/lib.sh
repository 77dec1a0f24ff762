# Sourced by tests/integration/t_*.sh.  Gives each script a scratch
# directory ($T, removed at exit), the built programs, and TAP-like checks
# whose "ok"/"not ok" lines tests/run-tests.sh counts.
set -u
: "${BUILD:?run through make test}"
: "${SRCDIR:?run through make test}"
SCHEDULER=$BUILD/signage-scheduler
PLAYER=$BUILD/signage-player
CTL=$BUILD/signagectl
T=$(mktemp -d "${TMPDIR:-/tmp}/signage-test.XXXXXX")
trap '[ -n "${KEEP:-}" ] && echo "kept $T" >&2 || rm -rf "$T"' EXIT
# report's summaries go to the scratch directory, not the tester's home
XDG_CACHE_HOME=$T/cache
export XDG_CACHE_HOME
ok()   { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
# check NAME COMMAND...: ok when the command succeeds.
check() { n=$1; shift; if "$@"; then ok "$n"; else fail "$n"; fi; }
# check_not NAME COMMAND...: ok when the command fails.
check_not() { n=$1; shift; if "$@"; then fail "$n"; else ok "$n"; fi; }
# check_all NAME 'COND' 'COND'...: ok when every shell condition holds (each
# evaluated in turn; single-quoted, so expanded when evaluated).  For more
# than one condition: "check N [ A ] && [ B ]" would test B outside the check.
check_all() {
    _n=$1; shift
    for _c; do
        eval "$_c" || { fail "$_n (false: $_c)"; return; }
    done
    ok "$_n"
}
# check_range NAME VALUE LO HI: ok when LO <= VALUE <= HI (integers), both
# ends inside the one check; the value is in the name either way.
check_range() {
    if [ "$2" -ge "$3" ] 2>/dev/null && [ "$2" -le "$4" ] 2>/dev/null; then
        ok "$1 ($2, within $3..$4)"
    else
        fail "$1 ($2, not within $3..$4)"
    fi
}
# wait_until SECONDS COMMAND...: polls every 0.1 s until the command
# succeeds or the time is up; its status is the command's last one.
wait_until() {
    _n=$(($1 * 10)); shift
    while ! "$@" && [ "$_n" -gt 0 ]; do sleep 0.1; _n=$((_n - 1)); done
    "$@"
}
# listen SOCKET OUT: stands in for systemd's NOTIFY_SOCKET: collects every
# datagram, one per line, until killed ($lpid).
listen() {
    python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(4096).decode() + "\n")
        f.flush()
' "$1" "$2" &
    lpid=$!
    wait_until 5 [ -S "$1" ]
}
# nginx_head DIR [USER]: the start of an nginx.conf for a test's own server,
# with DIR as its prefix (pid, error log, temp files): everything up to
# "http {" and its temp paths.  When the tests run as root its workers run
# as USER (default root; DIR/tmp is then USER's), else as the tester.  The
# caller writes the rest of the http block and its closing "}".
nginx_head() {
    mkdir -p "$1/tmp"
    if [ "$(id -u)" = 0 ]; then
        echo "user ${2:-root};"
        [ -n "${2:-}" ] && chown "$(echo "$2" | tr " " :)" "$1/tmp"
    fi
    cat <<EOF
daemon off;
worker_processes 1;
pid $1/nginx.pid;
error_log $1/error.log;
events { worker_connections 256; }
http {
    client_body_temp_path $1/tmp/body;
    proxy_temp_path $1/tmp/proxy;
    fastcgi_temp_path $1/tmp/fastcgi;
    uwsgi_temp_path $1/tmp/uwsgi;
    scgi_temp_path $1/tmp/scgi;
    default_type application/octet-stream;
EOF
}
# ff ARGS...: ffmpeg, quiet, overwriting (fixtures made at test time).
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

# Colour cases (t_player, t_media).  colour_clip CASE STILL OUT: 1 s of
# the picture STILL at 10 fps, coded as CASE: l709, f709, l601 (H.264,
# limited or full range, BT.709 or BT.601) or arib-std-b67 / smpte2084
# (HEVC 10-bit BT.2020, HLG or PQ, SDR white at 203 cd/m2).
colour_clip() {
    case $1 in
    l709 | f709 | l601)
        m=bt709 tag=bt709 r=tv
        [ "$1" = l601 ] && m=bt601 tag=smpte170m
        [ "$1" = f709 ] && r=pc
        ffmpeg -nostdin -loglevel error -y -loop 1 -i "$2" -t 1 -r 10 \
            -vf "scale=out_color_matrix=$m:out_range=$r,format=yuv420p" -c:v libx264 -preset veryfast \
            -colorspace $tag -color_primaries $tag -color_trc $tag -color_range $r "$3"
        ;;
    *)
        ffmpeg -nostdin -loglevel error -y -loop 1 -i "$2" -t 1 -r 10 \
            -vf "format=gbrp,zscale=tin=709:pin=709:min=gbr:rin=full:t=$1:p=2020:m=2020_ncl:r=limited:npl=203,format=yuv420p10le" \
            -c:v libx265 -preset veryfast \
            -x265-params "log-level=error:colorprim=bt2020:transfer=$1:colormatrix=bt2020nc" \
            -colorspace bt2020nc -color_primaries bt2020 -color_trc "$1" -color_range tv "$3"
        ;;
    esac
}
# colour_refs CASE CLIP REF WRONG: the first picture of CLIP as it must be
# shown (ffmpeg's decode honouring the tags; HDR through zscale with SDR
# white at 203 cd/m2, as the player does) and as SDL alone would show it
# (BT.601 maths; BT.709 for the BT.601 clip), both RGB.
colour_refs() {
    to709=scale=in_color_matrix=bt709:in_range=tv
    case $1 in
    l709) ref=scale=in_color_matrix=bt709:in_range=tv wrong=scale=in_color_matrix=bt601:in_range=tv ;;
    f709) ref=scale=in_color_matrix=bt709:in_range=pc wrong=scale=in_color_matrix=bt601:in_range=pc ;;
    l601) ref=scale=in_color_matrix=bt601:in_range=tv wrong=$to709 ;;
    *)
        ref="zscale=tin=$1:min=2020_ncl:pin=2020:rin=limited:t=709:m=709:p=709:r=limited:npl=203,format=yuv420p,$to709"
        wrong=scale=in_color_matrix=bt601:in_range=tv
        ;;
    esac
    ffmpeg -nostdin -loglevel error -y -i "$2" -frames:v 1 -vf "$ref,format=rgb24" "$3"
    ffmpeg -nostdin -loglevel error -y -i "$2" -frames:v 1 -vf "$wrong,format=rgb24" "$4"
}
