/*
 * demo_text: prints the demo target's screen as it starts, from its own
 * text buffer (sk_demo_text), trailing blanks dropped: the truth that
 * tests/integration/test_text.sh compares `screen --text` with.
 *
 *   build/tests/demo_text
 */
#include <stdio.h>
#include <string.h>

#include "demo/demo.h"
#include "base/util.h"

int main(void)
{
    struct sk_demo *demo = sk_demo_new();
    struct sk_image img = {0};
    sk_demo_render(demo, sk_now_ms(), &img);
    char text[16384];
    sk_demo_text(demo, text, sizeof(text));
    for (char *line = text; *line;) {
        size_t len = strcspn(line, "\n"), n = len;
        while (n > 0 && line[n - 1] == ' ') {
            n--;
        }
        printf("%.*s\n", (int)n, line);
        line += len + (line[len] == '\n');
    }
    sk_image_free(&img);
    sk_demo_free(demo);
    return 0;
}
