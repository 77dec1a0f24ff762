#!/bin/sh
# Generates the demo campaigns' media with ffmpeg's lavfi sources and the
# bundled Japanese font into SPOOL (nothing binary is committed):
#   sh demo/make-media.sh SPOOL
# Then copy demo/spool-src/*.cfg into SPOOL (media first, campaigns last).
set -eu
spool=${1:?usage: make-media.sh SPOOL}
top=$(cd "$(dirname "$0")/.." && pwd)
font=$top/fonts/BIZUDPGothic-Bold.ttf
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
# still SRC-FILTER CAPTION OUT: one frame of SRC with CAPTION centred.
still() {
    ff -f lavfi -i "$1" -frames:v 1 \
        -vf "drawtext=fontfile=$font:text='$2':fontsize=h/9:fontcolor=white:borderw=4:bordercolor=black@0.6:x=(w-tw)/2:y=(h-th)/2" \
        "$3"
}
mkdir -p "$spool/kochi" "$spool/tokyo" "$spool/partners" "$spool/appeal"
still "testsrc2=s=1920x1080" "牧野博士の新休日" "$spool/kochi/makino.jpg"
ff -f lavfi -i "testsrc2=s=960x540:r=25:d=12" \
    -vf "drawtext=fontfile=$font:text='らんまんの舞台・高知':fontsize=h/10:fontcolor=white:borderw=4:x=(w-tw)/2:y=h*0.7" \
    -c:v libx264 -pix_fmt yuv420p -preset veryfast -crf 30 "$spool/kochi/expo.mp4"
still "color=c=0x6d4c41:s=1920x1080" "WOODコレクション2023" "$spool/tokyo/wood.png"
still "color=c=0x1565c0:s=1920x1080" "北海道" "$spool/partners/hokkaido.jpg"
still "color=c=0x2e7d32:s=1920x1080" "高知県" "$spool/partners/kochi.jpg"
still "color=c=0x00838f:s=1920x1080" "沖縄県" "$spool/partners/okinawa.jpg"
still "color=c=0x6a1b9a:s=1920x1080" "山梨県" "$spool/partners/yamanashi.jpg"
still "color=c=0xb71c1c:s=1920x1080" "災害支援のお願い" "$spool/appeal/appeal.png"
