/* report_html.c - the partner pack: one self-contained HTML page that can
 * be mailed as it is.  The period and when it was made, the figures, and
 * three inline SVG charts: share of the screens' time per campaign, plays
 * per day, and a timeline per screen showing what played when and where it
 * was dark or failing.  No script, no external file, no web font.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/report_impl.h"

/* Colours of the timeline's categories, then dark, failing, not yet. */
static const char *const palette[REPORT_TL_NCAT] = {
    "#1b5e20", "#1565c0", "#ef6c00", "#6a1b9a", "#00838f",
    "#ad1457", "#827717", "#90a4ae", "#cfd8dc",
};
#define COLOUR_DARK "#212121"
#define COLOUR_FAIL "#d32f2f"
#define COLOUR_FUTURE "#ffffff"

static void html_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            fputc(*s, out);
        }
    }
}

static double share_of(int64_t part, int64_t whole)
{
    return whole > 0 ? (double)part / (double)whole : 0.0;
}

/* "新宿駅西口広場 (shinjuku-west-plaza)", or the id alone. */
static void screen_label(FILE *out, const struct report *r, uint32_t screen)
{
    const char *name = report_screen_name(r, screen);

    if (name) {
        html_text(out, name);
        fputs(" (", out);
    }
    html_text(out, report_screen_id(r, screen));
    if (name)
        fputc(')', out);
}

static void campaign_label(FILE *out, const struct report *r, uint32_t campaign)
{
    const char *id = report_campaign_id(r, campaign);
    const char *title = report_campaign_title(r, campaign);

    if (strcmp(id, "-") == 0) {
        fputs("フォールバック (fallback)", out);
        return;
    }
    if (title) {
        html_text(out, title);
        fputs(" (", out);
    }
    html_text(out, id);
    if (title)
        fputc(')', out);
}

static void local_time(const struct report *r, pl_ms t, char *buf, size_t len)
{
    if (pl_time_format_s(t, report_tz(r), buf, len) < 0)
        snprintf(buf, len, "?");
    else if (strlen(buf) >= 19)
        buf[10] = ' '; /* "2023-03-31 23:59:59+09:00" */
}

static void header(FILE *out, const struct report_sum *s)
{
    const struct report *r = s->r;
    const char *owner = report_selected_owner(r), *campaign = report_selected_campaign(r);
    char a[16], b[16], made[40];
    pl_ms now = report_now(r);

    if (now == INT64_MAX)
        now = (pl_ms)time(NULL) * 1000;
    local_time(r, now, made, sizeof made);
    if (s->d0 <= s->d1) {
        report_day_text(s->d0, a);
        report_day_text(s->d1, b);
    } else {
        snprintf(a, sizeof a, "-");
        snprintf(b, sizeof b, "-");
    }
    fputs("<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width\">\n<title>放映実績報告 ",
          out);
    html_text(out, owner ? owner : campaign ? campaign : "全体");
    fprintf(out, " %s〜%s</title>\n", a, b);
    fputs("<style>\n"
          "body{font-family:\"BIZ UDPGothic\",\"Noto Sans CJK JP\",\"Hiragino Sans\",Meiryo,"
          "sans-serif;margin:2em auto;max-width:1000px;color:#212121;padding:0 1em}\n"
          "h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:2em;"
          "border-bottom:2px solid #1b5e20;padding-bottom:.2em}\n"
          "small{color:#616161;font-weight:normal}\n"
          "dl.meta{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}"
          "dl.meta dt{color:#616161}dl.meta dd{margin:0}\n"
          ".kpi{display:flex;flex-wrap:wrap;gap:1em;margin:1.5em 0}"
          ".kpi div{border:1px solid #cfd8dc;border-radius:6px;padding:.6em 1em;min-width:9em}"
          ".kpi b{display:block;font-size:1.5em;font-variant-numeric:tabular-nums}"
          ".kpi span{color:#616161;font-size:.85em}\n"
          "table{border-collapse:collapse;font-size:.9em}td,th{padding:.25em .7em;"
          "border-bottom:1px solid "
          "#e0e0e0;text-align:left}th{background:#f5f5f5;white-space:nowrap}\n"
          "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
          "svg text{font-size:12px;fill:#212121}svg .ax{fill:#616161;font-size:11px}\n"
          ".legend span{display:inline-block;margin-right:1em;font-size:.85em}"
          ".legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;"
          "vertical-align:-.1em;border:1px solid #9e9e9e}\n"
          ".warn{color:#b71c1c}footer{margin-top:3em;color:#616161;font-size:.8em}\n"
          "@media print{body{margin:0}h2{break-after:avoid}}\n"
          "</style></head><body>\n",
          out);
    fputs("<h1>放映実績報告 <small>Proof-of-play report</small></h1>\n<dl class=\"meta\">\n", out);
    fputs("<dt>対象 / For</dt><dd>", out);
    if (owner)
        html_text(out, owner);
    if (campaign) {
        fputs(owner ? "、" : "", out);
        fputs("キャンペーン ", out);
        html_text(out, campaign);
    }
    if (!owner && !campaign)
        fputs("すべての放映 / everything shown", out);
    fprintf(out, "</dd>\n<dt>期間 / Period</dt><dd>%s 〜 %s (", a, b);
    html_text(out, pl_tz_name(report_tz(r)));
    fprintf(out, ")</dd>\n<dt>作成 / Made</dt><dd>%s</dd>\n", made);
    fprintf(out, "<dt>画面 / Screens</dt><dd>%zu</dd>\n</dl>\n", s->ngrid);
}

