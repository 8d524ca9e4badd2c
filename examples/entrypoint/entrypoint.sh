#!/bin/sh
# entrypoint.sh [CROND-LITE OPTION...]
#
# Started as root (the image's default): gives the data volume to the app
# user, then execs crond-lite with --user, so crond-lite drops to that user
# before it reads a crontab and every job runs unprivileged. Nothing else
# runs as root, and exec makes crond-lite PID 1 (it reaps and stops
# gracefully on docker stop).
#
# Started as another user (docker run --user 10001, OpenShift's random uid):
# no chown (only root may), no --user; the volume must be writable already.
#
# Extra arguments go to crond-lite (e.g. --log-format json). Variables, for
# other images and for the tests:
#   CROND_LITE_BIN  the binary             (/usr/bin/crond-lite)
#   CRONTABS        crontab file or dir    (/etc/crontabs)
#   APP_USER        user jobs run as       (app)
#   APP_GROUP       group of DATA_DIR      (app)
#   DATA_DIR        the volume to give away (/data)
set -eu

CROND_LITE_BIN=${CROND_LITE_BIN:-/usr/bin/crond-lite}
CRONTABS=${CRONTABS:-/etc/crontabs}
APP_USER=${APP_USER:-app}
APP_GROUP=${APP_GROUP:-app}
DATA_DIR=${DATA_DIR:-/data}

if [ "$(id -u)" -ne 0 ]; then
    exec "$CROND_LITE_BIN" -f "$CRONTABS" "$@"
fi

# Only what does not belong to the app yet: a plain `chown -R` at every start
# is slow on a big volume and changes every file's ctime. find does not
# follow symbolic links and `chown -h` changes the link itself, so a link in
# the volume cannot make root chown a file outside it.
if [ -d "$DATA_DIR" ]; then
    find "$DATA_DIR" \( ! -user "$APP_USER" -o ! -group "$APP_GROUP" \) \
        -exec chown -h "$APP_USER:$APP_GROUP" {} +
fi

exec "$CROND_LITE_BIN" --user "$APP_USER" -f "$CRONTABS" "$@"
