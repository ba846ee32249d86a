/* user_file.h: files and directories written for the person who ran tshoot
 * (DESIGN.md "Privileges"). Under sudo that person is SUDO_UID/SUDO_GID, not
 * root: what tshoot writes for them is created by a process holding their
 * identity (their groups from initgroups(), setresgid(), setresuid()), with
 * the safe opens of atomic_file.h, so root never creates, follows or hands
 * over a path the user chose. A path the user could not write without sudo is
 * refused. Root without sudo is its own user (its files stay root's); an
 * ordinary run writes in-process, as it always did.
 * Call these only while no other thread runs (they may fork). */
#ifndef TSHOOT_USER_FILE_H
#define TSHOOT_USER_FILE_H

#include <stdio.h>
#include <sys/types.h>

/* The sudo user files are written for: 1 and the ids in *UID and *GID when this process is
 * root and SUDO_UID/SUDO_GID name a user other than root, else 0. */
int user_file_sudo_ids(uid_t *uid, gid_t *gid);

/* Turns this process into the sudo user for good (their groups, gid and uid);
 * nothing when there is no sudo user. Returns 0, or -1 with *cause. */
int user_file_become(char **cause);

/* Creates DIR and its missing parents (mode 0700) as the user. Refuses, with
 * a one-line reason naming the path, a directory the user cannot write.
 * Returns 0, or -1 with *cause. */
int user_file_mkdirs(const char *dir, char **cause);

/* Creates PATH as a new file (0600) as the user, replacing an existing file
 * of that name by a rename within its directory (a symlink there is replaced,
 * never followed), and returns it as a stream open for writing, or NULL with
 * *cause. */
FILE *user_file_fopen(const char *path, char **cause);

#endif
