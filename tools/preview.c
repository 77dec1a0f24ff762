/* preview.c - `signagectl preview` (see preview.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "playlists/plfile.h"
#include "scheduler/campaign.h"
#include "scheduler/probe.h"
#include "scheduler/publish.h"
#include "scheduler/state.h"
#include "scheduler/store.h"
#include "tools/preview.h"

#define PREVIEW_DAYS 7 /* the range the preview playlist covers */

struct preview {
    const struct preview_req *rq;
    char tmp[PATH_MAX];            /* scratch directory, removed at the end */
    const char *state;             /* where the campaign's media are: TMP or STATE */
    struct pl_campaign *c;         /* owned until put into SET */
    struct sched_set *set;         /* the campaign alone */
    struct strbuf warnings;        /* check's warnings about a file */
    struct sched_media_info *info; /* per item: its stored medium, probed */
    bool *have_info;
};

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path) < 0 ? -1 : 0;
}

/* The player: $SIGNAGE_PLAYER, else signage-player beside this program
 * (a build tree, or BINDIR), else the one on PATH. */
static char *player_path(void)
{
    const char *env = getenv("SIGNAGE_PLAYER");
    char exe[PATH_MAX], *p = NULL;
    ssize_t n;

    if (env && *env)
        return strdup(env);
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        if (asprintf(&p, "%s/signage-player", dirname(exe)) >= 0 && access(p, X_OK) == 0)
            return p;
        free(p);
    }
    return strdup("signage-player");
}

/* A campaign file: checked as `check` does, its media stored (converted
 * where the scheduler would) in TMP/media.  Errors are printed. */
static int load_file(struct preview *pv)
{
    const struct preview_req *rq = pv->rq;
    char *dcopy = strdup(rq->what), *bcopy = strdup(rq->what), *err = malloc(65536), *media = NULL;
    struct sched_probe_ctx pctx = {NULL, rq->cfg, &pv->warnings};
    int dirfd = -1, rc = -1;

    if (!dcopy || !bcopy || !err || asprintf(&media, "%s/media", pv->tmp) < 0)
        goto out;
    pctx.media_dir = media;
    dirfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        log_error("%s: cannot open its directory: %s", rq->what, strerror(errno));
        goto out;
    }
    pv->c = sched_campaign_load(dirfd, basename(bcopy), rq->what, rq->cfg, err, 65536);
    if (!pv->c) {
        printf("%s\n", err);
        goto out;
    }
    enum sched_probe_result r = sched_probe_campaign(dirfd, pv->c, &pctx, err, 65536);
    if (r != SCHED_PROBE_OK) {
        printf("%s\n", err);
        goto out;
    }
    if (sched_store_campaign(media, dirfd, pv->c, err, 65536) < 0) {
        log_error("%s", err);
        goto out;
    }
    pv->state = pv->tmp;
    rc = 0;
out:
    if (dirfd >= 0)
        close(dirfd);
    free(media);
    free(dcopy);
    free(bcopy);
    free(err);
    return rc;
}

/* An accepted campaign, by id, read from STATE/campaigns/. */
static int load_accepted(struct preview *pv)
{
    const struct preview_req *rq = pv->rq;
    char err[4096], *path = NULL;
    struct sched_state *st = sched_state_open(rq->cfg->state, err, sizeof err);

    if (!st) {
        log_error("%s", err);
        return -1;
    }
    if (asprintf(&path, "%s/%s.cfg", st->campaigns, rq->what) >= 0) {
        if (access(path, F_OK) != 0)
            log_error("\"%s\" is neither a campaign file nor an accepted campaign (none in %s); "
                      "give a file's path, or an id from `signagectl list`",
                      rq->what, st->campaigns);
        else if (!(pv->c = sched_campaign_read_normalised(path, rq->cfg->tz, err, sizeof err)))
            log_error("%s", err);
    }
    /* its line numbers are the normalised file's, not the operator's */
    for (size_t i = 0; pv->c && i < pv->c->nitems; i++)
        pv->c->items[i].line = 0;
    free(path);
    sched_state_free(st);
    pv->state = rq->cfg->state;
    return pv->c ? 0 : -1;
}

