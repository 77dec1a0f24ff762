/* ctl.c - signagectl's shared frame (see ctl.h). */
#include "tools/ctl.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/utf8.h"

#ifndef SIGNAGE_LIBEXECDIR
#define SIGNAGE_LIBEXECDIR "/usr/local/lib/signage"
#endif

static void usage(FILE *f)
{
    fprintf(f, "usage: signagectl [-c CFG] [--now TIME] [--json] COMMAND | --version\n"
               "  --json (anywhere): one JSON document on stdout; when the command fails,\n"
               "  {\"error\": \"...\", \"exit\": N}\n"
               "  check FILE...                  validate campaign files\n"
               "  list                           accepted campaigns (END AS WRITTEN: the end\n"
               "                                 in the operator's file), then the campaign\n"
               "                                 files waiting in the spool (state pending)\n"
               "  plan SCREEN [--from T] [--to T]  windows and loops of a screen\n"
               "  at SCREEN TIME                 what plays on SCREEN at TIME\n"
               "  withdraw ID                    remove a campaign, republish\n"
               "  history ID                     every accepted version of a campaign\n"
               "  restore ID VERSION             make an earlier version current again\n"
               "  report [--from D] [--to D] [--owner O] [--campaign ID]\n"
               "         [--by KEY[,KEY...]] [--csv [--no-bom]|--html FILE]\n"
               "         [--log DIR]... [--boxes DIR]... [--no-cache]\n"
               "                                 proof-of-play summary of STATE/log, or of\n"
               "                                 the log trees named (collected from many\n"
               "                                 boxes; --boxes DIR: each directory in DIR\n"
               "                                 is one box's tree; a box's .part uploads\n"
               "                                 count; a line is counted once): plays,\n"
               "                                 cut, skipped, errors, time shown, share,\n"
               "                                 dark time; KEY is owner, campaign, screen\n"
               "                                 or day; --owner is a partner's own view;\n"
               "                                 --html a page with charts to mail; CSV\n"
               "                                 for Excel: UTF-8 with BOM, CRLF\n"
               "  preview FILE|ID --out DIR [--screen S]...\n"
               "                                 each item drawn as its screens will show\n"
               "                                 it (PNG in DIR), the text's size and lines,\n"
               "                                 and warnings: text too small, a phrase\n"
               "                                 split, a character no font has, bars\n"
               "  status [--log DIR]... [--boxes DIR]... [SCREEN...]\n"
               "                                 each screen's health from its proof-of-play\n"
               "                                 log (of STATE/log, or of the trees given as\n"
               "                                 for report: the newest line of any) and\n"
               "                                 published playlist: ok, stale (no\n"
               "                                 line for 10 min, or 2x its longest item),\n"
               "                                 no log, no playlist, errors (error or\n"
               "                                 skipped lines in the last hour), behind (an\n"
               "                                 older playlist generation than published);\n"
               "                                 the spool's waiting and rejected files.\n"
               "                                 Exit 0 healthy or not (--json: \"healthy\"),\n"
               "                                 1 if STATE cannot be read\n");
}

int ctl_usage_error(const char *fmt, ...)
{
    va_list ap;

    /* Through the log, so that --json answers with it too. */
    va_start(ap, fmt);
    log_vmsg(LOGLVL_ERROR, fmt, ap);
    va_end(ap);
    usage(stderr);
    return EXIT_USAGE;
}

static int load_config(struct ctl *x, bool head_only)
{
    char err[4096];
    const char *path = pl_config_locate(x->cfg_opt);

    x->cfg = head_only ? pl_config_load_head(path, err, sizeof err)
                       : pl_config_load(path, err, sizeof err);
    if (!x->cfg) {
        log_error("%s (give the configuration with -c FILE or $SIGNAGE_CONFIG)", err);
        return -1;
    }
    if (x->now_text) {
        if (pl_time_parse(x->now_text, x->cfg->tz, PL_TIME_START, &x->now, err, sizeof err) < 0) {
            ctl_usage_error("--now: %s", err);
            return -2;
        }
    } else {
        x->now = pclock_wall_ms();
    }
    return 0;
}

int ctl_config_full(struct ctl *x)
{
    char err[4096];
    struct pl_config *cfg;

    if (!x->cfg->screens_left_out)
        return 0;
    cfg = pl_config_load(x->cfg->path, err, sizeof err);
    if (!cfg) {
        log_error("%s (give the configuration with -c FILE or $SIGNAGE_CONFIG)", err);
        return -1;
    }
    pl_config_free(x->cfg);
    x->cfg = cfg;
    return 0;
}

