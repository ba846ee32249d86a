/* atomic_file.h: writing a file so that readers see the old one or the new one,
 * never half of either, and so that a symlink or a file planted at the name
 * is never followed or written through: a new temporary file in the same
 * directory (openat on the directory opened O_DIRECTORY|O_NOFOLLOW, then
 * O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600, fchmod and fchown on the descriptor),
 * flushed to disk, then renamed over the name within that directory
 * (renameat), which replaces whatever was there, a symlink included, without
 * following it. Files belong to the process that writes them: to write for
 * another user, run these in a process holding that user's identity
 * (user_file.h). */
#ifndef TSHOOT_ATOMIC_FILE_H
#define TSHOOT_ATOMIC_FILE_H

#include <stddef.h>

/* Replaces PATH with the N bytes of DATA (mode 0600). Returns 0, or -1 with *cause. */
int atomic_file_write(const char *path, const char *data, size_t n, char **cause);

/* Creates PATH as a new empty file (mode 0600), replacing what was there the
 * same way, and returns its descriptor open for writing, or -1 with *cause. */
int atomic_file_create(const char *path, char **cause);

/* Creates DIR and its missing parents with MODE. Returns 0, or -1 with *cause. */
int atomic_file_mkdirs(const char *dir, unsigned mode, char **cause);

#endif