/* Appends S to B as a libconfig string, quotes and backslashes escaped. */
static void cfg_string(struct strbuf *b, const char *s)
{
    sb_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            sb_putc(b, '\\');
        sb_putc(b, *s);
    }
    sb_putc(b, '"');
}

/* TMP/signage.cfg for the player: the state the media are in, the zone,
 * and the screens (the playlist carries the geometry it draws). */
static int write_player_cfg(const struct preview *pv, const struct pl_screen *const *scr, size_t n,
                            char *path, size_t pathlen)
{
    struct strbuf b = STRBUF_INIT;
    FILE *f;
    int rc = -1;

    sb_puts(&b, "state = ");
    cfg_string(&b, pv->state);
    sb_puts(&b, ";\ntimezone = ");
    cfg_string(&b, pv->rq->cfg->timezone);
    sb_puts(&b, ";\nscreens = (\n");
    for (size_t i = 0; i < n; i++)
        sb_printf(&b, "  { id = \"%s\"; width = %d; height = %d; rotate = %d; }%s\n", scr[i]->id,
                  scr[i]->width, scr[i]->height, scr[i]->rotate, i + 1 < n ? "," : "");
    sb_puts(&b, ");\n");
    snprintf(path, pathlen, "%s/signage.cfg", pv->tmp);
    f = fopen(path, "w");
    if (f && b.buf && fwrite(b.buf, 1, b.len, f) == b.len)
        rc = 0;
    if (f && fclose(f) != 0)
        rc = -1;
    if (rc)
        log_error("%s: cannot write: %s", path, strerror(errno));
    sb_free(&b);
    return rc;
}

/* Runs the player's --preview on PLAYLIST; returns its JSON array, or NULL
 * (logged, with the player's own messages). */
static json_t *run_player(const struct preview *pv, const char *cfg, const char *playlist,
                          const char *screen)
{
    char *player = player_path(), *logpath = NULL;
    struct strbuf out = STRBUF_INIT;
    int fds[2] = {-1, -1}, status = 0;
    json_t *doc = NULL;
    pid_t pid = -1;

    if (!player || asprintf(&logpath, "%s/player-%s.log", pv->tmp, screen) < 0 ||
        pipe2(fds, O_CLOEXEC) < 0)
        goto out;
    pid = fork();
    if (pid == 0) {
        int logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (dup2(fds[1], 1) < 0 || (logfd >= 0 && dup2(logfd, 2) < 0))
            _exit(127);
        execlp(player, player, "-c", cfg, "--playlist", playlist, "--preview", pv->rq->out,
               (char *)NULL);
        fprintf(stderr, "cannot run %s: %s\n", player, strerror(errno));
        _exit(127);
    }
    if (pid < 0)
        goto out;
    close(fds[1]);
    fds[1] = -1;
    time_t deadline = time(NULL) + PREVIEW_PLAYER_TIMEOUT_S;
    for (;;) {
        struct pollfd p = {fds[0], POLLIN, 0};
        char buf[8192];
        int left = (int)(deadline - time(NULL));
        if (left <= 0 || poll(&p, 1, left * 1000) == 0) {
            log_error("the player took over %d s for screen %s; stopped", PREVIEW_PLAYER_TIMEOUT_S,
                      screen);
            kill(pid, SIGKILL);
            break;
        }
        ssize_t k = read(fds[0], buf, sizeof buf);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        sb_append(&out, buf, (size_t)k);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    json_error_t jerr;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && out.buf)
        doc = json_loadb(out.buf, out.len, 0, &jerr);
    if (!json_is_array(doc)) {
        json_decref(doc);
        doc = NULL;
        char tail[2048] = "";
        FILE *f = fopen(logpath, "r");
        size_t n = f ? fread(tail, 1, sizeof tail - 1, f) : 0;
        tail[n] = '\0';
        if (f)
            fclose(f);
        log_error("the player (%s) could not draw screen %s:\n%s", player, screen, tail);
    }
out:
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    sb_free(&out);
    free(logpath);
    free(player);
    return doc;
}