/* Whether a JSON document went to stdout: a command that failed after
 * printing its answer (check, with the problems in it) is not answered a
 * second time.  Process-wide by nature, as stdout is. */
static bool json_sent;

int ctl_print_json(json_t *doc)
{
    char *s;

    if (!doc)
        return -1;
    s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (!s)
        return -1;
    puts(s);
    free(s);
    json_sent = true;
    return 0;
}

json_t *ctl_json_text(const char *s)
{
    char buf[4096];

    if (!s)
        return json_null();
    if (utf8_valid(s, strlen(s)))
        return json_string(s);
    return json_string(utf8_printable(s, buf, sizeof buf));
}

/* --json: the first error logged, for the answer of a command that failed. */
struct json_failure {
    char first[2048];
    bool have;
};

static void keep_error(enum log_level level, const char *msg, void *arg)
{
    struct json_failure *f = arg;

    if (level != LOGLVL_ERROR || f->have)
        return;
    snprintf(f->first, sizeof f->first, "%s", msg);
    f->have = true;
}

/* With --json, a command that failed without answering answers
 * {"error": "<what went wrong>", "exit": STATUS} on stdout. */
static void json_failure_answer(const struct json_failure *f, const char *cmd, int status)
{
    char msg[2200];

    if (f->have)
        snprintf(msg, sizeof msg, "%s", f->first);
    else
        snprintf(msg, sizeof msg, "%s%sfailed (exit %d); the messages on standard error say why",
                 cmd ? cmd : "", cmd ? ": " : "", status);
    ctl_print_json(json_pack("{s:o,s:i}", "error", ctl_json_text(msg), "exit", status));
}

json_t *ctl_time_json(pl_ms t, const pl_tz *tz)
{
    char buf[PL_TIME_BUFSZ];

    if (pl_time_format(t, tz, buf, sizeof buf) < 0)
        return json_null();
    return json_string(buf);
}

const char *ctl_fmt_age(pl_ms ms, char *buf, size_t len)
{
    const char *sign = ms < 0 ? "-" : "";
    long long s = (long long)((ms < 0 ? -ms : ms) / 1000);

    if (s < 60)
        snprintf(buf, len, "%s%llds", sign, s);
    else if (s < 3600)
        snprintf(buf, len, "%s%lldm %02llds", sign, s / 60, s % 60);
    else if (s < 86400)
        snprintf(buf, len, "%s%lldh %02lldm", sign, s / 3600, s / 60 % 60);
    else
        snprintf(buf, len, "%s%lldd %lldh", sign, s / 86400, s / 3600 % 24);
    return buf;
}

const char *ctl_fmt_size(long long bytes, char *buf, size_t len)
{
    static const char *const units[] = {"KB", "MB", "GB", "TB"};
    double v = (double)bytes;
    int u = -1;

    if (bytes < 1024) {
        snprintf(buf, len, "%lld B", bytes);
        return buf;
    }
    while (v >= 1024 && u < 3) {
        v /= 1024;
        u++;
    }
    snprintf(buf, len, "%.1f %s", v, units[u]);
    return buf;
}

char *ctl_beside_self(const char *name)
{
    char exe[PATH_MAX], *p = NULL;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    if (asprintf(&p, "%s/%s", dirname(exe), name) < 0)
        return NULL;
    if (access(p, X_OK) == 0)
        return p;
    free(p);
    return NULL;
}

/* Runs CTL_MEDIA with the whole command line: beside this program (a build
 * tree), else in SIGNAGE_LIBEXECDIR.  Returns only on failure. */
static int run_media(int argc, char **argv, const char *cmd)
{
    char *path = ctl_beside_self(CTL_MEDIA);

    (void)argc;
    if (!path && asprintf(&path, "%s/%s", SIGNAGE_LIBEXECDIR, CTL_MEDIA) < 0)
        return 1;
    argv[0] = path;
    execv(path, argv);
    log_error("%s needs %s, which cannot be run: %s: %s (is the package installed whole?)", cmd,
              CTL_MEDIA, path, strerror(errno));
    free(path);
    return 1;
}

