# A corpus of broken and hostile campaign files dropped into the spool at
# once: every one is rejected with a reason, nothing else is read, no
# playlist or accepted campaign changes, and the scheduler neither crashes
# nor hangs.  Then a full disk: nothing is lost and publishing recovers.
. "$SRCDIR/tests/integration/lib.sh"

S=$T/state
NOW=2023-03-15T10:00:00+09:00
SP=$S/spool
mkdir -p "$T/cfg" "$SP/m"
cat >"$T/cfg/signage.cfg" <<EOF
state = "$S";
screens = (
  { id = "plaza"; groups = [ "shinjuku-west" ]; width = 1920; height = 1080; },
  { id = "kochi-station"; groups = [ "kochi" ]; width = 1920; height = 1080; }
);
EOF
SCHED="$SCHEDULER -c $T/cfg/signage.cfg"

# A good campaign first: the baseline that must stay exactly as it is.
ff -f lavfi -i testsrc2=s=320x240 -frames:v 1 "$SP/m/ok.png"
cat >"$SP/base.cfg" <<'EOF'
id = "base"; title = "基準"; owner = "東京都";
start = "2023-03-01"; end = "2023-03-31"; screens = [ "*" ];
items = ( { type = "image"; file = "m/ok.png"; } );
EOF
$SCHED --once --now $NOW 2>/dev/null
check "baseline accepted" [ -f "$S/campaigns/base.cfg" ]
snap() { (cd "$S" && find campaigns playlists media -type f | sort | xargs md5sum); }
snap >"$T/before"

# --- media fixtures -------------------------------------------------------------
ff -f lavfi -i testsrc2=s=320x240:r=10:d=1 -c:v libx264 -pix_fmt yuv420p "$SP/m/clip.mp4"
cp "$SP/m/clip.mp4" "$SP/m/mislabelled.png"
ff -f lavfi -i sine=d=1 -c:a aac "$SP/m/audio-only.mp4"
ff -f lavfi -i testsrc2=s=320x240 -frames:v 1 "$SP/m/full.jpg"
head -c 300 "$SP/m/full.jpg" >"$SP/m/truncated.jpg"
: >"$SP/m/empty.png"
echo "hello, not an image" >"$SP/m/text.png"
mkfifo "$SP/m/fifo.png"
mkdir -p "$SP/m/adir.png"
ln -s /etc/passwd "$SP/m/escape.png"
ln -s /etc/passwd "$SP/linked.cfg"
python3 - "$SP/m" <<'EOF'
import struct, sys, zlib
d = sys.argv[1]
def chunk(t, b):
    return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xffffffff)
def png(w, h, data):
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", data) + chunk(b"IEND", b""))
# header claims 100000 x 100000 pixels
open(d + "/absurd.png", "wb").write(png(100000, 100000, zlib.compress(b"\0" * 100)))
# a real decompression bomb: 12000 x 12000 RGB of zeros, a few hundred KB
c = zlib.compressobj(9)
row = b"\0" * (1 + 12000 * 3)
out = b"".join(c.compress(row) for _ in range(12000)) + c.flush()
open(d + "/bomb.png", "wb").write(png(12000, 12000, out))
EOF

