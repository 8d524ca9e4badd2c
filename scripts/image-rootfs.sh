#!/bin/sh
# image-rootfs.sh BINARY DIR: lays out the root file system of the crond-lite
# image in DIR (the Dockerfile copies it into a scratch image; the static
# binary's end-to-end test chroots into it):
#   /usr/bin/crond-lite        BINARY (the static build)
#   /bin/sh, /bin/*            busybox-static and its applets, for jobs
#   /usr/share/zoneinfo        tzdata, without the leap-second "right" copies
#   /etc/ssl/certs/ca-certificates.crt
#   /etc/passwd, /etc/group    root and nonroot (65532:65532)
#   /etc/crontabs/app.cron     the example crontab (examples/crontabs)
#   /home/nonroot, /tmp
# Needs Debian's busybox-static, tzdata and ca-certificates installed.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 BINARY DIR" >&2; exit 2; }
bin=$1 root=$2
here=$(cd "$(dirname "$0")/.." && pwd)

for f in /bin/busybox /usr/share/zoneinfo/UTC /etc/ssl/certs/ca-certificates.crt; do
    [ -e "$f" ] || { echo "$0: $f is missing (busybox-static, tzdata, ca-certificates)" >&2; exit 1; }
done
/bin/busybox --list >/dev/null 2>&1 || { echo "$0: /bin/busybox is not busybox-static" >&2; exit 1; }

umask 022
mkdir -p "$root/bin" "$root/usr/bin" "$root/usr/share" "$root/etc/crontabs" \
         "$root/etc/ssl/certs" "$root/home/nonroot" "$root/tmp" "$root/root"
install -m 0755 "$bin" "$root/usr/bin/crond-lite"
install -m 0755 /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done

cp -a /usr/share/zoneinfo "$root/usr/share/"
rm -rf "$root/usr/share/zoneinfo/right"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"

cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nonroot:x:65532:65532:nonroot:/home/nonroot:/bin/sh
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
nonroot:x:65532:
GROUP
chmod 0644 "$root/etc/passwd" "$root/etc/group"
install -m 0644 "$here/examples/crontabs/app.cron" "$root/etc/crontabs/app.cron"

chmod 0700 "$root/root"
chmod 1777 "$root/tmp"
chown 65532:65532 "$root/home/nonroot"
chmod 0750 "$root/home/nonroot"