/* N with a comma every three digits: 576,796. */
static const char *grouped(long n, char buf[32])
{
    char d[32];
    int len = snprintf(d, sizeof d, "%ld", n < 0 ? -n : n), o = 0;

    if (n < 0)
        buf[o++] = '-';
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = d[i];
    }
    buf[o] = '\0';
    return buf;
}

static void kpis(FILE *out, const struct report_sum *s)
{
    char hms[32], g[32];

    fputs("<div class=\"kpi\">\n", out);
    fprintf(out, "<div><b>%s</b><span>放映回数 / plays</span></div>\n",
            grouped(s->total.played + s->total.cut, g));
    report_hms(s->total.shown_ms, hms, sizeof hms);
    fprintf(out, "<div><b>%s</b><span>放映時間 / time shown</span></div>\n", hms);
    fprintf(out,
            "<div><b>%.1f%%</b><span>画面時間の割合 / share of the screens' time</span></div>\n",
            100.0 * share_of(s->total.shown_ms, s->total_screens_ms));
    fprintf(out, "<div><b>%s / ", grouped(s->total.cut, g));
    fprintf(out, "%s / ", grouped(s->total.skipped, g));
    fprintf(out, "%s</b><span>中断・スキップ・エラー / cut, skipped, errors</span></div>\n",
            grouped(s->total.errors, g));
    report_hms(s->total_dark_ms, hms, sizeof hms);
    fprintf(out, "<div><b%s>%s</b><span>消灯時間 / dark</span></div>\n",
            s->total_dark_ms ? " class=\"warn\"" : "", hms);
    fputs("</div>\n", out);
}

/* The timeline's colour of CAMPAIGN, so both charts agree. */
static const char *campaign_colour(const struct report *r, uint32_t campaign)
{
    uint32_t cats[REPORT_TL_OWN];
    bool by_owner;

    report_timeline_cats(r, cats, &by_owner);
    for (int c = 0; !by_owner && c < REPORT_TL_OWN; c++)
        if (cats[c] == campaign)
            return palette[c];
    return by_owner ? palette[0] : palette[REPORT_TL_REST];
}

