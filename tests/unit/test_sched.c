/* Tests for scheduler/state.c, store.c, publish.c and ingest.c: the state
 * tree, the normalised campaign format, the content store, moving files
 * without overwriting, the accepted set, and publishing only on change. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/slurp.h"
#include "common/strbuf.h"
#include "playlists/config.h"
#include "scheduler/fallback.h"
#include "scheduler/history.h"
#include "scheduler/ingest.h"
#include "scheduler/publish.h"
#include "scheduler/state.h"
#include "scheduler/store.h"
#include "tests/unit/check_main.h"

static char tmpdir[64];

static void setup(void)
{
    test_tmpdir_make(tmpdir, sizeof tmpdir, "test_sched");
}

static void teardown(void)
{
    test_tmpdir_remove(tmpdir);
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = calloc(1, 1 << 20);
    size_t n;

    ck_assert_ptr_nonnull(f);
    n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static pl_tz *tokyo(void)
{
    char err[256];
    pl_tz *tz = pl_tz_new("Asia/Tokyo", err, sizeof err);

    ck_assert_msg(tz != NULL, "%s", err);
    return tz;
}

static const char sha_a[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

/* A campaign with awkward strings, dayparts and every item type. */
static struct pl_campaign *sample(const char *id)
{
    struct pl_campaign *c = calloc(1, sizeof *c);

    c->id = strdup(id);
    c->title = strdup("高知「牧野」 \"quoted\" back\\slash\ttab");
    c->owner = strdup("高知県");
    c->start = INT64_C(1677596400000); /* 2023-03-01T00:00+09:00 */
    c->end = INT64_C(1680274800000);   /* 2023-04-01T00:00+09:00 */
    c->priority = 70;
    c->weight = 3;
    c->nscreens = 2;
    c->screens = calloc(2, sizeof *c->screens);
    c->screens[0] = strdup("shinjuku-west");
    c->screens[1] = strdup("*");
    c->nhours = 2;
    c->hours = calloc(2, sizeof *c->hours);
    c->hours[0] = (struct pl_daypart){(1u << 1) | (1u << 5), 7 * 60, 22 * 60};
    c->hours[1] = (struct pl_daypart){1u << 0, 22 * 60, 1440};
    c->nitems = 2;
    c->items = calloc(2, sizeof *c->items);
    c->items[0].type = PL_ITEM_VIDEO;
    c->items[0].duration_ms = 12345;
    c->items[0].file = strdup("kochi/expo 動画.mp4");
    c->items[0].media =
        strdup("media/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.mp4");
    memcpy(c->items[0].sha256, sha_a, sizeof sha_a);
    c->items[0].background = 0x102030;
    c->items[1].type = PL_ITEM_TEXT;
    c->items[1].duration_ms = 10000;
    c->items[1].text = strdup("一行目\n二行目 \x01 ctl");
    c->items[1].background = 0x1b5e20;
    c->items[1].color = 0xffffff;
    c->source = strdup("kochi.cfg");
    return c;
}

START_TEST(test_state_tree)
{
    char err[512], path[256];
    struct sched_state *st = sched_state_open(tmpdir, err, sizeof err);
    const char *dirs[] = {"spool", "campaigns", "rejected", "media", "playlists", "log"};
    struct stat sb;

    ck_assert_msg(st != NULL, "%s", err);
    for (int i = 0; i < 6; i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, dirs[i]);
        ck_assert_int_eq(stat(path, &sb), 0);
        ck_assert(S_ISDIR(sb.st_mode));
    }
    ck_assert_int_eq(sched_state_lock(st, err, sizeof err), 0);
    ck_assert_int_eq(sched_state_lock(st, err, sizeof err), 0); /* re-entrant */
    sched_state_unlock(st);
    sched_state_unlock(st);
    sched_state_free(st);
    sched_state_free(NULL);
    /* A file where a directory should be: refused with a message. */
    snprintf(path, sizeof path, "%s/x", tmpdir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/x/media", tmpdir);
    test_write_file(path, "not a dir");
    snprintf(path, sizeof path, "%s/x", tmpdir);
    st = sched_state_open(path, err, sizeof err);
    ck_assert_ptr_null(st);
    ck_assert_ptr_nonnull(strstr(err, "not a directory"));
}
END_TEST

