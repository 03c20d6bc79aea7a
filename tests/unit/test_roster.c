/*
 * test_roster: who is connected and the control arbiter, on a fake clock:
 * exclusive and shared modes, taking control, the idle time-out, view-only
 * members, web members that come and go, and the JSON and text listings.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "policy/roster.h"
#include "base/util.h"

static int64_t fake_now = 1000000;
static int64_t fake_clock(void)
{
    return fake_now;
}

static struct sk_roster *new_roster(enum sk_control_mode mode, int idle_s)
{
    return sk_roster_new(&(struct sk_roster_opts){
        .mode = mode, .idle_s = idle_s, .web_idle_s = 10, .now_ms = fake_clock});
}

static void test_exclusive(void)
{
    struct sk_roster *r = new_roster(SK_CONTROL_EXCLUSIVE, 60);
    char who[SK_ROSTER_NAME_LEN];
    int a = sk_roster_join(r, "ssh", "alice@laptop", "10.0.0.5:4000", SK_ROLE_CONTROL);
    int b = sk_roster_join(r, "command", "bob", "10.0.0.6:4001", SK_ROLE_CONTROL);
    int v = sk_roster_join(r, "ssh", "viewer", "10.0.0.7:4002", SK_ROLE_VIEW);
    CHECK(a > 0 && b > 0 && v > 0 && a != b && b != v);
    CHECK_EQ_INT(sk_roster_count(r), 3);
    CHECK_EQ_INT(sk_roster_holder(r, a, who, sizeof(who)), -1);
    /* The first to type holds control; typing again changes nothing. */
    CHECK_EQ_INT(sk_roster_acquire(r, a, 0, who, sizeof(who)), SK_ROSTER_GOT);
    CHECK_EQ_INT(sk_roster_acquire(r, a, 0, who, sizeof(who)), 0);
    CHECK_EQ_INT(sk_roster_holder(r, a, NULL, 0), 1);
    /* Another is refused, told who holds it. */
    who[0] = '\0';
    CHECK_EQ_INT(sk_roster_acquire(r, b, 0, who, sizeof(who)), SK_ROSTER_HELD);
    CHECK_STR(who, "alice@laptop");
    CHECK_EQ_INT(sk_roster_holder(r, b, who, sizeof(who)), 0);
    /* A viewer never gets it, not even by taking. */
    CHECK_EQ_INT(sk_roster_acquire(r, v, 1, who, sizeof(who)), SK_ROSTER_VIEW_ONLY);
    CHECK_EQ_INT(sk_roster_holder(r, a, NULL, 0), 1);
    /* Taking: control changes hands, and the taker learns from whom. */
    CHECK_EQ_INT(sk_roster_acquire(r, b, 1, who, sizeof(who)), SK_ROSTER_TAKEN);
    CHECK_STR(who, "alice@laptop");
    /* The old holder can ask why it lost control, once. */
    CHECK_EQ_INT(sk_roster_lost(r, a, who, sizeof(who)), 1);
    CHECK_STR(who, "bob");
    CHECK_EQ_INT(sk_roster_lost(r, a, who, sizeof(who)), 0);
    CHECK_EQ_INT(sk_roster_holder(r, a, who, sizeof(who)), 0);
    CHECK_STR(who, "bob");
    /* Leaving frees it. */
    sk_roster_leave(r, b);
    CHECK_EQ_INT(sk_roster_holder(r, a, NULL, 0), -1);
    CHECK_EQ_INT(sk_roster_count(r), 2);
    CHECK_EQ_INT(sk_roster_acquire(r, a, 0, who, sizeof(who)), SK_ROSTER_GOT);
    sk_roster_release(r, a);
    CHECK_EQ_INT(sk_roster_holder(r, a, NULL, 0), -1);
    sk_roster_leave(r, 12345); /* unknown: ignored */
    sk_roster_free(r);
}