/* Horizontal bars: the share of the screens' time of each campaign. */
static void share_chart(FILE *out, const struct report_sum *c)
{
    const struct report *r = c->r;
    double max = 0.0;
    char hms[32];

    fputs("<h2>キャンペーン別の割合 <small>Share of the screens' time per campaign</small></h2>\n",
          out);
    if (!c->n) {
        fputs("<p>この期間の放映はありません。 / Nothing was shown in this period.</p>\n", out);
        return;
    }
    for (size_t i = 0; i < c->n; i++)
        if (share_of(c->rows[i].a.shown_ms, c->rows[i].screens_ms) > max)
            max = share_of(c->rows[i].a.shown_ms, c->rows[i].screens_ms);
    fprintf(out,
            "<svg role=\"img\" aria-label=\"share per campaign\" width=\"960\" height=\"%zu\">\n",
            c->n * 44 + 4);
    for (size_t i = 0; i < c->n; i++) {
        const struct report_row *w = &c->rows[i];
        double sh = share_of(w->a.shown_ms, w->screens_ms);
        double len = max > 0 ? 560.0 * sh / max : 0.0;
        fprintf(out, "<text x=\"0\" y=\"%zu\">", i * 44 + 14);
        campaign_label(out, r, w->campaign);
        report_hms(w->a.shown_ms, hms, sizeof hms);
        fprintf(out,
                "</text>\n<rect x=\"0\" y=\"%zu\" width=\"%.1f\" height=\"18\" fill=\"%s\"/>"
                "<text x=\"%.1f\" y=\"%zu\">%.1f%% · %s · %ld plays</text>\n",
                i * 44 + 20, len, campaign_colour(r, w->campaign), len + 6, i * 44 + 34, 100.0 * sh,
                hms, w->a.played + w->a.cut);
    }
    fputs("</svg>\n", out);
}

/* Vertical bars: plays per day of the period. */
static void plays_chart(FILE *out, const struct report_sum *s)
{
    size_t nd = s->d0 <= s->d1 ? (size_t)(s->d1 - s->d0 + 1) : 0;
    long max = 0;
    char day[16];

    fputs("<h2>日別の放映回数 <small>Plays per day</small></h2>\n", out);
    if (!nd)
        return;
    for (size_t i = 0; i < nd; i++)
        if (s->plays_per_day[i] > max)
            max = s->plays_per_day[i];
    double bw = nd > 14 ? 880.0 / (double)nd : 60.0;
    size_t every = nd <= 16 ? 1 : nd <= 62 ? 7 : 30;
    fputs("<svg role=\"img\" aria-label=\"plays per day\" width=\"960\" height=\"200\">\n", out);
    fprintf(out,
            "<text class=\"ax\" x=\"0\" y=\"20\">%ld</text><text class=\"ax\" x=\"0\" "
            "y=\"160\">0</text>\n<line x1=\"60\" y1=\"160\" x2=\"940\" y2=\"160\" "
            "stroke=\"#9e9e9e\"/>\n",
            max);
    for (size_t i = 0; i < nd; i++) {
        double h = max ? 140.0 * (double)s->plays_per_day[i] / (double)max : 0.0;
        report_day_text(s->d0 + (int32_t)i, day);
        fprintf(out,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                "<title>%s: %ld</title></rect>\n",
                60 + bw * (double)i + bw * 0.1, 160 - h, bw * 0.8, h, palette[0], day,
                s->plays_per_day[i]);
        if (i % every == 0)
            fprintf(out, "<text class=\"ax\" x=\"%.1f\" y=\"178\">%s</text>\n", 60 + bw * (double)i,
                    day + 5);
    }
    fputs("</svg>\n", out);
}

/* A timeline bucket's parts, in pixels of the bar's height: the
 * categories (own, rest, other), failing, dark; -1 for a bucket that has
 * not happened yet. */
#define BAR_H 18
#define NPART (REPORT_TL_NCAT + 2)
#define PART_FAIL REPORT_TL_NCAT
#define PART_DARK (REPORT_TL_NCAT + 1)