START_TEST(test_normalised_roundtrip)
{
    pl_tz *tz = tokyo();
    struct pl_campaign *c = sample("kochi-expo"), *d;
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
    char err[512];

    ck_assert_int_eq(pl_campaign_format(c, tz, &a), 0);
    d = pl_campaign_parse_normalised(a.buf, a.len, "kochi-expo.cfg", tz, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    ck_assert_str_eq(d->id, c->id);
    ck_assert_str_eq(d->title, c->title);
    ck_assert_int_eq(d->start, c->start);
    ck_assert_int_eq(d->end, c->end);
    ck_assert_int_eq(d->priority, 70);
    ck_assert_int_eq(d->weight, 3);
    ck_assert_int_eq(d->nhours, 2);
    ck_assert_uint_eq(d->hours[0].days, c->hours[0].days);
    ck_assert_int_eq(d->hours[1].to_min, 1440);
    ck_assert_int_eq(d->items[0].duration_ms, 12345);
    ck_assert_str_eq(d->items[0].sha256, sha_a);
    ck_assert_str_eq(d->items[0].file, c->items[0].file);
    ck_assert_uint_eq(d->items[0].background, 0x102030);
    ck_assert_str_eq(d->items[1].text, c->items[1].text);
    ck_assert_str_eq(d->source, "kochi.cfg");
    /* Formatting what was read gives the same bytes. */
    ck_assert_int_eq(pl_campaign_format(d, tz, &b), 0);
    ck_assert_str_eq(sb_str(&a), sb_str(&b));
    sb_free(&a);
    sb_free(&b);
    pl_campaign_free(c);
    pl_campaign_free(d);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_normalised_broken)
{
    static const char *const bad[] = {
        "",
        "format = 1;",
        "format = 2; id = \"x\";",
        "format = 1; id = \"X Y\"; start = \"2023-03-01T00:00:00+09:00\";",
        "format = 1; id = \"x\"; start = \"2023-03-01T00:00:00+09:00\"; end = "
        "\"2023-02-01T00:00:00+09:00\";"
        " priority = 1; weight = 1; screens = [\"*\"]; items = ({ type = \"text\"; duration_ms = "
        "1000;"
        " text = \"t\"; background = \"#000000\"; color = \"#ffffff\"; });",
        /* a medium outside the store */
        "format = 1; id = \"x\"; start = \"2023-03-01T00:00:00+09:00\"; end = "
        "\"2023-04-01T00:00:00+09:00\";"
        " priority = 1; weight = 1; screens = [\"*\"]; items = ({ type = \"image\"; duration_ms = "
        "1000;"
        " file = \"a.png\"; media = \"../../etc/passwd\"; background = \"#000000\"; color = "
        "\"#ffffff\";"
        " sha256 = \"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"; });",
        /* duration out of range */
        "format = 1; id = \"x\"; start = \"2023-03-01T00:00:00+09:00\"; end = "
        "\"2023-04-01T00:00:00+09:00\";"
        " priority = 1; weight = 1; screens = [\"*\"]; items = ({ type = \"text\"; duration_ms = 0;"
        " text = \"t\"; background = \"#000000\"; color = \"#ffffff\"; });",
        "format = 1; id = \"x\"; items = 5; screens = 7;",
        "\xff\xfe garbage",
        "@include \"/etc/passwd\"",
    };
    pl_tz *tz = tokyo();
    char err[512];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        struct pl_campaign *c =
            pl_campaign_parse_normalised(bad[i], strlen(bad[i]), "n.cfg", tz, err, sizeof err);
        ck_assert_msg(c == NULL, "accepted #%zu", i);
        ck_assert_msg(strncmp(err, "n.cfg", 5) == 0, "#%zu: %s", i, err);
    }
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_accept_withdraw_set)
{
    char err[512], path[256];
    struct sched_state *st = sched_state_open(tmpdir, err, sizeof err);
    struct sched_set *set = sched_set_new();
    pl_tz *tz = tokyo();
    struct pl_campaign *c = sample("b-camp");
    char *text;

    ck_assert_ptr_nonnull(st);
    snprintf(path, sizeof path, "%s/spool/orig.cfg", tmpdir);
    test_write_file(path, "original bytes\r\n");
    ck_assert_int_eq(sched_history_accept(st, c, tz, NULL, path, NULL, 0, err, sizeof err), 0);
    ck_assert_uint_eq(c->version, 1);
    ck_assert_int_eq(access(path, F_OK), -1); /* moved out of the spool */
    snprintf(path, sizeof path, "%s/campaigns/history/b-camp/1.src", tmpdir);
    text = read_all(path);
    ck_assert_str_eq(text, "original bytes\r\n");
    free(text);
    pl_campaign_free(c);
    /* Another, and a damaged file that must be left out. */
    c = sample("a-camp");
    ck_assert_int_eq(sched_history_accept(st, c, tz, NULL, NULL, NULL, 0, err, sizeof err), 0);
    pl_campaign_free(c);
    snprintf(path, sizeof path, "%s/campaigns/broken.cfg", tmpdir);
    test_write_file(path, "format = 1; id = \"broken\";");
    snprintf(path, sizeof path, "%s/campaigns/renamed.cfg", tmpdir);
    c = sample("other-id");
    {
        struct strbuf sb = STRBUF_INIT;
        pl_campaign_format(c, tz, &sb);
        test_write_file(path, sb_str(&sb));
        sb_free(&sb);
    }
    pl_campaign_free(c);
    ck_assert_int_eq(sched_set_load(set, st, tz), 2);
    ck_assert_uint_eq(set->n, 2);
    ck_assert_str_eq(set->v[0].c->id, "a-camp"); /* sorted by id */
    ck_assert_str_eq(set->v[1].c->id, "b-camp");
    ck_assert_ptr_nonnull(sched_set_find(set, "b-camp"));
    ck_assert_ptr_null(sched_set_find(set, "zzz"));
    /* Unchanged file: refresh sees nothing to do. */
    ck_assert_int_eq(sched_set_refresh(set, st, tz, "a-camp.cfg"), 0);
    /* Withdraw: file gone, refresh drops it. */
    ck_assert_int_eq(sched_state_withdraw(st, "a-camp", err, sizeof err), 0);
    ck_assert_int_eq(sched_set_refresh(set, st, tz, "a-camp.cfg"), 1);
    ck_assert_ptr_null(sched_set_find(set, "a-camp"));
    ck_assert_int_eq(sched_state_withdraw(st, "a-camp", err, sizeof err), -ENOENT);
    ck_assert_ptr_nonnull(strstr(err, "signagectl list"));
    ck_assert_int_eq(sched_state_withdraw(st, "../spool", err, sizeof err), -ENOENT);
    ck_assert_int_eq(sched_set_remove(set, "b-camp"), 0);
    ck_assert_int_eq(sched_set_remove(set, "b-camp"), -1);
    ck_assert_uint_eq(set->n, 0);
    sched_set_free(set);
    sched_set_free(NULL);
    sched_state_free(st);
    pl_tz_free(tz);
}
END_TEST

/* Many campaigns are read over the cores: the set comes out sorted by id
 * (not by file name: "x-a" sorts before "x.cfg" but after "x"), the
 * refused ones are counted, and nothing is read twice or left out. */
START_TEST(test_set_load_many)
{
    char err[512], path[300], id[64];
    struct sched_state *st = sched_state_open(tmpdir, err, sizeof err);
    struct sched_set *set = sched_set_new();
    pl_tz *tz = tokyo();
    const size_t n = 300;

    ck_assert_ptr_nonnull(st);
    for (size_t i = 0; i < n; i++) {
        struct strbuf sb = STRBUF_INIT;
        struct pl_campaign *c;
        /* pairs where the id order and the file-name order differ */
        snprintf(id, sizeof id, i % 2 ? "x%03zu-a" : "x%03zu", i / 2);
        c = sample(id);
        pl_campaign_format(c, tz, &sb);
        snprintf(path, sizeof path, "%s/campaigns/%s.cfg", tmpdir, id);
        test_write_file(path, sb_str(&sb));
        sb_free(&sb);
        pl_campaign_free(c);
    }
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/campaigns/broken-%d.cfg", tmpdir, i);
        test_write_file(path, i % 2 ? "format = 1; id = \"broken\";" : "\x01\x02 not a campaign");
    }
    ck_assert_int_eq(sched_set_load(set, st, tz), 5);
    ck_assert_uint_eq(set->n, n);
    for (size_t i = 1; i < set->n; i++)
        ck_assert_msg(strcmp(set->v[i - 1].c->id, set->v[i].c->id) < 0, "%s before %s",
                      set->v[i - 1].c->id, set->v[i].c->id);
    ck_assert_str_eq(set->v[0].c->id, "x000");
    ck_assert_str_eq(set->v[1].c->id, "x000-a");
    ck_assert_ptr_nonnull(sched_set_find(set, "x149-a"));
    ck_assert_ptr_nonnull(sched_set_find(set, "x149"));
    ck_assert_ptr_null(sched_set_find(set, "x150"));
    ck_assert_uint_ne(set->v[0].id.ino, 0); /* each file's identity kept */
    /* loading again gives the same set */
    ck_assert_int_eq(sched_set_load(set, st, tz), 5);
    ck_assert_uint_eq(set->n, n);
    sched_set_free(set);
    sched_state_free(st);
    pl_tz_free(tz);
}
END_TEST

