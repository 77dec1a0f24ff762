#!/bin/sh
# The media matrix (issue 9): what partners really send, made here with
# ffmpeg, ImageMagick and heif-enc, dropped into the spool of a real
# scheduler, and shown by the real player.  Each input is either accepted
# and its screenshot compared (PSNR, RGB) with a reference decode by another
# program (ffmpeg, ImageMagick, heif-convert) under the same colour rules,
# and with a wrong reading of it that must score clearly lower (so the check
# can fail); or refused with a message that names the format and the fix.
# The table is printed as "# |" lines and kept in $T/matrix.md.
. "$SRCDIR/tests/integration/lib.sh"

export SDL_VIDEODRIVER=dummy
export SDL_AUDIODRIVER=dummy
S=$T/state
M=$S/spool/m
R=$T/ref
mkdir -p "$M" "$R" "$T/cfg"
cat >"$T/cfg/signage.cfg" <<EOF
state = "$S";
timezone = "Asia/Tokyo";
settle = 0.1;
horizon_days = 2;
screens = (
  { id = "m"; name = "横長"; width = 480; height = 270; },
  { id = "p"; name = "縦長"; width = 270; height = 480; },
  { id = "hd"; name = "HD"; width = 1280; height = 720; }
);
EOF
SCHED="$SCHEDULER -c $T/cfg/signage.cfg"
CTLC="$CTL -c $T/cfg/signage.cfg"
BG=202020
MATRIX=$T/matrix.md
printf '| input | result | PSNR of the screenshot against the reference (against a wrong reading), or the message |\n|---|---|---|\n' >"$MATRIX"

# --- the campaigns: one item each, in a minute of its own ----------------
n=0
# campaign NAME SCREEN ITEM: NAME shows ITEM on SCREEN in minute N of 12:00.
campaign() {
    n=$((n + 1))
    echo "$1 $n $2" >>"$T/minutes"
    cat >"$S/spool/$1.cfg" <<EOF
id = "$1";
title = "$1";
owner = "高知県";
start = "$(printf '2023-03-10T12:%02d:00' $n)";
end = "$(printf '2023-03-10T12:%02d:00' $((n + 1)))";
screens = [ "$2" ];
items = ( { $3 background = "#$BG"; } );
EOF
}
img() { campaign "$1" "${3:-m}" "type = \"image\"; file = \"m/$2\"; duration = 30; ${4:-}"; }
vid() { campaign "$1" "${3:-m}" "type = \"video\"; file = \"m/$2\"; ${4:-}"; }

# fit SRC OUT W H: SRC scaled to fit WxH, centred on the background.
fit() {
    ff -i "$1" -vf "scale=$3:$4:force_original_aspect_ratio=decrease:flags=bicubic,pad=$3:$4:(ow-iw)/2:(oh-ih)/2:color=0x$BG,format=rgb24" \
        -frames:v 1 "$2"
}
# frame VIDEO N OUT [FILTER]: frame N of VIDEO as ffmpeg decodes it.
frame() {
    ff -i "$1" -vf "${4:+$4,}select=eq(n\\,$2),format=rgb24" -frames:v 1 "$3"
}

