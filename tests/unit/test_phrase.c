/* Tests for player/phrase.c: BudouX's Japanese phrases, pinned for the
 * signage texts the issue names, and the same as the npm package's own
 * parser (run with node at test time) on a corpus of signage texts. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "player/phrase.h"
#include "tests/unit/check_main.h"

/* Signage texts: campaign titles, appeals, dates, prices, addresses. */
static const char *const corpus[] = {
    "心よりお見舞い申し上げます",
    "令和6年能登半島地震で被災された皆様に",
    "ご来場ありがとうございました",
    "電車は7時30分発",
    "先着100名様にプレゼント",
    "第97回全国高等学校野球選手権大会",
    "見頃です",
    "よさこい祭り",
    "ご協力をお願いします",
    "牧野博士の新休日",
    "らんまんの舞台・高知",
    "高知県観光博覧会「牧野博士の新休日～らんまんの舞台・高知～」",
    "特別区 災害支援のお願い",
    "フードフェスティバル2024開催中",
    "入場無料、どなたでもご参加いただけます",
    "会期は2023年3月31日まで",
    "東京都庁第一本庁舎45階南展望室",
    "お近くの避難所をご確認ください",
    "節電にご協力をお願いいたします",
    "本日の営業は午後8時までとなります",
    "詳しくはホームページをご覧ください",
    "高知の食と自然を満喫しよう",
    "都民の皆様の温かいご支援に感謝いたします",
    "大人1,500円、中学生以下無料",
    "新宿駅西口広場イベントコーナー",
    "雨天決行、荒天の場合は中止します",
    "マイナンバーカードの申請はお済みですか",
    "地震が起きたら、まず身の安全を確保してください",
    "東京2025デフリンピック開催まであと100日",
    "スマートフォンで簡単に応募できます",
};

/* C's phrases of S joined by "/" into OUT. */
static void split(const char *s, char *out, size_t outlen)
{
    uint32_t cps[256] = {0};
    size_t offs[257], n = 0, len = strlen(s), o = 0;
    bool brk[256];

    for (size_t i = 0; i < len && n < 256;) {
        size_t k = utf8_decode(s + i, len - i, &cps[n]);
        ck_assert_uint_gt(k, 0);
        offs[n++] = i;
        i += k;
    }
    offs[n] = len;
    phrase_boundaries(cps, n, brk);
    for (size_t j = 0; j < n && o + 8 < outlen; j++) {
        if (brk[j])
            out[o++] = '/';
        memcpy(out + o, s + offs[j], offs[j + 1] - offs[j]);
        o += offs[j + 1] - offs[j];
    }
    out[o] = '\0';
}

START_TEST(test_pinned)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"心よりお見舞い申し上げます", "心より/お見舞い/申し上げます"},
        {"ご来場ありがとうございました", "ご来場/ありがとう/ございました"},
        {"電車は7時30分発", "電車は/7時30分発"},
        {"見頃です", "見頃です"},
        {"よさこい祭り", "よさこい/祭り"},
        {"ご協力をお願いします", "ご協力を/お願いします"},
        {"", ""},
        {"あ", "あ"},
    };
    char out[1024];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        split(cases[i].in, out, sizeof out);
        ck_assert_str_eq(out, cases[i].out);
    }
}
END_TEST

/* The npm package's own parser agrees on every text of the corpus. */
START_TEST(test_same_as_budoux)
{
    char dir[64], in[128], cmd[512], line[2048], mine[2048];
    FILE *f, *p;
    size_t i = 0;

    test_tmpdir_make(dir, sizeof dir, "test_phrase");
    snprintf(in, sizeof in, "%s/corpus.txt", dir);
    f = fopen(in, "w");
    ck_assert_ptr_nonnull(f);
    for (size_t k = 0; k < sizeof corpus / sizeof corpus[0]; k++)
        fprintf(f, "%s\n", corpus[k]);
    fclose(f);
    snprintf(cmd, sizeof cmd, "node tests/unit/budoux_ref.mjs build/budoux/package < '%s'", in);
    p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        ck_assert_uint_lt(i, sizeof corpus / sizeof corpus[0]);
        split(corpus[i], mine, sizeof mine);
        ck_assert_msg(strcmp(line, mine) == 0, "budoux: %s, ours: %s", line, mine);
        i++;
    }
    ck_assert_int_eq(pclose(p), 0);
    ck_assert_uint_eq(i, sizeof corpus / sizeof corpus[0]);
    test_tmpdir_remove(dir);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("phrase");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_pinned);
    tcase_add_test(tc, test_same_as_budoux);
    suite_add_tcase(s, tc);
    return s;
}