START_TEST(test_move_noreplace)
{
    char err[512], from[256], final[128], dir[200], path[300];

    snprintf(dir, sizeof dir, "%s", tmpdir);
    for (int i = 0; i < 3; i++) {
        snprintf(from, sizeof from, "%s/in-%d", tmpdir, i);
        test_write_file(from, i == 0 ? "zero" : i == 1 ? "one" : "two");
        snprintf(path, sizeof path, "%s/out", tmpdir);
        mkdir(path, 0755);
        ck_assert_int_eq(
            sched_move_file(from, path, "x.cfg", false, final, sizeof final, err, sizeof err), 0);
        ck_assert_str_eq(final, i == 0 ? "x.cfg" : i == 1 ? "x.1.cfg" : "x.2.cfg");
    }
    snprintf(path, sizeof path, "%s/out/x.cfg", dir);
    char *t = read_all(path);
    ck_assert_str_eq(t, "zero"); /* never overwritten */
    free(t);
    snprintf(from, sizeof from, "%s/none", tmpdir);
    snprintf(path, sizeof path, "%s/out", tmpdir);
    ck_assert_int_lt(sched_move_file(from, path, "y.cfg", false, NULL, 0, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "none"));
}
END_TEST

START_TEST(test_store)
{
    char err[512], sha[PL_SHA256_HEX], media[SCHED_MEDIA_PATH_MAX], path[256], ext[8];
    struct sched_state *st = sched_state_open(tmpdir, err, sizeof err);
    int sfd;
    struct stat a, b;

    ck_assert_ptr_nonnull(st);
    snprintf(path, sizeof path, "%s/spool/pic.JPEG", tmpdir);
    test_write_file(path, "abc");
    sfd = open(st->spool, O_RDONLY | O_DIRECTORY);
    ck_assert_int_ge(sfd, 0);
    ck_assert_int_eq(
        sched_store_put(st->media, sfd, "pic.JPEG", NULL, NULL, 1024, sha, media, err, sizeof err),
        0);
    ck_assert_str_eq(sha, sha_a); /* SHA-256("abc") */
    ck_assert_str_eq(media,
                     "media/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.jpg");
    snprintf(path, sizeof path, "%s/%s", tmpdir, media);
    ck_assert_int_eq(stat(path, &a), 0);
    /* Again, with the expected hash: nothing is read or rewritten. */
    ck_assert_int_eq(sched_store_put(st->media, sfd, "pic.JPEG", "jpg", sha_a, 1024, sha, media,
                                     err, sizeof err),
                     0);
    ck_assert_int_eq(stat(path, &b), 0);
    ck_assert_int_eq(a.st_ino, b.st_ino);
    /* The file changed since the probe: refused, nothing added. */
    ck_assert_int_eq(sched_store_put(st->media, sfd, "pic.JPEG", "png", sha_a, 1024, sha, media,
                                     err, sizeof err),
                     0); /* png not stored yet, but hash equal */
    snprintf(path, sizeof path, "%s/spool/pic.JPEG", tmpdir);
    test_write_file(path, "abd");
    ck_assert_int_eq(sched_store_put(st->media, sfd, "pic.JPEG", "gif", sha_a, 1024, sha, media,
                                     err, sizeof err),
                     -ESTALE);
    ck_assert_ptr_nonnull(strstr(err, "changed"));
    /* Hostile inputs. */
    ck_assert_int_lt(sched_store_put(st->media, sfd, "../etc/passwd", NULL, NULL, 1024, sha, media,
                                     err, sizeof err),
                     0);
    ck_assert_int_lt(sched_store_put(st->media, sfd, "/etc/passwd", NULL, NULL, 1024, sha, media,
                                     err, sizeof err),
                     0);
    ck_assert_int_eq(sched_store_put(st->media, sfd, "pic.JPEG", "../x", NULL, 1024, sha, media,
                                     err, sizeof err),
                     -EINVAL);
    ck_assert_int_lt(
        sched_store_put(st->media, sfd, "pic.JPEG", NULL, NULL, 2, sha, media, err, sizeof err),
        0); /* too large */
    ck_assert_int_eq(sched_store_put(st->media, sfd, "missing.png", NULL, NULL, 1024, sha, media,
                                     err, sizeof err),
                     -ENOENT);
    /* Nothing but the stored files remains in media/ (no temporaries). */
    snprintf(path, sizeof path, "test $(ls -A '%s/media' | grep -c incoming) -eq 0", tmpdir);
    ck_assert_int_eq(system(path), 0);
    ck_assert_str_eq(sched_store_ext("a/b.JPG", ext), "jpg");
    ck_assert_str_eq(sched_store_ext("a.b/c", ext), "bin");
    ck_assert_str_eq(sched_store_ext("x.toolongext", ext), "bin");
    ck_assert_str_eq(sched_store_ext("x.p g", ext), "bin");
    close(sfd);
    sched_state_free(st);
}
END_TEST

static struct pl_config *test_config(char *cfgpath)
{
    char err[1024];
    struct pl_config *cfg;

    snprintf(cfgpath, 256, "%s/signage.cfg", tmpdir);
    test_write_file(cfgpath, "state = \".\";\n"
                             "pending_grace = 60;\n"
                             "screens = (\n"
                             "  { id = \"a\"; groups = [ \"g\" ]; width = 1920; height = 1080; },\n"
                             "  { id = \"b\"; groups = [ \"g\" ]; width = 1920; height = 1080; },\n"
                             "  { id = \"c\"; groups = [ \"h\" ]; width = 1920; height = 1080; }\n"
                             ");\n");
    cfg = pl_config_load(cfgpath, err, sizeof err);
    ck_assert_msg(cfg != NULL, "%s", err);
    return cfg;
}

static int64_t generation_of(const char *screen)
{
    char path[256], err[512];
    struct pl_playlist *pl;
    int64_t g;

    snprintf(path, sizeof path, "%s/playlists/%s.playlist", tmpdir, screen);
    pl = pl_playlist_load(path, err, sizeof err);
    ck_assert_msg(pl != NULL, "%s", err);
    g = pl->generation;
    pl_playlist_free(pl);
    return g;
}