static void bucket_parts(const struct report_sum *s, uint32_t screen, const uint32_t *tl, size_t i,
                         pl_ms bucket_ms, const pl_ms (*fail)[2], size_t nfail, int px[NPART],
                         double pct[NPART])
{
    pl_ms a = s->p0 + (pl_ms)i * bucket_ms, b = a + bucket_ms;
    int64_t ms[NPART] = {0}, len;

    if (b > s->p1)
        b = s->p1;
    if (b > s->counted_end)
        b = s->counted_end;
    if (b <= a) {
        px[0] = -1;
        return;
    }
    len = b - a;
    for (int c = 0; tl && c < REPORT_TL_NCAT; c++)
        ms[c] = tl[i * REPORT_TL_NCAT + (size_t)c];
    for (size_t k = 0; k < nfail; k++) {
        pl_ms x = fail[k][0] > a ? fail[k][0] : a, y = fail[k][1] < b ? fail[k][1] : b;
        if (y > x)
            ms[PART_FAIL] += y - x;
    }
    ms[PART_DARK] = report_dark_between(s->r, screen, a, b);
    for (int c = 0; c < NPART; c++) {
        if (ms[c] > len)
            ms[c] = len;
        pct[c] = 100.0 * (double)ms[c] / (double)len;
        px[c] = (int)((double)ms[c] * BAR_H / (double)len + 0.5);
    }
}

static void timeline_legend(FILE *out, const struct report *r)
{
    uint32_t cats[REPORT_TL_OWN];
    bool by_owner;

    report_timeline_cats(r, cats, &by_owner);
    fputs("<p class=\"legend\">", out);
    for (int c = 0; c < REPORT_TL_OWN && cats[c] != REPORT_NONE; c++) {
        fprintf(out, "<span><i style=\"background:%s\"></i>", palette[c]);
        if (by_owner)
            html_text(out, report_owner_name(r, cats[c])[0] ? report_owner_name(r, cats[c])
                                                            : "(fallback)");
        else
            campaign_label(out, r, cats[c]);
        fputs("</span>", out);
    }
    fprintf(out,
            "<span><i style=\"background:%s\"></i>その他 / others</span>"
            "<span><i style=\"background:%s\"></i>%s</span>"
            "<span><i style=\"background:%s\"></i>消灯 / dark</span>"
            "<span><i style=\"background:%s\"></i>エラー・スキップ / failing</span></p>\n",
            palette[REPORT_TL_REST], palette[REPORT_TL_OTHER],
            by_owner ? "—" : "他の放映・フォールバック / other owners, fallback", COLOUR_DARK,
            COLOUR_FAIL);
}

/* One row per screen: the period left to right in buckets; in each, the
 * selection's campaigns stacked from the bottom in their colours, then
 * failing (red) and dark (black) from the top, the rest of the bar what
 * others showed.  Runs of buckets that look the same are one rectangle. */
