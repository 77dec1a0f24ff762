/* Tests for player/video.c: clips are made with the ffmpeg CLI at run time
 * (lavfi testsrc2, 320x240, 25 fps, 2 s) and frames are checked against
 * ffmpeg's own decode of the same instant. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "player/video.h"
#include "tests/unit/check_main.h"

#define W 320
#define H 240

/* Made once per test case in the parent, read by the forked tests. */
static char fixdir[64];

static void fix_path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", fixdir, name);
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void write_file(const char *name, const void *data, size_t len)
{
    char p[256];
    FILE *f;

    fix_path(p, sizeof p, name);
    f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

#define SRC "-f lavfi -t 2 -i testsrc2=size=320x240:rate=25"

static void make_clips(void)
{
    const char *ff = "ffmpeg -nostdin -v error -y";
    int rc = 0;

    strcpy(fixdir, "/tmp/test_video.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(fixdir));
    /* H.264 in MP4 with an AAC track that must be ignored */
    rc |= run("%s " SRC " -f lavfi -i sine=frequency=440:sample_rate=48000:duration=2 "
              "-c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac %s/h264.mp4",
              ff, fixdir);
    rc |= run("%s " SRC " -c:v libvpx-vp9 -deadline realtime -cpu-used 8 %s/vp9.webm", ff, fixdir);
    rc |= run("%s " SRC " -c:v mpeg4 -q:v 3 %s/mpeg4.avi", ff, fixdir);
    rc |= run("%s " SRC " -c:v libx264 -preset veryfast -pix_fmt yuv444p %s/h264_444.mkv", ff,
              fixdir);
    rc |= run("%s " SRC " -c:v libx264 -preset veryfast -pix_fmt yuv420p10le %s/h264_10.mkv", ff,
              fixdir);
    rc |= run("%s " SRC " -c:v mjpeg -pix_fmt yuvj422p -q:v 3 %s/mjpeg422.avi", ff, fixdir);
    /* H.264 in MPEG-TS, for mid-stream damage */
    rc |= run("%s " SRC " -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 12 %s/h264.ts", ff,
              fixdir);
    /* MP4 with the index in front, so a truncated copy still has it */
    rc |= run("%s " SRC " -c:v libx264 -preset veryfast -pix_fmt yuv420p -movflags +faststart "
              "%s/fast.mp4",
              ff, fixdir);
    rc |= run("%s -f lavfi -i sine=frequency=440:duration=2 -c:a aac %s/audio.m4a", ff, fixdir);
    /* audio with cover art: a video stream that is only a picture */
    rc |= run("%s -f lavfi -i testsrc2=size=64x64 -frames:v 1 %s/cover.png", ff, fixdir);
    rc |= run("%s -f lavfi -i sine=duration=2 -i %s/cover.png -map 0 -map 1 -c:a libmp3lame "
              "-c:v png -disposition:v attached_pic %s/cover.mp3",
              ff, fixdir, fixdir);
    /* 10 s, for freeing mid-decode */
    rc |= run("%s -f lavfi -i testsrc2=size=1280x720:rate=25 -t 10 -c:v libx264 -preset "
              "ultrafast -pix_fmt yuv420p %s/long.mp4",
              ff, fixdir);
    ck_assert_int_eq(rc, 0);
}

static void remove_clips(void)
{
    if (fixdir[0])
        run("rm -rf '%s'", fixdir);
}

/* Plays V up to media time T, giving the decode thread time to catch up,
 * until the frame on show is EXPECT (or the video has ended). */
static const struct video_frame *play_to(struct video *v, pl_ms t, pl_ms expect)
{
    const struct video_frame *f = NULL;
    double until = now_ms() + 10000;

    while (now_ms() < until) {
        f = video_frame_at(v, t, NULL);
        ck_assert_ptr_nonnull(f);
        if (f->pts_ms >= expect || video_ended(v))
            break;
        usleep(1000);
    }
    return f;
}

/* Plays V to its end (far past it), then returns the frame held. */
static const struct video_frame *play_out(struct video *v)
{
    const struct video_frame *f = NULL;
    double until = now_ms() + 10000;

    while (now_ms() < until) {
        f = video_frame_at(v, 3600000, NULL);
        ck_assert_ptr_nonnull(f);
        if (video_ended(v))
            break;
        usleep(1000);
    }
    ck_assert(video_ended(v));
    return f;
}

/* ffmpeg's own decode of the frame at SEC in PATH (seeking there with -ss),
 * as 8-bit 4:2:0: the Y plane into Y (W*H bytes).  Returns 0 or -1. */
static int ffmpeg_frame(const char *path, double sec, uint8_t *y)
{
    char out[256];
    FILE *f;
    size_t n;

    snprintf(out, sizeof out, "%s/ref.yuv", fixdir);
    if (run("ffmpeg -nostdin -v error -y -ss %.3f -i %s -frames:v 1 -f rawvideo -pix_fmt "
            "yuv420p %s",
            sec, path, out) != 0)
        return -1;
    f = fopen(out, "rb");
    if (!f)
        return -1;
    n = fread(y, 1, W * H, f);
    fclose(f);
    return n == W * H ? 0 : -1;
}

#define FRAME_BYTES (W * H * 3 / 2)

/* ffmpeg's decode of every frame of PATH as PIX_FMT (8-bit 4:2:0, limited
 * or full range), one ffmpeg run
 * instead of one per instant.  Returns the frames (free()) and their count
 * in N, or NULL. */
static uint8_t *ffmpeg_all(const char *path, const char *pix_fmt, int *n)
{
    char out[256];
    uint8_t *buf;
    FILE *f;
    size_t got;

    snprintf(out, sizeof out, "%s/all.yuv", fixdir);
    if (run("ffmpeg -nostdin -v error -y -i %s -f rawvideo -pix_fmt %s %s", path, pix_fmt, out))
        return NULL;
    buf = malloc((size_t)FRAME_BYTES * 60);
    f = fopen(out, "rb");
    if (!buf || !f) {
        free(buf);
        if (f)
            fclose(f);
        return NULL;
    }
    got = fread(buf, 1, (size_t)FRAME_BYTES * 60, f);
    fclose(f);
    *n = (int)(got / FRAME_BYTES);
    return buf;
}

static double y_diff(const struct video_frame *f, const uint8_t *ref)
{
    double sum = 0;

    for (int r = 0; r < H; r++)
        for (int c = 0; c < W; c++)
            sum += abs((int)f->plane[0][r * f->pitch[0] + c] - (int)ref[r * W + c]);
    return sum / (W * H);
}

/* Opens NAME and checks a sequence of instants against ffmpeg's frames. */
static void check_clip(const char *name, bool full_range)
{
    static const pl_ms ts[] = {0, 530, 1010, 1999};
    char p[256], err[256];
    uint8_t *all, *ref = malloc(W * H);
    const struct video_frame *f;
    struct video *v;
    bool is_new;
    int nref = 0;

    ck_assert_ptr_nonnull(ref);
    fix_path(p, sizeof p, name);
    all = ffmpeg_all(p, full_range ? "yuvj420p" : "yuv420p", &nref);
    ck_assert_ptr_nonnull(all);
    ck_assert_int_eq(nref, 50);
    v = video_open(p, err, sizeof err);
    ck_assert_msg(v != NULL, "%s", err);
    ck_assert_int_eq(video_width(v), W);
    ck_assert_int_eq(video_height(v), H);
    ck_assert_int_ge(video_duration_ms(v), 1950);
    ck_assert_int_le(video_duration_ms(v), 2100);

    f = video_frame_at(v, 0, &is_new);
    ck_assert_ptr_nonnull(f);
    ck_assert(is_new);
    ck_assert_int_eq(f->w, W);
    ck_assert_int_eq(f->h, H);
    ck_assert_int_eq(f->pts_ms, 0);
    ck_assert(f->fmt == VIDEO_YUV420P || f->fmt == VIDEO_NV12);
    ck_assert_ptr_nonnull(f->plane[0]);
    ck_assert_ptr_nonnull(f->plane[1]);
    ck_assert_int_ge(f->pitch[0], W);
    if (f->fmt == VIDEO_YUV420P) {
        ck_assert_ptr_nonnull(f->plane[2]);
        ck_assert_int_ge(f->pitch[1], W / 2);
    }
    ck_assert(y_diff(f, all) < 2.0);
    ck_assert(f->full_range == full_range);
    f = video_frame_at(v, 0, &is_new);
    ck_assert(!is_new);

    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        pl_ms want = ts[i] / 40 * 40;
        int k = (int)(want / 40);
        /* half the instants by waiting, half by polling as a render loop does */
        if (i % 2)
            f = video_frame_wait(v, ts[i], 5000, &is_new);
        else
            f = play_to(v, ts[i], want);
        ck_assert_int_eq(f->pts_ms, want);
        f = video_frame_at(v, ts[i], &is_new);
        ck_assert(!is_new);
        ck_assert_int_le(f->pts_ms, ts[i]);
        double d = y_diff(f, all + (size_t)k * FRAME_BYTES);
        ck_assert_msg(d < 2.0, "%s at %lld ms: Y differs from ffmpeg's by %.2f", name,
                      (long long)ts[i], d);
        if (k + 1 < nref) {
            /* the neighbour frame differs clearly, so the match above means
             * something */
            double dn = y_diff(f, all + (size_t)(k + 1) * FRAME_BYTES);
            ck_assert_msg(dn > d + 1.0, "%s: neighbour frames indistinct (%.2f vs %.2f)", name, dn,
                          d);
        }
        if (want == 1000 && !full_range) {
            /* and as ffmpeg -ss finds that instant */
            ck_assert_int_eq(ffmpeg_frame(p, 1.0, ref), 0);
            ck_assert(y_diff(f, ref) < 2.0);
        }
    }

    /* past the end: the last frame is held, and is not new again */
    f = play_out(v);
    ck_assert_int_eq(f->pts_ms, 1960);
    f = video_frame_at(v, 120000, &is_new);
    ck_assert(!is_new);
    ck_assert_int_eq(f->pts_ms, 1960);
    ck_assert(y_diff(f, all + (size_t)49 * FRAME_BYTES) < 2.0);
    video_free(v);
    free(all);
    free(ref);
}

START_TEST(test_h264_mp4)
{
    check_clip("h264.mp4", false);
}
END_TEST

START_TEST(test_vp9_webm)
{
    check_clip("vp9.webm", false);
}
END_TEST

START_TEST(test_mpeg4_avi)
{
    check_clip("mpeg4.avi", false);
}
END_TEST

START_TEST(test_convert_444)
{
    check_clip("h264_444.mkv", false);
}
END_TEST

/* full-range 4:2:2 (MJPEG): converted, and kept full range */
START_TEST(test_convert_mjpeg422)
{
    check_clip("mjpeg422.avi", true);
}
END_TEST

START_TEST(test_convert_10bit)
{
    check_clip("h264_10.mkv", false);
}
END_TEST

/* video_decode = "vaapi" on a machine without the device (or the codec's
 * support): every frame still decoded, in software, and the reason said. */
START_TEST(test_vaapi_falls_back)
{
    video_set_hwdecode(VIDEO_HW_VAAPI);
    check_clip("h264.mp4", false);
    check_clip("vp9.webm", false);
    if (access("/dev/dri/renderD128", R_OK) != 0)
        ck_assert_msg(strncmp(video_hwdecode_status(), "software (no VAAPI device: ", 27) == 0,
                      "%s", video_hwdecode_status());
    else
        ck_assert_msg(strcmp(video_hwdecode_status(), "VAAPI") == 0 ||
                          strncmp(video_hwdecode_status(), "software (", 10) == 0,
                      "%s", video_hwdecode_status());
    video_set_hwdecode(VIDEO_HW_NONE);
    check_clip("h264.mp4", false);
}
END_TEST

/* Frames are handed out in order, each once, and none is skipped when the
 * caller asks at every frame period. */
START_TEST(test_every_frame_in_order)
{
    char p[256], err[256];
    struct video *v;
    int seen = 0;
    pl_ms last = -1;

    fix_path(p, sizeof p, "h264.ts");
    v = video_open(p, err, sizeof err);
    ck_assert_msg(v != NULL, "%s", err);
    for (pl_ms t = 0; t < 2000; t += 40) {
        const struct video_frame *f = play_to(v, t, t);
        ck_assert_int_eq(f->pts_ms, t);
        ck_assert_int_gt(f->pts_ms, last);
        last = f->pts_ms;
        seen++;
    }
    ck_assert_int_eq(seen, 50);
    video_free(v);
}
END_TEST

/* video_frame_wait() lands on the exact frame at once, wherever T is. */
START_TEST(test_frame_wait)
{
    char p[256], err[256];
    const struct video_frame *f;
    struct video *v;
    bool is_new;

    fix_path(p, sizeof p, "h264.mp4");
    v = video_open(p, err, sizeof err);
    ck_assert_msg(v != NULL, "%s", err);
    f = video_frame_wait(v, -500, 5000, &is_new); /* before the start: the first */
    ck_assert(is_new);
    ck_assert_int_eq(f->pts_ms, 0);
    f = video_frame_wait(v, 39, 5000, &is_new);
    ck_assert(!is_new);
    ck_assert_int_eq(f->pts_ms, 0);
    f = video_frame_wait(v, 1517, 5000, &is_new);
    ck_assert(is_new);
    ck_assert_int_eq(f->pts_ms, 1480);
    f = video_frame_wait(v, 1000, 5000, &is_new); /* time never runs back */
    ck_assert(!is_new);
    ck_assert_int_eq(f->pts_ms, 1480);
    f = video_frame_wait(v, INT64_MAX, 5000, &is_new);
    ck_assert(is_new);
    ck_assert_int_eq(f->pts_ms, 1960);
    ck_assert(video_ended(v));
    video_free(v);
    ck_assert_ptr_null(video_frame_wait(NULL, 0, 10, NULL));
}
END_TEST

static void expect_refused(const char *path, const char *what)
{
    char err[512];
    double t0 = now_ms();
    struct video *v = video_open(path, err, sizeof err);
    double dt = now_ms() - t0;

    ck_assert_msg(v == NULL, "%s was opened", path);
    ck_assert_msg(strstr(err, "error:") != NULL, "no message: '%s'", err);
    if (what)
        ck_assert_msg(strstr(err, what) != NULL, "'%s' does not say '%s'", err, what);
    ck_assert_msg(dt < 3000, "%s took %.0f ms to refuse", path, dt);
}

START_TEST(test_refuses_non_video)
{
    char p[256], q[256];
    static const char text[] = "this is not a video\nreally not\n";

    fix_path(p, sizeof p, "audio.m4a");
    expect_refused(p, "no video stream");
    fix_path(p, sizeof p, "cover.mp3");
    expect_refused(p, NULL);
    write_file("text.mp4", text, sizeof text - 1);
    fix_path(p, sizeof p, "text.mp4");
    expect_refused(p, p);
    fix_path(p, sizeof p, "cover.png");
    expect_refused(p, NULL);
    write_file("empty.mp4", "", 0);
    fix_path(p, sizeof p, "empty.mp4");
    expect_refused(p, "empty");
    fix_path(p, sizeof p, "does-not-exist.mp4");
    expect_refused(p, "No such file");
    expect_refused(fixdir, "regular file");
    expect_refused("/dev/zero", "regular file");
    expect_refused("", NULL);
    expect_refused(NULL, NULL);

    /* a symbolic link is not followed, even to a good clip */
    fix_path(p, sizeof p, "h264.mp4");
    fix_path(q, sizeof q, "link.mp4");
    ck_assert_int_eq(symlink(p, q), 0);
    expect_refused(q, "symbolic link");

    /* a FIFO would block a plain open(); it must be refused at once */
    fix_path(q, sizeof q, "fifo.mp4");
    ck_assert_int_eq(mkfifo(q, 0600), 0);
    expect_refused(q, "regular file");

    /* noise */
    uint8_t junk[65536];
    srand(7);
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)rand();
    write_file("noise.mp4", junk, sizeof junk);
    fix_path(p, sizeof p, "noise.mp4");
    expect_refused(p, NULL);
}
END_TEST