START_TEST(test_publish_on_change)
{
    char cfgpath[256], err[512];
    struct pl_config *cfg = test_config(cfgpath);
    struct sched_state *st = sched_state_open(cfg->state, err, sizeof err);
    struct sched_set *set = sched_set_new();
    struct sched_publisher *p = sched_publisher_new(), *p2 = sched_publisher_new();
    struct sched_publish_stats ps;
    struct pl_campaign *c = sample("on-g");
    pl_ms now = INT64_C(1678842000000); /* 2023-03-15T10:00+09:00 */

    free(c->screens[1]);
    c->nscreens = 1;
    free(c->screens[0]);
    c->screens[0] = strdup("g");
    ck_assert_int_eq(sched_set_put(set, c, NULL), 0);
    ck_assert_int_eq(sched_publish(p, st, cfg, set, now, &ps), 0);
    ck_assert_uint_eq(ps.written, 3);
    ck_assert_uint_eq(ps.subsets, 2); /* a and b share one computation */
    ck_assert_int_eq(generation_of("a"), 1);
    /* Same content a minute later: nothing rewritten, by this publisher or a fresh one. */
    ck_assert_int_eq(sched_publish(p, st, cfg, set, now + 60000, &ps), 0);
    ck_assert_uint_eq(ps.unchanged, 3);
    ck_assert_int_eq(sched_publish(p2, st, cfg, set, now + 60000, &ps), 0);
    ck_assert_uint_eq(ps.unchanged, 3);
    ck_assert_int_eq(generation_of("a"), 1);
    /* A change reaching a and b only. */
    ck_assert_int_eq(sched_set_remove(set, "on-g"), 0);
    ck_assert_int_eq(sched_publish(p, st, cfg, set, now, &ps), 0);
    ck_assert_uint_eq(ps.written, 2);
    ck_assert_int_eq(generation_of("a"), 2);
    ck_assert_int_eq(generation_of("c"), 1);
    /* Someone else rewrote a playlist: told of it (the daemon watches
     * playlists/), the publisher notices by identity; its own file it
     * recognises. */
    char path[256];
    ck_assert(!sched_publisher_touched(p, st, "c.playlist"));
    ck_assert(!sched_publisher_touched(p, st, "nobody.playlist"));
    ck_assert(!sched_publisher_touched(p, st, ".index"));
    snprintf(path, sizeof path, "%s/playlists/c.playlist", tmpdir);
    test_write_file(path, "garbage");
    ck_assert(sched_publisher_touched(p, st, "c.playlist"));
    ck_assert_int_eq(sched_publish(p, st, cfg, set, now, &ps), 0);
    ck_assert_uint_eq(ps.written, 1);
    ck_assert_int_eq(generation_of("c"), 2); /* remembered, not reset */
    /* Without its index a fresh publisher reads the files' heads, and still
     * writes nothing; a removed playlist is put back. */
    snprintf(path, sizeof path, "%s/playlists/.index", tmpdir);
    ck_assert_int_eq(unlink(path), 0);
    struct sched_publisher *p3 = sched_publisher_new();
    ck_assert_int_eq(sched_publish(p3, st, cfg, set, now, &ps), 0);
    ck_assert_uint_eq(ps.unchanged, 3);
    ck_assert_int_eq(access(path, F_OK), 0); /* written again */
    snprintf(path, sizeof path, "%s/playlists/b.playlist", tmpdir);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert(sched_publisher_touched(p3, st, "b.playlist"));
    ck_assert_int_eq(sched_publish(p3, st, cfg, set, now, &ps), 0);
    ck_assert_uint_eq(ps.written, 1);
    ck_assert_int_eq(generation_of("b"), 3); /* after 2: never goes back */
    sched_publisher_free(p3);
    /* Unwritable playlists/: failure reported, old file kept, recovers. */
    snprintf(path, sizeof path, "%s/playlists", tmpdir);
    if (geteuid() != 0) {
        chmod(path, 0555);
        ck_assert_int_eq(sched_set_put(set, sample("again"), NULL), 0);
        ck_assert_int_eq(sched_publish(p, st, cfg, set, now, &ps), -1);
        ck_assert_uint_eq(ps.failed, 3);
        chmod(path, 0755);
        ck_assert_int_eq(sched_publish(p, st, cfg, set, now, &ps), 0);
        ck_assert_uint_eq(ps.written, 3);
    }
    sched_publisher_free(p);
    sched_publisher_free(p2);
    sched_publisher_free(NULL);
    sched_set_free(set);
    sched_state_free(st);
    pl_config_free(cfg);
}
END_TEST

/* The fallback as the scheduler prepared it, recorded for signagectl:
 * applied to the same fallback it gives the same digest (the same
 * playlists); a record for another fallback, or one this does not write,
 * changes nothing. */
static struct pl_config *fallback_config(const char *extra_item)
{
    char path[256], err[1024], text[1024];
    struct pl_config *cfg;

    snprintf(path, sizeof path, "%s/signage.cfg", tmpdir);
    snprintf(text, sizeof text,
             "state = \".\";\n"
             "fallback = { title = \"東京都\"; items = (\n"
             "  { type = \"image\"; file = \"fb.png\"; duration = 8; },\n"
             "  { type = \"text\"; text = \"相互PR\"; duration = 5; },\n"
             "  { type = \"video\"; file = \"fb.mp4\"; duration = 12; }%s ); };\n"
             "screens = ( { id = \"a\"; width = 1920; height = 1080; } );\n",
             extra_item);
    test_write_file(path, text);
    cfg = pl_config_load(path, err, sizeof err);
    ck_assert_msg(cfg != NULL, "%s", err);
    return cfg;
}

/* What sched_ingest_fallback() would make of fallback_config()'s items:
 * media stored, the video's own duration. */
static void prepare(struct pl_campaign *fb)
{
    static const char sha_b[] = "3ae283cf777b3d0207242f8cd851e64d43ddfdc0c189af38e83add77f76a3fdb";

    free(fb->items[0].media);
    fb->items[0].media =
        strdup("media/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.png");
    memcpy(fb->items[0].sha256, sha_a, sizeof sha_a);
    free(fb->items[2].media);
    fb->items[2].media =
        strdup("media/3ae283cf777b3d0207242f8cd851e64d43ddfdc0c189af38e83add77f76a3fdb.mp4");
    memcpy(fb->items[2].sha256, sha_b, sizeof sha_b);
    fb->items[2].duration_ms = 12345;
}

