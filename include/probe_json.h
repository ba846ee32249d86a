/* probe_json.h: check results as JSON objects (jansson), with the keys of
 * DESIGN.md (`check --json`): listener, service, firewall. */
#ifndef TSHOOT_PROBE_JSON_H
#define TSHOOT_PROBE_JSON_H

#include <jansson.h>

#include "probe.h"

/* A new JSON string of S (NULL: ""). jansson takes only UTF-8, and a process
 * or rule name from the system need not be: then the string is S's visible
 * form (\xNN for the bytes), rather than no JSON at all. */
json_t *probe_json_string(const char *s);

/* The listener result as a new JSON object. */
json_t *probe_json_listener(const struct listener_result *l);

/* The service result as a new JSON object. */
json_t *probe_json_service(const struct service_result *s);

/* The firewall result as a new JSON object. */
json_t *probe_json_firewall(const struct firewall_result *f);

#endif