static void timeline(FILE *out, const struct report_sum *s)
{
    static const char *const part_names[NPART] = {"",
                                                  "",
                                                  "",
                                                  "",
                                                  "",
                                                  "",
                                                  "",
                                                  "その他 / others",
                                                  "他 / other owners",
                                                  "エラー / failing",
                                                  "消灯 / dark"};
    const struct report *r = s->r;
    size_t nb;
    pl_ms bucket_ms;
    char t0[40], t1[40];

    fputs("<h2>画面別タイムライン <small>What each screen showed, when</small></h2>\n", out);
    if (!s->ngrid || s->d0 > s->d1 || (report_timeline(r, s->grid[0], &nb, &bucket_ms), !nb)) {
        fputs("<p>画面がありません。 / No screens.</p>\n", out);
        return;
    }
    timeline_legend(out, r);
    uint32_t cats[REPORT_TL_OWN];
    bool by_owner;
    report_timeline_cats(r, cats, &by_owner);
    double bw = 900.0 / (double)nb, x0 = 20.0;
    size_t ndays = (size_t)(s->d1 - s->d0 + 1);
    fprintf(out,
            "<svg role=\"img\" aria-label=\"timeline per screen\" width=\"960\" height=\"%zu\">\n",
            s->ngrid * 40 + 30);
    for (size_t g = 0; g < s->ngrid; g++) {
        uint32_t sc = s->grid[g];
        const pl_ms(*fail)[2];
        size_t nfail = report_failing(r, sc, &fail);
        const uint32_t *tl = report_timeline(r, sc, &nb, &bucket_ms);
        double y = (double)g * 40;
        fprintf(out, "<text x=\"0\" y=\"%.0f\">", y + 13);
        screen_label(out, r, sc);
        fprintf(out,
                "</text>\n<rect x=\"%.0f\" y=\"%.0f\" width=\"900\" height=\"%d\" fill=\"%s\"/>\n",
                x0, y + 18, BAR_H, palette[REPORT_TL_OTHER]);
        for (size_t i = 0; i < nb;) {
            int px[NPART], nx[NPART];
            double pct[NPART], npct[NPART];
            bucket_parts(s, sc, tl, i, bucket_ms, fail, nfail, px, pct);
            size_t j = i + 1;
            while (j < nb) {
                bucket_parts(s, sc, tl, j, bucket_ms, fail, nfail, nx, npct);
                if (memcmp(px, nx, px[0] < 0 || nx[0] < 0 ? sizeof px[0] : sizeof px) != 0)
                    break;
                j++;
            }
            double x = x0 + bw * (double)i, w = bw * (double)(j - i);
            local_time(r, s->p0 + (pl_ms)i * bucket_ms, t0, sizeof t0);
            local_time(r, s->p0 + (pl_ms)j * bucket_ms, t1, sizeof t1);
            if (px[0] < 0) { /* not yet */
                fprintf(out,
                        "<rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"%d\" fill=\"%s\" "
                        "stroke=\"#e0e0e0\"><title>%s – %s</title></rect>\n",
                        x, y + 18, w, BAR_H, COLOUR_FUTURE, t0, t1);
                i = j;
                continue;
            }
            fprintf(out, "<g><title>%s – %s", t0, t1);
            for (int c = 0; c < NPART; c++) {
                if (pct[c] < 0.5 || c == REPORT_TL_OTHER)
                    continue;
                fputc('\n', out);
                if (c >= REPORT_TL_REST)
                    fputs(part_names[c], out);
                else if (by_owner)
                    html_text(out, report_owner_name(r, cats[c]));
                else
                    html_text(out, report_campaign_id(r, cats[c]));
                fprintf(out, " %.0f%%", pct[c]);
            }
            fputs("</title>", out);
            /* the selection from the bottom */
            int bottom = BAR_H;
            for (int c = 0; c <= REPORT_TL_REST; c++) {
                if (!px[c])
                    continue;
                bottom -= px[c];
                fprintf(out,
                        "<rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"%d\" fill=\"%s\"/>", x,
                        y + 18 + bottom, w, px[c], palette[c]);
            }
            /* dark, then failing, from the top */
            int top = 0;
            for (int c = PART_DARK; c >= PART_FAIL; c--) {
                if (!px[c])
                    continue;
                fprintf(out,
                        "<rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"%d\" fill=\"%s\"/>", x,
                        y + 18 + top, w, px[c], c == PART_DARK ? COLOUR_DARK : COLOUR_FAIL);
                top += px[c];
            }
            fputs("</g>\n", out);
            i = j;
        }
    }
    /* the time axis: days, or hours within one day */
    double axis_y = (double)s->ngrid * 40 + 14;
    if (ndays == 1) {
        for (int h = 0; h <= 24; h += 3)
            fprintf(out,
                    "<text class=\"ax\" x=\"%.1f\" y=\"%.0f\" "
                    "text-anchor=\"middle\">%d:00</text>\n",
                    x0 + 900.0 * h / 24.0, axis_y, h);
    } else {
        size_t every = ndays <= 16 ? 1 : ndays <= 62 ? 7 : 30;
        char day[16];
        for (size_t d = 0; d < ndays; d += every) {
            report_day_text(s->d0 + (int32_t)d, day);
            fprintf(out, "<text class=\"ax\" x=\"%.1f\" y=\"%.0f\">%s</text>\n",
                    x0 + 900.0 * (double)d / (double)ndays, axis_y, day + 5);
        }
    }
    fputs("</svg>\n", out);
}

static const char *const key_title[] = {"提供者 / owner", "キャンペーン / campaign",
                                        "画面 / screen", "日 / day"};

