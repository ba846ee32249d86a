/* sandbox.h: the seccomp filter the unprivileged process (the wizard, watch)
 * enters right after privsep_drop() has given up root. It denies what a
 * process that only decodes packets, draws the screen, talks to the helpers
 * over its socketpairs and writes files never needs: running programs
 * (execve), new sockets other than AF_UNIX, ptrace and process_vm_*, mount,
 * bpf, kexec, module loading, keyrings, namespaces. The filter covers every
 * thread (TSYNC) and cannot be lifted. Where seccomp is unavailable (other
 * systems, the `unknown` platform build) sandbox_enter() does nothing and
 * says so through sandbox_state(). */
#ifndef TSHOOT_SANDBOX_H
#define TSHOOT_SANDBOX_H

/* Enters the filter for every thread of the process. Returns 0 (also when
 * seccomp is unavailable here: then sandbox_state() says so), or -1 with
 * *cause (malloc'd) when the filter could not be loaded. */
int sandbox_enter(char **cause);

/* "on" (this process runs under the filter), "available" (it would be entered
 * after root is dropped) or "unavailable". */
const char *sandbox_state(void);

/* One sentence for people about sandbox_state(). */
const char *sandbox_detail(void);

#endif