START_TEST(test_fallback_record)
{
    char err[512], path[300];
    struct pl_config *made = fallback_config(""), *cfg;
    struct sched_state *st = sched_state_open(made->state, err, sizeof err);
    const long from[] = {0, 1, 2};
    uint64_t raw = sched_fallback_digest(made->fallback);
    uint64_t plain = pl_campaign_digest(made->fallback), prepared;

    ck_assert_ptr_nonnull(st);
    snprintf(path, sizeof path, "%s/.fallback", tmpdir);
    cfg = fallback_config("");
    ck_assert_int_eq(sched_fallback_apply(st, cfg), -1); /* nothing recorded yet */
    ck_assert_uint_eq(pl_campaign_digest(cfg->fallback), plain);
    prepare(made->fallback);
    prepared = pl_campaign_digest(made->fallback);
    ck_assert_uint_ne(prepared, plain);
    ck_assert_int_eq(sched_fallback_save(st, made->fallback, from, raw, err, sizeof err), 0);
    ck_assert_int_eq(sched_fallback_apply(st, cfg), 1);
    ck_assert_uint_eq(pl_campaign_digest(cfg->fallback), prepared);
    ck_assert_str_eq(cfg->fallback->items[1].text, "相互PR");
    pl_config_free(cfg);

    /* another fallback in signage.cfg: the record is for the old one */
    cfg = fallback_config(", { type = \"text\"; text = \"新\"; }");
    raw = pl_campaign_digest(cfg->fallback);
    ck_assert_int_eq(sched_fallback_apply(st, cfg), -1);
    ck_assert_uint_eq(pl_campaign_digest(cfg->fallback), raw);
    pl_config_free(cfg);

    /* the same fallback pointing at another file: the record is not for it */
    {
        char cpath[256];
        char *text;
        cfg = fallback_config(""); /* the record's own: taken */
        ck_assert_int_eq(sched_fallback_apply(st, cfg), 1);
        pl_config_free(cfg);
        snprintf(cpath, sizeof cpath, "%s/signage.cfg", tmpdir);
        text = read_all(cpath);
        char *at = strstr(text, "fb.png");
        ck_assert_ptr_nonnull(at);
        memcpy(at, "fc", 2);
        test_write_file(cpath, text);
        free(text);
        cfg = pl_config_load(cpath, err, sizeof err);
        ck_assert_msg(cfg != NULL, "%s", err);
        raw = pl_campaign_digest(cfg->fallback);
        ck_assert_int_eq(sched_fallback_apply(st, cfg), -1);
        ck_assert_uint_eq(pl_campaign_digest(cfg->fallback), raw);
        ck_assert_str_eq(cfg->fallback->items[0].file, "fc.png");
        pl_config_free(cfg);
    }

    /* hostile records, each on the right fallback's digest */
    char hex[17];
    cfg = fallback_config("");
    raw = pl_campaign_digest(cfg->fallback);
    hash64_hex(sched_fallback_digest(cfg->fallback), hex);
    const char *media0 =
        "0 image 8000 "
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad "
        "media/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.png";
    const char *bodies[] = {
        "1\n0 image 8000 - -\n",                               /* an image without a medium */
        "1\n3 image 8000 x media/x.png\n",                     /* no item 3 */
        "1\n-2 text 8000 - -\n",                               /* no item -2 */
        "1\n0 sound 8000 - -\n",                               /* no such type */
        "1\n1 text 0 - -\n",                                   /* no duration */
        "1\n1 text 99999999999 - -\n",                         /* too long */
        "1\n1 text 5000 - media/x.png\n",                      /* text with a medium */
        "1\n0 text 5000 - -\n",                                /* an image made text */
        "1\n-1 image 5000 - -\n",                              /* the title as an image */
        "1\n0 image 8000 ../../etc/passwd ../../etc/passwd\n", /* a path out of the store */
        "2\n1 text 5000 - -\n",                                /* fewer lines than said */
        "1\n1 text 5000 - -\n1 text 5000 - -\n",               /* more */
        "0\n",                                                 /* none */
        "1001\n",                                              /* too many */
        "1\n1 text 5000 - - extra\n",                          /* a word too many */
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        char rec[1024];
        snprintf(rec, sizeof rec, "signage-fallback 1 %s %s", hex, bodies[i]);
        test_write_file(path, rec);
        ck_assert_msg(sched_fallback_apply(st, cfg) == -1, "record %zu taken", i);
        ck_assert_uint_eq(pl_campaign_digest(cfg->fallback), raw);
    }
    const char *whole[] = {"", "garbage", "signage-fallback 2 0 1\n", "\x01\x02\xff\n\n",
                           "signage-fallback 1 zzzz 1\n1 text 5000 - -\n"};
    for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++) {
        test_write_file(path, whole[i]);
        ck_assert_int_eq(sched_fallback_apply(st, cfg), -1);
        ck_assert_uint_eq(pl_campaign_digest(cfg->fallback), raw);
    }
    /* the title standing in for items none of which could be used */
    {
        char rec[512];
        snprintf(rec, sizeof rec, "signage-fallback 1 %s 2\n-1 text 10000 - -\n%s\n", hex, media0);
        test_write_file(path, rec);
        ck_assert_int_eq(sched_fallback_apply(st, cfg), 1);
        ck_assert_uint_eq(cfg->fallback->nitems, 2);
        ck_assert_str_eq(cfg->fallback->items[0].text, "東京都");
        ck_assert_str_eq(cfg->fallback->items[1].sha256, sha_a);
    }
    pl_config_free(cfg);
    /* a fallback of text only needs nothing */
    pl_config_free(made);
    made = test_config(path);
    ck_assert_int_eq(sched_fallback_apply(st, made), 0);
    pl_config_free(made);
    sched_state_free(st);
}
END_TEST

/* A verifying pass over thousands of screens lstat's them over the cores
 * (stat_all()): a file someone rewrote or removed is found and written
 * again; the others are neither read nor written. */
