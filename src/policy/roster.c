/*
 * roster: the connected members, their roles, and the control arbiter.
 *
 * Owns a growable array of members under one mutex, and the id of the
 * member holding control with the time of its last input, and the same
 * for each serial port's writer (a port is listed from the first time
 * someone asks to write to it). Time-outs are
 * applied lazily whenever the roster is asked: an idle holder simply stops
 * counting as holder, and a web member that stopped asking drops out. The
 * roster never touches the keyboard; callers act on what it answers.
 */
#include "policy/roster.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"

struct member {
    int id;
    char kind[16];
    char name[SK_ROSTER_NAME_LEN];
    char addr[SK_ROSTER_ADDR_LEN];
    enum sk_role role;
    time_t since;    /* wall clock, for people */
    int64_t seen_ms; /* web members: the last request */
    int lost;        /* lost control since last asked: 1 taken, 2 idle */
    char lost_to[SK_ROSTER_NAME_LEN];
};

/* A serial port's holder: one writer per port, on the same rules as the video control. */
struct port_hold {
    char port[SK_ROSTER_PORT_LEN];
    int holder; /* member id, 0: nobody */
    int64_t input_ms;
};

struct sk_roster {
    pthread_mutex_t lock;
    enum sk_control_mode mode;
    int64_t idle_ms; /* < 0: never */
    int64_t web_idle_ms;
    int64_t (*now_ms)(void);
    struct member *members;
    size_t n, cap;
    int next_id;
    int holder; /* member id, 0: nobody */
    int64_t holder_input_ms;
    /* Each serial port's writer, apart from the video console's control. */
    struct port_hold *ports;
    size_t nports, ports_cap;
};

const char *sk_role_name(enum sk_role role)
{
    return role == SK_ROLE_VIEW ? "view" : "control";
}

int sk_role_parse(const char *s, enum sk_role *out)
{
    if (strcmp(s, "control") == 0) {
        *out = SK_ROLE_CONTROL;
    } else if (strcmp(s, "view") == 0) {
        *out = SK_ROLE_VIEW;
    } else {
        return -1;
    }
    return 0;
}

struct sk_roster *sk_roster_new(const struct sk_roster_opts *opts)
{
    struct sk_roster *r = xcalloc(1, sizeof(*r));
    pthread_mutex_init(&r->lock, NULL);
    r->mode = opts->mode;
    r->idle_ms = opts->idle_s == 0 ? 300000 : opts->idle_s < 0 ? -1 : opts->idle_s * 1000LL;
    r->web_idle_ms = (opts->web_idle_s > 0 ? opts->web_idle_s : 15) * 1000LL;
    r->now_ms = opts->now_ms != NULL ? opts->now_ms : sk_now_ms;
    r->next_id = 1;
    return r;
}

void sk_roster_free(struct sk_roster *r)
{
    if (r == NULL) {
        return;
    }
    pthread_mutex_destroy(&r->lock);
    free(r->ports);
    free(r->members);
    free(r);
}

static struct member *find(struct sk_roster *r, int id)
{
    for (size_t i = 0; i < r->n; i++) {
        if (r->members[i].id == id) {
            return &r->members[i];
        }
    }
    return NULL;
}

static void remove_at(struct sk_roster *r, size_t i)
{
    if (r->members[i].id == r->holder) {
        r->holder = 0;
    }
    for (size_t p = 0; p < r->nports; p++) {
        if (r->ports[p].holder == r->members[i].id) {
            r->ports[p].holder = 0;
        }
    }
    memmove(&r->members[i], &r->members[i + 1], (r->n - i - 1) * sizeof(r->members[0]));
    r->n--;
}

