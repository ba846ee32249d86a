/* util.h: the small helpers many modules share: the monotonic clock, whole
 * reads and writes on a descriptor, and error causes in tmux's `char **cause`
 * style. POSIX; not part of the Windows core build. */
#ifndef TSHOOT_UTIL_H
#define TSHOOT_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Nanoseconds on the monotonic clock. */
int64_t util_now_ns(void);

/* Milliseconds on the monotonic clock. */
long long util_now_ms(void);

/* Reads exactly N bytes from FD into BUF (EINTR retried); 0, or -1 on end
 * of file or error. */
int util_read_full(int fd, void *buf, size_t n);

/* Writes the N bytes of BUF to FD (EINTR retried); 0, or -1 with errno. */
int util_write_full(int fd, const void *buf, size_t n);

/* Formats a malloc'd message into *CAUSE; nothing when CAUSE is NULL
 * (*CAUSE is NULL when out of memory). */
void util_set_cause(char **cause, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
