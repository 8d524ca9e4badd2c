/* netaddr: listen addresses (see netaddr.h). */
#include "crond/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define FORMS "expected :PORT, A.B.C.D:PORT, [IPV6]:PORT or localhost:PORT (numbers, no names)"

static bool port_parse(const char *s, unsigned short *out)
{
    unsigned v = 0;
    if (*s == '\0')
        return false;
    for (; *s >= '0' && *s <= '9' && v <= 65535; s++)
        v = v * 10 + (unsigned)(*s - '0');
    if (*s != '\0' || v == 0 || v > 65535)
        return false;
    *out = (unsigned short)v;
    return true;
}

int netaddr_parse(const char *text, struct netaddr *out, char *err, size_t errlen)
{
    char host[64];
    const char *port;
    memset(out, 0, sizeof *out);
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (close == NULL || close[1] != ':' || (size_t)(close - text - 1) >= sizeof host) {
            snprintf(err, errlen, "'%s': " FORMS, text);
            return -1;
        }
        snprintf(host, sizeof host, "%.*s", (int)(close - text - 1), text + 1);
        port = close + 2;
    } else {
        const char *colon = strrchr(text, ':');
        if (colon == NULL || (size_t)(colon - text) >= sizeof host || memchr(text, ':', (size_t)(colon - text)) != NULL) {
            snprintf(err, errlen, "'%s': " FORMS, text);
            return -1;
        }
        snprintf(host, sizeof host, "%.*s", (int)(colon - text), text);
        port = colon + 1;
    }
    unsigned short p;
    if (!port_parse(port, &p)) {
        snprintf(err, errlen, "'%s': port '%s' is not a number from 1 to 65535", text, port);
        return -1;
    }
    if (text[0] == '[') {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&out->ss;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(p);
        if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1) {
            snprintf(err, errlen, "'%s': '%s' is not an IPv6 address", text, host);
            return -1;
        }
        out->len = sizeof *a6;
        return 0;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)&out->ss;
    a4->sin_family = AF_INET;
    a4->sin_port = htons(p);
    if (host[0] == '\0')
        a4->sin_addr.s_addr = htonl(INADDR_ANY);
    else if (strcmp(host, "localhost") == 0)
        a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else if (inet_pton(AF_INET, host, &a4->sin_addr) != 1) {
        snprintf(err, errlen, "'%s': '%s' is not an IPv4 address; " FORMS, text, host);
        return -1;
    }
    out->len = sizeof *a4;
    return 0;
}
