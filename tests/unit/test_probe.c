/* Tests for scheduler/probe.c: real media made with ffmpeg are accepted with
 * the right SHA-256 and duration; broken, mislabelled and hostile media are
 * refused with a message naming the file and line; a playlist posing as a
 * video is proven (with inotify) never to open what it names. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "playlists/model.h"
#include "scheduler/probe.h"
#include "tests/unit/check_main.h"

static char tmpdir[64];
static int basefd = -1;

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_probe.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    basefd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ck_assert_int_ge(basefd, 0);
}

static void teardown(void)
{
    char cmd[128];

    close(basefd);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Runs ffmpeg with ARGS writing TMPDIR/NAME. */
static void ffmpeg(const char *name, const char *args)
{
    char cmd[1024];

    snprintf(cmd, sizeof cmd,
             "cd '%s' && mkdir -p \"$(dirname '%s')\" && "
             "ffmpeg -nostdin -loglevel error -y %s '%s'",
             tmpdir, name, args, name);
    ck_assert_msg(system(cmd) == 0, "ffmpeg failed: %s", cmd);
}

static void write_file(const char *name, const void *data, size_t len)
{
    int fd = openat(basefd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
}

/* Keeps the first KEEP bytes of NAME in NEWNAME. */
static void truncated_copy(const char *name, const char *newname, long keep)
{
    char cmd[512];

    snprintf(cmd, sizeof cmd, "cd '%s' && head -c %ld '%s' > '%s'", tmpdir, keep, name, newname);
    ck_assert_int_eq(system(cmd), 0);
}

static long file_size(const char *name)
{
    struct stat st;

    ck_assert_int_eq(fstatat(basefd, name, &st, 0), 0);
    return (long)st.st_size;
}

/* sha256sum's opinion of NAME. */
static void sha256sum(const char *name, char out[PL_SHA256_HEX])
{
    char cmd[512];
    FILE *p;

    snprintf(cmd, sizeof cmd, "cd '%s' && sha256sum '%s'", tmpdir, name);
    p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(fscanf(p, "%64s", out), 1);
    pclose(p);
}

static int probe(const char *name, enum pl_item_type t, struct sched_media_info *info, char *err,
                 size_t errlen)
{
    err[0] = '\0';
    return sched_probe_file(basefd, name, t, info, err, errlen);
}

#define assert_has(s, what) ck_assert_msg(strstr((s), (what)) != NULL, "no '%s' in: %s", what, s)

START_TEST(test_real_images)
{
    static const struct {
        const char *name, *args, *ext;
    } cases[] = {
        {"a.png", "-f lavfi -i testsrc=size=320x240 -frames:v 1", "png"},
        {"a.jpg", "-f lavfi -i testsrc=size=320x240 -frames:v 1", "jpg"},
        {"a.webp", "-f lavfi -i testsrc=size=320x240 -frames:v 1 -c:v libwebp", "webp"},
        {"l.webp", "-f lavfi -i testsrc=size=320x240 -frames:v 1 -c:v libwebp -lossless 1", "webp"},
        /* Japanese name with spaces; a PNG named .jpg is judged by its bytes. */
        {"牧野 博士 の画像.jpg",
         "-f lavfi -i testsrc=size=320x240 -frames:v 1 -f image2 "
         "-c:v png",
         "png"},
    };
    char err[1024], want[PL_SHA256_HEX];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sched_media_info info;
        ffmpeg(cases[i].name, cases[i].args);
        ck_assert_msg(probe(cases[i].name, PL_ITEM_IMAGE, &info, err, sizeof err) == 0, "%s: %s",
                      cases[i].name, err);
        sha256sum(cases[i].name, want);
        ck_assert_str_eq(info.sha256, want);
        ck_assert_str_eq(info.ext, cases[i].ext);
        ck_assert_int_eq(info.type, PL_ITEM_IMAGE);
        ck_assert_int_eq(info.width, 320);
        ck_assert_int_eq(info.height, 240);
        ck_assert_int_eq(info.orientation, 1);
        ck_assert_int_eq(info.size, file_size(cases[i].name));
    }
}
END_TEST