/* Playlists that reference another (good) file must not play it. */
START_TEST(test_refuses_playlists)
{
    char p[256], body[1024];
    int n;

    n = snprintf(body, sizeof body,
                 "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
                 "#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:2.0,\nfile://%s/h264.ts\n#EXTINF:2.0,\n"
                 "%s/h264.ts\n#EXT-X-ENDLIST\n",
                 fixdir, fixdir);
    write_file("list.m3u8", body, (size_t)n);
    write_file("hls.mp4", body, (size_t)n);
    n = snprintf(body, sizeof body, "ffconcat version 1.0\nfile '%s/h264.mp4'\nfile h264.mp4\n",
                 fixdir);
    write_file("concat.mp4", body, (size_t)n);
    write_file("concat.txt", body, (size_t)n);
    n = snprintf(body, sizeof body, "[playlist]\nFile1=%s/h264.mp4\nNumberOfEntries=1\n", fixdir);
    write_file("list.pls", body, (size_t)n);

    fix_path(p, sizeof p, "list.m3u8");
    expect_refused(p, NULL);
    fix_path(p, sizeof p, "hls.mp4");
    expect_refused(p, NULL);
    fix_path(p, sizeof p, "concat.mp4");
    expect_refused(p, NULL);
    fix_path(p, sizeof p, "concat.txt");
    expect_refused(p, NULL);
    fix_path(p, sizeof p, "list.pls");
    expect_refused(p, NULL);
}
END_TEST

