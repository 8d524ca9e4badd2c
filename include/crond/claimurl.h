/* claimurl: the address of --claim's store (DESIGN.md section 11),
 * `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`. Pure.
 *
 * - HOST: a name, an IPv4 address or an IPv6 one in brackets ([::1]);
 * - PORT: 1-65535, default 6379; DB: 0-100000, default 0;
 * - USER and PASSWORD are percent-decoded (a password may hold '@', ':' or
 *   '/' written as %40, %3A, %2F); USER is for Redis 6 ACLs (AUTH USER
 *   PASSWORD), an empty one means AUTH PASSWORD;
 * - anything else (rediss://, a query, a fragment) is an error that says
 *   what is supported.
 */
#ifndef CROND_CLAIMURL_H
#define CROND_CLAIMURL_H

#include <stddef.h>

#define CLAIMURL_HOST_MAX 256
#define CLAIMURL_SECRET_MAX 256
#define CLAIMURL_DEFAULT_PORT 6379
#define CLAIMURL_DB_MAX 100000

struct claimurl {
    char host[CLAIMURL_HOST_MAX];     /* without brackets */
    int port;
    char user[CLAIMURL_SECRET_MAX];   /* "" when none */
    char password[CLAIMURL_SECRET_MAX]; /* "" when none */
    int db;
};

/* Returns 0, or -1 with err naming the column and what was expected. */
int claimurl_parse(const char *text, struct claimurl *out, char *err, size_t errlen);

/* The URL for messages, its password as "***": redis://:***@host:6379/2. */
void claimurl_redacted(const struct claimurl *u, char *out, size_t outlen);

#endif