# Images: 480x270, the screen's own size, so nothing is scaled.
ff -f lavfi -i testsrc2=s=480x270 -frames:v 1 "$M/src.png"
cp "$M/src.png" "$M/plain.png"
img png plain.png
ff -i "$M/src.png" -q:v 2 "$M/photo.jpg"
img jpeg photo.jpg
convert "$M/src.png" -quality 95 -colorspace CMYK "$M/cmyk.jpg"
img cmyk cmyk.jpg
# Stored turned a quarter, with the EXIF tag (6) that turns it back: an
# APP1 segment put after SOI by hand (big-endian TIFF, one IFD entry 0x0112).
convert "$M/src.png" -rotate 270 -quality 95 "$M/turned.jpg"
python3 - "$M/turned.jpg" "$M/exif6.jpg" <<'EOF'
import struct, sys
j = open(sys.argv[1], "rb").read()
tiff = b"MM\0*" + struct.pack(">IH", 8, 1) + struct.pack(">HHIHH", 0x0112, 3, 1, 6, 0) + b"\0\0\0\0"
app1 = b"Exif\0\0" + tiff
open(sys.argv[2], "wb").write(j[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + j[2:])
EOF
img exif6 exif6.jpg
ff -i "$M/src.png" -c:v libwebp -quality 90 "$M/photo.webp"
img webp photo.webp
ff -f lavfi -i "color=c=0xff0000@0.5:s=480x270,format=rgba" -frames:v 1 "$M/alpha.png"
img alpha alpha.png
heif-enc -q 90 -o "$M/iphone.heic" "$M/src.png" >/dev/null
img heic iphone.heic
heif-enc -A -q 90 -o "$M/photo.avif" "$M/src.png" >/dev/null
img avif photo.avif
ff -i "$M/src.png" -frames:v 1 "$M/still.gif"
img gif-still still.gif
vid gif-still-video still.gif

# A two-page A4 flyer written by hand: page 1 red over blue, page 2 green
# with a white panel; page = 2 on the portrait screen.
python3 - "$M/flyer.pdf" <<'EOF'
import sys
pages = [b"1 0 0 rg 0 421 595 421 re f 0 0 1 rg 0 0 595 421 re f",
         b"0 0.5 0 rg 0 0 595 842 re f 1 1 1 rg 148 210 300 421 re f"]
objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>"]
for i, c in enumerate(pages):
    objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R >>" % (4 + 2 * i))
    objs.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(c), c))
out, offs = b"%PDF-1.4\n", []
for i, o in enumerate(objs):
    offs.append(len(out))
    out += b"%d 0 obj\n%s\nendobj\n" % (i + 1, o)
x = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
out += b"".join(b"%010d 00000 n \n" % o for o in offs)
out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
open(sys.argv[1], "wb").write(out)
EOF
img pdf flyer.pdf p "page = 2;"

# Animations: a GIF and a lossless animated WebP, 10 frames a second for
# 2 s, each repeated to fill a 30 s item.
ff -f lavfi -i testsrc2=s=480x270:r=10:d=2 "$M/anim.gif"
img gif anim.gif
ff -f lavfi -i testsrc2=s=480x270:r=10:d=2 -c:v libwebp_anim -lossless 1 -loop 0 "$M/anim.webp"
img webp-anim anim.webp

# Videos: 480x270 at 25 fps unless said.
V="-f lavfi -i testsrc2=s=480x270:r=25:d=3"
ff $V -c:v libx264 -pix_fmt yuv420p "$M/h264.mp4"
vid h264 h264.mp4
ff $V -c:v libx265 -pix_fmt yuv420p -x265-params log-level=error "$M/hevc.mp4"
vid hevc hevc.mp4
ff $V -c:v libvpx-vp9 -b:v 1M "$M/vp9.webm"
vid vp9 vp9.webm
ff $V -c:v libaom-av1 -cpu-used 8 -crf 30 "$M/av1.mkv"
vid av1 av1.mkv
ff $V -c:v prores_ks -profile:v 2 "$M/prores.mov"
vid prores prores.mov
ff $V -c:v mpeg2video -q:v 2 -f mpegts "$M/spot.ts"
vid mpeg2-ts spot.ts
ff $V -c:v mpeg2video -pix_fmt yuv422p -q:v 2 -f mxf "$M/xdcam.mxf"
vid xdcam-mxf xdcam.mxf
# A phone held upright: stored 480x270, turned by the display matrix.
ff -i "$M/h264.mp4" -c copy -metadata:s:v:0 rotate=90 "$M/phone.mp4"
vid phone phone.mp4 p
# A 1080i-style spot: fields woven into frames flagged interlaced.
ff -f lavfi -i testsrc2=s=480x272:r=50 -vf 'tinterlace=mode=interleave_top,setfield=tff' \
    -flags +ilme+ildct -top 1 -c:v libx264 -pix_fmt yuv420p -t 3 "$M/inter.mp4"
vid interlaced inter.mp4

# Colour: a full-range BT.709 phone clip, iPhone HDR (HEVC 10-bit BT.2020
# HLG) and HDR10 (PQ), 1 s of the still at 10 fps.
for c in f709 arib-std-b67 smpte2084; do
    colour_clip $c "$M/src.png" "$M/$c.mp4"
    vid $c $c.mp4 m "duration = 30;"
done