START_TEST(test_publish_verifies_many)
{
    char cfgpath[256], path[256], err[512];
    struct strbuf text = STRBUF_INIT;
    const int n = 5000;
    struct pl_config *cfg;
    struct sched_state *st;
    struct sched_set *set = sched_set_new();
    struct sched_publisher *p = sched_publisher_new(), *p2;
    struct sched_publish_stats ps;
    struct pl_campaign *c = sample("on-g");
    pl_ms now = INT64_C(1678842000000);

    sb_printf(&text, "state = \".\";\nscreens = (\n");
    for (int i = 0; i < n; i++)
        sb_printf(&text,
                  "  { id = \"s%04d\"; groups = [ \"g\" ]; width = 1920; height = 1080; }%s\n", i,
                  i + 1 < n ? "," : "");
    sb_printf(&text, ");\n");
    snprintf(cfgpath, sizeof cfgpath, "%s/signage.cfg", tmpdir);
    test_write_file(cfgpath, sb_str(&text));
    sb_free(&text);
    cfg = pl_config_load(cfgpath, err, sizeof err);
    ck_assert_msg(cfg != NULL, "%s", err);
    st = sched_state_open(cfg->state, err, sizeof err);
    ck_assert_ptr_nonnull(st);
    free(c->screens[0]);
    c->screens[0] = strdup("g");
    ck_assert_int_eq(sched_set_put(set, c, NULL), 0);
    ck_assert_int_eq(sched_publish(p, st, cfg, set, now, &ps), 0);
    ck_assert_uint_eq(ps.written, (size_t)n);
    sched_publisher_free(p);
    snprintf(path, sizeof path, "%s/playlists/s1234.playlist", tmpdir);
    test_write_file(path, "rewritten by hand");
    snprintf(path, sizeof path, "%s/playlists/s4999.playlist", tmpdir);
    ck_assert_int_eq(unlink(path), 0);
    p2 = sched_publisher_new();
    ck_assert_int_eq(sched_publish(p2, st, cfg, set, now, &ps), 0);
    ck_assert_uint_eq(ps.written, 2);
    ck_assert_uint_eq(ps.unchanged, (size_t)n - 2);
    ck_assert_int_eq(generation_of("s1234"), 2); /* after the one remembered */
    ck_assert_int_eq(generation_of("s4999"), 2);
    ck_assert_int_eq(generation_of("s0000"), 1);
    sched_publisher_free(p2);
    sched_set_free(set);
    sched_state_free(st);
    pl_config_free(cfg);
}
END_TEST

/* Within a day a pass after a change looks only at the screens the changed
 * campaigns target or targeted; a change for "*" looks at all. */
static struct pl_campaign *targeting(const char *id, const char *target)
{
    struct pl_campaign *c = sample(id);

    free(c->screens[0]);
    free(c->screens[1]);
    c->screens[0] = strdup(target);
    c->nscreens = 1;
    return c;
}

START_TEST(test_publish_looks_at_what_changed)
{
    char cfgpath[256], err[512], path[256];
    struct pl_config *cfg = test_config(cfgpath);
    struct sched_state *st = sched_state_open(cfg->state, err, sizeof err);
    struct sched_set *set = sched_set_new();
    struct sched_publisher *p = sched_publisher_new();
    struct sched_publish_stats ps;
    pl_ms now = INT64_C(1678842000000); /* 2023-03-15T10:00+09:00 */

    ck_assert_int_eq(sched_set_put(set, targeting("on-g", "g"), NULL), 0);
    ck_assert_int_eq(sched_publish(p, st, cfg, set, now, &ps), 0);
    ck_assert_uint_eq(ps.written, 3);
    /* b is spoiled behind the publisher's back, and nobody says so. */
    snprintf(path, sizeof path, "%s/playlists/b.playlist", tmpdir);
    test_write_file(path, "garbage");
    /* A campaign for c alone: c is written, b is not looked at. */
    ck_assert_int_eq(sched_set_put(set, targeting("on-c", "c"), NULL), 0);
    ck_assert_int_eq(sched_publish(p, st, cfg, set, now + 1000, &ps), 0);
    ck_assert_uint_eq(ps.written, 1);
    ck_assert_uint_eq(ps.unchanged, 2);
    ck_assert_int_eq(generation_of("c"), 2);
    /* Changing it again, then withdrawing it, reaches c each time. */
    struct pl_campaign *c2 = targeting("on-c", "c");
    c2->priority = 99;
    ck_assert_int_eq(sched_set_put(set, c2, NULL), 0);
    ck_assert_int_eq(sched_publish(p, st, cfg, set, now + 2000, &ps), 0);
    ck_assert_uint_eq(ps.written, 1);
    ck_assert_int_eq(sched_set_remove(set, "on-c"), 0);
    ck_assert_int_eq(sched_publish(p, st, cfg, set, now + 3000, &ps), 0);
    ck_assert_uint_eq(ps.written, 1);
    ck_assert_int_eq(generation_of("c"), 4);
    /* Moving a campaign from g to h reaches the screens of both. */
    ck_assert_int_eq(sched_set_put(set, targeting("on-g", "h"), NULL), 0);
    ck_assert_int_eq(sched_publish(p, st, cfg, set, now + 4000, &ps), 0);
    ck_assert_uint_eq(ps.written, 3);
    /* A campaign for "*" looks at every screen. */
    ck_assert_int_eq(sched_set_put(set, targeting("all", "*"), NULL), 0);
    ck_assert_int_eq(sched_publish(p, st, cfg, set, now + 5000, &ps), 0);
    ck_assert_uint_eq(ps.written, 3);
    ck_assert_int_eq(generation_of("b"), 3); /* the garbage replaced */
    /* Nothing changed: nothing looked at, nothing written. */
    ck_assert_int_eq(sched_publish(p, st, cfg, set, now + 6000, &ps), 0);
    ck_assert_uint_eq(ps.written, 0);
    ck_assert_uint_eq(ps.unchanged, 3);
    /* A pass after one change leaves the index to the end: freeing the
     * publisher writes it, and a new one trusts it. */
    ck_assert_int_eq(sched_set_put(set, targeting("late", "c"), NULL), 0);
    ck_assert_int_eq(sched_publish(p, st, cfg, set, now + 7000, &ps), 0);
    ck_assert_uint_eq(ps.written, 1);
    sched_publisher_free(p);
    snprintf(path, sizeof path, "%s/playlists/.index", tmpdir);
    char *index = NULL;
    size_t len = 0;
    ck_assert_int_eq(slurp_path(path, NULL, 1 << 20, &index, &len, err, sizeof err), 0);
    /* "c INPUTS GENERATION ...": the generation just written */
    char want[32], *line = strncmp(index, "c ", 2) == 0 ? index : strstr(index, "\nc ");
    snprintf(want, sizeof want, " %lld ", (long long)generation_of("c"));
    ck_assert_msg(line && strstr(line + 2, want) && strstr(line + 2, want) < strchr(line + 1, '\n'),
                  "c at%s: %s", want, index);
    free(index);
    p = sched_publisher_new();
    ck_assert_int_eq(sched_publish(p, st, cfg, set, now + 8000, &ps), 0);
    ck_assert_uint_eq(ps.written, 0);
    sched_publisher_free(p);
    /* A hand-mangled index is a cache that misses: the files' heads say. */
    test_write_file(path,
                    "a\nb zz 1 2 3 4 5\nc 00000000000000ff -1 1 1 1 1\n"
                    "a 00000000000000ff 99999999999999999999 1 1 1 1\n"
                    "b 00000000000000ff 1 1 1 1\nc 1 1 1 1 1 1 1\n"
                    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1\n"
                    "a 00000000000000ff 9223372036854775807 1 1 1 1");
    p = sched_publisher_new();
    ck_assert_int_eq(sched_publish(p, st, cfg, set, now + 9000, &ps), 0);
    ck_assert_uint_eq(ps.written, 0);
    ck_assert_uint_eq(ps.unchanged, 3);
    sched_publisher_free(p);
    sched_set_free(set);
    sched_state_free(st);
    pl_config_free(cfg);
}
END_TEST

