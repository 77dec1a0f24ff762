/* libFuzzer target: a proof-of-play line, as signagectl report reads it.
 * On any bytes nothing may crash, leak or hang, and
 * - a line that is not a JSON object is refused;
 * - a line taken is taken the same way through jansson (the same object
 *   with a nested value added, which the quick scanner hands over), with
 *   the same figures in every output;
 * - a time the quick reader takes, pl_time_parse() takes as the same
 *   instant. */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/report_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const pl_tz *tokyo(void)
{
    static pl_tz *tz;
    char err[256];

    if (!tz && !(tz = pl_tz_new("Asia/Tokyo", err, sizeof err)))
        abort();
    return tz;
}

/* Every output of R by all four keys, in one string. */
static char *outputs(const struct report *r)
{
    static const struct report_keys keys = {
        {REPORT_BY_OWNER, REPORT_BY_CAMPAIGN, REPORT_BY_SCREEN, REPORT_BY_DAY}, 4};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f)
        abort();
    if (report_write(r, &keys, REPORT_CSV, f) < 0 || report_write(r, &keys, REPORT_JSON, f) < 0)
        abort();
    fclose(f);
    return buf;
}

static void check_time(const char *s, size_t n)
{
    char buf[64], err[256];
    pl_ms fast, slow;

    if (n >= sizeof buf || !report_time_fast(s, n, &fast))
        return;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (pl_time_parse(buf, tokyo(), PL_TIME_INSTANT, &slow, err, sizeof err) < 0 || slow != fast)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line = (const char *)data;
    char err[512];
    struct report *r = report_new(tokyo());
    json_error_t jerr;

    if (!r)
        abort();
    check_time(line, size);
    report_set_now(r, INT64_C(1678842040000));
    int rc = report_add_line(r, line, size, "f", 1, err, sizeof err);
    if (rc < 0 && !memchr(err, '\0', sizeof err))
        abort();
    json_t *o = json_loadb(line, size, 0, &jerr);
    if (!json_is_object(o)) {
        if (rc == 0)
            abort(); /* taken, though not an object */
        goto out;
    }
    json_t *st = json_object_get(o, "start");
    if (json_is_string(st))
        check_time(json_string_value(st), json_string_length(st));
    /* the same object through jansson's path */
    if (json_object_set_new(o, "\xe2\x80\x8bnested", json_pack("[{s:n}]", "x")) < 0)
        abort();
    char *again = json_dumps(o, JSON_COMPACT);
    if (!again)
        goto out;
    struct report *r2 = report_new(tokyo());
    if (!r2)
        abort();
    report_set_now(r2, INT64_C(1678842040000));
    int rc2 = report_add_line(r2, again, strlen(again), "f", 1, err, sizeof err);
    /* a line with a key twice: refused by jansson's path; the quick reader
     * only looks for duplicates among the keys the report reads */
    json_t *strict = json_loadb(line, size, JSON_REJECT_DUPLICATES, &jerr);
    bool twice = !strict;
    json_decref(strict);
    if (rc != rc2 && !twice)
        abort();
    if (rc == 0 && rc2 == 0) {
        char *a = outputs(r), *b = outputs(r2);
        if (strcmp(a, b) != 0)
            abort();
        free(a);
        free(b);
    }
    report_free(r2);
    free(again);
out:
    json_decref(o);
    report_free(r);
    return 0;
}
