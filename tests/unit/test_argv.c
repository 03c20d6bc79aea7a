/*
 * test_argv: the command-line splitter: blanks, quotes and backslashes as
 * sh treats them, empty input, and unclosed quotes refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cmd/argv.h"

/* Split line and check it gave exactly the n words in want. */
static int splits_to(const char *line, const char *const *want, int n)
{
    char **argv = NULL, e[128] = "";
    int got = sk_argv_split(line, &argv, e, sizeof(e));
    int ok = got == n && argv != NULL && argv[n] == NULL;
    for (int i = 0; ok && i < n; i++) {
        ok = strcmp(argv[i], want[i]) == 0;
    }
    if (!ok) {
        fprintf(stderr, "  [%s]: got %d words (%s), want %d:", line, got, e, n);
        for (int i = 0; got > 0 && i < got; i++) {
            fprintf(stderr, " [%s]", argv[i]);
        }
        fprintf(stderr, "\n");
    }
    sk_argv_free(argv);
    return ok;
}

#define SPLITS_TO(line, ...)                                                                       \
    do {                                                                                           \
        static const char *const want_[] = {__VA_ARGS__};                                          \
        CHECK(splits_to(line, want_, (int)(sizeof(want_) / sizeof(want_[0]))));                    \
    } while (0)

static void test_blanks(void)
{
    SPLITS_TO("key ctrl+alt+delete", "key", "ctrl+alt+delete");
    SPLITS_TO("  a \t b\n\nc  ", "a", "b", "c");
    SPLITS_TO("one", "one");
}

static void test_single_quotes(void)
{
    /* Everything inside single quotes is kept as it is, backslashes too. */
    SPLITS_TO("'a  b' 'x \"y\" \\z $HOME `c`'", "a  b", "x \"y\" \\z $HOME `c`");
    SPLITS_TO("'a\\'", "a\\");
    SPLITS_TO("key  'ctrl+alt' \"a b\\\"c\" d\\ e ''", "key", "ctrl+alt", "a b\"c", "d e", "");
}

static void test_double_quotes(void)
{
    /* A backslash escapes only " \ $ and ` inside double quotes; before others it stays. */
    SPLITS_TO("\"a\\\"b\" \"c\\\\d\" \"\\$x\" \"\\`y\"", "a\"b", "c\\d", "$x", "`y");
    SPLITS_TO("\"a\\nb\" \"it's\"", "a\\nb", "it's");
    SPLITS_TO("\"\" \"  \"", "", "  ");
}

static void test_escapes(void)
{
    SPLITS_TO("a\\ b \\'c\\' \\\"d \\\\", "a b", "'c'", "\"d", "\\");
    /* A backslash at the very end has nothing to escape: it is kept. */
    SPLITS_TO("end\\", "end\\");
    /* Quoted and plain pieces next to each other make one word. */
    SPLITS_TO("a'b c'\"d e\"f\\ g", "ab cd ef g");
}

static void test_empty(void)
{
    static const char *const blank[] = {"", "   \t\n "};
    for (size_t i = 0; i < sizeof(blank) / sizeof(blank[0]); i++) {
        char **argv = NULL, e[64];
        CHECK_EQ_INT(sk_argv_split(blank[i], &argv, e, sizeof(e)), 0);
        CHECK(argv != NULL && argv[0] == NULL);
        sk_argv_free(argv);
    }
    sk_argv_free(NULL);
}

static void test_many_words(void)
{
    char line[1200] = "";
    for (int i = 0; i < 300; i++) {
        snprintf(line + strlen(line), sizeof(line) - strlen(line), "%d ", i);
    }
    char **argv = NULL, e[64];
    CHECK_EQ_INT(sk_argv_split(line, &argv, e, sizeof(e)), 300);
    CHECK_STR(argv[0], "0");
    CHECK_STR(argv[150], "150");
    CHECK_STR(argv[299], "299");
    CHECK(argv[300] == NULL);
    sk_argv_free(argv);
}

static void test_unclosed(void)
{
    static const struct {
        const char *line, *err;
    } bad[] = {
        {"a 'open", "unclosed ' in command line"},
        {"'", "unclosed ' in command line"},
        {"a \"open", "unclosed \" in command line"},
        {"\"a\\\"", "unclosed \" in command line"},
        {"'a\\'' b", "unclosed ' in command line"},
        {"ok \"fine\" 'bad", "unclosed ' in command line"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *sentinel[] = {NULL};
        char **argv = sentinel, e[64] = "";
        CHECK_EQ_INT(sk_argv_split(bad[i].line, &argv, e, sizeof(e)), -1);
        CHECK(argv == sentinel); /* untouched: nothing to free */
        CHECK_STR(e, bad[i].err);
    }
    /* A short error buffer is cut, not overrun. */
    char **argv = NULL, e[8];
    CHECK_EQ_INT(sk_argv_split("'x", &argv, e, sizeof(e)), -1);
    CHECK_STR(e, "unclose");
}

int main(void)
{
    SK_RUN(test_blanks);
    SK_RUN(test_single_quotes);
    SK_RUN(test_double_quotes);
    SK_RUN(test_escapes);
    SK_RUN(test_empty);
    SK_RUN(test_many_words);
    SK_RUN(test_unclosed);
    return SK_CHECK_EXIT();
}