# --- campaign files ---------------------------------------------------------------
head='title = "x"; owner = "x"; start = "2023-03-01"; end = "2023-03-31"; screens = [ "*" ];'
camp() { # camp NAME ID ITEMS
    printf 'id = "%s"; %s\nitems = ( %s );\n' "$2" "$head" "$3" >"$SP/$1"
}
img() { printf '{ type = "image"; file = "%s"; }' "$1"; }
vid() { printf '{ type = "video"; file = "%s"; }' "$1"; }
printf 'id = "syntax" title = \n' >"$SP/syntax.cfg"
printf 'id = "types"; %s priority = "high";\nitems = ( { type = "text"; text = "t"; } );\n' "$head" >"$SP/types.cfg"
printf 'id = "only-id";\n' >"$SP/missing-fields.cfg"
camp bad-id.cfg "../../etc" '{ type = "text"; text = "t"; }'
printf 'id = "date"; title = "x"; owner = "x"; start = "2023-02-30"; end = "2023-03-31"; screens = [ "*" ];\nitems = ( { type = "text"; text = "t"; } );\n' >"$SP/impossible-date.cfg"
printf 'id = "order"; title = "x"; owner = "x"; start = "2023-03-31"; end = "2023-03-01"; screens = [ "*" ];\nitems = ( { type = "text"; text = "t"; } );\n' >"$SP/end-before-start.cfg"
printf 'id = "scr"; title = "x"; owner = "x"; start = "2023-03-01"; end = "2023-03-31"; screens = [ "atlantis" ];\nitems = ( { type = "text"; text = "t"; } );\n' >"$SP/unknown-screen.cfg"
camp unknown-type.cfg utype '{ type = "audio"; file = "m/ok.png"; }'
python3 -c "print('id = \"deep\"; x = ' + '{ a = ' * 20000 + '1' + '; }' * 20000 + ';')" >"$SP/nesting.cfg"
python3 -c "print('id = \"big\"; title = \"' + 'x' * 3000000 + '\";')" >"$SP/oversized.cfg"
printf 'id = "utf"; title = "\377\376bad"; owner = "x"; start = "2023-03-01"; end = "2023-03-31"; screens = [ "*" ];\nitems = ( { type = "text"; text = "t"; } );\n' >"$SP/bad-utf8.cfg"
printf 'id = "nul";\000 title = "x";\n' >"$SP/nul-byte.cfg"
printf '@include "/etc/passwd"\nid = "inc";\n' >"$SP/include.cfg"
: >"$SP/empty.cfg"
camp abs-path.cfg abs "$(img /etc/passwd)"
camp dotdot.cfg dotdot "$(img ../../../../etc/passwd)"
camp symlink-out.cfg symout "$(img m/escape.png)"
camp empty-media.cfg emptym "$(img m/empty.png)"
camp truncated.cfg trunc "$(img m/truncated.jpg)"
camp mislabelled.cfg mislab "$(img m/mislabelled.png)"
camp not-an-image.cfg notimg "$(img m/text.png)"
camp absurd-dims.cfg absurd "$(img m/absurd.png)"
camp bomb.cfg bomb "$(img m/bomb.png)"
camp no-video-stream.cfg novid "$(vid m/audio-only.mp4)"
camp image-as-video.cfg imgvid "$(vid m/full.jpg)"
camp fifo.cfg fifo "$(img m/fifo.png)"
camp dir-media.cfg dirm "$(img m/adir.png)"
camp long-duration.cfg longd '{ type = "image"; file = "m/full.jpg"; duration = 100000; }'
camp zero-duration.cfg zerod '{ type = "image"; file = "m/full.jpg"; duration = 0; }'
camp negative-weight.cfg negw '{ type = "text"; text = "t"; }'
sed -i 's/screens/weight = -5; screens/' "$SP/negative-weight.cfg"
camp empty-text.cfg emptyt '{ type = "text"; text = ""; }'
camp bad-text.cfg badt '{ type = "text"; text = "\xff\xfe"; }'
camp no-items.cfg noitems ''
items=$(python3 -c "print(', '.join(['{ type = \"text\"; text = \"t\"; }'] * 5000))")
camp many-items.cfg many "$items"
n_corpus=$(cd "$SP" && ls -1 | grep -c '\.cfg$')
# Left alone, never read nor moved:
cp "$SP/base.cfg" "$SP/.hidden.cfg" 2>/dev/null || printf 'id = "hidden";\n' >"$SP/.hidden.cfg"
printf 'id = "part";\n' >"$SP/copying.cfg.part"
mkdir -p "$SP/folder.cfg"
echo notes >"$SP/notes.txt"