/* Copies the first PERCENT of SRC to DST in the fixture dir. */
static long truncate_copy(const char *src, const char *dst, int percent)
{
    char p[256], q[256];
    struct stat sb;

    fix_path(p, sizeof p, src);
    fix_path(q, sizeof q, dst);
    ck_assert_int_eq(stat(p, &sb), 0);
    long len = (long)sb.st_size * percent / 100;
    ck_assert_int_eq(run("head -c %ld %s > %s", len, p, q), 0);
    return len;
}

START_TEST(test_truncated)
{
    static const struct {
        const char *src;
        bool must_open;
    } cases[] = {
        {"h264.mp4", false}, /* index at the end: gone */
        {"fast.mp4", false}, /* index in front: may play what is there */
        {"h264.ts", true},   /* a stream: plays what it has */
        {"vp9.webm", true},  {"mpeg4.avi", false},
    };
    char p[256], err[256];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        truncate_copy(cases[i].src, "cut.bin", 50);
        fix_path(p, sizeof p, "cut.bin");
        double t0 = now_ms();
        struct video *v = video_open(p, err, sizeof err);
        ck_assert_msg(now_ms() - t0 < 3000, "%s: open took too long", cases[i].src);
        if (!v) {
            ck_assert_msg(!cases[i].must_open, "%s cut in half refused: %s", cases[i].src, err);
            ck_assert(strstr(err, "error:") != NULL);
            continue;
        }
        /* it plays to where the data ends, then holds */
        const struct video_frame *f = play_out(v);
        ck_assert_int_ge(f->pts_ms, 0);
        ck_assert_int_lt(f->pts_ms, 1960);
        if (cases[i].must_open)
            ck_assert_int_ge(f->pts_ms, 400);
        video_free(v);
    }
    /* a sliver of a file */
    truncate_copy("h264.mp4", "cut.bin", 1);
    expect_refused(p, NULL);
}
END_TEST

