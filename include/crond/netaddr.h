/* netaddr: the --listen address (DESIGN.md section 10) to a socket address.
 *
 * Pure: no I/O, no name lookups (a static binary has no NSS, and a listen
 * address is configuration, not a name to resolve at each start):
 *
 *   :PORT            every IPv4 address (0.0.0.0)
 *   A.B.C.D:PORT     one IPv4 address
 *   [IPV6]:PORT      one IPv6 address ([::] for all of them)
 *   localhost:PORT   127.0.0.1
 *
 * PORT is 1-65535.
 */
#ifndef CROND_NETADDR_H
#define CROND_NETADDR_H

#include <stddef.h>
#include <sys/socket.h>

struct netaddr {
    struct sockaddr_storage ss;
    socklen_t len;
};

/* Returns 0, or -1 with err ("expected :PORT, HOST:PORT or [IPV6]:PORT..."). */
int netaddr_parse(const char *text, struct netaddr *out, char *err, size_t errlen);

#endif
