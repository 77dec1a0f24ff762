/* cfgfast.h - the screens list of signage.cfg read without libconfig.
 *
 * A network of 100,000 screens makes signage.cfg about 10 MB, nearly all of
 * it the `screens` list, and libconfig takes 0.4 s to build its tree of it.
 * This reads that list directly, for the common case: groups of the members
 * a screen has, with string, integer and string-array values, comments
 * anywhere.  It understands a subset of libconfig's syntax and says so when
 * it meets anything else; the caller then reads the whole file with
 * libconfig, which gives the messages with line numbers.  So the fast path
 * never accepts what libconfig would refuse, and never reports an error of
 * its own.
 */
#ifndef SIGNAGE_CFGFAST_H
#define SIGNAGE_CFGFAST_H

#include <stdbool.h>
#include <stddef.h>

/* Finds the top-level setting NAME whose value is a list ( ... ) in the
 * libconfig text TEXT: *OPEN gets the offset of its '(', *CLOSE that of its
 * ')'.  False when there is none, it is there twice, or the text has
 * something this scanner does not follow (an unterminated string or
 * comment, unbalanced brackets, @include, a NUL byte).  TEXT[LEN] must be
 * '\0', as slurp_path() leaves it. */
bool pl_cfgfast_find_list(const char *text, size_t len, const char *name, size_t *open,
                          size_t *close);

/* The string value of the top-level setting NAME when it comes before the
 * setting STOP and only scalar settings come before it, decoded
 * (free()); else NULL.  Reads no further than that, so a 10 MB file costs
 * its first lines.  For finding `state` ahead of `screens`: what it
 * returns is only a guess until something confirms that the whole file is
 * valid (libconfig refuses a name given twice). */
char *pl_cfgfast_top_string(const char *text, size_t len, const char *name, const char *stop);

/* One screen as written, before it is checked (config.c checks). */
struct pl_cfgfast_screen {
    char *id, *name; /* NULL when not given */
    char **groups;   /* NULL when not given */
    size_t ngroups;
    bool has_groups;
    long long width, height, rotate;
    bool has_width, has_height, has_rotate;
};

/* Reads the LEN bytes of a screens list's inside (between its brackets)
 * into *OUT (*NOUT screens; free with pl_cfgfast_free()).  0, or -1 when
 * the text is not a list of such groups as described above (or out of
 * memory): then read it with libconfig. */
int pl_cfgfast_screens(const char *text, size_t len, struct pl_cfgfast_screen **out, size_t *nout);
void pl_cfgfast_free(struct pl_cfgfast_screen *v, size_t n);

#endif