/* Apply the time-outs: web members that stopped asking, a holder that stopped typing. */
static void expire(struct sk_roster *r, int64_t now)
{
    for (size_t i = 0; i < r->n;) {
        struct member *m = &r->members[i];
        if (strcmp(m->kind, "web") == 0 && now - m->seen_ms > r->web_idle_ms) {
            remove_at(r, i);
        } else {
            i++;
        }
    }
    if (r->holder != 0 && r->idle_ms >= 0 && now - r->holder_input_ms > r->idle_ms) {
        struct member *h = find(r, r->holder);
        if (h != NULL) {
            h->lost = 2;
        }
        r->holder = 0;
    }
    for (size_t p = 0; p < r->nports; p++) {
        if (r->ports[p].holder != 0 && r->idle_ms >= 0 && now - r->ports[p].input_ms > r->idle_ms) {
            r->ports[p].holder = 0;
        }
    }
}

static int add(struct sk_roster *r, const char *kind, const char *name, const char *addr,
               enum sk_role role, int64_t now)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->members = xrealloc(r->members, r->cap * sizeof(r->members[0]));
    }
    struct member *m = &r->members[r->n++];
    memset(m, 0, sizeof(*m));
    m->id = r->next_id++;
    snprintf(m->kind, sizeof(m->kind), "%s", kind);
    snprintf(m->name, sizeof(m->name), "%s", name);
    snprintf(m->addr, sizeof(m->addr), "%s", addr);
    m->role = role;
    m->since = time(NULL);
    m->seen_ms = now;
    return m->id;
}

int sk_roster_join(struct sk_roster *r, const char *kind, const char *name, const char *addr,
                   enum sk_role role)
{
    pthread_mutex_lock(&r->lock);
    int id = add(r, kind, name, addr, role, r->now_ms());
    pthread_mutex_unlock(&r->lock);
    return id;
}

void sk_roster_leave(struct sk_roster *r, int id)
{
    pthread_mutex_lock(&r->lock);
    struct member *m = find(r, id);
    if (m != NULL) {
        remove_at(r, (size_t)(m - r->members));
    }
    pthread_mutex_unlock(&r->lock);
}

int sk_roster_web(struct sk_roster *r, const char *name, const char *addr, enum sk_role role,
                  int *joined)
{
    pthread_mutex_lock(&r->lock);
    int64_t now = r->now_ms();
    expire(r, now);
    int id = 0;
    for (size_t i = 0; i < r->n && id == 0; i++) {
        struct member *m = &r->members[i];
        if (strcmp(m->kind, "web") == 0 && strcmp(m->name, name) == 0 &&
            strcmp(m->addr, addr) == 0 && m->role == role) {
            m->seen_ms = now;
            id = m->id;
        }
    }
    if (joined != NULL) {
        *joined = id == 0;
    }
    if (id == 0) {
        id = add(r, "web", name, addr, role, now);
    }
    pthread_mutex_unlock(&r->lock);
    return id;
}

static void copy_name(const struct member *m, char *out, size_t len)
{
    if (out != NULL && len > 0) {
        snprintf(out, len, "%s", m != NULL ? m->name : "someone");
    }
}

/*
 * The exclusive mode's rule for one holder (the video control or a port's
 * writer): granted to the holder, to anyone when nobody holds it, to a
 * taker; else refused. Under lock; *holder_id and *input_ms are updated.
 */
static int grant(struct sk_roster *r, int *holder_id, int64_t *input_ms, int id, int take,
                 int64_t now, char *holder, size_t holderlen)
{
    if (*holder_id != 0 && *holder_id != id && !take) {
        copy_name(find(r, *holder_id), holder, holderlen);
        return SK_ROSTER_HELD;
    }
    int rc = *holder_id == 0 ? SK_ROSTER_GOT : *holder_id != id ? SK_ROSTER_TAKEN : 0;
    if (rc == SK_ROSTER_TAKEN) {
        copy_name(find(r, *holder_id), holder, holderlen);
    }
    *holder_id = id;
    *input_ms = now;
    return rc;
}

void sk_roster_release(struct sk_roster *r, int id)
{
    pthread_mutex_lock(&r->lock);
    if (r->holder == id) {
        r->holder = 0;
    }
    pthread_mutex_unlock(&r->lock);
}

