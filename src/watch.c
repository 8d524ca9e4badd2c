/* watch: inotify and the crontab digest (see watch.h). */
#include "crond/watch.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "crond/loader.h"
#include "crond/util.h"

/* Changes to watch in each directory: new, removed and renamed names
 * (editors that save by rename, the ConfigMap ..data swap), writes in place
 * (cp over a file), mode changes, and the directory itself going away. */
#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE \
                    | IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)

int watch_open(struct watch *w, char *err, size_t errlen)
{
    w->clock_wd = -1;
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd < 0) {
        snprintf(err, errlen, "inotify: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int watch_add(struct watch *w, const char *path, char *err, size_t errlen)
{
    char dir[4096];
    struct stat st;
    int len = snprintf(dir, sizeof dir, "%s", path);
    if (len < 0 || (size_t)len >= sizeof dir) {
        snprintf(err, errlen, "watch %.64s...: path too long", path);
        return -1;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        char *slash = strrchr(dir, '/');
        if (slash == NULL)
            snprintf(dir, sizeof dir, ".");
        else
            slash[slash == dir] = '\0'; /* "/x" watches "/" */
    }
    if (inotify_add_watch(w->fd, dir, WATCH_MASK) < 0) {
        snprintf(err, errlen, "watch %s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

int watch_add_all(struct watch *w, const char *const *paths, size_t npaths, const char *ini,
                  char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; i < npaths; i++)
        rc |= watch_add(w, paths[i], err, errlen);
    if (ini != NULL)
        rc |= watch_add(w, ini, err, errlen);
    return rc;
}

int watch_add_clock(struct watch *w, const char *file, char *err, size_t errlen)
{
    w->clock_wd = inotify_add_watch(w->fd, file, IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB);
    if (w->clock_wd < 0) {
        snprintf(err, errlen, "watch %s: %s", file, strerror(errno));
        return -1;
    }
    return 0;
}

unsigned watch_read(struct watch *w)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    unsigned seen = 0;
    for (;;) {
        ssize_t n = read(w->fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return seen; /* EAGAIN: all read */
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
            seen |= ev->wd == w->clock_wd ? WATCH_CLOCK : WATCH_CRONTABS;
            p += sizeof *ev + ev->len;
        }
    }
}

void watch_close(struct watch *w)
{
    if (w->fd >= 0)
        (void)close(w->fd); /* nothing was written through it */
    w->fd = -1;
    w->clock_wd = -1;
}

int watch_timer_arm(int fd, int64_t due_ms, char *err, size_t errlen)
{
    struct itimerspec at = {.it_value = {.tv_sec = (time_t)INT32_MAX}};
    if (due_ms != WATCH_TIMER_NEVER) {
        /* 0 disarms a timerfd: the earliest time is one nanosecond past 0 */
        int64_t ms = due_ms > 0 ? due_ms : 0;
        at.it_value.tv_sec = (time_t)(ms / 1000);
        at.it_value.tv_nsec = (long)(ms % 1000) * 1000000 + (ms == 0);
    }
    if (timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &at, NULL) != 0) {
        snprintf(err, errlen, "timerfd_settime: %s", strerror(errno));
        return -1;
    }
    return 0;
}

enum watch_timer watch_timer_read(int fd)
{
    uint64_t ticks;
    for (;;) {
        ssize_t n = read(fd, &ticks, sizeof ticks);
        if (n == (ssize_t)sizeof ticks)
            return WATCH_TIMER_DUE;
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 && errno == ECANCELED ? WATCH_TIMER_CLOCK_SET : WATCH_TIMER_NONE;
    }
}

int watch_timer_open(char *err, size_t errlen)
{
    int fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "timerfd: %s", strerror(errno));
        return -1;
    }
    if (watch_timer_arm(fd, WATCH_TIMER_NEVER, err, errlen) != 0) {
        (void)close(fd);
        return -1;
    }
    return fd;
}

static uint64_t hash_stat(uint64_t h, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return util_hash(h, "-", 1);
    int64_t v[] = {(int64_t)st.st_dev, (int64_t)st.st_ino, (int64_t)st.st_size,
                   (int64_t)st.st_mode, st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                   st.st_ctim.tv_sec, st.st_ctim.tv_nsec};
    return util_hash(h, v, sizeof v);
}

/* Each crontab name of a directory with its stat; readdir's order is stable
 * for an unchanged directory. */
static uint64_t hash_dir(uint64_t h, const char *path)
{
    DIR *dir = opendir(path);
    if (dir == NULL)
        return h;
    for (struct dirent *de; (de = readdir(dir)) != NULL;) {
        char file[4096];
        if (loader_name_skipped(de->d_name)
            || (size_t)snprintf(file, sizeof file, "%s/%s", path, de->d_name) >= sizeof file)
            continue;
        h = hash_stat(util_hash_str(h, de->d_name), file);
    }
    (void)closedir(dir); /* read-only */
    return h;
}

uint64_t watch_digest(const char *const *paths, size_t npaths, const char *ini)
{
    uint64_t h = UTIL_HASH_INIT;
    for (size_t i = 0; i < npaths; i++)
        h = hash_dir(hash_stat(util_hash_str(h, paths[i]), paths[i]), paths[i]);
    if (ini != NULL)
        h = hash_stat(h, ini);
    return h;
}
