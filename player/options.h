/* options.h - the command line of signage-player.
 *
 * Parsing is pure (no I/O beyond reading ARGV) so it is tested on its own;
 * main() turns a failure into the usage message and exit status 2.
 */
#ifndef SIGNAGE_PLAYER_OPTIONS_H
#define SIGNAGE_PLAYER_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

/* Largest --clock-rate accepted: a day in under a second and a half. */
#define OPTS_RATE_MAX 65536.0
/* Largest --fade accepted, in ms. */
#define OPTS_FADE_MAX 10000
/* Largest --size side accepted, in pixels. */
#define OPTS_SIZE_MAX 16384

struct player_opts {
    const char *config;   /* -c FILE, or NULL: pl_config_locate() decides */
    const char *screen;   /* --screen ID */
    const char *playlist; /* --playlist FILE */
    bool windowed;
    const char *clock;         /* --clock TIME (parsed later, in the playlist's zone) */
    double clock_rate;         /* --clock-rate R, default 1 */
    const char *screenshot_at; /* --screenshot-at TIME */
    const char *out;           /* --out FILE.png */
    int size_w, size_h;        /* --size WxH, 0 = the screen's size */
    const char *frame_log;     /* --frame-log FILE */
    const char *preview;       /* --preview DIR: each item of the first window to DIR, JSON out */
    int fade_ms;               /* --fade MS, default 0 */
    int verbose;               /* each -v adds one level */
    bool help;                 /* -h / --help */
    bool version;              /* --version */
};

/* Parses ARGV (strings borrowed, so ARGV must outlive OUT).  Returns 0, or
 * -1 with ERR saying what is wrong and what would be right. */
int opts_parse(int argc, char **argv, struct player_opts *out, char *err, size_t errlen);

/* The usage text (static). */
const char *opts_usage(void);

#endif