/* Garbage written over the middle of a stream: playback goes on past it. */
START_TEST(test_corrupt_midstream)
{
    char p[256], err[256];
    struct stat sb;
    FILE *f;

    fix_path(p, sizeof p, "h264.ts");
    ck_assert_int_eq(stat(p, &sb), 0);
    ck_assert_int_eq(run("cp %s %s/bad.ts", p, fixdir), 0);
    fix_path(p, sizeof p, "bad.ts");
    f = fopen(p, "r+b");
    ck_assert_ptr_nonnull(f);
    srand(11);
    for (long off = sb.st_size / 3; off < sb.st_size * 2 / 3; off += 4096) {
        uint8_t junk[700];
        for (size_t i = 0; i < sizeof junk; i++)
            junk[i] = (uint8_t)rand();
        ck_assert_int_eq(fseek(f, off, SEEK_SET), 0);
        ck_assert_uint_eq(fwrite(junk, 1, sizeof junk, f), sizeof junk);
    }
    fclose(f);

    struct video *v = video_open(p, err, sizeof err);
    ck_assert_msg(v != NULL, "%s", err);
    clock_t c0 = clock();
    const struct video_frame *fr = play_out(v);
    ck_assert_int_ge(fr->pts_ms, 1800); /* got past the damage to the end */
    video_free(v);
    /* the whole file is 2 s of 320x240: decoding it cannot take long */
    ck_assert_msg((double)(clock() - c0) / CLOCKS_PER_SEC < 3.0, "decode spun the CPU");
}
END_TEST