static void test_idle_holder_loses_control(void)
{
    struct sk_roster *r = new_roster(SK_CONTROL_EXCLUSIVE, 30);
    char who[SK_ROSTER_NAME_LEN];
    int a = sk_roster_join(r, "ssh", "a", "x", SK_ROLE_CONTROL);
    int b = sk_roster_join(r, "ssh", "b", "y", SK_ROLE_CONTROL);
    CHECK_EQ_INT(sk_roster_acquire(r, a, 0, who, sizeof(who)), SK_ROSTER_GOT);
    fake_now += 29000;
    CHECK_EQ_INT(sk_roster_acquire(r, a, 0, who, sizeof(who)), 0); /* input resets the timer */
    fake_now += 30000;
    CHECK_EQ_INT(sk_roster_acquire(r, b, 0, who, sizeof(who)), SK_ROSTER_HELD);
    fake_now += 1;
    CHECK_EQ_INT(sk_roster_holder(r, a, NULL, 0), -1);
    CHECK_EQ_INT(sk_roster_lost(r, a, NULL, 0), 2);
    CHECK_EQ_INT(sk_roster_acquire(r, b, 0, who, sizeof(who)), SK_ROSTER_GOT);
    sk_roster_free(r);
    /* idle_s < 0: never. */
    r = new_roster(SK_CONTROL_EXCLUSIVE, -1);
    a = sk_roster_join(r, "ssh", "a", "x", SK_ROLE_CONTROL);
    CHECK_EQ_INT(sk_roster_acquire(r, a, 0, who, sizeof(who)), SK_ROSTER_GOT);
    fake_now += 100000000;
    CHECK_EQ_INT(sk_roster_holder(r, a, NULL, 0), 1);
    sk_roster_free(r);
}

static void test_shared(void)
{
    struct sk_roster *r = new_roster(SK_CONTROL_SHARED, 60);
    int a = sk_roster_join(r, "ssh", "a", "x", SK_ROLE_CONTROL);
    int b = sk_roster_join(r, "ssh", "b", "y", SK_ROLE_CONTROL);
    int v = sk_roster_join(r, "web", "v", "z", SK_ROLE_VIEW);
    CHECK_EQ_INT(sk_roster_acquire(r, a, 0, NULL, 0), 0);
    CHECK_EQ_INT(sk_roster_acquire(r, b, 0, NULL, 0), 0);
    CHECK_EQ_INT(sk_roster_acquire(r, v, 0, NULL, 0), SK_ROSTER_VIEW_ONLY);
    CHECK_EQ_INT(sk_roster_holder(r, a, NULL, 0), -1);
    CHECK_EQ_INT(sk_roster_mode(r), SK_CONTROL_SHARED);
    sk_roster_free(r);
}

static void test_web_members(void)
{
    struct sk_roster *r = new_roster(SK_CONTROL_EXCLUSIVE, 60);
    int joined = -1;
    int w = sk_roster_web(r, "SHA256:k", "10.0.0.9", SK_ROLE_CONTROL, &joined);
    CHECK_EQ_INT(joined, 1);
    fake_now += 9000;
    CHECK_EQ_INT(sk_roster_web(r, "SHA256:k", "10.0.0.9", SK_ROLE_CONTROL, &joined), w);
    CHECK_EQ_INT(joined, 0);
    /* Another address is another member. */
    int w2 = sk_roster_web(r, "SHA256:k", "10.0.0.10", SK_ROLE_CONTROL, NULL);
    CHECK(w2 != w);
    CHECK_EQ_INT(sk_roster_acquire(r, w, 0, NULL, 0), SK_ROSTER_GOT);
    /* Silent for longer than web_idle_s: gone, and control with it. */
    fake_now += 10001;
    CHECK_EQ_INT(sk_roster_count(r), 0);
    CHECK_EQ_INT(sk_roster_holder(r, w, NULL, 0), -1);
    CHECK(sk_roster_web(r, "SHA256:k", "10.0.0.9", SK_ROLE_CONTROL, &joined) != w);
    CHECK_EQ_INT(joined, 1);
    sk_roster_free(r);
}