static void details(FILE *out, const struct report_sum *s)
{
    const struct report *r = s->r;
    char day[16], hms[32];

    fputs("<h2>明細 <small>Details</small></h2>\n<table>\n<tr>", out);
    for (size_t k = 0; k < s->keys->n; k++)
        fprintf(out, "<th>%s</th>", key_title[s->keys->k[k]]);
    fputs("<th>放映回数<br><small>plays</small></th><th>中断<br><small>cut</small></th>"
          "<th>スキップ<br><small>skipped</small></th><th>エラー<br><small>errors</small></th>"
          "<th>放映時間<br><small>shown</small></th><th>割合<br><small>share</small></th>",
          out);
    if (s->dark_rows)
        fputs("<th>消灯<br><small>dark</small></th>", out);
    fputs("</tr>\n", out);
    for (size_t i = 0; i < s->n; i++) {
        const struct report_row *w = &s->rows[i];
        fputs("<tr>", out);
        for (size_t k = 0; k < s->keys->n; k++) {
            fputs("<td>", out);
            if (s->keys->k[k] == REPORT_BY_SCREEN)
                screen_label(out, r, w->screen);
            else if (s->keys->k[k] == REPORT_BY_CAMPAIGN && w->campaign != REPORT_NONE)
                campaign_label(out, r, w->campaign);
            else
                html_text(out, report_key_text(r, w, s->keys->k[k], day));
            fputs("</td>", out);
        }
        report_hms(w->a.shown_ms, hms, sizeof hms);
        fprintf(out,
                "<td class=\"n\">%ld</td><td class=\"n\">%ld</td><td class=\"n\">%ld</td>"
                "<td class=\"n\">%ld</td><td class=\"n\">%s</td><td class=\"n\">%.1f%%</td>",
                w->a.played + w->a.cut, w->a.cut, w->a.skipped, w->a.errors, hms,
                100.0 * share_of(w->a.shown_ms, w->screens_ms));
        if (s->dark_rows) {
            report_hms(w->dark_ms, hms, sizeof hms);
            fprintf(out, "<td class=\"n\">%s</td>", hms);
        }
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void missing_logs(FILE *out, const struct report_sum *s)
{
    size_t n;
    struct report_gapline *g = report_gap_lines(s, &n);

    if (!n) {
        report_gap_lines_free(g, n);
        return;
    }
    fputs("<h2 class=\"warn\">ログのない日 <small>Days without any log</small></h2>\n<p>"
          "この日はログが届いていないため、消灯として数えています。 / No proof of play arrived for "
          "these days; they count as dark.</p>\n<ul>\n",
          out);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "<li>%s: ", g[i].days);
        for (size_t k = 0; k < g[i].n; k++) {
            fputs(k ? "、" : "", out);
            screen_label(out, s->r, g[i].screens[k]);
        }
        fputs("</li>\n", out);
    }
    fputs("</ul>\n", out);
    report_gap_lines_free(g, n);
}

static void footer(FILE *out, const struct report_sum *s)
{
    fputs("<footer><p>放映回数は最後まで放映された回と途中で切り替わった回の合計です。割合は、"
          "同じ画面・同じ日に放映されたすべての時間に対する割合です。消灯は、画面が何かを"
          "放映しているはずの時間のうち、ログに記録のない時間です。<br>Plays count items played "
          "to the end and cut short. Share is of everything the same screens showed on the same "
          "days. Dark is time a screen should have been showing something and its log accounts "
          "for nothing.</p>\n",
          out);
    if (report_unreadable(s->r) || report_repeated_lines(s->r))
        fprintf(out,
                "<p>%ld unreadable log lines ignored; %ld log lines found twice counted "
                "once.</p>\n",
                report_unreadable(s->r), report_repeated_lines(s->r));
    fputs("<p>signagectl report</p></footer>\n</body></html>\n", out);
}

int report_write_html(const struct report_sum *s, FILE *out)
{
    static const struct report_keys by_campaign = {{REPORT_BY_CAMPAIGN}, 1};
    struct report_sum c;
    int rc = -1;

    if (report_rollup(s->r, &by_campaign, &c) < 0)
        goto out;
    header(out, s);
    kpis(out, s);
    share_chart(out, &c);
    plays_chart(out, s);
    timeline(out, s);
    details(out, s);
    missing_logs(out, s);
    footer(out, s);
    rc = 0;
out:
    report_sum_free(&c);
    return rc;
}