int ctl_main(int argc, char **argv, const struct ctl_command *commands, size_t ncommands)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"now", required_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},         {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0},
    };
    struct ctl x = {0};
    struct json_failure failure = {.have = false};
    const struct ctl_command *run = NULL;
    const char *cmd = NULL;
    int c, ret, r;

    /* Operators read stdout; stderr carries only what went wrong. */
    log_init(argv[0], LOGLVL_WARN);
    log_set_hook(keep_error, &failure);
    /* --json may be anywhere (every command takes it), and is known before
     * anything can fail. */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--json") == 0)
            x.json = true;
    opterr = 0; /* our own messages, which --json answers with too */
    while ((c = getopt_long(argc, argv, "+:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            x.cfg_opt = optarg;
            break;
        case 'n':
            x.now_text = optarg;
            break;
        case 'j':
            x.json = true;
            break;
        case 'h':
            usage(stdout);
            ret = 0;
            goto out;
        case 'V':
            printf("signagectl %s\n", SIGNAGE_VERSION);
            ret = 0;
            goto out;
        case ':':
            ret = ctl_usage_error("option '%s' needs a value", argv[optind - 1]);
            goto out;
        default:
            if (optopt)
                ret = ctl_usage_error("unknown option '-%c'", optopt);
            else
                ret = ctl_usage_error("unknown option '%s'", argv[optind - 1]);
            goto out;
        }
    }
    if (optind >= argc) {
        ret = ctl_usage_error("%s", "name a COMMAND");
        goto out;
    }
    cmd = argv[optind++];
    for (size_t i = 0; i < ncommands && !run; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            run = &commands[i];
    if (!run) {
        ret = ctl_usage_error("unknown command '%s'", cmd);
        goto out;
    }
    if (!run->run) {
        ret = run_media(argc, argv, cmd);
        goto out;
    }
    /* --json after the command is the frame's, not the command's. */
    for (int i = optind; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0 && strcmp(cmd, "plan") != 0) {
            memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof *argv);
            argc--;
            i--;
        }
    }

    r = load_config(&x, run->head_only);
    if (r < 0) {
        ret = r == -2 ? EXIT_USAGE : 1;
        goto out;
    }
    /* from the command's name on, as getopt expects */
    ret = run->run(&x, argc - optind + 1, argv + optind - 1);
out:
    if (x.json && ret != 0 && !json_sent)
        json_failure_answer(&failure, cmd, ret);
    log_set_hook(NULL, NULL);
    pl_config_free(x.cfg);
    return ret;
}

/* --- log trees ------------------------------------------------------------- */

int ctl_trees_add(struct ctl_trees *t, const char *dir)
{
    t->given = true;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        char **v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return -1;
        t->v = v;
        t->cap = cap;
    }
    if (!(t->v[t->n] = strdup(dir)))
        return -1;
    t->n++;
    return 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int ctl_trees_add_boxes(struct ctl_trees *t, const char *dir, char *err, size_t errlen)
{
    char shown[PATH_MAX * 4];
    struct stat st;
    struct dirent *de;
    DIR *d;
    size_t first = t->n, found = 0;

    t->given = true;
    utf8_printable(dir, shown, sizeof shown);
    if (!(d = opendir(dir))) {
        snprintf(err, errlen,
                 "%s: cannot read the boxes directory: %s (--boxes names a directory holding "
                 "one log tree per box)",
                 shown, strerror(errno));
        return -1;
    }
    while ((de = readdir(d))) {
        char *path = NULL;
        if (de->d_name[0] == '.')
            continue; /* ".", "..", and hidden: not boxes */
        if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
            goto oom;
        int sr = stat(path, &st), e = errno;
        if (sr < 0 || !S_ISDIR(st.st_mode)) {
            if (sr < 0) /* a link to nowhere, or a box going away */
                log_warn("%s: %s; left out", utf8_printable(path, shown, sizeof shown),
                         strerror(e));
            free(path);
            continue;
        }
        DIR *sd = opendir(path);
        if (!sd) {
            log_warn("%s: cannot be read (%s); this box's logs are left out",
                     utf8_printable(path, shown, sizeof shown), strerror(errno));
            free(path);
            continue;
        }
        closedir(sd);
        int r = ctl_trees_add(t, path);
        free(path);
        if (r < 0)
            goto oom;
        found++;
    }
    closedir(d);
    /* by name, so that what is said does not depend on readdir's order */
    if (found > 1)
        qsort(t->v + first, found, sizeof *t->v, name_cmp);
    if (!found)
        log_warn("%s: no box directory in it", utf8_printable(dir, shown, sizeof shown));
    return 0;
oom:
    closedir(d);
    snprintf(err, errlen, "out of memory");
    return -1;
}

void ctl_trees_free(struct ctl_trees *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i]);
    free(t->v);
    memset(t, 0, sizeof *t);
}