START_TEST(test_broken_images)
{
    static const char text[] = "<html>not an image</html>\n";
    struct sched_media_info info;
    char err[1024];
    unsigned char bomb[64] = {0x89, 'P',  'N',  'G',  '\r', '\n', 0x1a, '\n', 0,    0,
                              0,    13,   'I',  'H',  'D',  'R',  0,    0x01, 0x86, 0xa0,
                              0,    0x01, 0x86, 0xa0, 8,    2,    0,    0,    0};
    int fd;

    ffmpeg("ok.png", "-f lavfi -i testsrc=size=320x240 -frames:v 1");
    ffmpeg("ok.jpg", "-f lavfi -i testsrc=size=320x240 -frames:v 1");

    truncated_copy("ok.png", "cut.png", file_size("ok.png") / 2);
    ck_assert_int_eq(probe("cut.png", PL_ITEM_IMAGE, &info, err, sizeof err), -EINVAL);
    assert_has(err, "'cut.png': corrupt PNG");
    truncated_copy("ok.jpg", "cut.jpg", file_size("ok.jpg") / 2);
    ck_assert_int_eq(probe("cut.jpg", PL_ITEM_IMAGE, &info, err, sizeof err), -EINVAL);
    assert_has(err, "'cut.jpg': truncated JPEG");
    truncated_copy("ok.jpg", "head.jpg", 100);
    ck_assert_int_eq(probe("head.jpg", PL_ITEM_IMAGE, &info, err, sizeof err), -EINVAL);
    assert_has(err, "JPEG");
    /* Garbage in the middle of a PNG's data: the CRC catches it. */
    {
        char cmd[512];
        snprintf(cmd, sizeof cmd,
                 "cd '%s' && cp ok.png bad.png && printf 'XXXXXXXXXXXXXXXX' | "
                 "dd of=bad.png bs=1 seek=%ld conv=notrunc 2>/dev/null",
                 tmpdir, file_size("ok.png") / 2);
        ck_assert_int_eq(system(cmd), 0);
        ck_assert_int_eq(probe("bad.png", PL_ITEM_IMAGE, &info, err, sizeof err), -EINVAL);
        assert_has(err, "corrupt PNG");
    }

    write_file("text.png", text, sizeof text - 1);
    ck_assert_int_eq(probe("text.png", PL_ITEM_IMAGE, &info, err, sizeof err), -EMEDIUMTYPE);
    assert_has(err, "'text.png': not an image the screens show (it looks like text); use PNG, "
                    "JPEG, WebP, GIF, HEIC/AVIF or PDF");
    /* TIFF and SVG are named, with the way out. */
    ffmpeg("scan.tif", "-f lavfi -i testsrc=size=32x32 -frames:v 1");
    ck_assert_int_eq(probe("scan.tif", PL_ITEM_IMAGE, &info, err, sizeof err), -EMEDIUMTYPE);
    assert_has(err, "'scan.tif': not an image the screens show (it is a TIFF image)");
    assert_has(err, "export it as PNG");
    {
        static const char svg[] =
            "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n";
        write_file("logo.svg", svg, sizeof svg - 1);
    }
    ck_assert_int_eq(probe("logo.svg", PL_ITEM_IMAGE, &info, err, sizeof err), -EMEDIUMTYPE);
    assert_has(err, "(it is an SVG drawing)");
    write_file("empty.jpg", "", 0);
    ck_assert_int_eq(probe("empty.jpg", PL_ITEM_IMAGE, &info, err, sizeof err), -ENODATA);
    assert_has(err, "'empty.jpg': the file is empty");
    /* An image declared as a video. */
    ck_assert_int_eq(probe("ok.jpg", PL_ITEM_VIDEO, &info, err, sizeof err), -EMEDIUMTYPE);
    assert_has(err, "this is a JPEG image, not a video; use type = \"image\"");

    /* A decompression bomb: refused on its header (there is no data to
     * decode at all, so a decode would fail differently). */
    write_file("bomb.png", bomb, sizeof bomb);
    ck_assert_int_eq(probe("bomb.png", PL_ITEM_IMAGE, &info, err, sizeof err), -EINVAL);
    assert_has(err, "100000x100000 pixels");
    bomb[17] = 0;
    bomb[18] = 0x30;
    bomb[19] = 0;
    bomb[21] = 0;
    bomb[22] = 0x30;
    bomb[23] = 0; /* 12288 x 12288 = 151 megapixels, each side allowed */
    write_file("bomb2.png", bomb, sizeof bomb);
    ck_assert_int_eq(probe("bomb2.png", PL_ITEM_IMAGE, &info, err, sizeof err), -EINVAL);
    assert_has(err, "12288x12288 pixels");

    /* Over 64 MiB (sparse), with a PNG header. */
    fd = openat(basefd, "huge.png", O_WRONLY | O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, bomb, 33), 33);
    ck_assert_int_eq(ftruncate(fd, (off_t)MEDIA_IMAGE_MAX_BYTES + 1), 0);
    close(fd);
    ck_assert_int_eq(probe("huge.png", PL_ITEM_IMAGE, &info, err, sizeof err), -EFBIG);
    assert_has(err, "64 MiB");
    /* Over 4 GiB: refused on its size alone. */
    fd = openat(basefd, "huge.mp4", O_WRONLY | O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, (off_t)MEDIA_VIDEO_MAX_BYTES + 1), 0);
    close(fd);
    ck_assert_int_eq(probe("huge.mp4", PL_ITEM_VIDEO, &info, err, sizeof err), -EFBIG);
    assert_has(err, "4 GiB");
}
END_TEST

/* Writes a PDF of NPAGES A4 pages, each filled with one colour from
 * COLOURS ("r g b" in 0..1), by hand: objects, xref table, trailer. */