/* Adds "warnings" to the player's entry O for screen S. */
static void add_warnings(struct preview *pv, const struct pl_screen *s, json_t *o)
{
    json_t *w = json_array();
    const char *type = json_string_value(json_object_get(o, "type"));
    json_int_t idx = json_integer_value(json_object_get(o, "item"));
    int shorter = s->width < s->height ? s->width : s->height;
    int legible = shorter * PREVIEW_LEGIBLE_PERMILLE / 1000;
    char msg[1024];

    if (json_object_get(o, "error"))
        json_array_append_new(w, json_sprintf("it cannot be shown (%s); what fills its time is "
                                              "shown instead",
                                              json_string_value(json_object_get(o, "error"))));
    if (type && strcmp(type, "text") == 0 && json_object_get(o, "size")) {
        json_int_t px = json_integer_value(json_object_get(o, "size"));
        json_int_t splits = json_integer_value(json_object_get(o, "phrase_splits"));
        const char *missing = json_string_value(json_object_get(o, "missing"));
        if (json_is_true(json_object_get(o, "overflow")))
            json_array_append_new(
                w, json_sprintf("the text does not fit even at %d px and is cut off; shorten it",
                                (int)px));
        else if (px < legible)
            json_array_append_new(
                w, json_sprintf("the text is set at %d px, smaller than %d px (%d%% of the "
                                "screen's %d px side), too small to read from a few metres; "
                                "shorten it or split it over two items",
                                (int)px, legible, PREVIEW_LEGIBLE_PERMILLE / 10, shorter));
        if (splits > 0) {
            struct strbuf b = STRBUF_INIT;
            json_t *lines = json_object_get(o, "lines");
            for (size_t i = 0; i < json_array_size(lines); i++)
                sb_printf(&b, "%s%s", i ? "／" : "", json_string_value(json_array_get(lines, i)));
            json_array_append_new(
                w, json_sprintf("%d line%s end%s inside a phrase (%s): it does not fit whole at a "
                                "readable size; shorten it, or break the lines yourself with \\n",
                                (int)splits, splits > 1 ? "s" : "", splits > 1 ? "" : "s",
                                b.buf ? b.buf : ""));
            sb_free(&b);
        }
        if (missing && *missing)
            json_array_append_new(
                w, json_sprintf("no font here has %s, so it is left out: write it another way",
                                missing));
    }
    if (type && strcmp(type, "text") != 0 && idx >= 0 && (size_t)idx < pv->c->nitems &&
        pv->have_info[idx]) {
        double fill = sched_media_fill(&pv->info[idx], s->width, s->height, NULL);
        if (fill * 100 < PREVIEW_BARS_PERCENT) {
            snprintf(msg, sizeof msg,
                     "the picture covers only %d%% of this %dx%d screen; the rest is bars; make "
                     "a %dx%d version for it",
                     (int)(fill * 100 + 0.5), s->width, s->height, s->width, s->height);
            json_array_append_new(w, json_string(msg));
        }
    }
    json_object_set_new(o, "warnings", w);
}