# Untagged HD (no colour tags at all, BT.709 maths): taken as BT.709.
ff -f lavfi -i testsrc2=s=1280x720:r=25:d=3 -vf "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p" \
    -c:v libx264 -preset veryfast "$M/untagged-hd.mp4"
vid untagged-hd untagged-hd.mp4 hd
# An MPEG-2 broadcast spot, interlaced, in MPEG-TS.
ff -f lavfi -i testsrc2=s=480x272:r=50 -vf 'tinterlace=mode=interleave_top,setfield=tff' \
    -flags +ilme+ildct -top 1 -c:v mpeg2video -q:v 2 -t 3 -f mpegts "$M/inter-mpeg2.ts"
vid interlaced-mpeg2 inter-mpeg2.ts

# Refused, each with its message.
ff $V -c:v msmpeg4v3 "$M/divx3.avi"
vid divx3 divx3.avi
ff $V -c:v qtrle "$M/anim.mov"
vid qtrle anim.mov
ff $V -c:v png "$M/png.mov"
vid png-in-mov png.mov
campaign fullwidth-space m 'type = "text"; text = "　　　";'

ff $V -c:v wmv2 "$M/old.wmv"
vid wmv2 old.wmv
ff $V -c:v dvvideo -s 720x576 -pix_fmt yuv420p -r 25 "$M/tape.mov"
vid dv tape.mov
convert "$M/src.png" "$M/scan.tif"
img tiff scan.tif
printf '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n' >"$M/logo.svg"
img svg logo.svg
ff -f lavfi -i testsrc2=s=480x270:r=25:d=0.5 -c:v libx264 -pix_fmt yuv420p "$M/blink.mp4"
vid short-clip blink.mp4
head -c 2000 "$M/iphone.heic" >"$M/cut.heic"
img heic-cut cut.heic
img pdf-page5 flyer.pdf m "page = 5;"
vid heic-as-video iphone.heic

sleep 0.3
$SCHED --once --now 2023-03-10T12:00:00+09:00 2>"$T/sched.log"
check "the scheduler takes the whole spool (exit 0)" [ $? -eq 0 ]

# shot NAME SECONDS OUT: the player's screenshot SECONDS into NAME's minute.
shot() {
    set -- "$1" "$2" "$3" $(awk -v n="$1" '$1 == n { print $2, $3 }' "$T/minutes")
    "$PLAYER" -c "$T/cfg/signage.cfg" --screen "$5" \
        --screenshot-at "$(printf '2023-03-10T12:%02d:%06.3f+09:00' "$4" "$2")" --out "$3" \
        2>>"$T/shot.err"
}
psnr() {
    ffmpeg -nostdin -hide_banner -i "$1" -i "$2" \
        -lavfi '[0]format=rgb24[a];[1]format=rgb24[b];[a][b]psnr' -f null - 2>&1 |
        sed -n 's/.*average:\([0-9.inf]*\).*/\1/p' | sed 's/inf/99/'
}
# shown NAME DESC SECONDS MIN REF WRONG: NAME accepted, its screenshot at
# SECONDS within MIN dB of REF and 3 dB closer to REF than to WRONG.
shown() {
    name=$1 desc=$2 at=$3 min=$4 ref=$5 wrong=$6
    if [ ! -f "$S/campaigns/$name.cfg" ]; then
        fail "$desc is accepted: $(head -c 300 "$S/rejected/$name.cfg.error" 2>/dev/null)"
        printf '| %s | **refused** | %s |\n' "$desc" "$(head -1 "$S/rejected/$name.cfg.error" 2>/dev/null)" >>"$MATRIX"
        return
    fi
    ok "$desc is accepted"
    shot "$name" "$at" "$T/$name.png"
    p=$(psnr "$T/$name.png" "$ref") w=$(psnr "$T/$name.png" "$wrong")
    check "$desc: the screenshot matches the reference ($p dB, at least $min)" \
        awk "BEGIN { exit !(${p:-0} >= $min && ${p:-0} <= 99) }"
    check "$desc: ... and not a wrong reading ($w dB)" awk "BEGIN { exit !(${p:-0} > ${w:-99} + 3) }"
    printf '| %s | accepted | %.1f dB (%.1f dB) |\n' "$desc" "${p:-0}" "${w:-0}" >>"$MATRIX"
}
# refused NAME DESC TEXT: NAME rejected with TEXT in its .error.
refused() {
    e=$S/rejected/$1.cfg.error
    check "$2 is refused, saying \"$3\"" grep -qF -- "$3" "$e"
    printf '| %s | refused | %s |\n' "$2" "$(sed -n '1s/^[^ ]* error: //p' "$e" 2>/dev/null | cut -c1-160)" >>"$MATRIX"
}

