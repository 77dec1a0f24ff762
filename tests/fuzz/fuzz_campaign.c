/* libFuzzer target: sched_campaign_parse() on arbitrary bytes, against a
 * fixed two-screen configuration.  Whatever the input, it must return a
 * campaign or NULL with a non-empty, bounded report, and never crash, leak
 * or read out of bounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "playlists/config.h"
#include "playlists/model.h"
#include "scheduler/campaign.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Built once, read only afterwards. */
static struct pl_config *fuzz_cfg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char conf[] =
        "screens = (\n"
        "  { id = \"shinjuku-west-plaza\"; groups = [ \"shinjuku-west\", \"tokyo\" ];\n"
        "    width = 1920; height = 1080; },\n"
        "  { id = \"kochi-station\"; groups = [ \"kochi\" ]; width = 1080; height = 1920;\n"
        "    rotate = 90; }\n"
        ");\n";
    char dir[] = "/tmp/fuzz_campaign.XXXXXX", path[64], err[1024];
    FILE *f;

    (void)argc;
    (void)argv;
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/signage.cfg", dir);
    f = fopen(path, "w");
    if (!f || fwrite(conf, 1, sizeof conf - 1, f) != sizeof conf - 1 || fclose(f) != 0)
        abort();
    fuzz_cfg = pl_config_load(path, err, sizeof err);
    unlink(path);
    rmdir(dir);
    if (!fuzz_cfg) {
        fprintf(stderr, "fuzz_campaign: %s\n", err);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[8192];
    struct pl_campaign *c;

    err[0] = '\0';
    c = sched_campaign_parse((const char *)data, size, "fuzz.cfg", fuzz_cfg, err, sizeof err);
    if (c) {
        /* What the merge relies on. */
        if (!pl_id_valid(c->id) || c->end <= c->start || c->nitems < 1 ||
            c->nitems > SCHED_CAMPAIGN_MAX_ITEMS || c->nscreens < 1 || c->priority < 0 ||
            c->priority > 100 || c->weight < 1 || c->weight > 100)
            abort();
        for (size_t i = 0; i < c->nitems; i++)
            if (c->items[i].type != PL_ITEM_VIDEO && c->items[i].duration_ms <= 0)
                abort();
        pl_campaign_free(c);
    } else if (strncmp(err, "fuzz.cfg", 8) != 0 || strlen(err) >= sizeof err) {
        abort();
    }
    return 0;
}