START_TEST(test_ingest_pending_persists)
{
    char cfgpath[256], err[512], path[256];
    struct pl_config *cfg = test_config(cfgpath);
    struct sched_state *st = sched_state_open(cfg->state, err, sizeof err);
    struct sched_set *set = sched_set_new();
    struct sched_ingest *ig = sched_ingest_new(st);
    struct sched_ingest_stats is;
    pl_ms now = INT64_C(1678842000000);

    snprintf(path, sizeof path, "%s/spool/p.cfg", tmpdir);
    test_write_file(path, "id = \"p\"; title = \"t\"; owner = \"o\"; start = \"2023-03-01\";"
                          " end = \"2023-03-31\"; screens = [ \"g\" ];"
                          " items = ( { type = \"image\"; file = \"later.png\"; } );\n");
    ck_assert_int_eq(sched_ingest_pass(ig, cfg, set, now, 0, NULL, 0, &is), 0);
    ck_assert_uint_eq(is.pending, 1);
    ck_assert_int_eq(sched_ingest_next_deadline(ig, cfg, now), now + 60000);
    sched_ingest_free(ig);
    /* A new context (another --once run) remembers when it was first seen. */
    ig = sched_ingest_new(st);
    ck_assert_int_eq(sched_ingest_next_deadline(ig, cfg, now), now + 60000);
    ck_assert_int_eq(sched_ingest_pass(ig, cfg, set, now + 59000, 0, NULL, 0, &is), 0);
    ck_assert_uint_eq(is.pending, 1);
    ck_assert_int_eq(sched_ingest_pass(ig, cfg, set, now + 60000, 0, NULL, 0, &is), 0);
    ck_assert_uint_eq(is.rejected, 1);
    ck_assert_int_eq(sched_ingest_next_deadline(ig, cfg, now), PL_MS_MAX);
    snprintf(path, sizeof path, "%s/rejected/p.cfg.error", tmpdir);
    char *t = read_all(path);
    ck_assert_ptr_nonnull(strstr(t, "p.cfg: error: media still missing after 1 min"));
    ck_assert_ptr_nonnull(strstr(t, "later.png"));
    free(t);
    /* A file that changed within the settle interval waits, even when
     * inotify said it was closed: a person may save it again. */
    snprintf(path, sizeof path, "%s/spool/q.cfg", tmpdir);
    test_write_file(path, "id = \"q\"; title = \"t\"; owner = \"o\"; start = \"2023-03-01\";"
                          " end = \"2023-03-31\"; screens = [ \"h\" ];"
                          " items = ( { type = \"text\"; text = \"x\"; } );\n");
    ck_assert_int_eq(sched_ingest_pass(ig, cfg, set, now, 60000, NULL, 0, &is), 0);
    ck_assert_uint_eq(is.deferred, 1);
    ck_assert_int_lt(sched_ingest_next_deadline(ig, cfg, now), now + 61000);
    ck_assert_int_lt(sched_ingest_settle_deadline(ig, now), now + 61000);
    const char *fresh[] = {"q.cfg"};
    ck_assert_int_eq(sched_ingest_pass(ig, cfg, set, now, 60000, fresh, 1, &is), 0);
    ck_assert_uint_eq(is.deferred, 1);
    ck_assert_int_eq(sched_ingest_pass(ig, cfg, set, now, 0, fresh, 1, &is), 1);
    ck_assert_int_eq(sched_ingest_settle_deadline(ig, now), PL_MS_MAX);
    ck_assert_ptr_nonnull(sched_set_find(set, "q"));
    sched_ingest_free(ig);
    sched_ingest_free(NULL);
    sched_set_free(set);
    sched_state_free(st);
    pl_config_free(cfg);
}
END_TEST

/* Versions: numbered from 1, each kept with its source; a second look at
 * the same spool file only completes its acceptance; restore and prune. */
