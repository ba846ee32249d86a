/* atomic_file.h: writing a file so that readers see the old one or the new one,
 * never half of either: a temporary file in the same directory, flushed to disk,
 * then renamed over the target. */
#ifndef TSHOOT_ATOMIC_FILE_H
#define TSHOOT_ATOMIC_FILE_H

#include <stddef.h>

/* Replaces PATH with the N bytes of DATA (mode 0600). Returns 0, or -1 with *cause. */
int atomic_file_write(const char *path, const char *data, size_t n, char **cause);

/* Creates DIR and its missing parents with MODE. Returns 0, or -1 with *cause. */
int atomic_file_mkdirs(const char *dir, unsigned mode, char **cause);

#endif