# --- references ------------------------------------------------------------
fit "$M/src.png" "$R/src.png" 480 270
ff -i "$M/src.png" -vf "hflip,format=rgb24" "$R/mirror.png"
ff -i "$M/src.png" -vf "colorchannelmixer=rr=0:rb=1:br=1:bb=0,format=rgb24" "$R/swapped.png"
ff -i "$M/src.png" -vf "negate,format=rgb24" "$R/negated.png"
shown png "PNG" 5 40 "$R/src.png" "$R/mirror.png"
convert "$M/photo.jpg" "$R/jpeg.png"
shown jpeg "JPEG" 5 35 "$R/jpeg.png" "$R/mirror.png"
convert "$M/cmyk.jpg" -colorspace sRGB "$R/cmyk.png"
shown cmyk "CMYK JPEG (print agency)" 5 30 "$R/cmyk.png" "$R/swapped.png"
convert "$M/exif6.jpg" -auto-orient "$R/exif6.png"
fit "$M/turned.jpg" "$R/exif6-wrong.png" 480 270
shown exif6 "JPEG with EXIF orientation 6" 5 30 "$R/exif6.png" "$R/exif6-wrong.png"
convert "$M/photo.webp" "$R/webp.png" # libwebp's own decode
shown webp "WebP" 5 35 "$R/webp.png" "$R/mirror.png"
ff -f lavfi -i "color=c=0x$BG:s=480x270" -i "$M/alpha.png" -filter_complex "overlay,format=rgb24" \
    -frames:v 1 "$R/alpha.png"
ff -f lavfi -i "color=c=0x0b2545:s=480x270" -i "$M/alpha.png" -filter_complex "overlay,format=rgb24" \
    -frames:v 1 "$R/alpha-navy.png"
shown alpha "PNG with transparency (over the item's background)" 5 35 "$R/alpha.png" "$R/alpha-navy.png"
heif-convert "$M/iphone.heic" "$R/heic.png" >/dev/null
shown heic "HEIC (iPhone photo)" 5 35 "$R/heic.png" "$R/mirror.png"
heif-convert "$M/photo.avif" "$R/avif.png" >/dev/null
shown avif "AVIF" 5 35 "$R/avif.png" "$R/mirror.png"
ff -i "$M/still.gif" -vf format=rgb24 "$R/gif-still.png"
shown gif-still "GIF, one frame" 5 35 "$R/gif-still.png" "$R/mirror.png"
# The flyer: page 2 drawn again with ffmpeg at the page's size (595x842
# points), fitted to the portrait screen; page 1 is the wrong reading.
ff -f lavfi -i color=c=0x008000:s=595x842 -vf "drawbox=x=148:y=211:w=300:h=421:color=white:t=fill" \
    -frames:v 1 "$R/page2-full.png"
ff -f lavfi -i color=c=red:s=595x421 -f lavfi -i color=c=blue:s=595x421 -filter_complex vstack \
    -frames:v 1 "$R/page1-full.png"
fit "$R/page2-full.png" "$R/page2.png" 270 480
fit "$R/page1-full.png" "$R/page1.png" 270 480
shown pdf "PDF flyer, page = 2" 5 25 "$R/page2.png" "$R/page1.png"

# Animations at 12.35 s: 12.35 mod 2 s = 0.35 s, frame 3; frame 13 of the
# source (a second later) is the wrong one.
frame "$M/anim.gif" 3 "$R/gif3.png"
frame "$M/anim.gif" 13 "$R/gif13.png"
shown gif "animated GIF (repeated to fill 30 s)" 12.35 28 "$R/gif3.png" "$R/gif13.png"
ff -f lavfi -i testsrc2=s=480x270:r=10:d=2 -vf "select=eq(n\\,3),format=rgb24" -frames:v 1 "$R/webp3.png"
ff -f lavfi -i testsrc2=s=480x270:r=10:d=2 -vf "select=eq(n\\,13),format=rgb24" -frames:v 1 "$R/webp13.png"
shown webp-anim "animated WebP (repeated to fill 30 s)" 12.35 30 "$R/webp3.png" "$R/webp13.png"

