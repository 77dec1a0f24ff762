/* ctl.h - what signagectl's commands share: the global options, the
 * configuration, JSON output, usage errors, and the dispatch from a table
 * of commands (git's git.c).  Commands that need FFmpeg (check, preview)
 * live in a second program, signagectl-media, that signagectl runs for
 * them, so that list, plan, at, withdraw, history, restore and report link
 * neither FFmpeg nor SDL.
 */
#ifndef SIGNAGE_TOOLS_CTL_H
#define SIGNAGE_TOOLS_CTL_H

#include <stdbool.h>

#include <jansson.h>

#include "playlists/config.h"
#include "playlists/pltime.h"

#define EXIT_USAGE 2
#define CTL_MEDIA "signagectl-media" /* the program that runs check and preview */

struct ctl {
    const char *cfg_opt;
    struct pl_config *cfg;
    bool json;
    bool have_now;
    pl_ms now;
    const char *now_text;
};

/* A command: RUN gets the command line from its own name on (ARGV[0] is
 * the command), as getopt expects; RUN NULL: it is run by CTL_MEDIA. */
struct ctl_command {
    const char *name;
    int (*run)(struct ctl *x, int argc, char **argv);
    bool head_only; /* starts with pl_config_load_head(); ctl_config_full() reads the rest */
};

/* Makes X->cfg the whole configuration when the command started with its
 * head only.  0, or -1 (logged). */
int ctl_config_full(struct ctl *x);

/* Parses the global options of ARGV, loads the configuration and runs the
 * command named, from the N COMMANDS (or hands the whole command line to
 * CTL_MEDIA).  With --json, a failure (usage errors too) that printed no
 * JSON answers {"error": "...", "exit": N} on stdout.  Returns the exit
 * status. */
int ctl_main(int argc, char **argv, const struct ctl_command *commands, size_t n);

/* Says what is wrong with the command line (logged as an error, so that
 * --json answers with it), then the usage; EXIT_USAGE. */
int ctl_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints DOC (taken) indented on stdout.  Returns 0 or -1.  Every JSON
 * answer goes through here: with --json, a command that fails without
 * having answered gets {"error": "<the first error logged>", "exit": N}
 * printed for it by ctl_main(). */
int ctl_print_json(json_t *doc);

/* S as a JSON string, bytes that are not UTF-8 written "\xNN"
 * (utf8_printable()); null for NULL. */
json_t *ctl_json_text(const char *s);

/* T as an ISO 8601 string in TZ (null when out of range). */
json_t *ctl_time_json(pl_ms t, const pl_tz *tz);

/* A length of time for people: "45s", "3m 05s", "2h 10m", "3d 4h"; a
 * negative one (a clock ahead) with a "-".  Writes into BUF. */
const char *ctl_fmt_age(pl_ms ms, char *buf, size_t len);

/* A size for people: "512 B", "1.2 KB", "3.4 MB", "1.0 GB".  Writes into BUF. */
const char *ctl_fmt_size(long long bytes, char *buf, size_t len);

/* The log trees a command reads (report, status): each --log DIR, and
 * each box's tree of --boxes DIR, in the order given. */
struct ctl_trees {
    char **v;
    size_t n, cap;
    bool given; /* --log or --boxes was: STATE/log is not read */
};

/* Adds DIR (--log).  0, or -1 out of memory. */
int ctl_trees_add(struct ctl_trees *t, const char *dir);

/* Adds every directory in DIR (--boxes), each one box's log tree, by
 * name: symbolic links to directories are followed (an admin's way of
 * putting a box kept elsewhere in), hidden names (".x") and what is not a
 * directory are not boxes, and a box that cannot be read is named in a
 * warning and left out.  0, or -1 with ERR filled when DIR cannot be read
 * or is not a directory, or out of memory. */
int ctl_trees_add_boxes(struct ctl_trees *t, const char *dir, char *err, size_t errlen);
void ctl_trees_free(struct ctl_trees *t);

/* NAME beside this program (a build tree, or an installed directory),
 * allocated, when it is there and executable; else NULL. */
char *ctl_beside_self(const char *name);

#endif
