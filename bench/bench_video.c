/* bench_video - decoding a 1080p30 H.264 clip through player/video.c.
 *
 * The clip (10 s of lavfi testsrc2, 1920x1080, 30 fps, x264 veryfast) is
 * made by ffmpeg in a temporary directory.  Two measurements, each against
 * the ffmpeg CLI on the same file in the same run:
 *
 *   throughput  every frame as fast as it decodes: our decode thread with a
 *               consumer that takes each frame at once, vs
 *               `ffmpeg -i clip -an -f null -`.  Frames/s and CPU seconds.
 *   real time   a 60 Hz loop asking for the frame due now (as the render
 *               loop does), vs `ffmpeg -re -i clip -an -f null -`.  CPU
 *               seconds and frames handed out.
 *
 * Prints figures and ratios (ours / ffmpeg) on stdout; exits 1 on failure.
 * BENCH_VIDEO_SECONDS changes the clip length.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "player/video.h"

#define BENCH_FPS 30
#define BENCH_REPS 3

struct bench_cost {
    double wall, cpu; /* seconds */
    long frames;
};

static double bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double bench_tv(const struct timeval *tv)
{
    return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static double bench_self_cpu(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return bench_tv(&ru.ru_utime) + bench_tv(&ru.ru_stime);
}

/* Runs ARGV, returning its wall and CPU time (user + system, all threads).
 * Returns 0, or -1 if it could not run or failed. */
static int bench_spawn(const char *const argv[], struct bench_cost *c)
{
    struct rusage ru;
    double t0 = bench_now();
    int status;
    pid_t pid = fork();

    if (pid < 0)
        return -1;
    if (pid == 0) {
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    if (wait4(pid, &status, 0, &ru) != pid)
        return -1;
    c->wall = bench_now() - t0;
    c->cpu = bench_tv(&ru.ru_utime) + bench_tv(&ru.ru_stime);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Decodes PATH to the end as fast as it goes. */
static int bench_ours_fast(const char *path, struct bench_cost *c)
{
    char err[512];
    double t0 = bench_now(), c0 = bench_self_cpu();
    struct video *v = video_open(path, err, sizeof err);
    const struct video_frame *f;
    pl_ms last;
    long n;

    if (!v) {
        fprintf(stderr, "bench_video: %s\n", err);
        return -1;
    }
    /* Take each frame as soon as the one after it is queued (T between the
     * two, as pts step by 33 or 34 ms): the queue never fills, so the
     * decode thread never waits for us. */
    f = video_frame_at(v, 0, NULL);
    n = 1;
    last = f->pts_ms;
    for (;;) {
        bool is_new;
        f = video_frame_wait(v, last + 45, 5000, &is_new);
        if (!is_new)
            break; /* the end (or a stall, which the frame count shows) */
        n++;
        last = f->pts_ms;
    }
    video_free(v);
    c->wall = bench_now() - t0;
    c->cpu = bench_self_cpu() - c0;
    c->frames = n;
    return 0;
}

/* Plays PATH in real time with a 60 Hz loop, for SECONDS. */
static int bench_ours_realtime(const char *path, double seconds, struct bench_cost *c)
{
    char err[512];
    double t0 = bench_now(), c0 = bench_self_cpu();
    struct video *v = video_open(path, err, sizeof err);
    long n = 0;

    if (!v) {
        fprintf(stderr, "bench_video: %s\n", err);
        return -1;
    }
    double start = bench_now();
    for (int tick = 0; bench_now() - start < seconds; tick++) {
        bool is_new;
        double due = start + (tick + 1) / 60.0;
        video_frame_at(v, (pl_ms)((bench_now() - start) * 1000), &is_new);
        n += is_new;
        double wait = due - bench_now();
        if (wait > 0)
            usleep((useconds_t)(wait * 1e6));
    }
    video_free(v);
    c->wall = bench_now() - t0;
    c->cpu = bench_self_cpu() - c0;
    c->frames = n;
    return 0;
}

static int bench_cmp(const void *a, const void *b)
{
    double x = ((const struct bench_cost *)a)->wall, y = ((const struct bench_cost *)b)->wall;

    return x < y ? -1 : x > y;
}

int main(void)
{
    char dir[] = "/tmp/bench_video.XXXXXX", clip[128], cmd[512];
    struct bench_cost ours[BENCH_REPS], peer[BENCH_REPS], rt_ours, rt_peer;
    const char *env = getenv("BENCH_VIDEO_SECONDS");
    int seconds = env ? atoi(env) : 10;
    int rc = 1;

    if (seconds < 1 || seconds > 600)
        seconds = 10;
    if (!mkdtemp(dir)) {
        perror("bench_video: mkdtemp");
        return 1;
    }
    snprintf(clip, sizeof clip, "%s/clip.mp4", dir);
    snprintf(cmd, sizeof cmd,
             "ffmpeg -nostdin -v error -y -f lavfi -t %d -i testsrc2=size=1920x1080:rate=%d "
             "-c:v libx264 -preset veryfast -pix_fmt yuv420p %s",
             seconds, BENCH_FPS, clip);
    if (system(cmd) != 0) {
        fprintf(stderr, "bench_video: cannot make the clip with ffmpeg\n");
        goto out_rm;
    }
    long expect = (long)seconds * BENCH_FPS;
    const char *peer_fast[] = {"ffmpeg", "-nostdin", "-v",   "error", "-i", clip,
                               "-an",    "-f",       "null", "-",     NULL};
    const char *peer_rt[] = {"ffmpeg", "-nostdin", "-v", "error", "-re", "-i",
                             clip,     "-an",      "-f", "null",  "-",   NULL};

    for (int i = 0; i < BENCH_REPS; i++) {
        if (bench_ours_fast(clip, &ours[i]) < 0 || bench_spawn(peer_fast, &peer[i]) < 0) {
            fprintf(stderr, "bench_video: a throughput run failed\n");
            goto out_rm;
        }
        peer[i].frames = expect;
        if (ours[i].frames != expect) {
            fprintf(stderr, "bench_video: decoded %ld frames, expected %ld\n", ours[i].frames,
                    expect);
            goto out_rm;
        }
    }
    qsort(ours, BENCH_REPS, sizeof ours[0], bench_cmp);
    qsort(peer, BENCH_REPS, sizeof peer[0], bench_cmp);
    struct bench_cost *o = &ours[BENCH_REPS / 2], *p = &peer[BENCH_REPS / 2];
    printf("clip: %d s of 1920x1080 H.264 at %d fps (%ld frames), %ld cores\n", seconds, BENCH_FPS,
           expect, sysconf(_SC_NPROCESSORS_ONLN));
    printf("throughput (median of %d)   ours: %6.1f fps %6.2f s CPU   ffmpeg -f null: "
           "%6.1f fps %6.2f s CPU\n",
           BENCH_REPS, (double)o->frames / o->wall, o->cpu, (double)p->frames / p->wall, p->cpu);
    printf("throughput ratio ours/ffmpeg: fps %.2f  CPU %.2f\n",
           ((double)o->frames / o->wall) / ((double)p->frames / p->wall), o->cpu / p->cpu);

    if (bench_ours_realtime(clip, seconds, &rt_ours) < 0 || bench_spawn(peer_rt, &rt_peer) < 0) {
        fprintf(stderr, "bench_video: a real-time run failed\n");
        goto out_rm;
    }
    printf("real time   ours: %ld of %ld frames handed out, %.2f s CPU   ffmpeg -re: %.2f s "
           "CPU\n",
           rt_ours.frames, expect, rt_ours.cpu, rt_peer.cpu);
    printf("real time ratio ours/ffmpeg: CPU %.2f  frames %.2f\n", rt_ours.cpu / rt_peer.cpu,
           (double)rt_ours.frames / (double)expect);
    rc = 0;
out_rm:
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}
