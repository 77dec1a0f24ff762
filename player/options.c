#include "player/options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_SCREEN = 256,
    OPT_PLAYLIST,
    OPT_WINDOWED,
    OPT_CLOCK,
    OPT_CLOCK_RATE,
    OPT_SCREENSHOT_AT,
    OPT_OUT,
    OPT_SIZE,
    OPT_FRAME_LOG,
    OPT_FADE,
    OPT_PREVIEW,
    OPT_VERSION,
};

static const struct option long_opts[] = {
    {"config", required_argument, NULL, 'c'},
    {"screen", required_argument, NULL, OPT_SCREEN},
    {"playlist", required_argument, NULL, OPT_PLAYLIST},
    {"windowed", no_argument, NULL, OPT_WINDOWED},
    {"clock", required_argument, NULL, OPT_CLOCK},
    {"clock-rate", required_argument, NULL, OPT_CLOCK_RATE},
    {"screenshot-at", required_argument, NULL, OPT_SCREENSHOT_AT},
    {"out", required_argument, NULL, OPT_OUT},
    {"size", required_argument, NULL, OPT_SIZE},
    {"frame-log", required_argument, NULL, OPT_FRAME_LOG},
    {"fade", required_argument, NULL, OPT_FADE},
    {"preview", required_argument, NULL, OPT_PREVIEW},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

const char *opts_usage(void)
{
    return "usage: signage-player [-c CFG] (--screen ID | --playlist FILE) [--windowed]\n"
           "           [--clock TIME [--clock-rate R]]\n"
           "           [--screenshot-at TIME --out FILE.png [--size WxH]]\n"
           "           [--preview DIR]\n"
           "           [--frame-log FILE] [--fade MS] [-v] | --version\n";
}

static int parse_rate(const char *s, double *out)
{
    char *end;

    if (strspn(s, "0123456789.eE+-") != strlen(s)) /* no hex, no "inf" */
        return -1;
    errno = 0;
    double r = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(r) || r <= 0 || r > OPTS_RATE_MAX)
        return -1;
    *out = r;
    return 0;
}

static int parse_int(const char *s, long min, long max, int *out)
{
    char *end;

    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_size(const char *s, int *w, int *h)
{
    char buf[32];
    const char *x = strchr(s, 'x');

    if (!x || (size_t)(x - s) >= sizeof(buf))
        return -1;
    memcpy(buf, s, (size_t)(x - s));
    buf[x - s] = '\0';
    if (parse_int(buf, 1, OPTS_SIZE_MAX, w) || parse_int(x + 1, 1, OPTS_SIZE_MAX, h))
        return -1;
    return 0;
}

int opts_parse(int argc, char **argv, struct player_opts *out, char *err, size_t errlen)
{
    int c;

    memset(out, 0, sizeof(*out));
    out->clock_rate = 1.0;
    bool have_rate = false;

    optind = 0; /* glibc: start afresh, so the parser may run more than once */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":c:vh", long_opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            out->config = optarg;
            break;
        case 'v':
            out->verbose++;
            break;
        case 'h':
            out->help = true;
            break;
        case OPT_VERSION:
            out->version = true;
            break;
        case OPT_SCREEN:
            out->screen = optarg;
            break;
        case OPT_PLAYLIST:
            out->playlist = optarg;
            break;
        case OPT_WINDOWED:
            out->windowed = true;
            break;
        case OPT_CLOCK:
            out->clock = optarg;
            break;
        case OPT_CLOCK_RATE:
            if (parse_rate(optarg, &out->clock_rate)) {
                snprintf(err, errlen,
                         "--clock-rate '%s': expected a number above 0 and at most %g, "
                         "e.g. --clock-rate 60",
                         optarg, OPTS_RATE_MAX);
                return -1;
            }
            have_rate = true;
            break;
        case OPT_SCREENSHOT_AT:
            out->screenshot_at = optarg;
            break;
        case OPT_PREVIEW:
            out->preview = optarg;
            break;
        case OPT_OUT:
            out->out = optarg;
            break;
        case OPT_SIZE:
            if (parse_size(optarg, &out->size_w, &out->size_h)) {
                snprintf(err, errlen,
                         "--size '%s': expected WIDTHxHEIGHT in pixels, 1..%d each, "
                         "e.g. --size 1920x1080",
                         optarg, OPTS_SIZE_MAX);
                return -1;
            }
            break;
        case OPT_FRAME_LOG:
            out->frame_log = optarg;
            break;
        case OPT_FADE:
            if (parse_int(optarg, 0, OPTS_FADE_MAX, &out->fade_ms)) {
                snprintf(err, errlen, "--fade '%s': expected milliseconds 0..%d, e.g. --fade 500",
                         optarg, OPTS_FADE_MAX);
                return -1;
            }
            break;
        case ':':
            snprintf(err, errlen, "option '%s' needs a value", argv[optind - 1]);
            return -1;
        default:
            snprintf(err, errlen, "unknown option '%s'",
                     optind > 0 && optind <= argc ? argv[optind - 1] : "?");
            return -1;
        }
    }
    if (out->help || out->version)
        return 0;
    if (optind < argc) {
        snprintf(err, errlen, "unexpected argument '%s': options only", argv[optind]);
        return -1;
    }
    if (!out->screen == !out->playlist) {
        snprintf(err, errlen, "give exactly one of --screen ID or --playlist FILE");
        return -1;
    }
    if (have_rate && !out->clock) {
        snprintf(err, errlen, "--clock-rate needs --clock TIME (the simulated start)");
        return -1;
    }
    if (!out->screenshot_at != !out->out) {
        snprintf(err, errlen, "--screenshot-at TIME and --out FILE.png go together");
        return -1;
    }
    if (out->preview && (out->screenshot_at || out->clock || out->frame_log)) {
        snprintf(err, errlen,
                 "--preview DIR renders every item by itself: leave out "
                 "--screenshot-at, --clock and --frame-log");
        return -1;
    }
    if (out->size_w && !out->screenshot_at) {
        snprintf(err, errlen, "--size is for screenshots: add --screenshot-at TIME --out FILE");
        return -1;
    }
    return 0;
}