# Videos at 2.02 s: frame 50 (25 fps); frame 40 is the wrong one.
for v in h264:h264.mp4:"H.264 MP4" hevc:hevc.mp4:"HEVC MP4" vp9:vp9.webm:"VP9 WebM" \
    av1:av1.mkv:"AV1 Matroska" prores:prores.mov:"ProRes 422 MOV" \
    mpeg2-ts:spot.ts:"MPEG-2 in MPEG-TS" xdcam-mxf:xdcam.mxf:"MPEG-2 4:2:2 in MXF (XDCAM)"; do
    name=${v%%:*} rest=${v#*:} file=${rest%%:*} desc=${rest#*:}
    frame "$M/$file" 50 "$R/$name-50.png"
    frame "$M/$file" 40 "$R/$name-40.png"
    shown "$name" "$desc" 02.02 30 "$R/$name-50.png" "$R/$name-40.png"
done
frame "$M/phone.mp4" 50 "$R/phone-50.png" # ffmpeg turns it upright
ff -i "$R/phone-50.png" -vf "hflip,vflip" "$R/phone-flat.png" # turned the wrong way
shown phone "phone video, display matrix 90°" 02.02 30 "$R/phone-50.png" "$R/phone-flat.png"
# (x264 wants interlaced heights in fours: 480x272, fitted to the screen)
frame "$M/inter.mp4" 50 "$R/inter-50f.png" "bwdif=mode=send_frame:parity=auto:deint=interlaced"
frame "$M/inter.mp4" 50 "$R/inter-wovenf.png"
fit "$R/inter-50f.png" "$R/inter-50.png" 480 270
fit "$R/inter-wovenf.png" "$R/inter-woven.png" 480 270
shown interlaced "interlaced H.264 (1080i-style)" 02.02 30 "$R/inter-50.png" "$R/inter-woven.png"

frame "$M/inter-mpeg2.ts" 50 "$R/inter-mpeg2-50f.png" "bwdif=mode=send_frame:parity=auto:deint=interlaced"
frame "$M/inter-mpeg2.ts" 50 "$R/inter-mpeg2-wovenf.png"
fit "$R/inter-mpeg2-50f.png" "$R/inter-mpeg2-50.png" 480 270
fit "$R/inter-mpeg2-wovenf.png" "$R/inter-mpeg2-woven.png" 480 270
shown interlaced-mpeg2 "interlaced MPEG-2 in MPEG-TS (broadcast spot)" 02.02 30 \
    "$R/inter-mpeg2-50.png" "$R/inter-mpeg2-woven.png"
frame "$M/untagged-hd.mp4" 50 "$R/untagged-709.png" "scale=in_color_matrix=bt709:in_range=tv"
frame "$M/untagged-hd.mp4" 50 "$R/untagged-601.png" "scale=in_color_matrix=bt601:in_range=tv"
shown untagged-hd "untagged 1280x720 H.264 (taken as BT.709)" 02.02 30 "$R/untagged-709.png" \
    "$R/untagged-601.png"

# Colour references: ffmpeg's decode honouring the tags (for HLG and PQ,
# zscale with SDR white at 203 cd/m2); the wrong reading is BT.601 maths,
# what SDL alone does.
for c in f709 arib-std-b67 smpte2084; do
    colour_refs $c "$M/$c.mp4" "$R/$c.png" "$R/$c-wrong.png"
done
shown f709 "full-range BT.709 H.264 (phone)" 00.5 30 "$R/f709.png" "$R/f709-wrong.png"
shown arib-std-b67 "HEVC 10-bit BT.2020 HLG (iPhone HDR)" 00.5 30 "$R/arib-std-b67.png" \
    "$R/arib-std-b67-wrong.png"
shown smpte2084 "HEVC 10-bit BT.2020 PQ (HDR10)" 00.5 30 "$R/smpte2084.png" "$R/smpte2084-wrong.png"

refused wmv2 "WMV2 (Windows Media 8)" "coded as Windows Media Video 8, which the screens do not play; re-encode it as H.264"
refused dv "DV" "coded as DV (Digital Video), which the screens do not play"
refused divx3 "DivX 3 (MS-MPEG4v3) in AVI" "coded as MPEG-4 part 2 Microsoft variant version 3, which the screens do not play; re-encode it as H.264"
refused qtrle "QuickTime Animation in MOV" "coded as QuickTime Animation (RLE) video, which the screens do not play"
refused png-in-mov "PNG frames in MOV" "coded as PNG (Portable Network Graphics) image, which the screens do not play"
refused fullwidth-space "text of full-width spaces only (U+3000)" "'text' is blank (only spaces, full-width"
refused tiff "TIFF" "(it is a TIFF image); use PNG, JPEG, WebP, GIF, HEIC/AVIF or PDF (a TIFF or SVG: export it as PNG)"
refused svg "SVG" "(it is an SVG drawing)"
refused short-clip "0.5 s clip, no duration" "and an item shows for at least 1 s; add duration = 1;"
check "... saying how long it is" grep -q "'m/blink.mp4' lasts only 0.5[0-9] s" "$S/rejected/short-clip.cfg.error"
refused heic-cut "HEIC cut short" "'m/cut.heic': damaged HEIF/AVIF image"
refused pdf-page5 "PDF, page = 5 of 2" "page = 5, but the PDF has 2 pages; pick one of 1..2"
refused heic-as-video "HEIC declared a video" "this is a HEIF/AVIF image, not a video; use type = \"image\""

# What was converted keeps the hash of the file as sent.
check "the HEIC campaign records the hash of the file as sent" \
    grep -q "source_sha256 = \"$(sha256sum "$M/iphone.heic" | cut -d' ' -f1)\"" "$S/campaigns/heic.cfg"
check "an animated GIF declared an image is played as a video" \
    grep -q 'type = "video"; duration_ms = 30000;' "$S/campaigns/gif.cfg"
check "the spool's HEIC is left as it was" [ -f "$M/iphone.heic" ]
check "a still GIF declared a video is shown as an image for the default 10 s" \
    grep -q 'type = "image"; duration_ms = 10000;' "$S/campaigns/gif-still-video.cfg"

# Warnings an operator can act on: a small image, a portrait page on a
# landscape screen, a video heavier than a box plays smoothly.
ff -f lavfi -i testsrc2=s=160x90 -frames:v 1 "$M/small.png"
ff -f lavfi -i testsrc2=s=640x360:r=120:d=1 -c:v libx264 -preset ultrafast "$M/fast.mp4"
cat >"$T/warn.cfg" <<EOF
id = "warn"; title = "W"; owner = "高知県"; start = "2023-03-10"; end = "2023-03-11";
screens = [ "m" ];
items = (
  { type = "image"; file = "state/spool/m/small.png"; },
  { type = "image"; file = "state/spool/m/flyer.pdf"; },
  { type = "video"; file = "state/spool/m/fast.mp4"; }
);
EOF
$CTLC check "$T/warn.cfg" >"$T/warn.out" 2>&1
check "check passes a campaign that only has warnings" [ $? -eq 0 ]
check "an image enlarged 3x is warned about, with the size to send" \
    grep -q "warn.cfg:4: warning: 'state/spool/m/small.png' is 160x90 pixels and is shown 3.0x enlarged on m (480x270), so it looks blurred; send it at least 240x135" "$T/warn.out"
check "a portrait page on a landscape screen is warned about" \
    grep -q "warn.cfg:5: warning: 'state/spool/m/flyer.pdf' (2714x3840) fills only 40% of m (480x270)" "$T/warn.out"
check "a 120 fps video is warned about" \
    grep -q "warn.cfg:6: warning: 'state/spool/m/fast.mp4' is 640x360 at 120 frames a second" "$T/warn.out"
check_not "a picture that fits gets no warning" grep -q "plain.png" "$T/warn.out"
$CTLC --json check "$T/warn.cfg" >"$T/warn.json" 2>&1
check "check --json lists the three warnings" \
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); w=d[0]["warnings"]; sys.exit(not (d[0]["ok"] and len(w) == 3 and "enlarged" in w[0]))' "$T/warn.json"