/* The hold for port, made (held by nobody) when create and it is not there yet; else NULL. */
static struct port_hold *port_hold(struct sk_roster *r, const char *port, int create)
{
    for (size_t i = 0; i < r->nports; i++) {
        if (strcmp(r->ports[i].port, port) == 0) {
            return &r->ports[i];
        }
    }
    if (!create) {
        return NULL;
    }
    if (r->nports == r->ports_cap) {
        r->ports_cap = r->ports_cap ? r->ports_cap * 2 : 4;
        r->ports = xrealloc(r->ports, r->ports_cap * sizeof(r->ports[0]));
    }
    struct port_hold *h = &r->ports[r->nports++];
    memset(h, 0, sizeof(*h));
    snprintf(h->port, sizeof(h->port), "%s", port);
    return h;
}

/* Member id wants to write: to port, or with port NULL the video console's control. */
static int acquire(struct sk_roster *r, int id, const char *port, int take, char *holder,
                   size_t holderlen)
{
    pthread_mutex_lock(&r->lock);
    int64_t now = r->now_ms();
    expire(r, now);
    struct member *me = find(r, id);
    int rc = 0;
    if (me != NULL && me->role == SK_ROLE_VIEW) {
        rc = SK_ROSTER_VIEW_ONLY;
    } else if (r->mode != SK_CONTROL_SHARED && port != NULL) {
        struct port_hold *h = port_hold(r, port, 1);
        rc = grant(r, &h->holder, &h->input_ms, id, take, now, holder, holderlen);
    } else if (r->mode != SK_CONTROL_SHARED) {
        struct member *old = find(r, r->holder);
        rc = grant(r, &r->holder, &r->holder_input_ms, id, take, now, holder, holderlen);
        if (rc == SK_ROSTER_TAKEN && old != NULL && me != NULL) {
            old->lost = 1;
            snprintf(old->lost_to, sizeof(old->lost_to), "%s", me->name);
        }
        if (rc != SK_ROSTER_HELD && me != NULL) {
            me->lost = 0; /* it holds control again: an earlier loss is no news */
        }
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

int sk_roster_acquire(struct sk_roster *r, int id, int take, char *holder, size_t holderlen)
{
    return acquire(r, id, NULL, take, holder, holderlen);
}

int sk_roster_acquire_port(struct sk_roster *r, int id, const char *port, int take, char *holder,
                           size_t holderlen)
{
    return acquire(r, id, port, take, holder, holderlen);
}

/*
 * Who writes to port, or with port NULL who holds the video console's control (as acquire
 * tells them apart): 1 id, 0 another member (its name copied), -1 nobody.
 */
static int holder_of(struct sk_roster *r, int id, const char *port, char *name, size_t namelen)
{
    pthread_mutex_lock(&r->lock);
    expire(r, r->now_ms());
    int holder = r->holder;
    if (port != NULL) {
        const struct port_hold *h = port_hold(r, port, 0);
        holder = h != NULL ? h->holder : 0;
    }
    int rc = -1;
    if (holder != 0) {
        rc = holder == id ? 1 : 0;
        copy_name(find(r, holder), name, namelen);
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

int sk_roster_port_holder(struct sk_roster *r, int id, const char *port, char *name, size_t namelen)
{
    return holder_of(r, id, port, name, namelen);
}

/* The ports member id writes to, as ", writes com1, com2" (text) or ["com1","com2"] (json). */
static void member_ports(const struct sk_roster *r, int id, struct sk_buf *out, int json)
{
    int n = 0;
    if (json) {
        sk_buf_puts(out, ",\"ports\":[");
    }
    for (size_t p = 0; p < r->nports; p++) {
        if (r->ports[p].holder != id) {
            continue;
        }
        if (json) {
            sk_buf_puts(out, n ? "," : "");
            sk_buf_json_string(out, r->ports[p].port);
        } else {
            sk_buf_printf(out, "%s%s", n ? ", " : ", writes ", r->ports[p].port);
        }
        n++;
    }
    if (json) {
        sk_buf_puts(out, "]");
    }
}

int sk_roster_holder(struct sk_roster *r, int id, char *name, size_t namelen)
{
    return holder_of(r, id, NULL, name, namelen);
}

int sk_roster_lost(struct sk_roster *r, int id, char *by, size_t bylen)
{
    pthread_mutex_lock(&r->lock);
    expire(r, r->now_ms());
    struct member *m = find(r, id);
    int lost = 0;
    if (m != NULL) {
        lost = m->lost;
        if (lost == 1 && by != NULL && bylen > 0) {
            snprintf(by, bylen, "%s", m->lost_to);
        }
        m->lost = 0;
    }
    pthread_mutex_unlock(&r->lock);
    return lost;
}

int sk_roster_count(struct sk_roster *r)
{
    pthread_mutex_lock(&r->lock);
    expire(r, r->now_ms());
    int n = (int)r->n;
    pthread_mutex_unlock(&r->lock);
    return n;
}

enum sk_control_mode sk_roster_mode(const struct sk_roster *r)
{
    return r->mode;
}

void sk_roster_json(struct sk_roster *r, struct sk_buf *out)
{
    pthread_mutex_lock(&r->lock);
    expire(r, r->now_ms());
    sk_buf_printf(
        out, "{\"mode\":\"%s\",\"holder\":", r->mode == SK_CONTROL_SHARED ? "shared" : "exclusive");
    struct member *h = r->holder != 0 ? find(r, r->holder) : NULL;
    if (h != NULL) {
        sk_buf_json_string(out, h->name);
    } else {
        sk_buf_puts(out, "null");
    }
    sk_buf_puts(out, ",\"ports\":{");
    int held = 0;
    for (size_t p = 0; p < r->nports; p++) {
        const struct member *ph = r->ports[p].holder != 0 ? find(r, r->ports[p].holder) : NULL;
        if (ph != NULL) {
            sk_buf_puts(out, held++ ? "," : "");
            sk_buf_json_string(out, r->ports[p].port);
            sk_buf_puts(out, ":");
            sk_buf_json_string(out, ph->name);
        }
    }
    sk_buf_puts(out, "},\"sessions\":[");
    for (size_t i = 0; i < r->n; i++) {
        const struct member *m = &r->members[i];
        sk_buf_printf(out, "%s{\"id\":%d,\"kind\":", i ? "," : "", m->id);
        sk_buf_json_string(out, m->kind);
        sk_buf_puts(out, ",\"name\":");
        sk_buf_json_string(out, m->name);
        sk_buf_puts(out, ",\"addr\":");
        sk_buf_json_string(out, m->addr);
        sk_buf_printf(out, ",\"role\":\"%s\",\"since\":%lld,\"control\":%s", sk_role_name(m->role),
                      (long long)m->since, m->id == r->holder ? "true" : "false");
        member_ports(r, m->id, out, 1);
        sk_buf_puts(out, "}");
    }
    sk_buf_puts(out, "]}");
    pthread_mutex_unlock(&r->lock);
}

void sk_roster_text(struct sk_roster *r, struct sk_buf *out, const char *eol)
{
    pthread_mutex_lock(&r->lock);
    expire(r, r->now_ms());
    for (size_t i = 0; i < r->n; i++) {
        const struct member *m = &r->members[i];
        struct tm tm;
        char when[16];
        localtime_r(&m->since, &tm);
        strftime(when, sizeof(when), "%H:%M:%S", &tm);
        sk_buf_printf(out, "%s %s from %s, %s, since %s%s", m->kind, m->name, m->addr,
                      sk_role_name(m->role), when, m->id == r->holder ? ", has control" : "");
        member_ports(r, m->id, out, 0);
        sk_buf_puts(out, eol);
    }
    pthread_mutex_unlock(&r->lock);
}
