/* sandbox.c: no syscall filter on a system tshoot has no platform layer for
 * (see sandbox.h); the drop of root still applies. */
#include "sandbox.h"

#include <stddef.h>

/* Does nothing: there is no seccomp here. */
int sandbox_enter(char **cause)
{
    *cause = NULL;
    return 0;
}

/* Always "unavailable". */
const char *sandbox_state(void)
{
    return "unavailable";
}

/* Says why. */
const char *sandbox_detail(void)
{
    return "no syscall filter on this system: the unprivileged process runs without one";
}