start=$(date +%s)
timeout 120 $SCHED --once --now $NOW 2>"$T/log"
rc=$?
secs=$(($(date +%s) - start))
check "corpus: scheduler exits 0 (no crash, no hang; ${secs}s)" [ $rc -eq 0 ]
snap >"$T/after"
check "corpus: accepted campaigns, media and playlists byte-identical" cmp -s "$T/before" "$T/after"
left=$(cd "$SP" && ls -1 | grep '\.cfg$' | grep -v '^folder.cfg$')
check "corpus: nothing left in the spool" [ -z "$left" ]
n_rej=$(ls -1 "$S/rejected" | grep -c '\.cfg$')
check "corpus: all $n_corpus files rejected ($n_rej)" [ "$n_rej" -eq "$n_corpus" ]
for f in "$S"/rejected/*.cfg; do
    b=$(basename "$f")
    check "reason for $b" grep -q "error: " "$f.error"
done
check "the linked .cfg was moved as a link, /etc/passwd untouched" [ -L "$S/rejected/linked.cfg" -a -s /etc/passwd ]
pw=$(sha256sum /etc/passwd | cut -d' ' -f1)
check_not "/etc/passwd never stored" sh -c "ls '$S/media' | grep -q $pw"
check "bomb refused by its header" grep -qi 'pixel\|dimension\|large\|too' "$S/rejected/bomb.cfg.error"
check "mislabelled medium named" grep -q 'mislabelled.png' "$S/rejected/mislabelled.cfg.error"
check "escape through a symlink named" grep -q 'escape.png' "$S/rejected/symlink-out.cfg.error"
check "no video stream named" grep -q 'audio-only.mp4' "$S/rejected/no-video-stream.cfg.error"
check "dot file left alone" [ -f "$SP/.hidden.cfg" ]
check "partial copy left alone" [ -f "$SP/copying.cfg.part" ]
check "directory named .cfg left alone" [ -d "$SP/folder.cfg" ]
check "other files left alone" [ -f "$SP/notes.txt" ]
check_not "nothing from the corpus accepted" sh -c "ls '$S/campaigns' | grep -v '^base\(\.cfg\)*\$' | grep -v '^history\$'"

# --- the daemon takes the same corpus and stays up ---------------------------------
mkdir -p "$T/again"
for f in "$S"/rejected/*.cfg; do [ -L "$f" ] || cp "$f" "$T/again/"; done
$SCHED --now $NOW 2>"$T/daemon.log" &
pid=$!
wait_until 10 grep -q watching "$T/daemon.log"
for f in "$T"/again/*.cfg; do cp "$f" "$SP/"; done
spool_done() { ! ls "$SP" | grep -v '^folder.cfg$' | grep -q '^[^.].*\.cfg$'; }
wait_until 60 spool_done
check "daemon: survives the corpus" kill -0 $pid
check "daemon: corpus all rejected" [ -z "$(ls "$SP" | grep '^[^.].*\.cfg$' | grep -v '^folder.cfg$')" ]
snap >"$T/after2"
check "daemon: playlists untouched" cmp -s "$T/before" "$T/after2"
kill -TERM $pid
wait $pid
check "daemon: clean stop" [ $? -eq 0 ]

# --- disk full -----------------------------------------------------------------
D=$T/full
mkdir -p "$D"
if mount -t tmpfs -o size=2m tmpfs "$D" 2>/dev/null; then
    trap 'umount "$D" 2>/dev/null; rm -rf "$T"' EXIT
    sed "s|state = \"$S\"|state = \"$D/state\"|" "$T/cfg/signage.cfg" >"$T/cfg/full.cfg"
    F="$SCHEDULER -c $T/cfg/full.cfg"
    mkdir -p "$D/state/spool/m"
    cp "$SP/m/ok.png" "$D/state/spool/m/"
    cp "$S/campaigns/history/base/1.src" "$D/state/spool/base.cfg"
    $F --once --now $NOW 2>/dev/null
    sums() { (cd "$D/state/playlists" && cat *.playlist | md5sum); }
    good=$(sums)
    # A bigger medium, then fill the disk.
    ff -f lavfi -i testsrc2=s=640x480 -frames:v 1 "$D/state/spool/m/big.png"
    printf 'id = "second"; %s\nitems = ( { type = "image"; file = "m/big.png"; } );\n' "$head" \
        >"$D/state/spool/second.cfg"
    dd if=/dev/zero of="$D/filler" bs=4k 2>/dev/null
    $F --once --now $NOW 2>"$T/full.log"
    check "disk full: the campaign file stays in the spool" [ -f "$D/state/spool/second.cfg" ]
    check "disk full: not half-accepted" [ ! -e "$D/state/campaigns/second.cfg" ]
    check "disk full: playlists keep their last good version" [ "$(sums)" = "$good" ]
    check "disk full: logged" grep -qi 'no space\|will retry' "$T/full.log"
    check "disk full: no temporary files left" [ -z "$(find "$D/state" -name '*.tmp.*' -o -name '.incoming.*')" ]
    rm -f "$D/filler"
    $F --once --now $NOW 2>/dev/null
    check "disk full: recovers once there is room" [ -f "$D/state/campaigns/second.cfg" ]
    check "disk full: playlists republished" [ "$(sums)" != "$good" ]
    # Full while the daemon runs: the campaign is renamed in (no space
    # needed), cannot be accepted, stays in the spool, and is accepted by
    # itself once there is room again.
    mkdir -p "$D/stage"
    printf 'id = "fourth"; %s\nitems = ( { type = "text"; text = "%s"; } );\n' "$head" \
        "$(python3 -c "print('長' * 1000)")" >"$D/stage/fourth.cfg"
    $F --now $NOW 2>"$T/full2.log" &
    pid=$!
    wait_until 10 grep -q watching "$T/full2.log" 2>/dev/null
    dd if=/dev/zero of="$D/filler" bs=1k 2>/dev/null
    mv "$D/stage/fourth.cfg" "$D/state/spool/fourth.cfg"
    sleep 0.5
    check "disk full while running: daemon stays up" kill -0 $pid
    check "disk full while running: file kept in the spool" [ -f "$D/state/spool/fourth.cfg" ]
    rm -f "$D/filler"
    wait_until 15 grep -q '"fourth"' "$D/state/playlists/plaza.playlist" 2>/dev/null
    check "disk full while running: recovers by itself" grep -q '"fourth"' "$D/state/playlists/plaza.playlist"
    kill -TERM $pid
    wait $pid
    umount "$D"
else
    echo "# skipping the disk-full checks: cannot mount a tmpfs here"
fi
