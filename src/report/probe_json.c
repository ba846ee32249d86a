/* probe_json.c: the DESIGN.md JSON form of the check results, shared by
 * `tshoot check --json` and the session report. */
#include "probe_json.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

/* A new JSON string of S, its visible form when S is not UTF-8. */
json_t *probe_json_string(const char *s)
{
    s = s ? s : "";
    json_t *j = json_string(s);
    if (j)
        return j;
    char *vis = text_visible_dup(s, strlen(s), TEXT_KEEP_NL | TEXT_KEEP_TAB);
    j = json_string(vis ? vis : "");
    free(vis);
    return j;
}

/* The JSON form of the listener result. */
json_t *probe_json_listener(const struct listener_result *l)
{
    json_t *socks = json_array();
    int unexpected = 0;
    for (size_t i = 0; i < l->nsockets; i++) {
        const struct listener_socket *s = &l->sockets[i];
        json_t *o = json_pack("{s:o, s:i, s:i, s:o, s:o, s:b}", "address", probe_json_string(s->address), "port",
                              s->port, "pid", s->pid, "process", probe_json_string(s->process), "user",
                              probe_json_string(s->user), "expected_owner", s->expected_owner);
        if (s->pid < 0)
            json_object_set_new(o, "pid", json_null());
        unexpected |= s->pid >= 0 && !s->expected_owner;
        json_array_append_new(socks, o);
    }
    return json_pack("{s:s, s:o, s:o, s:o, s:b}", "state", probe_listener_state_name(l->state), "sockets",
                     socks, "summary", probe_json_string(l->summary), "detail", probe_json_string(l->detail),
                     "unexpected_owner", unexpected);
}

/* The JSON form of the service result. */
json_t *probe_json_service(const struct service_result *s)
{
    return json_pack("{s:o, s:s, s:o, s:o, s:o}", "name", probe_json_string(s->name), "state",
                     probe_service_state_name(s->state), "manager", probe_json_string(s->manager), "summary",
                     probe_json_string(s->summary), "detail", probe_json_string(s->detail));
}

/* The JSON form of the firewall result. */
json_t *probe_json_firewall(const struct firewall_result *f)
{
    json_t *rules = json_array();
    for (size_t i = 0; i < f->nrules; i++) {
        const struct firewall_rule *r = &f->rules[i];
        json_t *o = json_pack("{s:o, s:o, s:o, s:I, s:o, s:I, s:i, s:b}", "text", probe_json_string(r->text),
                              "table", probe_json_string(r->table), "chain", probe_json_string(r->chain), "handle",
                              (json_int_t)r->handle, "verdict", probe_json_string(r->verdict), "packets",
                              (json_int_t)r->packets, "port", r->port, "conditional", r->conditional);
        if (r->handle < 0)
            json_object_set_new(o, "handle", json_null());
        json_object_set_new(o, "family", r->family ? json_integer(r->family) : json_null());
        json_array_append_new(rules, o);
    }
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "state", probe_firewall_state_name(f->state),
                     "backend", probe_json_string(f->backend), "frontend", probe_json_string(f->frontend), "rules",
                     rules, "summary", probe_json_string(f->summary), "detail", probe_json_string(f->detail),
                     "logging", probe_json_string(f->logging));
}
