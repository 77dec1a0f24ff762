/* signage-player: plays one screen's playlist fullscreen (SPEC §7). */
#include <stdio.h>

#include "common/log.h"
#include "player/app.h"
#include "player/options.h"

int main(int argc, char **argv)
{
    struct player_opts o;
    char err[512];

    if (opts_parse(argc, argv, &o, err, sizeof(err))) {
        fprintf(stderr, "signage-player: %s\n%s", err, opts_usage());
        return 2;
    }
    if (o.help) {
        fputs(opts_usage(), stdout);
        return 0;
    }
    if (o.version) {
        printf("signage-player %s\n", SIGNAGE_VERSION);
        return 0;
    }
    enum log_level lvl = LOGLVL_INFO;
    if (o.verbose)
        lvl = LOGLVL_DEBUG;
    log_init("signage-player", lvl);
    return app_main(&o);
}