static void write_pdf(const char *name, int npages, const char *const *colours)
{
    char out[8192], obj[512], content[128];
    long offs[64];
    int n = 0, len, nobj = 2 + 2 * npages;

    len = snprintf(out, sizeof out, "%%PDF-1.4\n");
    offs[++n] = len;
    len += snprintf(out + len, sizeof out - (size_t)len,
                    "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    {
        char kids[256] = "";
        for (int i = 0; i < npages; i++)
            snprintf(kids + strlen(kids), sizeof kids - strlen(kids), "%d 0 R ", 3 + 2 * i);
        offs[++n] = len;
        len += snprintf(out + len, sizeof out - (size_t)len,
                        "2 0 obj\n<< /Type /Pages /Kids [%s] /Count %d >>\nendobj\n", kids, npages);
    }
    for (int i = 0; i < npages; i++) {
        int clen = snprintf(content, sizeof content, "%s rg 0 0 595 842 re f", colours[i]);
        snprintf(obj, sizeof obj,
                 "%d 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                 ">>\nendobj\n",
                 3 + 2 * i, 4 + 2 * i);
        offs[++n] = len;
        len += snprintf(out + len, sizeof out - (size_t)len, "%s", obj);
        offs[++n] = len;
        len += snprintf(out + len, sizeof out - (size_t)len,
                        "%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", 4 + 2 * i,
                        clen, content);
    }
    {
        long xref = len;
        len += snprintf(out + len, sizeof out - (size_t)len, "xref\n0 %d\n0000000000 65535 f \n",
                        nobj + 1);
        for (int i = 1; i <= nobj; i++)
            len += snprintf(out + len, sizeof out - (size_t)len, "%010ld 00000 n \n", offs[i]);
        len += snprintf(out + len, sizeof out - (size_t)len,
                        "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%ld\n%%%%EOF\n", nobj + 1,
                        xref);
    }
    ck_assert_int_lt(len, (int)sizeof out);
    write_file(name, out, (size_t)len);
}

/* Runs the shell command CMD in TMPDIR. */
static void sh(const char *cmd)
{
    char full[1024];

    snprintf(full, sizeof full, "cd '%s' && %s", tmpdir, cmd);
    ck_assert_msg(system(full) == 0, "failed: %s", full);
}

static int probe_req(const char *name, enum pl_item_type t, int page, pl_ms dur,
                     struct sched_media_info *info, char *err, size_t errlen)
{
    struct pl_item it = {.type = t, .file = (char *)name, .page = page, .duration_ms = dur};

    err[0] = '\0';
    return sched_probe_item(basefd, &it, 0, info, err, errlen);
}

/* The converted medium of INFO: its size on the memfd, and that its hash is
 * the one reported (so what is stored is what was checked). */
static void assert_derived(const struct sched_media_info *info, const char *name)
{
    char want[PL_SHA256_HEX], cmd[256];
    struct stat st;
    FILE *p;

    ck_assert_int_ge(info->derived_fd, 0);
    ck_assert_int_eq(fstat(info->derived_fd, &st), 0);
    ck_assert_int_eq((long long)st.st_size, (long long)info->size);
    sha256sum(name, want);
    ck_assert_str_eq(info->source_sha256, want);
    snprintf(cmd, sizeof cmd, "sha256sum /proc/%d/fd/%d", (int)getpid(), info->derived_fd);
    p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(fscanf(p, "%64s", want), 1);
    pclose(p);
    ck_assert_str_eq(info->sha256, want);
    ck_assert_str_ne(info->sha256, info->source_sha256);
}