/* The decoder only runs ahead by the queue, and free returns promptly
 * whether the thread is waiting for room or decoding. */
/* A held video decodes its first frame and at most one more until
 * video_play(); then it runs on.  video_stop() then video_free() ends it. */
START_TEST(test_held_until_play)
{
    char p[256], err[256];
    const struct video_frame *f;
    struct video *v;

    fix_path(p, sizeof p, "h264.mp4");
    v = video_open_held(p, true, err, sizeof err);
    ck_assert_msg(v != NULL, "%s", err);
    usleep(300000); /* an unheld decoder fills its queue in this time */
    f = video_frame_at(v, 100000, NULL);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->pts_ms, 0);
    usleep(300000);
    f = video_frame_at(v, 100000, NULL); /* one more was decoded, no further */
    ck_assert_int_le(f->pts_ms, 40);
    ck_assert(!video_ended(v));
    video_play(v);
    video_play(v); /* twice is harmless */
    f = video_frame_wait(v, 1517, 5000, NULL);
    ck_assert_int_eq(f->pts_ms, 1480);
    video_stop(v);
    video_stop(v);
    video_free(v);
    video_play(NULL);
    video_stop(NULL);
}
END_TEST

/* A video that follows itself is decoded once: video_again() has the
 * decoder go back to the start at the end of the file, the next play's
 * first frame is queued before that play is due, and each play shows every
 * frame as ffmpeg decodes it.  Containers seek differently, so each kind. */
