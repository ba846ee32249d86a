/* probe_json.c: the DESIGN.md JSON form of the check results, shared by
 * `tshoot check --json` and the session report. */
#include "probe_json.h"

/* The JSON form of the listener result. */
json_t *probe_json_listener(const struct listener_result *l)
{
    json_t *socks = json_array();
    int unexpected = 0;
    for (size_t i = 0; i < l->nsockets; i++) {
        const struct listener_socket *s = &l->sockets[i];
        json_t *o = json_pack("{s:s, s:i, s:i, s:s, s:s, s:b}", "address", s->address, "port", s->port, "pid",
                              s->pid, "process", s->process, "user", s->user, "expected_owner",
                              s->expected_owner);
        if (s->pid < 0)
            json_object_set_new(o, "pid", json_null());
        unexpected |= s->pid >= 0 && !s->expected_owner;
        json_array_append_new(socks, o);
    }
    return json_pack("{s:s, s:o, s:s, s:s, s:b}", "state", probe_listener_state_name(l->state), "sockets",
                     socks, "summary", l->summary, "detail", l->detail, "unexpected_owner", unexpected);
}

/* The JSON form of the service result. */
json_t *probe_json_service(const struct service_result *s)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", s->name, "state", probe_service_state_name(s->state),
                     "manager", s->manager, "summary", s->summary, "detail", s->detail);
}

/* The JSON form of the firewall result. */
json_t *probe_json_firewall(const struct firewall_result *f)
{
    json_t *rules = json_array();
    for (size_t i = 0; i < f->nrules; i++) {
        const struct firewall_rule *r = &f->rules[i];
        json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:i, s:b}", "text", r->text, "table", r->table,
                              "chain", r->chain, "handle", (json_int_t)r->handle, "verdict", r->verdict, "packets",
                              (json_int_t)r->packets, "port", r->port, "conditional", r->conditional);
        if (r->handle < 0)
            json_object_set_new(o, "handle", json_null());
        json_object_set_new(o, "family", r->family ? json_integer(r->family) : json_null());
        json_array_append_new(rules, o);
    }
    return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s}", "state", probe_firewall_state_name(f->state),
                     "backend", f->backend, "frontend", f->frontend, "rules", rules, "summary", f->summary, "detail",
                     f->detail, "logging", f->logging);
}
