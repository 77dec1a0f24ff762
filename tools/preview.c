/* preview.c - `signagectl preview` (see preview.h). */
#include <dirent.h>
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

#include "common/clock.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "playlists/merge.h"
#include "playlists/plfile.h"
#include "scheduler/campaign.h"
#include "scheduler/probe.h"
#include "scheduler/state.h"
#include "scheduler/store.h"
#include "tools/ctl.h"
#include "tools/preview.h"

#define PREVIEW_DAYS 7        /* the range the preview playlist covers */
#define PREVIEW_ERR 65536     /* room for every problem of a campaign file */
#define PREVIEW_LOG_TAIL 2048 /* bytes of the player's messages shown */
#define PREVIEW_QUOTE_SPLITS 3

struct preview {
    const struct preview_req *rq;
    char tmp[PATH_MAX];            /* scratch directory, removed at the end */
    const char *state;             /* where the campaign's media are: TMP or STATE */
    struct pl_campaign *c;         /* owned */
    struct sched_media_info *info; /* per item: its stored medium, probed */
    bool *have_info;
    json_t *errors; /* --json: what refused the campaign, one line each */
};

/* SIGINT or SIGTERM arrived: stop the player, clean up, fail. */
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
    stop_signal = sig;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path) < 0 ? -1 : 0;
}

/* What refused the campaign: printed as it comes, or kept for --json. */
static void refuse(struct preview *pv, const char *text)
{
    if (!pv->rq->json) {
        printf("%s\n", text);
        return;
    }
    for (const char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        json_array_append_new(pv->errors,
                              json_stringn(line, nl ? (size_t)(nl - line) : strlen(line)));
    }
}

/* The player: $SIGNAGE_PLAYER, else signage-player beside this program (a
 * build tree), else in BINDIR, else the one on PATH. */
static char *player_path(void)
{
    const char *env = getenv("SIGNAGE_PLAYER");
    char *p;

    if (env && *env)
        return strdup(env);
    if ((p = ctl_beside_self("signage-player")) != NULL)
        return p;
    if (asprintf(&p, "%s/signage-player", SIGNAGE_BINDIR) >= 0 && access(p, X_OK) == 0)
        return p;
    free(p);
    return strdup("signage-player");
}

/* A campaign file: checked as `check` does, its media stored (converted
 * where the scheduler would) in TMP/media. */
