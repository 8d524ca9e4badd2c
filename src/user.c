/* user: users and groups, and dropping privileges (see user.h). */
#include "crond/user.h"

#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crond/pwfile.h"

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Users                                                                    */
/* ------------------------------------------------------------------------ */

/* Fills out from the passwd entry of name, or of uid when name is NULL
 * (pwfile.h says why not getpwnam). An empty home field means "/" to
 * login(1) too. Returns 1 when found, 0 when there is no entry, -1 with
 * errno. */
static int passwd_find(const char *name, uid_t uid, struct user *out_user)
{
    struct pwfile_user pw;
    int found = pwfile_find_user(PWFILE_PASSWD, name, uid, &pw);
    if (found <= 0)
        return found;
    out_user->uid = pw.uid;
    out_user->gid = pw.gid;
    out_user->name = pw.name;
    if (pw.home[0] == '\0') {
        free(pw.home);
        pw.home = strdup("/");
        if (pw.home == NULL) {
            free(pw.name);
            out_user->name = NULL;
            return -1;
        }
    }
    out_user->home = pw.home;
    out_user->known = true;
    return 1;
}

/* Looks a group name up. Returns 1 when found, 0 when not, -1 with errno. */
static int group_find(const char *name, gid_t *out_gid)
{
    return pwfile_find_group(PWFILE_GROUP, name, out_gid);
}

/* A uid without a passwd entry (OpenShift runs images as a random uid). */
static int user_unknown(uid_t uid, gid_t gid, const char *name, const char *home,
                        struct user *out_user)
{
    char num[16];
    snprintf(num, sizeof num, "%u", (unsigned)uid);
    out_user->uid = uid;
    out_user->gid = gid;
    out_user->name = strdup(name != NULL && name[0] != '\0' ? name : num);
    out_user->home = strdup(home != NULL && home[0] != '\0' ? home : "/");
    out_user->known = false;
    if (out_user->name == NULL || out_user->home == NULL) {
        user_free(out_user);
        return -1;
    }
    return 0;
}

int user_self(const char *env_user, const char *env_home, struct user *out,
                     char *err, size_t errlen)
{
    *out = (struct user){0};
    uid_t uid = geteuid();
    /* The effective gid, not the passwd one: OpenShift runs a random uid
     * with gid 0 whatever the passwd file says. */
    gid_t gid = getegid();
    int found = passwd_find(NULL, uid, out);
    if (found < 0)
        return fail(err, errlen, "%s: uid %u: %s", PWFILE_PASSWD, (unsigned)uid, strerror(errno));
    if (found > 0) {
        out->gid = gid;
        return 0;
    }
    if (user_unknown(uid, gid, env_user, env_home, out) != 0)
        return fail(err, errlen, "%s", strerror(ENOMEM));
    return 0;
}

/* The part of "USER[:GROUP]" before the colon. */
static int user_part(const char *name, struct user *out_user, char *err, size_t errlen)
{
    uint32_t id = 0;
    bool numeric = pwfile_parse_id(name, &id);
    int found = passwd_find(numeric ? NULL : name, (uid_t)id, out_user);
    if (found < 0)
        return fail(err, errlen, "user '%s': %s: %s", name, PWFILE_PASSWD, strerror(errno));
    if (found > 0)
        return 0;
    if (!numeric)
        return fail(err, errlen, "unknown user '%s'", name);
    if (user_unknown((uid_t)id, (gid_t)id, NULL, NULL, out_user) != 0)
        return fail(err, errlen, "%s", strerror(ENOMEM));
    return 0;
}

/* The part after the colon: a gid needs no entry, a name does. */
static int group_part(const char *name, gid_t *out_gid, char *err, size_t errlen)
{
    uint32_t id = 0;
    if (pwfile_parse_id(name, &id)) {
        *out_gid = (gid_t)id;
        return 0;
    }
    int found = group_find(name, out_gid);
    if (found < 0)
        return fail(err, errlen, "group '%s': %s: %s", name, PWFILE_GROUP, strerror(errno));
    if (found == 0)
        return fail(err, errlen, "unknown group '%s'", name);
    return 0;
}

int user_lookup(const char *spec, struct user *out, char *err, size_t errlen)
{
    *out = (struct user){0};
    const char *colon = strchr(spec, ':');
    char *name = colon != NULL ? strndup(spec, (size_t)(colon - spec)) : strdup(spec);
    if (name == NULL)
        return fail(err, errlen, "%s", strerror(ENOMEM));
    int rc;
    if (name[0] == '\0')
        rc = fail(err, errlen, "empty user name in '%s'", spec);
    else if (colon != NULL && colon[1] == '\0')
        rc = fail(err, errlen, "empty group name in '%s'", spec);
    else
        rc = user_part(name, out, err, errlen);
    if (rc == 0 && colon != NULL)
        rc = group_part(colon + 1, &out->gid, err, errlen);
    free(name);
    if (rc != 0)
        user_free(out);
    return rc;
}

int user_exists(const char *name)
{
    struct user u = {0};
    int found = passwd_find(name, 0, &u);
    user_free(&u);
    return found < 0 ? -1 : found > 0;
}

void user_free(struct user *u)
{
    if (u == NULL)
        return;
    free(u->name);
    free(u->home);
    u->name = NULL;
    u->home = NULL;
}

/* ------------------------------------------------------------------------ */
/* Privileges                                                               */
/* ------------------------------------------------------------------------ */

/* Real, effective and saved ids all equal to uid and gid. */
bool user_ids_are(uid_t uid, gid_t gid)
{
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0)
        return false;
    return ru == uid && eu == uid && su == uid && rg == gid && eg == gid && sg == gid;
}

/* Trusts nothing the calls above returned: a setuid that "succeeded" while a
 * saved id stayed 0 (or a process with odd capabilities) would let the job
 * get root back. */
static int privileges_verify(const struct user *u, char *err, size_t errlen)
{
    if (!user_ids_are(u->uid, u->gid))
        return fail(err, errlen, "user %s: real, effective and saved ids are not all %u:%u",
                    u->name, (unsigned)u->uid, (unsigned)u->gid);
    gid_t groups[2];
    int n = getgroups(2, groups);
    if (n < 0 && errno != EINVAL)
        return fail(err, errlen, "getgroups: %s", strerror(errno));
    if (n < 0 || n > 1 || (n == 1 && groups[0] != u->gid))
        return fail(err, errlen, "user %s: supplementary groups other than %u remain",
                    u->name, (unsigned)u->gid);
    if (u->uid != 0 && setuid(0) == 0)
        return fail(err, errlen, "user %s: setuid(0) still succeeds after the switch", u->name);
    return 0;
}

int user_drop_privileges(const struct user *u, char *err, size_t errlen)
{
    if (geteuid() != 0) {
        /* Nothing to drop when already that user; anything else needs root. */
        if (user_ids_are(u->uid, u->gid))
            return 0;
        return fail(err, errlen, "cannot switch to user %s (%u:%u): not running as root",
                    u->name, (unsigned)u->uid, (unsigned)u->gid);
    }
    /* Groups first: after setgid/setuid we would no longer be allowed to. */
    if (setgroups(1, &u->gid) != 0)
        return fail(err, errlen, "setgroups %u: %s", (unsigned)u->gid, strerror(errno));
    if (setgid(u->gid) != 0)
        return fail(err, errlen, "setgid %u: %s", (unsigned)u->gid, strerror(errno));
    if (setuid(u->uid) != 0)
        return fail(err, errlen, "setuid %u: %s", (unsigned)u->uid, strerror(errno));
    return privileges_verify(u, err, errlen);
}