START_TEST(test_converted_media)
{
    static const char *const colours[] = {"1 0 0", "0 0.5 0", "0 0 1"};
    struct sched_media_info info;
    char err[1024];

    /* iPhone photos and AVIF: JPEG when opaque, PNG when transparent. */
    ffmpeg("src.png", "-f lavfi -i testsrc2=size=320x240 -frames:v 1");
    sh("heif-enc -q 90 -o photo.heic src.png >/dev/null && "
       "heif-enc -A -q 90 -o photo.avif src.png >/dev/null");
    ffmpeg("alpha.png", "-f lavfi -i color=c=red@0.5:s=64x48,format=rgba -frames:v 1");
    sh("heif-enc -q 90 -o alpha.heic alpha.png >/dev/null");
    ck_assert_msg(probe_req("photo.heic", PL_ITEM_IMAGE, 0, 0, &info, err, sizeof err) == 0, "%s",
                  err);
    ck_assert_str_eq(info.ext, "jpg");
    ck_assert_str_eq(info.source_kind, "HEIF/AVIF");
    ck_assert_int_eq(info.type, PL_ITEM_IMAGE);
    ck_assert_int_eq(info.width, 320);
    ck_assert_int_eq(info.height, 240);
    assert_derived(&info, "photo.heic");
    sched_media_info_release(&info);
    ck_assert_int_eq(info.derived_fd, -1);
    ck_assert_msg(probe_req("photo.avif", PL_ITEM_IMAGE, 0, 0, &info, err, sizeof err) == 0, "%s",
                  err);
    ck_assert_str_eq(info.ext, "jpg");
    assert_derived(&info, "photo.avif");
    sched_media_info_release(&info);
    ck_assert_msg(probe_req("alpha.heic", PL_ITEM_IMAGE, 0, 0, &info, err, sizeof err) == 0, "%s",
                  err);
    ck_assert_str_eq(info.ext, "png");
    sched_media_info_release(&info);
    ck_assert_int_eq(probe_req("photo.heic", PL_ITEM_VIDEO, 0, 0, &info, err, sizeof err),
                     -EMEDIUMTYPE);
    assert_has(err, "'photo.heic': this is a HEIF/AVIF image, not a video; use type = \"image\"");
    truncated_copy("photo.heic", "cut.heic", file_size("photo.heic") / 2);
    ck_assert_int_eq(probe_req("cut.heic", PL_ITEM_IMAGE, 0, 0, &info, err, sizeof err), -EINVAL);
    assert_has(err, "'cut.heic': ");
    assert_has(err, "HEIF/AVIF");
    assert_has(err, "export it again");

    /* A two-page flyer: page 2 is the green one; a page beyond the end,
     * a damaged PDF, and page = on a JPEG are refused by name. */
    write_pdf("flyer.pdf", 2, colours);
    ck_assert_msg(probe_req("flyer.pdf", PL_ITEM_IMAGE, 2, 0, &info, err, sizeof err) == 0, "%s",
                  err);
    ck_assert_str_eq(info.ext, "png");
    ck_assert_str_eq(info.source_kind, "PDF");
    ck_assert_int_eq(info.pages, 2);
    ck_assert_int_eq(info.height, 3840); /* A4 upright: the long side fills 3840 */
    ck_assert_int_ge(info.width, 2714);
    ck_assert_int_le(info.width, 2716);
    assert_derived(&info, "flyer.pdf");
    {
        char page2[PL_SHA256_HEX];
        memcpy(page2, info.sha256, sizeof page2);
        sched_media_info_release(&info);
        ck_assert_int_eq(probe_req("flyer.pdf", PL_ITEM_IMAGE, 0, 0, &info, err, sizeof err), 0);
        ck_assert_str_ne(info.sha256, page2); /* page 1 is another picture */
        sched_media_info_release(&info);
    }
    ck_assert_int_eq(probe_req("flyer.pdf", PL_ITEM_IMAGE, 3, 0, &info, err, sizeof err), -ERANGE);
    assert_has(err, "'flyer.pdf': page = 3, but the PDF has 2 pages; pick one of 1..2");
    write_file("junk.pdf", "%PDF-1.4\nthis is no PDF at all\n", 30);
    ck_assert_int_eq(probe_req("junk.pdf", PL_ITEM_IMAGE, 0, 0, &info, err, sizeof err), -EINVAL);
    assert_has(err, "'junk.pdf': damaged PDF");
    ck_assert_int_eq(probe_req("flyer.pdf", PL_ITEM_VIDEO, 0, 0, &info, err, sizeof err),
                     -EMEDIUMTYPE);
    assert_has(err, "this is a PDF document, not a video");
    ffmpeg("ok.jpg", "-f lavfi -i testsrc=size=64x48 -frames:v 1");
    ck_assert_int_eq(probe_req("ok.jpg", PL_ITEM_IMAGE, 2, 0, &info, err, sizeof err), -EINVAL);
    assert_has(err, "page = 2 picks a page of a PDF, but this is a JPEG image; remove page");

    /* Animations become videos that fill the item's time; a still GIF a PNG. */
    ffmpeg("anim.gif", "-f lavfi -i testsrc=size=64x48:rate=10 -t 1");
    ffmpeg("anim.webp", "-f lavfi -i testsrc=size=63x47:rate=5 -t 1 -c:v libwebp_anim -loop 0");
    ffmpeg("still.gif", "-f lavfi -i testsrc=size=32x32 -frames:v 1");
    ck_assert_msg(probe_req("anim.gif", PL_ITEM_IMAGE, 0, 3000, &info, err, sizeof err) == 0, "%s",
                  err);
    ck_assert_int_eq(info.type, PL_ITEM_VIDEO);
    ck_assert_str_eq(info.ext, "mp4");
    ck_assert_int_ge(info.duration_ms, 3000);
    ck_assert_int_le(info.duration_ms, 3100);
    assert_derived(&info, "anim.gif");
    sched_media_info_release(&info);
    ck_assert_msg(probe_req("anim.gif", PL_ITEM_VIDEO, 0, 0, &info, err, sizeof err) == 0, "%s",
                  err);
    ck_assert_int_ge(info.duration_ms, 1000); /* one pass */
    ck_assert_int_le(info.duration_ms, 1100);
    sched_media_info_release(&info);
    ck_assert_msg(probe_req("anim.webp", PL_ITEM_IMAGE, 0, 2000, &info, err, sizeof err) == 0, "%s",
                  err);
    ck_assert_int_eq(info.type, PL_ITEM_VIDEO);
    ck_assert_int_eq(info.width, 64); /* 4:2:0 wants even sides */
    ck_assert_int_eq(info.height, 48);
    ck_assert_int_ge(info.duration_ms, 2000);
    ck_assert_int_le(info.duration_ms, 2100);
    sched_media_info_release(&info);
    ck_assert_msg(probe_req("still.gif", PL_ITEM_IMAGE, 0, 5000, &info, err, sizeof err) == 0, "%s",
                  err);
    ck_assert_int_eq(info.type, PL_ITEM_IMAGE);
    ck_assert_str_eq(info.ext, "png");
    sched_media_info_release(&info);
    ck_assert_int_eq(probe_req("anim.gif", PL_ITEM_IMAGE, 0, 3600000, &info, err, sizeof err),
                     -EFBIG);
    assert_has(err, "at most 10 minutes");
    truncated_copy("anim.gif", "cut.gif", 20);
    ck_assert_int_eq(probe_req("cut.gif", PL_ITEM_IMAGE, 0, 0, &info, err, sizeof err), -EINVAL);
    assert_has(err, "'cut.gif': damaged GIF");
    /* Ten minutes, the most an animation fills: one pass is encoded and
     * repeated, so it is quick; the last frame ends at the item's end. */
    ck_assert_msg(probe_req("anim.gif", PL_ITEM_IMAGE, 0, 600000, &info, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_int_ge(info.duration_ms, 599900);
    ck_assert_int_le(info.duration_ms, 600000);
    sched_media_info_release(&info);
    /* A frame of 600 s in an item of 5 s: cut at 5 s. */
    sh("python3 -c \"import sys; d=open('anim.gif','rb').read(); i=d.find(b'\\x21\\xf9\\x04'); "
       "i=d.find(b'\\x21\\xf9\\x04', i+1); "
       "open('long.gif','wb').write(d[:i+4]+bytes([0x60,0xea])+d[i+6:])\"");
    ck_assert_msg(probe_req("long.gif", PL_ITEM_IMAGE, 0, 5000, &info, err, sizeof err) == 0, "%s",
                  err);
    ck_assert_int_ge(info.duration_ms, 4900);
    ck_assert_int_le(info.duration_ms, 5000);
    sched_media_info_release(&info);
    /* An animated AVIF (an image sequence) is named, not shown as a still. */
    ffmpeg("anim.avif", "-f lavfi -i testsrc=size=64x48:rate=5 -t 1 -c:v libaom-av1 -cpu-used 8");
    ck_assert_int_eq(probe_req("anim.avif", PL_ITEM_IMAGE, 0, 0, &info, err, sizeof err),
                     -EMEDIUMTYPE);
    assert_has(err, "'anim.avif': this is an animated HEIF/AVIF sequence");
}
END_TEST

/* "%PDF-" in a PNG's comment or a video's title is not a PDF. */
START_TEST(test_pdf_text_elsewhere)
{
    struct sched_media_info info;
    char err[1024];

    ffmpeg("src.png", "-f lavfi -i testsrc=size=64x48 -frames:v 1");
    sh("convert src.png -set comment 'Flyer made from %PDF-1.7' commented.png");
    ck_assert_msg(probe("commented.png", PL_ITEM_IMAGE, &info, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(info.ext, "png");
    ck_assert_int_eq(info.derived_fd, -1);
    ffmpeg(
        "titled.mkv",
        "-f lavfi -i testsrc=size=64x48:rate=5 -t 1 -c:v libx264 -metadata title='%PDF-1.4 scan'");
    ck_assert_msg(probe("titled.mkv", PL_ITEM_VIDEO, &info, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(info.ext, "mkv");
    /* ... but a print job's text header before it is. */
    sh("printf '\\033%%%%-12345X@PJL\\r\\n' > pjl.pdf");
    write_pdf("page.pdf", 1, (const char *const[]){"0 0 1"});
    sh("cat page.pdf >> pjl.pdf");
    ck_assert_msg(probe("pjl.pdf", PL_ITEM_IMAGE, &info, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(info.source_kind, "PDF");
    sched_media_info_release(&info);
}
END_TEST

/* A converted animation's H.264 level fits its real frame rate (the 1 ms
 * time base must not read as 1000 fps). */
START_TEST(test_animation_level)
{
    struct sched_media_info info;
    char err[1024], cmd[256];
    int level = 0;
    FILE *p;

    ffmpeg("big.gif", "-f lavfi -i testsrc=size=1920x1080:rate=25 -frames:v 3");
    ck_assert_msg(probe_req("big.gif", PL_ITEM_IMAGE, 0, 2000, &info, err, sizeof err) == 0, "%s",
                  err);
    snprintf(cmd, sizeof cmd,
             "ffprobe -v error -show_entries stream=level -of csv=p=0 /proc/%d/fd/%d",
             (int)getpid(), info.derived_fd);
    p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(fscanf(p, "%d", &level), 1);
    pclose(p);
    ck_assert_int_ge(level, 10);
    ck_assert_int_le(level, 42); /* 1080p at 25 fps: 4.0; the bug gave 6.1 */
    sched_media_info_release(&info);
}
END_TEST

START_TEST(test_paths)
{
    struct sched_media_info info;
    char err[1024];
    time_t t0;

    ffmpeg("sub/in.png", "-f lavfi -i testsrc=size=32x32 -frames:v 1");
    ck_assert_int_eq(mkdirat(basefd, "x.jpg", 0755), 0);
    ck_assert_int_eq(probe("x.jpg", PL_ITEM_IMAGE, &info, err, sizeof err), -EISDIR);
    assert_has(err, "directory");
    ck_assert_int_eq(probe("missing.jpg", PL_ITEM_IMAGE, &info, err, sizeof err), -ENOENT);
    assert_has(err, "'missing.jpg' does not exist");
    ck_assert_int_eq(probe("/etc/passwd", PL_ITEM_IMAGE, &info, err, sizeof err), -EINVAL);
    assert_has(err, "absolute");
    ck_assert_int_eq(probe("sub/../sub/in.png", PL_ITEM_IMAGE, &info, err, sizeof err), -EINVAL);
    assert_has(err, "'..'");
    ck_assert_int_eq(symlinkat("/etc/passwd", basefd, "passwd.png"), 0);
    ck_assert_int_lt(probe("passwd.png", PL_ITEM_IMAGE, &info, err, sizeof err), 0);
    assert_has(err, "outside");
    ck_assert_int_eq(symlinkat("sub/in.png", basefd, "inside.png"), 0);
    ck_assert_msg(probe("inside.png", PL_ITEM_IMAGE, &info, err, sizeof err) == 0, "%s", err);
    /* A FIFO: refused at once, no writer needed. */
    ck_assert_int_eq(mkfifoat(basefd, "fifo.mp4", 0644), 0);
    t0 = time(NULL);
    ck_assert_int_eq(probe("fifo.mp4", PL_ITEM_VIDEO, &info, err, sizeof err), -EINVAL);
    ck_assert_int_le(time(NULL) - t0, 2);
    assert_has(err, "not a regular file");
}
END_TEST

START_TEST(test_real_videos)
{
    static const struct {
        const char *name, *args, *ext;
        long ms;
    } cases[] = {
        {"a.mp4", "-f lavfi -i testsrc=size=160x120:rate=25 -t 2 -c:v libx264 -pix_fmt yuv420p",
         "mp4", 2000},
        {"b.mkv", "-f lavfi -i testsrc=size=160x120:rate=25 -t 1.5 -c:v mjpeg", "mkv", 1500},
        {"c.ts", "-f lavfi -i testsrc=size=160x120:rate=25 -t 1 -c:v mpeg2video", "ts", 1000},
        {"d.avi", "-f lavfi -i testsrc=size=160x120:rate=25 -t 1 -c:v mpeg4", "avi", 1000},
        /* video + audio, with a Japanese name */
        {"高知 博覧会.mov",
         "-f lavfi -i testsrc=size=160x120:rate=25 -f lavfi -i sine -t 1 "
         "-c:v libx264 -c:a aac -shortest",
         "mp4", 1000},
    };
    char err[1024], want[PL_SHA256_HEX];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sched_media_info info;
        ffmpeg(cases[i].name, cases[i].args);
        ck_assert_msg(probe(cases[i].name, PL_ITEM_VIDEO, &info, err, sizeof err) == 0, "%s: %s",
                      cases[i].name, err);
        sha256sum(cases[i].name, want);
        ck_assert_str_eq(info.sha256, want);
        ck_assert_str_eq(info.ext, cases[i].ext);
        ck_assert_int_eq(info.type, PL_ITEM_VIDEO);
        ck_assert_int_eq(info.width, 160);
        ck_assert_int_eq(info.height, 120);
        ck_assert_msg(
            info.duration_ms >= cases[i].ms - 100 && info.duration_ms <= cases[i].ms + 150,
            "%s: %lld ms, want about %ld", cases[i].name, (long long)info.duration_ms, cases[i].ms);
        /* And the same bytes declared as an image. */
        ck_assert_int_eq(probe(cases[i].name, PL_ITEM_IMAGE, &info, err, sizeof err), -EMEDIUMTYPE);
        assert_has(err, "this is a video, not an image; use type = \"video\"");
    }
}
END_TEST

START_TEST(test_broken_videos)
{
    struct sched_media_info info;
    char err[1024];

    ffmpeg("audio.mp4", "-f lavfi -i sine -t 1");
    ck_assert_int_eq(probe("audio.mp4", PL_ITEM_VIDEO, &info, err, sizeof err), -EINVAL);
    assert_has(err, "'audio.mp4': the file has no video stream");
    ffmpeg("ok.mp4", "-f lavfi -i testsrc=size=160x120:rate=25 -t 2 -c:v libx264");
    truncated_copy("ok.mp4", "cut.mp4", file_size("ok.mp4") * 2 / 3);
    ck_assert_int_lt(probe("cut.mp4", PL_ITEM_VIDEO, &info, err, sizeof err), 0);
    assert_has(err, "'cut.mp4': ");
    truncated_copy("ok.mp4", "tiny.mp4", 16);
    ck_assert_int_lt(probe("tiny.mp4", PL_ITEM_VIDEO, &info, err, sizeof err), 0);
    write_file("text.mp4", "hello, world\n", 13);
    ck_assert_int_eq(probe("text.mp4", PL_ITEM_VIDEO, &info, err, sizeof err), -EMEDIUMTYPE);
    assert_has(err, "'text.mp4': ");
    /* Too large a picture (raw video keeps this cheap). */
    ffmpeg("wide.avi", "-f lavfi -i color=size=8200x2:rate=1 -t 1 -c:v mjpeg "
                       "-pix_fmt yuvj420p");
    ck_assert_int_eq(probe("wide.avi", PL_ITEM_VIDEO, &info, err, sizeof err), -EINVAL);
    assert_has(err, "8200x2 pixels");
}
END_TEST

/* A broadcast spot as XDCAM delivers it: interlaced MPEG-2 4:2:2 in MXF. */
START_TEST(test_xdcam_mxf)
{
    struct sched_media_info info;
    char err[1024] = "";

    ffmpeg("spot.mxf", "-f lavfi -i testsrc2=size=720x480:rate=60000/1001 "
                       "-vf tinterlace=mode=interleave_top,setfield=tff -r 30000/1001 "
                       "-c:v mpeg2video -pix_fmt yuv422p -b:v 8M -flags +ilme+ildct -top 1 "
                       "-t 1 -f mxf");
    ck_assert_msg(probe("spot.mxf", PL_ITEM_VIDEO, &info, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(info.ext, "mxf");
    ck_assert_int_eq(info.width, 720);
    ck_assert_int_ge(info.duration_ms, 900);
    ck_assert_int_le(info.duration_ms, 1100);
}
END_TEST

/* Codecs FFmpeg decodes but the players do not play are refused by name,
 * with how to convert, instead of accepted and then never shown. */
START_TEST(test_codecs_outside_the_contract)
{
    static const struct {
        const char *name, *args, *says;
    } cases[] = {
        {"wmv2.wmv", "-c:v wmv2", "Windows Media Video 8"},
        {"divx3.avi", "-c:v msmpeg4", "MPEG-4 part 2 Microsoft variant version 3"},
        {"dv.mov", "-s 720x480 -r 30000/1001 -pix_fmt yuv411p -c:v dvvideo", "DV"},
        {"animation.mov", "-c:v qtrle", "QuickTime Animation"},
        {"png.mov", "-c:v png", "PNG"},
    };
    struct sched_media_info info;
    char err[1024], args[256];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(args, sizeof args, "-f lavfi -i testsrc2=size=320x240:rate=10 -t 1 %s",
                 cases[i].args);
        ffmpeg(cases[i].name, args);
        err[0] = '\0';
        ck_assert_int_eq(probe(cases[i].name, PL_ITEM_VIDEO, &info, err, sizeof err), -EMEDIUMTYPE);
        assert_has(err, cases[i].says);
        assert_has(err, "which the screens do not play; re-encode it as H.264 in MP4");
    }
}
END_TEST

/* A playlist posing as a video names other files: probing must refuse it
 * and never open them.  inotify sees every open of the target. */
static void check_playlist_refused(const char *name, const char *text)
{
    struct sched_media_info info;
    char err[1024], path[256], buf[4096];
    int in, wd, r;

    ffmpeg("target.mp4", "-f lavfi -i testsrc=size=64x48:rate=25 -t 1 -c:v libx264");
    write_file(name, text, strlen(text));
    snprintf(path, sizeof path, "%s/target.mp4", tmpdir);
    in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    ck_assert_int_ge(in, 0);
    wd = inotify_add_watch(in, path, IN_OPEN | IN_ACCESS);
    ck_assert_int_ge(wd, 0);
    r = probe(name, PL_ITEM_VIDEO, &info, err, sizeof err);
    ck_assert_msg(read(in, buf, sizeof buf) < 0 && errno == EAGAIN,
                  "%s: probing opened the file the playlist names", name);
    ck_assert_int_eq(r, -EMEDIUMTYPE);
    assert_has(err, "not in a video container the screens play");
    /* The watch works: our own open is seen. */
    close(open(path, O_RDONLY));
    ck_assert_int_gt(read(in, buf, sizeof buf), 0);
    close(in);
}

START_TEST(test_playlists_refused)
{
    char text[1024];

    /* Relative names resolve against the working directory, which is where
     * the target is, so an FFmpeg allowed to follow them would open it. */
    ck_assert_int_eq(chdir(tmpdir), 0);
    snprintf(text, sizeof text, "ffconcat version 1.0\nfile 'target.mp4'\n");
    check_playlist_refused("concat.mp4", text);
    snprintf(text, sizeof text, "ffconcat version 1.0\nfile '/etc/passwd'\n");
    check_playlist_refused("passwd.mp4", text);
    snprintf(text, sizeof text,
             "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n"
             "#EXTINF:1.0,\ntarget.mp4\n#EXT-X-ENDLIST\n");
    check_playlist_refused("hls.mp4", text);
    snprintf(text, sizeof text,
             "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nfile:///etc/passwd\n"
             "#EXT-X-ENDLIST\n");
    check_playlist_refused("hls2.mp4", text);
}
END_TEST

static struct pl_campaign *campaign(size_t n, const char *const *files,
                                    const enum pl_item_type *types)
{
    struct pl_campaign *c = calloc(1, sizeof *c);

    ck_assert_ptr_nonnull(c);
    c->source = strdup("spool/kochi.cfg");
    c->id = strdup("kochi");
    c->items = calloc(n, sizeof *c->items);
    c->nitems = n;
    for (size_t i = 0; i < n; i++) {
        c->items[i].type = types[i];
        c->items[i].line = (int)(10 + i);
        if (types[i] == PL_ITEM_TEXT) {
            c->items[i].text = strdup("牧野博士");
            c->items[i].duration_ms = 5000;
        } else {
            c->items[i].file = strdup(files[i]);
            c->items[i].duration_ms = types[i] == PL_ITEM_IMAGE ? 15000 : 0;
        }
    }
    return c;
}

START_TEST(test_campaign_outcomes)
{
    static const char *const files[] = {"kochi/makino.jpg", "kochi/expo.mp4", NULL,
                                        "kochi/later.png"};
    static const enum pl_item_type types[] = {PL_ITEM_IMAGE, PL_ITEM_VIDEO, PL_ITEM_TEXT,
                                              PL_ITEM_IMAGE};
    struct pl_campaign *c;
    char err[4096], want[PL_SHA256_HEX], media[128];

    ffmpeg("kochi/makino.jpg", "-f lavfi -i testsrc=size=320x240 -frames:v 1");
    ffmpeg("kochi/expo.mp4", "-f lavfi -i testsrc=size=160x120:rate=25 -t 3 -c:v libx264");

    /* later.png is missing: pending, and the message names it. */
    c = campaign(4, files, types);
    ck_assert_int_eq(sched_probe_campaign(basefd, c, NULL, err, sizeof err), SCHED_PROBE_PENDING);
    assert_has(err, "spool/kochi.cfg:13: error: 'kochi/later.png' does not exist yet");
    ck_assert_str_eq(c->items[0].sha256, "");
    ck_assert_int_eq(c->items[1].duration_ms, 0);

    /* Now it is there: OK, with hashes, media names and the video's length. */
    ffmpeg("kochi/later.png", "-f lavfi -i testsrc=size=32x32 -frames:v 1");
    ck_assert_int_eq(sched_probe_campaign(basefd, c, NULL, err, sizeof err), SCHED_PROBE_OK);
    ck_assert_str_eq(err, "");
    sha256sum("kochi/makino.jpg", want);
    ck_assert_str_eq(c->items[0].sha256, want);
    snprintf(media, sizeof media, "media/%s.jpg", want);
    ck_assert_str_eq(c->items[0].media, media);
    ck_assert_int_eq(c->items[0].duration_ms, 15000);
    sha256sum("kochi/expo.mp4", want);
    ck_assert_str_eq(c->items[1].sha256, want);
    snprintf(media, sizeof media, "media/%s.mp4", want);
    ck_assert_str_eq(c->items[1].media, media);
    ck_assert_int_ge(c->items[1].duration_ms, 2900);
    ck_assert_int_le(c->items[1].duration_ms, 3100);
    ck_assert_str_eq(c->items[2].sha256, "");
    ck_assert_ptr_null(c->items[2].media);
    pl_campaign_free(c);

    /* Bad beats pending: every problem listed, missing files included. */
    {
        static const char *const f2[] = {"kochi/expo.mp4", "kochi/makino.jpg", "gone.mp4",
                                         "../etc/passwd"};
        static const enum pl_item_type t2[] = {PL_ITEM_IMAGE, PL_ITEM_VIDEO, PL_ITEM_VIDEO,
                                               PL_ITEM_IMAGE};
        c = campaign(4, f2, t2);
        ck_assert_int_eq(sched_probe_campaign(basefd, c, NULL, err, sizeof err), SCHED_PROBE_BAD);
        assert_has(err, "spool/kochi.cfg:10: error: 'kochi/expo.mp4': this is a video");
        assert_has(err, "spool/kochi.cfg:11: error: 'kochi/makino.jpg': this is a JPEG image");
        assert_has(err, "spool/kochi.cfg:12: error: 'gone.mp4' does not exist");
        assert_has(err, "spool/kochi.cfg:13: error: '../etc/passwd'");
        ck_assert_str_eq(c->items[0].sha256, "");
        ck_assert_ptr_null(c->items[0].media);
        pl_campaign_free(c);
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("probe");
    TCase *tc = tcase_create("probe");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_real_images);
    tcase_add_test(tc, test_broken_images);
    tcase_add_test(tc, test_converted_media);
    tcase_add_test(tc, test_pdf_text_elsewhere);
    tcase_add_test(tc, test_animation_level);
    tcase_add_test(tc, test_paths);
    tcase_add_test(tc, test_real_videos);
    tcase_add_test(tc, test_broken_videos);
    tcase_add_test(tc, test_codecs_outside_the_contract);
    tcase_add_test(tc, test_xdcam_mxf);
    tcase_add_test(tc, test_playlists_refused);
    tcase_add_test(tc, test_campaign_outcomes);
    suite_add_tcase(s, tc);
    return s;
}