static int load_file(struct preview *pv)
{
    const struct preview_req *rq = pv->rq;
    char *dcopy = strdup(rq->what), *bcopy = strdup(rq->what), *err = malloc(PREVIEW_ERR);
    char *media = NULL;
    struct sched_probe_ctx pctx = {NULL, rq->cfg, NULL};
    int dirfd = -1, rc = -1;

    if (!dcopy || !bcopy || !err || asprintf(&media, "%s/media", pv->tmp) < 0)
        goto out;
    pctx.media_dir = media;
    dirfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        snprintf(err, PREVIEW_ERR, "%s: error: cannot open its folder: %s", rq->what,
                 strerror(errno));
        refuse(pv, err);
        goto out;
    }
    pv->c = sched_campaign_load(dirfd, basename(bcopy), rq->what, rq->cfg, err, PREVIEW_ERR);
    if (!pv->c) {
        refuse(pv, err);
        goto out;
    }
    /* its media warnings are given per screen, with the pictures */
    if (sched_probe_campaign(dirfd, pv->c, &pctx, err, PREVIEW_ERR) != SCHED_PROBE_OK) {
        refuse(pv, err);
        goto out;
    }
    if (sched_store_campaign(media, dirfd, pv->c, err, PREVIEW_ERR) < 0) {
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

/* STATE/campaigns/ID.cfg when ID names an accepted campaign, else NULL. */
static char *accepted_path(const struct preview_req *rq, const char *id)
{
    char *path = NULL;

    if (strchr(id, '/') || !pl_id_valid(id) ||
        asprintf(&path, "%s/campaigns/%s.cfg", rq->cfg->state, id) < 0)
        return NULL;
    if (access(path, F_OK) == 0)
        return path;
    free(path);
    return NULL;
}

/* An accepted campaign, read from PATH. */
static int load_accepted(struct preview *pv, const char *path)
{
    char err[4096];

    pv->c = pl_campaign_read_normalised(path, pv->rq->cfg->tz, err, sizeof err);
    if (!pv->c) {
        log_error("%s", err);
        return -1;
    }
    /* its line numbers are the normalised file's, not the operator's */
    for (size_t i = 0; i < pv->c->nitems; i++)
        pv->c->items[i].line = 0;
    pv->state = pv->rq->cfg->state;
    return 0;
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
    if (f && !sb_failed(&b) && fwrite(b.buf, 1, b.len, f) == b.len)
        rc = 0;
    if (f && fclose(f) != 0)
        rc = -1;
    if (rc)
        log_error("%s: cannot write: %s", path, strerror(errno));
    sb_free(&b);
    return rc;
}

/* The last PREVIEW_LOG_TAIL bytes of the file PATH, into BUF. */
static void log_tail(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;

    if (f) {
        if (fseek(f, -(long)(len - 1), SEEK_END) != 0)
            rewind(f);
        n = fread(buf, 1, len - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
}

/* Reads the player's stdout (FD) until it ends, then waits for PID, both
 * by DEADLINE (monotonic ms).  Returns 0 when the player finished in time
 * with exit status 0, -1 otherwise (killed when late or on a stop). */
static int collect(int fd, pid_t pid, long long deadline, struct strbuf *out, const char *screen)
{
    bool eof = false, late = false;
    int status = 0;

    while (!eof) {
        struct pollfd p = {fd, POLLIN, 0};
        char buf[8192];
        long long left = deadline - pclock_mono_ms();
        if (stop_signal || left <= 0) {
            late = true;
            break;
        }
        int r = poll(&p, 1, left > 1000 ? 1000 : (int)left);
        if (r <= 0)
            continue; /* EINTR (a signal) or a second passed: look again */
        ssize_t k = read(fd, buf, sizeof buf);
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (k <= 0)
            eof = true;
        else
            sb_append(out, buf, (size_t)k);
    }
    /* its output is complete: it is about to exit, or hangs */
    while (!late) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
        if (w < 0 && errno != EINTR)
            return -1;
        if (stop_signal || pclock_mono_ms() >= deadline)
            late = true;
        else
            usleep(20000);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!stop_signal)
        log_error("the player took over %d s for screen %s and was stopped; the campaign's "
                  "media may be too heavy for a signage PC: see `signagectl check`",
                  PREVIEW_PLAYER_TIMEOUT_S, screen);
    return -1;
}

/* Runs the player's --preview on PLAYLIST; returns its JSON array, or NULL
 * (logged, with the player's own messages). */
static json_t *run_player(const struct preview *pv, const char *cfg, const char *playlist,
                          const char *screen)
{
    char *player = player_path(), *logpath = NULL;
    struct strbuf out = STRBUF_INIT;
    int fds[2] = {-1, -1};
    json_t *doc = NULL;

    if (!player || asprintf(&logpath, "%s/player-%s.log", pv->tmp, screen) < 0 ||
        pipe2(fds, O_CLOEXEC) < 0)
        goto out;
    pid_t pid = fork();
    if (pid == 0) {
        int logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        if (dup2(fds[1], 1) < 0 || (logfd >= 0 && dup2(logfd, 2) < 0))
            _exit(127);
        execlp(player, player, "-c", cfg, "--playlist", playlist, "--preview", pv->rq->out,
               (char *)NULL);
        fprintf(stderr, "cannot run %s: %s\n", player, strerror(errno));
        _exit(127);
    }
    if (pid < 0) {
        log_error("cannot start the player: %s", strerror(errno));
        goto out;
    }
    close(fds[1]);
    fds[1] = -1;
    int r =
        collect(fds[0], pid, pclock_mono_ms() + PREVIEW_PLAYER_TIMEOUT_S * 1000LL, &out, screen);
    json_error_t jerr;
    if (r == 0 && out.buf)
        doc = json_loadb(out.buf, out.len, 0, &jerr);
    if (!json_is_array(doc)) {
        char tail[PREVIEW_LOG_TAIL];
        json_decref(doc);
        doc = NULL;
        log_tail(logpath, tail, sizeof tail);
        if (!stop_signal)
            log_error("the player (%s) could not draw screen %s; its messages end with:\n%s"
                      "(is signage-player installed beside signagectl?  $SIGNAGE_PLAYER names "
                      "another)",
                      player, screen, tail);
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

/* Up to PREVIEW_QUOTE_SPLITS places where LINES end inside a phrase, as
 * "…4 characters／4 characters…", into B.  Which line ends are splits is
 * not known here, so every line end is quoted when they are few. */
static void quote_ends(json_t *lines, struct strbuf *b)
{
    size_t n = json_array_size(lines);

    for (size_t i = 0; i + 1 < n && i < PREVIEW_QUOTE_SPLITS; i++) {
        const char *a = json_string_value(json_array_get(lines, i));
        const char *z = json_string_value(json_array_get(lines, i + 1));
        size_t al = a ? strlen(a) : 0, k = al, chars = 0, e = 0;
        while (k > 0 && chars < 4) { /* back over 4 UTF-8 characters */
            k--;
            if (((unsigned char)a[k] & 0xc0) != 0x80)
                chars++;
        }
        for (chars = 0; z && z[e] && chars < 4;) {
            e++;
            while (z[e] && ((unsigned char)z[e] & 0xc0) == 0x80)
                e++;
            chars++;
        }
        sb_printf(b, "%s%s%.*s／%.*s%s", i ? ", " : "", k ? "…" : "", (int)(al - k), a ? a + k : "",
                  (int)e, z ? z : "", z && z[e] ? "…" : "");
    }
    if (n > PREVIEW_QUOTE_SPLITS + 1)
        sb_puts(b, ", …");
}

/* The warnings about text item O on screen S. */
static void text_warnings(const struct pl_screen *s, json_t *o, json_t *w)
{
    int shorter = s->width < s->height ? s->width : s->height;
    int legible = shorter * PREVIEW_LEGIBLE_PERMILLE / 1000;
    json_int_t px = json_integer_value(json_object_get(o, "size"));
    json_int_t splits = json_integer_value(json_object_get(o, "phrase_splits"));
    json_int_t whole = json_integer_value(json_object_get(o, "phrase_size"));
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
    /* A phrase parted for a larger size is the typesetter's choice; one
     * parted because whole it would not be readable is the author's to fix. */
    if (splits > 0 && whole < legible) {
        struct strbuf b = STRBUF_INIT;
        quote_ends(json_object_get(o, "lines"), &b);
        json_array_append_new(
            w, json_sprintf("with every phrase whole the text would be %s%d px, too small to "
                            "read, so %d line%s end%s inside a phrase (%s); shorten it, or "
                            "break the lines yourself with \\n",
                            whole ? "" : "below ", whole ? (int)whole : 8, (int)splits,
                            splits > 1 ? "s" : "", splits > 1 ? "" : "s",
                            sb_failed(&b) || !b.buf ? "" : b.buf));
        sb_free(&b);
    }
    if (missing && *missing)
        json_array_append_new(
            w,
            json_sprintf("no font here has %s, so it is left out: write it another way", missing));
}

/* Adds "warnings" to the player's entry O for screen S. */
static void add_warnings(struct preview *pv, const struct pl_screen *s, json_t *o)
{
    json_t *w = json_array();
    const char *type = json_string_value(json_object_get(o, "type"));
    json_int_t idx = json_integer_value(json_object_get(o, "item"));

    if (json_object_get(o, "error"))
        json_array_append_new(w, json_sprintf("it cannot be shown (%s): what fills its time is "
                                              "shown instead; replace the file",
                                              json_string_value(json_object_get(o, "error"))));
    if (type && strcmp(type, "text") == 0 && json_object_get(o, "size"))
        text_warnings(s, o, w);
    if (type && strcmp(type, "text") != 0 && idx >= 0 && (size_t)idx < pv->c->nitems &&
        pv->have_info[idx]) {
        /* the scheduler's own media warnings, for this screen alone */
        struct pl_config one = *pv->rq->cfg;
        struct strbuf b = STRBUF_INIT;
        struct sched_probe_ctx ctx = {NULL, &one, &b};
        one.screens = (struct pl_screen *)s;
        one.nscreens = 1;
        sched_probe_media_warnings(&ctx, pv->c, &pv->c->items[idx], &pv->info[idx], NULL);
        for (char *line = b.len ? b.buf : NULL, *nl; line && *line; line = nl ? nl + 1 : NULL) {
            nl = strchr(line, '\n');
            json_array_append_new(w, json_stringn(line, nl ? (size_t)(nl - line) : strlen(line)));
        }
        sb_free(&b);
    }
    json_object_set_new(o, "warnings", w);
}

/* Probes each stored medium once, for the warnings of each screen. */
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
 * how many, or -1 (logged) for a --screen that is not one of them. */
static ssize_t pick_screens(const struct preview *pv, const struct pl_screen **out)
{
    const struct preview_req *rq = pv->rq;
    const struct pl_config *cfg = rq->cfg;
    size_t n = 0;

    for (size_t k = 0; k < rq->nscreens; k++) {
        const struct pl_screen *s = pl_config_screen(cfg, rq->screens[k]);
        if (!s) {
            struct strbuf members = STRBUF_INIT;
            for (size_t i = 0; i < cfg->nscreens; i++)
                for (size_t g = 0; g < cfg->screens[i].ngroups; g++)
                    if (strcmp(cfg->screens[i].groups[g], rq->screens[k]) == 0)
                        sb_printf(&members, "%s%s", members.len ? ", " : "", cfg->screens[i].id);
            if (members.len)
                log_error("--screen %s: that is a group; give one of its screens (%s), or "
                          "leave --screen out for all",
                          rq->screens[k], members.buf);
            else
                log_error("--screen %s: no such screen in %s", rq->screens[k], cfg->path);
            sb_free(&members);
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

/* Removes the pictures an earlier preview of campaign ID on SCREEN left in
 * DIR ("SCREEN-ID-N.png"), so none of an item since removed stays. */
static void remove_old_pictures(const char *dir, const char *screen, const char *id)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t sl = strlen(screen), il = strlen(id);

    while (d && (e = readdir(d))) {
        const char *n = e->d_name, *p = n + sl + 1 + il + 1;
        size_t len = strlen(n), digits = 0;
        if (len <= sl + il + 6 || strncmp(n, screen, sl) || n[sl] != '-' ||
            strncmp(n + sl + 1, id, il) || n[sl + 1 + il] != '-')
            continue;
        while (p[digits] >= '0' && p[digits] <= '9')
            digits++;
        if (digits && strcmp(p + digits, ".png") == 0)
            (void)unlinkat(dirfd(d), n, 0);
    }
    if (d)
        closedir(d);
}

/* Renders C (in PV) for each screen in SCR; appends each entry to ALL. */
static int render(struct preview *pv, const struct pl_screen **scr, size_t n, json_t *all)
{
    const struct preview_req *rq = pv->rq;
    char cfgpath[PATH_MAX + 16], err[1024];
    pl_ms from = rq->now, to = rq->now + PREVIEW_DAYS * PL_MS_PER_DAY;
    int rc = 0;

    /* Every item in one loop over the whole range: its own dates and
     * hours do not matter to how an item looks. */
    pv->c->start = from;
    pv->c->end = to;
    free(pv->c->hours);
    pv->c->hours = NULL;
    pv->c->nhours = 0;
    if (write_player_cfg(pv, scr, n, cfgpath, sizeof cfgpath) < 0)
        return -1;
    for (size_t i = 0; i < n && !stop_signal; i++) {
        char *plpath = NULL;
        const struct pl_campaign *camp = pv->c;
        struct pl_playlist *pl =
            pl_merge_screen(rq->cfg, &camp, 1, scr[i], from, to, err, sizeof err);
        if (!pl || asprintf(&plpath, "%s/playlists/%s.playlist", pv->tmp, scr[i]->id) < 0 ||
            pl_playlist_save(pl, rq->cfg->tz, plpath, err, sizeof err) < 0) {
            log_error("screen %s: %s", scr[i]->id, pl ? err : "cannot build its playlist");
            pl_playlist_free(pl);
            free(plpath);
            rc = -1;
            continue;
        }
        pl_playlist_free(pl);
        remove_old_pictures(rq->out, scr[i]->id, pv->c->id);
        json_t *arr = run_player(pv, cfgpath, plpath, scr[i]->id);
        free(plpath);
        if (!arr) {
            rc = -1;
            continue;
        }
        json_t *mine = json_array();
        for (size_t k = 0; k < json_array_size(arr); k++) {
            json_t *o = json_array_get(arr, k);
            const char *cid = json_string_value(json_object_get(o, "campaign"));
            if (!cid || strcmp(cid, pv->c->id) != 0)
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
    return stop_signal ? -1 : rc;
}

/* --out: made when missing; it must be a folder. */
static int make_out(const char *out)
{
    struct stat sb;

    if (mkdir(out, 0755) < 0 && errno != EEXIST) {
        log_error("--out %s: cannot make the folder: %s", out, strerror(errno));
        return -1;
    }
    if (stat(out, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
        log_error("--out %s: not a folder; give a folder for the pictures", out);
        return -1;
    }
    return 0;
}

/* Through ctl_print_json(), so that --json knows an answer was given. */
static void print_json(json_t *doc)
{
    ctl_print_json(json_incref(doc));
}

int preview_run(const struct preview_req *rq)
{
    struct preview pv = {.rq = rq, .errors = json_array()};
    struct sigaction sa = {.sa_handler = on_stop}, old_int, old_term;
    const char *tmpdir = getenv("TMPDIR");
    const struct pl_screen **scr = NULL;
    char tmpl[PATH_MAX], *accepted = accepted_path(rq, rq->what);
    json_t *all = json_array();
    int rc = 1;

    sigemptyset(&sa.sa_mask); /* no SA_RESTART: a stop interrupts the wait */
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    snprintf(tmpl, sizeof tmpl, "%s/signage-preview.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    /* absolute: the player's config names it, and resolves relative
     * paths against the config's own folder */
    if (!mkdtemp(tmpl) || !realpath(tmpl, pv.tmp)) {
        log_error("%s: cannot make a scratch folder: %s", tmpl, strerror(errno));
        if (tmpl[strlen(tmpl) - 1] != 'X')
            rmdir(tmpl);
        pv.tmp[0] = '\0';
        goto out;
    }
    char sub[PATH_MAX + 16];
    snprintf(sub, sizeof sub, "%s/media", pv.tmp);
    mkdir(sub, 0700);
    snprintf(sub, sizeof sub, "%s/playlists", pv.tmp);
    mkdir(sub, 0700);
    if (!accepted && !strchr(rq->what, '/') && access(rq->what, F_OK) != 0) {
        log_error("\"%s\" is neither a campaign file nor an accepted campaign; give a file's "
                  "path, or an id from `signagectl list`",
                  rq->what);
        goto out;
    }
    if ((accepted ? load_accepted(&pv, accepted) : load_file(&pv)) < 0)
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
    if (make_out(rq->out) < 0)
        goto out;
    probe_media(&pv);
    rc = render(&pv, scr, (size_t)n, all) < 0 ? 1 : 0;
    if (rq->json)
        print_json(all);
out:
    if (rq->json && json_array_size(pv.errors)) {
        json_t *doc = json_pack("{sssbsO}", "file", rq->what, "ok", 0, "errors", pv.errors);
        print_json(doc);
        json_decref(doc);
    }
    json_decref(pv.errors);
    json_decref(all);
    free(scr);
    free(pv.info);
    free(pv.have_info);
    free(accepted);
    pl_campaign_free(pv.c);
    if (pv.tmp[0])
        nftw(pv.tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (stop_signal) {
        log_error("stopped (signal %d); nothing was left behind", (int)stop_signal);
        rc = 128 + stop_signal;
    }
    return rc;
}