/* Probes each stored medium once, for the share of a screen it covers. */
static void probe_media(struct preview *pv)
{
    int fd = open(pv->state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char err[1024];

    pv->info = calloc(pv->c->nitems ? pv->c->nitems : 1, sizeof *pv->info);
    pv->have_info = calloc(pv->c->nitems ? pv->c->nitems : 1, sizeof *pv->have_info);
    for (size_t i = 0; fd >= 0 && pv->info && pv->have_info && i < pv->c->nitems; i++) {
        const struct pl_item *it = &pv->c->items[i];
        pv->info[i].derived_fd = -1;
        if (it->type == PL_ITEM_TEXT || !it->media)
            continue;
        pv->have_info[i] =
            sched_probe_file(fd, it->media, it->type, &pv->info[i], err, sizeof err) == 0;
        sched_media_info_release(&pv->info[i]);
    }
    if (fd >= 0)
        close(fd);
}

static void print_text(const struct preview *pv, const struct pl_screen *s, json_t *arr)
{
    printf("%s%s%s%s (%dx%d):\n", s->id, s->name ? " \"" : "", s->name ? s->name : "",
           s->name ? "\"" : "", s->width, s->height);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *o = json_array_get(arr, i), *lines = json_object_get(o, "lines");
        json_int_t idx = json_integer_value(json_object_get(o, "item"));
        int line = idx >= 0 && (size_t)idx < pv->c->nitems ? pv->c->items[idx].line : 0;
        printf("  item %d", (int)idx + 1);
        if (line > 0)
            printf(" (line %d)", line);
        printf(", %s", json_string_value(json_object_get(o, "type")));
        if (json_object_get(o, "size"))
            printf(", %d px, %zu line%s", (int)json_integer_value(json_object_get(o, "size")),
                   json_array_size(lines), json_array_size(lines) == 1 ? "" : "s");
        printf(": %s\n", json_string_value(json_object_get(o, "png")));
        for (size_t k = 0; k < json_array_size(lines); k++)
            printf("      %s\n", json_string_value(json_array_get(lines, k)));
        json_t *w = json_object_get(o, "warnings");
        for (size_t k = 0; k < json_array_size(w); k++)
            printf("    warning: %s\n", json_string_value(json_array_get(w, k)));
    }
}

/* The screens to preview: those C targets, narrowed to --screen.  Returns
 * how many, or -1 (printed) for a --screen that is not one of them. */
static ssize_t pick_screens(const struct preview *pv, const struct pl_screen **out)
{
    const struct preview_req *rq = pv->rq;
    const struct pl_config *cfg = rq->cfg;
    size_t n = 0;

    for (size_t k = 0; k < rq->nscreens; k++) {
        const struct pl_screen *s = pl_config_screen(cfg, rq->screens[k]);
        if (!s) {
            log_error("--screen %s: no such screen in %s", rq->screens[k], cfg->path);
            return -1;
        }
        if (!pl_screen_targeted(s, pv->c)) {
            log_error("--screen %s: campaign \"%s\" does not play there", rq->screens[k],
                      pv->c->id);
            return -1;
        }
    }
    for (size_t i = 0; i < cfg->nscreens; i++) {
        const struct pl_screen *s = &cfg->screens[i];
        bool want = rq->nscreens == 0;
        for (size_t k = 0; k < rq->nscreens && !want; k++)
            want = strcmp(rq->screens[k], s->id) == 0;
        if (want && pl_screen_targeted(s, pv->c))
            out[n++] = s;
    }
    return (ssize_t)n;
}

