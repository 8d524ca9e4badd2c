/* pwfile: the passwd and group files, read directly.
 *
 * crond-lite looks users and groups up in /etc/passwd and /etc/group itself,
 * never through NSS (getpwnam and friends), in every build. A static glibc
 * binary cannot use NSS without the shared libraries of the glibc it was
 * linked against, which an image holding only the binary does not have; one
 * reader in every build keeps the static and the dynamic binary alike and
 * tested alike. Containers keep their users in these files; sources such as
 * LDAP or sssd are not consulted (README, "Users without NSS").
 *
 * The format is passwd(5) and group(5): colon-separated fields, one entry per
 * line. Lines that do not have the fields or whose ids are not decimal
 * numbers are skipped, as are NIS compat lines (+ and -); the first matching
 * line wins, as in glibc's files module.
 */
#ifndef CROND_PWFILE_H
#define CROND_PWFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define PWFILE_PASSWD "/etc/passwd"
#define PWFILE_GROUP "/etc/group"

/* One passwd entry. Strings are owned (pwfile_user_free). */
struct pwfile_user {
    char *name;
    uid_t uid;
    gid_t gid;
    char *home;   /* as in the file, may be empty */
};

/* Finds the entry named name, or the first with uid when name is NULL.
 * Returns 1 when found (out filled), 0 when there is none (also when the
 * file does not exist), -1 with errno when it cannot be read. */
int pwfile_find_user(const char *path, const char *name, uid_t uid, struct pwfile_user *out);
void pwfile_user_free(struct pwfile_user *u);

/* Finds the group named name. Returns 1 (out_gid set), 0 or -1 with errno,
 * as pwfile_find_user. */
int pwfile_find_group(const char *path, const char *name, gid_t *out_gid);

/* The same lookups on an open stream, read from its position to its end
 * and left open; the path versions above call these, so text held in memory
 * (fmemopen) goes through the very code that reads the files. */
int pwfile_find_user_in(FILE *f, const char *name, uid_t uid, struct pwfile_user *out);
int pwfile_find_group_in(FILE *f, const char *name, gid_t *out_gid);

/* A decimal uid or gid, as in the files and in --user: digits only, and
 * not (uint32_t)-1, which means "leave unchanged" to setuid and chown. */
bool pwfile_parse_id(const char *s, uint32_t *out);

#endif