static void test_listings(void)
{
    struct sk_roster *r = new_roster(SK_CONTROL_EXCLUSIVE, 60);
    int a = sk_roster_join(r, "ssh", "al \"x\"", "1.2.3.4:5", SK_ROLE_CONTROL);
    sk_roster_join(r, "command", "bo", "6.7.8.9:10", SK_ROLE_VIEW);
    sk_roster_acquire(r, a, 0, NULL, 0);
    sk_roster_acquire_port(r, a, "com1", 0, NULL, 0);
    sk_roster_acquire_port(r, a, "con", 0, NULL, 0);
    struct sk_buf b = {0};
    sk_roster_json(r, &b);
    /* since is wall-clock seconds: blank it out to compare the rest exactly. */
    char *p = b.data;
    while ((p = strstr(p, "\"since\":")) != NULL) {
        p += 8;
        while (*p >= '0' && *p <= '9') {
            *p++ = 'N';
        }
    }
    CHECK_STR(b.data,
              "{\"mode\":\"exclusive\",\"holder\":\"al \\\"x\\\"\","
              "\"ports\":{\"com1\":\"al \\\"x\\\"\",\"con\":\"al \\\"x\\\"\"},\"sessions\":["
              "{\"id\":1,\"kind\":\"ssh\",\"name\":\"al \\\"x\\\"\",\"addr\":\"1.2.3.4:5\","
              "\"role\":\"control\",\"since\":NNNNNNNNNN,\"control\":true,"
              "\"ports\":[\"com1\",\"con\"]},"
              "{\"id\":2,\"kind\":\"command\",\"name\":\"bo\",\"addr\":\"6.7.8.9:10\","
              "\"role\":\"view\",\"since\":NNNNNNNNNN,\"control\":false,\"ports\":[]}]}");
    sk_buf_reset(&b);
    sk_roster_text(r, &b, "\n");
    CHECK(strstr(b.data, "ssh al \"x\" from 1.2.3.4:5, control, since ") == b.data);
    CHECK(strstr(b.data,
                 ", has control, writes com1, con\ncommand bo from 6.7.8.9:10, view, since ") !=
          NULL);
    sk_buf_free(&b);
    sk_roster_free(r);
}

/*
 * Serial ports: a writer per port, apart from the video control and from each other; take
 * takes that port only; view-only never; leaving and the idle time-out free a port.
 */
