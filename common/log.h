/* log.h - the one way the programs report: levelled lines on stderr.
 *
 * stderr is what journald captures under systemd, so a line is one event:
 * "PROG: LEVEL: message".  No stray printf elsewhere (OpenBSD log.c).
 */
#ifndef SIGNAGE_LOG_H
#define SIGNAGE_LOG_H

#include <stdarg.h>

enum log_level { LOGLVL_ERROR, LOGLVL_WARN, LOGLVL_INFO, LOGLVL_DEBUG };

/* Sets the program name shown on each line and the most verbose level
 * printed.  Call once from main(); before it, lines say "signage". */
void log_init(const char *progname, enum log_level max_level);

/* Returns the level set by log_init(). */
enum log_level log_get_level(void);

/* Also hands each line printed (at the level set by log_init() or more
 * important) to FN, as the message alone, with ARG: a command that must
 * answer in JSON on stdout (signagectl --json) keeps its errors so.  FN
 * NULL removes the hook.  Call from main() before any thread starts; FN
 * must not log. */
typedef void (*log_hook_fn)(enum log_level level, const char *msg, void *arg);
void log_set_hook(log_hook_fn fn, void *arg);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#define log_error(...) log_msg(LOGLVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOGLVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOGLVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOGLVL_DEBUG, __VA_ARGS__)

#endif
