/* signagectl-media: the signagectl commands that need FFmpeg (check,
 * preview).  signagectl runs it for them with its whole command line, so
 * it takes the same global options; see tools/signagectl.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "media/fonts.h"
#include "playlists/model.h"
#include "scheduler/campaign.h"
#include "scheduler/probe.h"
#include "tools/ctl.h"
#include "tools/preview.h"

/* --- check ---------------------------------------------------------------- */

/* Adds to W a warning for each text item of C with characters that no
 * font here draws: the player would leave them out (media/fonts.h). */
static void glyph_warnings(const struct fonts_cover *fc, const struct pl_campaign *c,
                           const char *file, struct strbuf *w)
{
    char missing[512];

    for (size_t i = 0; fc && i < c->nitems; i++) {
        const struct pl_item *it = &c->items[i];
        if (it->type != PL_ITEM_TEXT || !it->text ||
            !fonts_cover_missing(fc, it->text, strlen(it->text), missing, sizeof missing))
            continue;
        sb_printf(w,
                  "%s:%d: warning: item %zu: no font here has %s, so the screens leave it "
                  "out; write it another way\n",
                  file, it->line, i + 1, missing);
    }
}

static int check_one(struct ctl *x, const struct fonts_cover *fc, const char *file, json_t *arr)
{
    char *dcopy = strdup(file), *bcopy = strdup(file), *err = malloc(65536);
    const char *dir, *base;
    struct pl_campaign *c = NULL;
    int dirfd = -1, bad = 1;
    json_t *o = NULL;
    struct strbuf warnings = STRBUF_INIT;
    struct sched_probe_ctx pctx = {NULL, x->cfg, &warnings};

    if (!dcopy || !bcopy || !err)
        goto out_free;
    err[0] = '\0';
    dir = dirname(dcopy);
    base = basename(bcopy);
    dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        snprintf(err, 65536, "%s: error: cannot open its directory: %s", file, strerror(errno));
        goto out_report;
    }
    c = sched_campaign_load(dirfd, base, file, x->cfg, err, 65536);
    if (!c)
        goto out_report;
    switch (sched_probe_campaign(dirfd, c, &pctx, err, 65536)) {
    case SCHED_PROBE_OK:
        bad = 0;
        glyph_warnings(fc, c, file, &warnings);
        break;
    default:
        break;
    }
out_report:
    if (x->json) {
        o = json_object();
        json_object_set_new(o, "file", json_string(file));
        json_object_set_new(o, "ok", json_boolean(!bad));
        if (c)
            json_object_set_new(o, "id", json_string(c->id));
        json_t *errs = json_array();
        for (char *line = bad ? err : NULL, *nl; line && *line; line = nl ? nl + 1 : NULL) {
            nl = strchr(line, '\n');
            json_array_append_new(errs,
                                  json_stringn(line, nl ? (size_t)(nl - line) : strlen(line)));
        }
        json_object_set_new(o, "errors", errs);
        errs = json_array();
        for (char *line = warnings.len ? warnings.buf : NULL, *nl; line && *line;
             line = nl ? nl + 1 : NULL) {
            nl = strchr(line, '\n');
            json_array_append_new(errs,
                                  json_stringn(line, nl ? (size_t)(nl - line) : strlen(line)));
        }
        json_object_set_new(o, "warnings", errs);
        json_array_append_new(arr, o);
    } else if (bad) {
        printf("%s\n", err[0] ? err : "error: cannot check the file");
    } else {
        printf("%s: ok: campaign \"%s\", %zu items\n", file, c->id, c->nitems);
        fputs(warnings.len ? warnings.buf : "", stdout);
    }
out_free:
    if (dirfd >= 0)
        close(dirfd);
    pl_campaign_free(c);
    sb_free(&warnings);
    free(dcopy);
    free(bcopy);
    free(err);
    return bad;
}

static int cmd_check(struct ctl *x, int argc, char **argv)
{
    json_t *arr = x->json ? json_array() : NULL;
    char *font, err[1024] = "out of memory";
    struct fonts_cover *fc;
    int bad = 0;

    argc--; /* past the command's name */
    argv++;
    if (argc < 1)
        return ctl_usage_error("check: %s", "name at least one campaign FILE");
    font = fonts_bundled();
    fc = font ? fonts_cover_new(font, err, sizeof err) : NULL;
    free(font);
    if (!fc)
        log_warn("%s; the characters of texts are not checked", err);
    for (int i = 0; i < argc; i++)
        bad += check_one(x, fc, argv[i], arr);
    fonts_cover_free(fc);
    if (x->json)
        ctl_print_json(arr);
    return bad ? 1 : 0;
}

/* --- preview -------------------------------------------------------------- */

static int cmd_preview(struct ctl *x, int argc, char **argv)
{
    static const struct option opts[] = {
        {"screen", required_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    const char **screens = calloc((size_t)argc + 1, sizeof *screens);
    struct preview_req rq = {x->cfg, x->now, NULL, screens, 0, NULL, x->json};
    int c, ret;

    if (!screens)
        return 1;
    optind = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1 || optind < argc) {
        if (c == -1) {
            if (rq.what) {
                free(screens);
                return ctl_usage_error("preview: unexpected argument '%s'; one campaign at a time",
                                       argv[optind]);
            }
            rq.what = argv[optind++];
            continue;
        }
        if (c == 's') {
            screens[rq.nscreens++] = optarg;
        } else if (c == 'o') {
            rq.out = optarg;
        } else {
            free(screens);
            return ctl_usage_error("preview: %s", "unknown option; see the usage below");
        }
    }
    if (!rq.what || !rq.out) {
        free(screens);
        return ctl_usage_error(
            "preview: %s",
            "give a campaign FILE (or an accepted ID) and --out DIR for the pictures");
    }
    ret = preview_run(&rq);
    free(screens);
    return ret;
}

static const struct ctl_command commands[] = {
    {"check", cmd_check, false},
    {"preview", cmd_preview, false},
};

int main(int argc, char **argv)
{
    return ctl_main(argc, argv, commands, sizeof commands / sizeof commands[0]);
}