static void check_plays_again(const char *name)
{
    char p[256], err[256];
    const struct video_frame *f;
    struct video *v;
    uint8_t *all;
    bool is_new;
    int nref = 0;

    fix_path(p, sizeof p, name);
    all = ffmpeg_all(p, "yuv420p", &nref);
    ck_assert_ptr_nonnull(all);
    ck_assert_int_eq(nref, 50);
    v = video_open(p, err, sizeof err);
    ck_assert_msg(v != NULL, "%s", err);
    ck_assert_int_eq(video_again(v), 1);
    ck_assert_int_eq(video_again(v), 2);
    for (int play = 0; play < 3; play++) {
        for (pl_ms t = 0; t < 2000; t += 40) {
            f = play_to(v, t, t);
            ck_assert_msg(f->pts_ms == t, "%s play %d: frame %lld at %lld", name, play,
                          (long long)f->pts_ms, (long long)t);
            double d = y_diff(f, all + (size_t)(t / 40) * FRAME_BYTES);
            ck_assert_msg(d < 2.0, "%s play %d at %lld ms: Y differs by %.2f", name, play,
                          (long long)t, d);
        }
        /* the end of this play: its last frame held, the next play's
         * frames not shown in it */
        f = play_out(v);
        ck_assert_int_eq(f->pts_ms, 1960);
        ck_assert(y_diff(f, all + (size_t)49 * FRAME_BYTES) < 2.0);
        if (play == 2)
            break;
        /* the next play's first frame is decoded already: taken at once */
        f = video_frame_wait(v, 3600000, 5000, NULL);
        ck_assert_int_eq(f->pts_ms, 1960);
        usleep(200000);
        video_show_play(v, play + 1);
        video_show_play(v, play); /* never back */
        ck_assert(!video_ended(v));
        f = video_frame_at(v, 0, &is_new);
        ck_assert(is_new);
        ck_assert_int_eq(f->pts_ms, 0);
        ck_assert(y_diff(f, all) < 2.0);
    }
    /* no fourth play was asked for: the decoder finished */
    ck_assert_int_eq(video_again(v), -1);
    video_show_play(v, 3); /* moving on anyway holds the last frame */
    ck_assert(video_ended(v));
    f = video_frame_at(v, 0, &is_new);
    ck_assert(!is_new);
    ck_assert_int_eq(f->pts_ms, 1960);
    video_free(v);
    free(all);
}

