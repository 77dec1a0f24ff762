/* libFuzzer target: signage.cfg read with its screens list by cfgfast.h and
 * read wholly by libconfig must agree: both refuse, with the same message,
 * or both accept the same screens.  The `state` found ahead of the screens
 * (pl_cfgfast_top_string(), for head-only reads) must be libconfig's in a
 * file libconfig accepts.  Nothing may crash, leak or hang. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "playlists/cfgfast.h"
#include "playlists/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const struct pl_config *a, const struct pl_config *b)
{
    if (a->nscreens != b->nscreens || a->ngroups != b->ngroups)
        return false;
    for (size_t i = 0; i < a->nscreens; i++) {
        const struct pl_screen *x = &a->screens[i], *y = &b->screens[i];
        if (strcmp(x->id, y->id) || (!x->name != !y->name) ||
            (x->name && strcmp(x->name, y->name)) || x->ngroups != y->ngroups ||
            x->width != y->width || x->height != y->height || x->rotate != y->rotate)
            return false;
        for (size_t k = 0; k < x->ngroups; k++)
            if (strcmp(x->groups[k], y->groups[k]))
                return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    char e1[1024] = "", e2[1024] = "";
    struct pl_config *fast, *slow;
    FILE *f;

    if (!path[0])
        snprintf(path, sizeof path, "/tmp/fuzz-config-%d.cfg", (int)getpid());
    f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    fast = pl_config_load(path, e1, sizeof e1);
    slow = pl_config_load_libconfig(path, e2, sizeof e2);
    unlink(path);
    if (!fast != !slow)
        abort(); /* one accepts what the other refuses */
    if (!fast && strcmp(e1, e2) != 0)
        abort(); /* refused with another message */
    if (fast && !same(fast, slow))
        abort(); /* accepted as other screens */
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    char *state = pl_cfgfast_top_string(text, size, "state", "screens");
    if (state && state[0] == '/' && slow && strcmp(state, slow->state) != 0)
        abort(); /* a `state` libconfig does not see */
    free(state);
    free(text);
    pl_config_free(fast);
    pl_config_free(slow);
    return 0;
}