/* Renders C (in PV) for each screen in SCR; appends each entry to ALL. */
static int render(struct preview *pv, const struct pl_screen **scr, size_t n, json_t *all)
{
    const struct preview_req *rq = pv->rq;
    char cfgpath[PATH_MAX + 16], err[1024];
    pl_ms from = rq->now, to = rq->now + PREVIEW_DAYS * PL_MS_PER_DAY;
    const char *id = pv->c->id;
    int rc = 0;

    /* Every item in one loop over the whole range: its own dates and
     * hours do not matter to how an item looks. */
    pv->c->start = from;
    pv->c->end = to;
    free(pv->c->hours);
    pv->c->hours = NULL;
    pv->c->nhours = 0;
    pv->set = sched_set_new();
    if (!pv->set || sched_set_put(pv->set, pv->c, NULL) < 0) {
        pv->c = NULL;
        log_error("out of memory");
        return -1;
    }
    pv->c = (struct pl_campaign *)sched_set_find(pv->set, id);
    if (write_player_cfg(pv, scr, n, cfgpath, sizeof cfgpath) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char *plpath = NULL;
        struct pl_playlist *pl =
            sched_publish_build(rq->cfg, pv->set, scr[i], from, to, err, sizeof err);
        if (!pl || asprintf(&plpath, "%s/playlists/%s.playlist", pv->tmp, scr[i]->id) < 0 ||
            pl_playlist_save(pl, rq->cfg->tz, plpath, err, sizeof err) < 0) {
            log_error("screen %s: %s", scr[i]->id, pl ? err : "cannot build its playlist");
            pl_playlist_free(pl);
            free(plpath);
            rc = -1;
            continue;
        }
        pl_playlist_free(pl);
        json_t *arr = run_player(pv, cfgpath, plpath, scr[i]->id);
        free(plpath);
        if (!arr) {
            rc = -1;
            continue;
        }
        json_t *mine = json_array();
        for (size_t k = 0; k < json_array_size(arr); k++) {
            json_t *o = json_array_get(arr, k);
            if (strcmp(json_string_value(json_object_get(o, "campaign"))
                           ? json_string_value(json_object_get(o, "campaign"))
                           : "",
                       pv->c->id) != 0)
                continue; /* what fills no time of ours */
            add_warnings(pv, scr[i], o);
            json_array_append(mine, o);
            json_array_append(all, o);
        }
        if (!rq->json)
            print_text(pv, scr[i], mine);
        json_decref(mine);
        json_decref(arr);
    }
    return rc;
}

int preview_run(const struct preview_req *rq)
{
    struct preview pv = {.rq = rq, .warnings = STRBUF_INIT};
    const char *tmpdir = getenv("TMPDIR");
    const struct pl_screen **scr = NULL;
    json_t *all = json_array();
    int rc = 1;
    struct stat sb;

    snprintf(pv.tmp, sizeof pv.tmp, "%s/signage-preview.XXXXXX",
             tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(pv.tmp)) {
        log_error("%s: cannot make a scratch directory: %s", pv.tmp, strerror(errno));
        pv.tmp[0] = '\0';
        goto out;
    }
    char sub[PATH_MAX + 16];
    snprintf(sub, sizeof sub, "%s/media", pv.tmp);
    mkdir(sub, 0700);
    snprintf(sub, sizeof sub, "%s/playlists", pv.tmp);
    mkdir(sub, 0700);
    bool is_file = strchr(rq->what, '/') || stat(rq->what, &sb) == 0;
    if ((is_file ? load_file(&pv) : load_accepted(&pv)) < 0)
        goto out;
    scr = calloc(rq->cfg->nscreens ? rq->cfg->nscreens : 1, sizeof *scr);
    ssize_t n = scr ? pick_screens(&pv, scr) : -1;
    if (n < 0) {
        rc = scr ? 2 : 1;
        goto out;
    }
    if (n == 0) {
        log_error("campaign \"%s\" plays on no screen of %s; check its screens = [...]", pv.c->id,
                  rq->cfg->path);
        goto out;
    }
    if (mkdir(rq->out, 0755) < 0 && errno != EEXIST) {
        log_error("--out %s: cannot make the directory: %s", rq->out, strerror(errno));
        goto out;
    }
    probe_media(&pv);
    if (!rq->json && pv.warnings.len)
        fputs(pv.warnings.buf, stdout);
    rc = render(&pv, scr, (size_t)n, all) < 0 ? 1 : 0;
    if (rq->json) {
        char *s = json_dumps(all, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s)
            puts(s);
        free(s);
    }
out:
    json_decref(all);
    free(scr);
    free(pv.info);
    free(pv.have_info);
    if (pv.set)
        sched_set_free(pv.set);
    else
        pl_campaign_free(pv.c);
    sb_free(&pv.warnings);
    if (pv.tmp[0])
        nftw(pv.tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
