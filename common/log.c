#include "common/log.h"

#include <stdio.h>
#include <string.h>

/* Process-wide by nature, set once in main() before any thread starts. */
static const char *log_prog = "signage";
static enum log_level log_max = LOGLVL_INFO;
static log_hook_fn log_hook;
static void *log_hook_arg;

void log_init(const char *progname, enum log_level max_level)
{
    const char *slash = progname ? strrchr(progname, '/') : NULL;

    log_prog = slash ? slash + 1 : (progname ? progname : "signage");
    log_max = max_level;
}

enum log_level log_get_level(void)
{
    return log_max;
}

void log_set_hook(log_hook_fn fn, void *arg)
{
    log_hook = fn;
    log_hook_arg = arg;
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    char line[2048];
    int n;

    if (level > log_max)
        return;
    n = vsnprintf(line, sizeof line, fmt, ap);
    if (n < 0)
        return;
    /* One write per line so lines from threads do not interleave. */
    fprintf(stderr, "%s: %s: %s\n", log_prog, names[level], line);
    if (log_hook)
        log_hook(level, line, log_hook_arg);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vmsg(level, fmt, ap);
    va_end(ap);
}
