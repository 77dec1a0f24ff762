/* floor_write.c - the floor the scale bench compares publishing with:
 * the same bytes written as the same number of files, durably.
 *
 * floor_write SRC DST MODE: for every regular file in SRC, a file of the
 * same size in DST, written to a temporary name and renamed into place
 * (SRC's files are read first, so reading is not timed).  MODE "each"
 * fsyncs every file before its rename (what publishing file by file
 * costs); "batch" writes them all, calls syncfs once, then renames.
 * Prints the seconds taken, the files and the bytes.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    DIR *d;
    struct dirent *de;
    size_t n = 0, cap = 1024, total = 0, big = 0;
    off_t *sizes = malloc(cap * sizeof *sizes);
    char *buf, path[4096], tmp[4096];
    int each, dfd;
    double t0;

    if (argc != 4 || (strcmp(argv[3], "each") && strcmp(argv[3], "batch"))) {
        fprintf(stderr, "usage: floor_write SRC DST each|batch\n");
        return 2;
    }
    each = strcmp(argv[3], "each") == 0;
    d = opendir(argv[1]);
    if (!d || !sizes)
        return 1;
    while ((de = readdir(d))) {
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", argv[1], de->d_name);
        if (de->d_name[0] == '.' || stat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
            continue;
        if (n == cap && !(sizes = realloc(sizes, (cap *= 2) * sizeof *sizes)))
            return 1;
        sizes[n++] = sb.st_size;
        total += (size_t)sb.st_size;
        if ((size_t)sb.st_size > big)
            big = (size_t)sb.st_size;
    }
    closedir(d);
    buf = malloc(big + 1);
    if (!buf || mkdir(argv[2], 0755) < 0)
        return 1;
    memset(buf, 'x', big);
    dfd = open(argv[2], O_RDONLY | O_DIRECTORY);
    t0 = now_s();
    for (size_t i = 0; i < n; i++) {
        snprintf(tmp, sizeof tmp, "%s/f%zu.tmp", argv[2], i);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, buf, (size_t)sizes[i]) != sizes[i] || (each && fsync(fd) < 0))
            return 1;
        close(fd);
        if (each) {
            snprintf(path, sizeof path, "%s/f%zu", argv[2], i);
            if (rename(tmp, path) < 0)
                return 1;
        }
    }
    if (!each) {
        syncfs(dfd);
        for (size_t i = 0; i < n; i++) {
            snprintf(tmp, sizeof tmp, "%s/f%zu.tmp", argv[2], i);
            snprintf(path, sizeof path, "%s/f%zu", argv[2], i);
            if (rename(tmp, path) < 0)
                return 1;
        }
    }
    fsync(dfd);
    printf("%.3f %zu %zu\n", now_s() - t0, n, total);
    return 0;
}
