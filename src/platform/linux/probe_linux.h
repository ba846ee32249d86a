/* probe_linux.h: helpers shared by the Linux probes (private to src/platform/linux).
 * Commands are always run from an argv vector with fork/exec, never a shell. */
#ifndef TSHOOT_PROBE_LINUX_H
#define TSHOOT_PROBE_LINUX_H

#include <stddef.h>
#include <sys/types.h>

#include "text.h"

/* probe_exec_run results besides an exit status 0..255. */
#define PROBE_EXEC_NOTFOUND (-1)  /* the program is not installed */
#define PROBE_EXEC_FAILED (-2)    /* fork, pipe or exec failed, or killed by a signal */
#define PROBE_EXEC_TIMEOUT (-3)   /* killed after TIMEOUT_MS */

/* Finds PROG (a bare name) in PATH and the sbin directories; writes the full
 * path to BUF and returns 0, or -1 when it is not installed. */
int probe_exec_find(const char *prog, char *buf, size_t len);

/* Runs ARGV with stdin from /dev/null, collecting stdout into *OUT and stderr
 * into *ERR (malloc'd, NUL-terminated; either pointer may be NULL to discard),
 * killing it after TIMEOUT_MS. Returns its exit status or a PROBE_EXEC_ code. */
int probe_exec_run(char *const argv[], char **out, char **err, int timeout_ms);

/* Starts ARGV with stdout on a pipe (stderr to /dev/null). Returns the pid
 * and sets *FD to the read end, or returns -1. */
int probe_exec_spawn(char *const argv[], int *fd);

/* In a freshly forked child: stdin on /dev/null, stdout to OUTFD and stderr to
 * ERRFD (-1: /dev/null), every descriptor above 2 closed, SIGKILL when the
 * thread that forked dies (PARENT is the forking process's pid). Returns 0,
 * or -1 when the child should _exit at once. Async-signal-safe. */
int probe_exec_child_setup(int outfd, int errfd, pid_t parent);

#endif