START_TEST(test_plays_again)
{
    static const char *const names[] = {"h264.mp4",     "vp9.webm",    "h264.ts", "mpeg4.avi",
                                        "h264_444.mkv", "h264_10.mkv", "fast.mp4"};
    check_plays_again(names[_i]);
}
END_TEST

/* A play cut short: the render side moves on mid-file, and the decoder
 * goes to the start at once instead of decoding the rest of the file. */
START_TEST(test_plays_again_cut_short)
{
    char p[256], err[256];
    const struct video_frame *f;
    struct video *v;
    bool is_new;

    fix_path(p, sizeof p, "long.mp4");
    v = video_open(p, err, sizeof err);
    ck_assert_msg(v != NULL, "%s", err);
    ck_assert_int_eq(video_again(v), 1);
    f = play_to(v, 1000, 1000);
    ck_assert_int_eq(f->pts_ms, 1000);
    video_show_play(v, 1);
    f = video_frame_at(v, 0, NULL);
    ck_assert_int_eq(f->pts_ms, 1000); /* held until the new play's first frame */
    f = video_frame_wait(v, 0, 5000, &is_new);
    ck_assert(is_new);
    ck_assert_int_eq(f->pts_ms, 0);
    ck_assert(!video_ended(v));
    f = play_to(v, 2000, 2000);
    ck_assert_int_eq(f->pts_ms, 2000);
    /* the clock of the new play, not the 10 s file's rest */
    ck_assert(!video_ended(v));
    video_free(v);
}
END_TEST

