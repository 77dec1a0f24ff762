#include "common/log.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Process-wide by nature, set once in main() before any thread starts. */
static const char *log_prog = "signage";
static enum log_level log_max = LOGLVL_INFO;
static log_hook_fn log_hook;
static void *log_hook_arg;
static bool log_to_journal; /* stderr is journald's stream: lines carry <N> priorities */

/* Whether stderr is the stream systemd connected to journald: the device
 * and inode in $JOURNAL_STREAM are stderr's (systemd.exec(5)). */
static bool stderr_is_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    char tail;

    return js && sscanf(js, "%llu:%llu%c", &dev, &ino, &tail) == 2 && fstat(2, &st) == 0 &&
           (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(const char *progname, enum log_level max_level)
{
    const char *slash = progname ? strrchr(progname, '/') : NULL;

    log_prog = slash ? slash + 1 : (progname ? progname : "signage");
    log_max = max_level;
    log_to_journal = stderr_is_journal();
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
    /* One write per line so lines from threads do not interleave.  Under
     * systemd a "<3>" in front gives the line its priority in the journal
     * (sd-daemon(3)), so `journalctl -p warning` finds every rejection. */
    static const char *const prio[] = {"<3>", "<4>", "<6>", "<7>"};
    fprintf(stderr, "%s%s: %s: %s\n", log_to_journal ? prio[level] : "", log_prog, names[level],
            line);
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