START_TEST(test_history_versions)
{
    char err[512], path[512];
    struct sched_state *st = sched_state_open(tmpdir, err, sizeof err);
    pl_tz *tz = tokyo();
    struct pl_campaign *cur = NULL;
    struct sched_version *v;
    size_t n;
    unsigned newv;

    ck_assert_ptr_nonnull(st);
    for (unsigned i = 1; i <= 3; i++) {
        struct pl_campaign *c = sample("h");
        snprintf(path, sizeof path, "%s/spool/h%u.cfg", tmpdir, i);
        test_write_file(path, i == 1 ? "one" : i == 2 ? "two" : "three");
        free(c->source);
        c->source = strdup(path + strlen(tmpdir) + 7);
        c->arrived_ns = c->mtime_ns = 1000 * (int64_t)i;
        ck_assert_int_eq(sched_history_accept(st, c, tz, cur, path, NULL, 0, err, sizeof err), 0);
        ck_assert_uint_eq(c->version, i);
        pl_campaign_free(cur);
        cur = c;
    }
    /* The same file again (a crash came before it left the spool). */
    {
        struct pl_campaign *c = sample("h");
        snprintf(path, sizeof path, "%s/spool/h3.cfg", tmpdir);
        test_write_file(path, "three");
        c->source = (free(c->source), strdup("h3.cfg"));
        c->arrived_ns = c->mtime_ns = 3000;
        ck_assert_int_eq(sched_history_accept(st, c, tz, cur, path, NULL, 0, err, sizeof err), 0);
        ck_assert_uint_eq(c->version, 3);
        ck_assert_uint_eq(sched_history_last(st, "h"), 3);
        ck_assert_int_eq(access(path, F_OK), -1);
        pl_campaign_free(c);
    }
    ck_assert_int_eq(sched_history_list(st, "h", tz, &v, &n, err, sizeof err), 0);
    ck_assert_uint_eq(n, 3);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(v[i].n, i + 1);
        ck_assert(v[i].has_src);
        ck_assert(v[i].current == (i == 2));
        ck_assert_ptr_nonnull(v[i].c);
        ck_assert_int_eq(v[i].c->arrived_ns, 1000 * (int64_t)(i + 1));
    }
    sched_history_free(v, n);
    snprintf(path, sizeof path, "%s/campaigns/history/h/2.src", tmpdir);
    char *t = read_all(path);
    ck_assert_str_eq(t, "two");
    free(t);
    /* Restore 1: a new version 4, linked to version 1's source. */
    ck_assert_int_eq(sched_history_restore(st, "h", 1, tz, 5000, 0, &newv, err, sizeof err), 0);
    ck_assert_uint_eq(newv, 4);
    snprintf(path, sizeof path, "%s/campaigns/history/h/4.src", tmpdir);
    t = read_all(path);
    ck_assert_str_eq(t, "one");
    free(t);
    ck_assert_int_eq(sched_history_restore(st, "h", 4, tz, 6000, 0, &newv, err, sizeof err), 0);
    ck_assert_uint_eq(newv, 4); /* already current */
    ck_assert_int_eq(sched_history_restore(st, "h", 9, tz, 6000, 0, &newv, err, sizeof err),
                     -ENOENT);
    ck_assert_ptr_nonnull(strstr(err, "has no version 9"));
    ck_assert_int_eq(sched_history_restore(st, "h", 0, tz, 6000, 0, &newv, err, sizeof err),
                     -ENOENT);
    ck_assert_int_eq(sched_history_restore(st, "../x", 1, tz, 6000, 0, &newv, err, sizeof err),
                     -ENOENT);
    /* A file its owner deleted after it was read: current, but said so. */
    {
        struct pl_campaign *c = sample("h"), *four = sample("h");
        four->version = 4;
        four->arrived_ns = four->mtime_ns = 5000;
        c->arrived_ns = c->mtime_ns = 7000;
        snprintf(path, sizeof path, "%s/spool/deleted.cfg", tmpdir);
        ck_assert_int_eq(sched_history_accept(st, c, tz, four, path, NULL, 0, err, sizeof err), 1);
        ck_assert_uint_eq(c->version, 5);
        ck_assert_int_eq(sched_history_restore(st, "h", 4, tz, 8000, 0, &newv, err, sizeof err), 0);
        ck_assert_uint_eq(newv, 6);
        pl_campaign_free(c);
        pl_campaign_free(four);
    }
    /* Prune to 2, keeping the current version 6 whatever its age. */
    ck_assert_int_eq(sched_history_prune(st, "h", 2, 6), 4);
    ck_assert_int_eq(sched_history_list(st, "h", tz, &v, &n, err, sizeof err), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(v[0].n, 5);
    ck_assert(!v[0].has_src);
    ck_assert_uint_eq(v[1].n, 6);
    ck_assert(v[1].current);
    ck_assert(v[1].has_src); /* version 4's, linked */
    ck_assert_uint_eq(v[1].c->restored_from, 4);
    sched_history_free(v, n);
    ck_assert_int_eq(sched_history_prune(st, "h", 1, 5), 0); /* 5 plays: nothing else older */
    ck_assert_int_eq(sched_history_prune(st, "h", 0, 6), 0); /* 0 keeps all */
    /* Withdraw leaves the history. */
    ck_assert_int_eq(sched_state_withdraw(st, "h", err, sizeof err), 0);
    ck_assert_uint_eq(sched_history_last(st, "h"), 6);
    ck_assert_int_eq(sched_history_list(st, "h", tz, &v, &n, err, sizeof err), 0);
    ck_assert(!v[0].current && !v[1].current);
    sched_history_free(v, n);
    ck_assert_int_eq(sched_history_list(st, "none", tz, &v, &n, err, sizeof err), 0);
    ck_assert_uint_eq(n, 0);
    pl_campaign_free(cur);
    sched_state_free(st);
    pl_tz_free(tz);
}
END_TEST

/* The reason is on disk before the file moves; taken names get a number. */
START_TEST(test_reject_error_first)
{
    char err[512], path[512], final[256];
    struct sched_state *st = sched_state_open(tmpdir, err, sizeof err);

    ck_assert_ptr_nonnull(st);
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/spool/x.cfg", tmpdir);
        test_write_file(path, "bad");
        if (i == 2) { /* an .error left alone without its file takes the name too */
            snprintf(path, sizeof path, "%s/rejected/x.2.cfg.error", tmpdir);
            test_write_file(path, "someone's");
            snprintf(path, sizeof path, "%s/spool/x.cfg", tmpdir);
        }
        ck_assert_int_eq(sched_reject_file(st, path, "x.cfg", NULL, "why\n", final, sizeof final,
                                           err, sizeof err),
                         0);
        ck_assert_str_eq(final, i == 0 ? "x.cfg" : i == 1 ? "x.1.cfg" : "x.3.cfg");
        snprintf(path, sizeof path, "%s/rejected/%s.error", tmpdir, final);
        char *t = read_all(path);
        ck_assert_str_eq(t, "why\n");
        free(t);
    }
    snprintf(path, sizeof path, "%s/spool/gone.cfg", tmpdir);
    ck_assert_int_eq(sched_reject_file(st, path, "gone.cfg", NULL, "why\n", final, sizeof final,
                                       err, sizeof err),
                     -ENOENT);
    snprintf(path, sizeof path, "%s/rejected/gone.cfg.error", tmpdir);
    ck_assert_int_eq(access(path, F_OK), -1); /* no reason left without its file */
    sched_state_free(st);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_state_tree);
    tcase_add_test(tc, test_normalised_roundtrip);
    tcase_add_test(tc, test_normalised_broken);
    tcase_add_test(tc, test_accept_withdraw_set);
    tcase_add_test(tc, test_move_noreplace);
    tcase_add_test(tc, test_store);
    tcase_add_test(tc, test_publish_on_change);
    tcase_add_test(tc, test_publish_looks_at_what_changed);
    tcase_add_test(tc, test_publish_verifies_many);
    tcase_add_test(tc, test_set_load_many);
    tcase_add_test(tc, test_fallback_record);
    tcase_add_test(tc, test_ingest_pending_persists);
    tcase_add_test(tc, test_history_versions);
    tcase_add_test(tc, test_reject_error_first);
    suite_add_tcase(s, tc);
    return s;
}