/* Two owners: the last video_unref() says so. */
START_TEST(test_video_refs)
{
    char p[256], err[256];
    struct video *v;

    fix_path(p, sizeof p, "h264.mp4");
    v = video_open(p, err, sizeof err);
    ck_assert_msg(v != NULL, "%s", err);
    ck_assert_ptr_eq(video_ref(v), v);
    ck_assert_ptr_eq(video_ref(v), v);
    ck_assert(!video_unref(v));
    ck_assert(!video_unref(v));
    ck_assert(video_unref(v));
    video_free(v);
    /* a play asked for and never shown is taken back when it is the last */
    v = video_open(p, err, sizeof err);
    ck_assert_msg(v != NULL, "%s", err);
    ck_assert_int_eq(video_again(v), 1);
    ck_assert_int_eq(video_again(v), 2);
    video_unask(v, 1); /* not the last: kept */
    ck_assert_int_eq(video_again(v), 3);
    video_unask(v, 3);
    video_unask(v, 2);
    ck_assert_int_eq(video_again(v), 2);
    video_show_play(v, 2);
    video_unask(v, 2); /* on show: kept */
    ck_assert_int_eq(video_again(v), 3);
    video_free(v);
    video_unask(NULL, 1);
    ck_assert_ptr_null(video_ref(NULL));
    ck_assert(!video_unref(NULL));
    ck_assert_int_eq(video_again(NULL), -1);
    video_show_play(NULL, 1);
}
END_TEST

START_TEST(test_free_mid_decode)
{
    char p[256], err[256];
    struct video *v;

    fix_path(p, sizeof p, "long.mp4");
    for (int round = 0; round < 3; round++) {
        double t0 = now_ms();
        v = video_open(p, err, sizeof err);
        ck_assert_msg(v != NULL, "%s", err);
        ck_assert_int_eq(video_width(v), 1280);
        ck_assert_int_eq(video_height(v), 720);
        ck_assert_msg(now_ms() - t0 < 2000, "first frame after %.0f ms", now_ms() - t0);
        if (round == 1) {
            /* keep the decoder busy: always take everything queued */
            for (int i = 0; i < 30; i++) {
                video_frame_at(v, 100000, NULL);
                usleep(2000);
            }
            ck_assert(!video_ended(v));
        } else if (round == 2) {
            usleep(200000); /* queue full, thread waiting for room */
            ck_assert(!video_ended(v));
        }
        t0 = now_ms();
        video_free(v);
        ck_assert_msg(now_ms() - t0 < 500, "free took %.0f ms", now_ms() - t0);
    }
    video_free(NULL);
    ck_assert_ptr_null(video_frame_at(NULL, 0, NULL));
    ck_assert(video_ended(NULL));
}
END_TEST

START_TEST(test_open_free_many)
{
    char p[256], err[256];
    int n = getenv("TEST_VIDEO_ROUNDS") ? atoi(getenv("TEST_VIDEO_ROUNDS")) : 200;

    for (int i = 0; i < n; i++) {
        fix_path(p, sizeof p, i % 2 ? "mpeg4.avi" : "h264.mp4");
        struct video *v = video_open(p, err, sizeof err);
        ck_assert_msg(v != NULL, "round %d: %s", i, err);
        const struct video_frame *f = video_frame_at(v, (pl_ms)(i % 7) * 100, NULL);
        ck_assert_ptr_nonnull(f);
        video_free(v);
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("video");
    TCase *tc = tcase_create("video");

    tcase_add_unchecked_fixture(tc, make_clips, remove_clips);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_h264_mp4);
    tcase_add_test(tc, test_vp9_webm);
    tcase_add_test(tc, test_mpeg4_avi);
    tcase_add_test(tc, test_convert_444);
    tcase_add_test(tc, test_convert_10bit);
    tcase_add_test(tc, test_vaapi_falls_back);
    tcase_add_test(tc, test_convert_mjpeg422);
    tcase_add_test(tc, test_every_frame_in_order);
    tcase_add_test(tc, test_frame_wait);
    tcase_add_test(tc, test_refuses_non_video);
    tcase_add_test(tc, test_refuses_playlists);
    tcase_add_test(tc, test_truncated);
    tcase_add_test(tc, test_corrupt_midstream);
    tcase_add_test(tc, test_held_until_play);
    tcase_add_loop_test(tc, test_plays_again, 0, 7);
    tcase_add_test(tc, test_plays_again_cut_short);
    tcase_add_test(tc, test_video_refs);
    tcase_add_test(tc, test_free_mid_decode);
    tcase_add_test(tc, test_open_free_many);
    suite_add_tcase(s, tc);
    return s;
}
