/* plparse.c - how long the player's reader (pl_playlist_load) takes on one
 * playlist file: plparse FILE [RUNS] prints the median milliseconds. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "playlists/plfile.h"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    double t[64];
    char err[512];

    if (argc < 2 || runs < 1 || runs > 64) {
        fprintf(stderr, "usage: plparse FILE [RUNS]\n");
        return 2;
    }
    for (int i = 0; i < runs; i++) {
        struct timespec a, z;
        clock_gettime(CLOCK_MONOTONIC, &a);
        struct pl_playlist *pl = pl_playlist_load(argv[1], err, sizeof err);
        clock_gettime(CLOCK_MONOTONIC, &z);
        if (!pl) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        pl_playlist_free(pl);
        t[i] = (double)(z.tv_sec - a.tv_sec) * 1e3 + (double)(z.tv_nsec - a.tv_nsec) / 1e6;
    }
    qsort(t, (size_t)runs, sizeof t[0], cmp);
    printf("%.2f\n", t[runs / 2]);
    return 0;
}