# A hostile flyer: 200,000 full-page fills.  The conversion is killed at
# convert_timeout, the file refused, and the good campaign next to it taken.
S2=$T/state2
mkdir -p "$S2/spool/m"
sed -e "s|^state = .*|state = \"$S2\";|" -e 's/^settle = .*/&\nconvert_timeout = 3;/' \
    "$T/cfg/signage.cfg" >"$T/cfg/slow.cfg"
python3 - "$S2/spool/m/slow.pdf" <<'EOF'
import sys
c = b"1 0 0 rg " + b"0 0 595 842 re f " * 200000
objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(c), c)]
out, offs = b"%PDF-1.4\n", []
for i, o in enumerate(objs):
    offs.append(len(out))
    out += b"%d 0 obj\n%s\nendobj\n" % (i + 1, o)
x = len(out)
out += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offs)
out += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % x
open(sys.argv[1], "wb").write(out)
EOF
cp "$M/plain.png" "$S2/spool/m/"
printf 'id = "slow"; title = "S"; owner = "高知県"; start = "2023-03-10"; end = "2023-03-11";\nscreens = [ "m" ];\nitems = ( { type = "image"; file = "m/slow.pdf"; } );\n' \
    >"$S2/spool/slow.cfg"
printf 'id = "good"; title = "G"; owner = "高知県"; start = "2023-03-10"; end = "2023-03-11";\nscreens = [ "m" ];\nitems = ( { type = "image"; file = "m/plain.png"; } );\n' \
    >"$S2/spool/good.cfg"