static void test_ports(void)
{
    struct sk_roster *r = new_roster(SK_CONTROL_EXCLUSIVE, 60);
    char who[SK_ROSTER_NAME_LEN];
    int a = sk_roster_join(r, "ssh", "alice", "1.1.1.1:1", SK_ROLE_CONTROL);
    int b = sk_roster_join(r, "ssh", "bob", "2.2.2.2:2", SK_ROLE_CONTROL);
    int c = sk_roster_join(r, "command", "carol", "3.3.3.3:3", SK_ROLE_CONTROL);
    int v = sk_roster_join(r, "ssh", "viewer", "4.4.4.4:4", SK_ROLE_VIEW);
    CHECK_EQ_INT(sk_roster_port_holder(r, a, "com1", who, sizeof(who)), -1);
    /* alice holds the video console; bob writes com1 and carol com2 at the same time. */
    CHECK_EQ_INT(sk_roster_acquire(r, a, 0, who, sizeof(who)), SK_ROSTER_GOT);
    CHECK_EQ_INT(sk_roster_acquire_port(r, b, "com1", 0, who, sizeof(who)), SK_ROSTER_GOT);
    CHECK_EQ_INT(sk_roster_acquire_port(r, c, "com2", 0, who, sizeof(who)), SK_ROSTER_GOT);
    CHECK_EQ_INT(sk_roster_acquire_port(r, b, "com1", 0, who, sizeof(who)), 0);
    CHECK_EQ_INT(sk_roster_holder(r, a, NULL, 0), 1);
    CHECK_EQ_INT(sk_roster_port_holder(r, b, "com1", NULL, 0), 1);
    CHECK_EQ_INT(sk_roster_port_holder(r, b, "com2", who, sizeof(who)), 0);
    CHECK_STR(who, "carol");
    /* The video console's holder is refused on a held port, named; bob on the keyboard too. */
    CHECK_EQ_INT(sk_roster_acquire_port(r, a, "com1", 0, who, sizeof(who)), SK_ROSTER_HELD);
    CHECK_STR(who, "bob");
    CHECK_EQ_INT(sk_roster_acquire(r, b, 0, who, sizeof(who)), SK_ROSTER_HELD);
    CHECK_STR(who, "alice");
    /* A viewer never writes, even taking. */
    CHECK_EQ_INT(sk_roster_acquire_port(r, v, "com1", 1, who, sizeof(who)), SK_ROSTER_VIEW_ONLY);
    /* Taking com1 takes com1 only: carol keeps com2, alice the console, nobody is told "lost". */
    CHECK_EQ_INT(sk_roster_acquire_port(r, a, "com1", 1, who, sizeof(who)), SK_ROSTER_TAKEN);
    CHECK_STR(who, "bob");
    CHECK_EQ_INT(sk_roster_port_holder(r, c, "com2", NULL, 0), 1);
    CHECK_EQ_INT(sk_roster_holder(r, a, NULL, 0), 1);
    CHECK_EQ_INT(sk_roster_lost(r, b, NULL, 0), 0);
    CHECK_EQ_INT(sk_roster_acquire_port(r, b, "com1", 0, who, sizeof(who)), SK_ROSTER_HELD);
    CHECK_STR(who, "alice");
    /* Taking the console does not take a port either. */
    CHECK_EQ_INT(sk_roster_acquire(r, c, 1, who, sizeof(who)), SK_ROSTER_TAKEN);
    CHECK_EQ_INT(sk_roster_port_holder(r, a, "com1", NULL, 0), 1);
    /* Leaving frees the member's ports. */
    sk_roster_leave(r, a);
    CHECK_EQ_INT(sk_roster_port_holder(r, b, "com1", NULL, 0), -1);
    CHECK_EQ_INT(sk_roster_acquire_port(r, b, "com1", 0, who, sizeof(who)), SK_ROSTER_GOT);
    /* A writer idle for idle_s loses the port. */
    fake_now += 61000;
    CHECK_EQ_INT(sk_roster_port_holder(r, b, "com1", NULL, 0), -1);
    CHECK_EQ_INT(sk_roster_port_holder(r, c, "com2", NULL, 0), -1);
    CHECK_EQ_INT(sk_roster_acquire_port(r, c, "com1", 0, who, sizeof(who)), SK_ROSTER_GOT);
    sk_roster_free(r);

    /* Shared mode: everyone with the control role writes, nobody holds. */
    r = new_roster(SK_CONTROL_SHARED, 60);
    a = sk_roster_join(r, "ssh", "alice", "1.1.1.1:1", SK_ROLE_CONTROL);
    b = sk_roster_join(r, "ssh", "bob", "2.2.2.2:2", SK_ROLE_CONTROL);
    v = sk_roster_join(r, "ssh", "viewer", "4.4.4.4:4", SK_ROLE_VIEW);
    CHECK_EQ_INT(sk_roster_acquire_port(r, a, "com1", 0, who, sizeof(who)), 0);
    CHECK_EQ_INT(sk_roster_acquire_port(r, b, "com1", 0, who, sizeof(who)), 0);
    CHECK_EQ_INT(sk_roster_acquire_port(r, v, "com1", 0, who, sizeof(who)), SK_ROSTER_VIEW_ONLY);
    CHECK_EQ_INT(sk_roster_port_holder(r, a, "com1", NULL, 0), -1);
    sk_roster_free(r);
}

static void test_parse_names(void)
{
    enum sk_role role;
    CHECK_EQ_INT(sk_role_parse("view", &role), 0);
    CHECK_EQ_INT(role, SK_ROLE_VIEW);
    CHECK_EQ_INT(sk_role_parse("control", &role), 0);
    CHECK_EQ_INT(role, SK_ROLE_CONTROL);
    CHECK_EQ_INT(sk_role_parse("admin", &role), -1);
    CHECK_STR(sk_role_name(SK_ROLE_VIEW), "view");
    CHECK_STR(sk_role_name(SK_ROLE_CONTROL), "control");
}

int main(void)
{
    SK_RUN(test_exclusive);
    SK_RUN(test_idle_holder_loses_control);
    SK_RUN(test_shared);
    SK_RUN(test_web_members);
    SK_RUN(test_listings);
    SK_RUN(test_ports);
    SK_RUN(test_parse_names);
    return SK_CHECK_EXIT();
}
