/* user: whom crond-lite and its jobs run as. Users and groups come from
 * /etc/passwd and /etc/group through pwfile (no NSS: pwfile.h says why);
 * dropping root is verified, not trusted. Knows nothing of jobs.
 */
#ifndef CROND_USER_H
#define CROND_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A user a job runs as. Strings are owned (user_free). */
struct user {
    uid_t uid;
    gid_t gid;
    char *name;   /* passwd name, or $USER / the number for a uid without entry */
    char *home;   /* passwd home, or $HOME, or "/" */
    bool known;   /* has a passwd entry */
};

/* The user crond-lite runs as. A uid without a passwd entry (OpenShift)
 * works: name from $USER or the number, home from $HOME or "/". env_user and
 * env_home are the values of USER and HOME (may be NULL). */
int user_self(const char *env_user, const char *env_home, struct user *out, char *err,
              size_t errlen);
/* Looks up "NAME", "UID", "NAME:GROUP" or "UID:GID". A numeric uid without
 * an entry is accepted (home "/", gid = the group given, else the uid).
 * Returns 0 or -1 with err. */
int user_lookup(const char *spec, struct user *out, char *err, size_t errlen);
void user_free(struct user *u);
/* Has /etc/passwd an entry named name? 1 or 0; -1 when it cannot be read. */
int user_exists(const char *name);

/* Real, effective and saved ids of this process are all uid and gid. */
bool user_ids_are(uid_t uid, gid_t gid);

/* Drops root to u for the whole process (--user): setgroups to u's primary
 * group only, setgid, setuid, then verifies with getresuid/getresgid and
 * getgroups, and that setuid(0) now fails. Returns 0 or -1 with err. */
int user_drop_privileges(const struct user *u, char *err, size_t errlen);

#endif