sleep 0.3
timeout 120 $SCHEDULER -c "$T/cfg/slow.cfg" --once --now 2023-03-10T12:00:00+09:00 2>"$T/slow.log"
check "a PDF that takes forever to render does not stop the scheduler (exit 0)" [ $? -eq 0 ]
check "... it is refused, saying why" \
    grep -q "'m/slow.pdf': converting the PDF took longer than 3 s; the file is damaged, hostile or far too large" \
    "$S2/rejected/slow.cfg.error"
check "... and the campaign next to it is accepted" [ -f "$S2/campaigns/good.cfg" ]
check_not "... and no converter is left running" pgrep -f "slow.cfg --once"
printf '| %s | refused | %s |\n' "PDF that renders forever (200,000 fills)" \
    "$(sed -n '1s/^[^ ]* error: //p' "$S2/rejected/slow.cfg.error" | cut -c1-160)" >>"$MATRIX"

# A campaign still waiting for one file converts nothing meanwhile.
cp "$M/anim.gif" "$S2/spool/m/"
printf 'id = "wait"; title = "W"; owner = "高知県"; start = "2023-03-10"; end = "2023-03-11";\nscreens = [ "m" ];\nitems = ( { type = "image"; file = "m/anim.gif"; }, { type = "image"; file = "m/later.png"; } );\n' \
    >"$S2/spool/wait.cfg"
sleep 0.3
$SCHEDULER -c "$T/cfg/slow.cfg" --once --now 2023-03-10T12:00:00+09:00 2>"$T/wait.log"
check "a campaign waiting for a file stays in the spool" [ -f "$S2/spool/wait.cfg" ]
check_not "... and nothing was converted for it yet" sh -c "ls '$S2/media' | grep -q mp4"

# SIGTERM while the daemon converts: it stops at once (the child killed),
# and the file is not rejected for it (it is judged at the next start).
sed 's/^convert_timeout = .*/convert_timeout = 120;/' "$T/cfg/slow.cfg" >"$T/cfg/slow2.cfg"
mv "$S2/rejected/slow.cfg" "$S2/spool/slow2.cfg"
sed -i 's/id = "slow"/id = "slow2"/' "$S2/spool/slow2.cfg"
rm -f "$S2/rejected/slow.cfg.error"
$SCHEDULER -c "$T/cfg/slow2.cfg" --now 2023-03-10T12:00:00+09:00 2>"$T/term.log" &
spid=$!
check "the daemon starts converting the slow PDF" wait_until 10 pgrep -P $spid
kill -TERM $spid
gone() { ! kill -0 "$1" 2>/dev/null; }
check "... and stops within 5 s of SIGTERM" wait_until 5 gone $spid
kill -KILL $spid 2>/dev/null
wait $spid
check "... leaving the file in the spool, not rejected" \
    sh -c "[ -f '$S2/spool/slow2.cfg' ] && [ ! -f '$S2/rejected/slow2.cfg' ]"

sed 's/^/# /' "$MATRIX"
