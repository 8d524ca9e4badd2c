#!/usr/bin/env bash
# tests/fuzz/make-corpus.sh: (re)creates the seed corpora in
# tests/fuzz/corpus/TARGET/ from the project's own examples and vectors plus
# the hand-written edge cases below. The files are committed; run this after
# changing a source (tests/vectors, examples/) and commit the result.
#
# It rewrites the files it makes (names: vec-*, app-*, ex-*, edge-*, ...) and
# leaves any other file alone, e.g. an input copied in by hand from a fuzzing
# run. Inputs with the same content are written once (first name wins).
set -eu
cd "$(dirname "$0")/../.."
out=tests/fuzz/corpus
declare -A seen

# put TARGET NAME: stdin to out/TARGET/NAME unless that content exists
# already under another name of this run.
put() {
    local tmp sum
    mkdir -p "$out/$1"
    tmp=$(mktemp)
    cat >"$tmp"
    sum="$1:$(sha1sum <"$tmp" | cut -d' ' -f1)"
    if [ -n "${seen[$sum]:-}" ]; then
        rm -f "$tmp"
        return
    fi
    seen[$sum]=1
    mv "$tmp" "$out/$1/$2"
    chmod 0644 "$out/$1/$2"
}

# rep N STRING: STRING N times.
rep() { head -c "$1" < /dev/zero | tr '\0' "$2"; }

# ---------------------------------------------------------------- cronspec
# Every expression of the vectors (id as name), then every schedule of
# examples/crontabs/app.cron: 5 fields, plus a 6th and 7th while they look
# like a year (the rule cronspec_parse_prefix uses), or a macro.
for f in tests/vectors/next_times.tsv tests/vectors/invalid.tsv tests/vectors/never_fires.tsv; do
    while IFS=$'\t' read -r id expr _; do
        [ "$id" = id ] && continue
        printf '%s' "$expr" | put cronspec "vec-$id"
    done <"$f"
done
n=0
awk '/^[ \t]*$/ || /^[ \t]*#/ { next }
     /^[ \t]*CRON_TZ=[^ \t]+[ \t]+[^ \t]/ { sub(/^[ \t]*CRON_TZ=[^ \t]+[ \t]+/, ""); print; next }
     /^[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*=/ { next }
     { print }' examples/crontabs/app.cron |
while read -r -a w; do
    [ "${#w[@]}" -gt 0 ] || continue
    case ${w[0]} in
        @every) sched="${w[0]} ${w[1]}" ;;
        @*) sched=${w[0]} ;;
        *)  k=5
            while [ $k -lt 7 ] && [[ ${w[$k]:-x} =~ ^[0-9*,/-]+$ ]]; do k=$((k + 1)); done
            sched="${w[*]:0:$k}" ;;
    esac
    n=$((n + 1))
    printf '%s' "$sched" | put cronspec "$(printf 'app-%02d' "$n")"
done
printf '%s' '0 0 * * * echo hi'          | put cronspec edge-prefix-command
printf '%s' '*/5 * * * * * * cmd'        | put cronspec edge-prefix-7-fields
printf '%s' '0 0 * * * 2000 backup'      | put cronspec edge-prefix-year-or-command
printf '%s' '@every 90s echo'            | put cronspec edge-prefix-every
printf '%s' '	0	0 *  * *	'              | put cronspec edge-tabs
printf '%s' '0 0 29 2 * 2096'            | put cronspec edge-leap-2096
printf '%s' '59 23 31 12 * 2099'         | put cronspec edge-last-minute
printf '%s' '* * 30 2 *'                 | put cronspec edge-never-feb-30
printf '%s' '30 2 * * *'                 | put cronspec edge-dst-fixed
printf '%s' '*/15 2 * * *'               | put cronspec edge-dst-wildcard
printf '%s' '0 9 1W,15W,LW * *'          | put cronspec edge-weekdays
printf '%s' '0 0 ? * SUN#5,1L,7'         | put cronspec edge-dow-specials
printf '%s' '0-59/7 0-23/5 1-31/3 1-12/2 0-7/2 1970-2099/9' | put cronspec edge-steps
printf '%s' '@EVERY 3650d'               | put cronspec edge-every-max
printf '%s' '@every 1500ms'              | put cronspec edge-every-fraction
printf '%s' '0 0 1 1 * 99999999999'      | put cronspec edge-big-number
printf '%s' ''                           | put cronspec edge-empty
# the drop-in syntax of other crons (DESIGN.md section 9)
printf '%s' '-*/5 * * * *'               | put cronspec edge-quiet
printf '%s' '-@every 90s echo'           | put cronspec edge-quiet-every
printf '%s' '~ 10~20 ~5 jan~ mon~fri'    | put cronspec edge-random
printf '%s' '~ 0~59 * * * sat~sun 2030~2040' | put cronspec edge-random-7
printf '%s' '0 0 29-L,1-l/10 * *'        | put cronspec edge-dom-to-last
printf '%s' '*/100 */25 */32 */13 */9 */131' | put cronspec edge-big-steps
printf '%s' '0 16 */2 * sat'             | put cronspec edge-day-rule
printf '%s' '* * * * * * cmd'            | put cronspec edge-star-year
printf '%s' '0 0 * * * 2100 echo x'      | put cronspec edge-number-command

# ----------------------------------------------------------------- crontab
# Byte 0 picks the options: bit 0 --system, bit 1 percent_newline, bit 2
# the CRLF comparison.
for f in examples/crontabs/*.cron examples/entrypoint/ticks.cron; do
    b=$(basename "$f" .cron)
    { printf '\0'; cat "$f"; } | put crontab "ex-$b"
    { printf '\6'; cat "$f"; } | put crontab "ex-$b-percent-crlf"
done
{ printf '\4'; printf '0 1 * * * echo one\r\nA=b\r\n*/5 * * * * echo two\r\n\r\r\n\rx\n'; } |
    put crontab edge-crlf
{ printf '\0'; printf '0 1 * * * echo '; rep 65600 x; printf '\n0 2 * * * echo after\n'; } |
    put crontab edge-line-too-long
{ printf '\0'; printf '0 1 * * * echo '; rep 20000 y; printf '\n'; } |
    put crontab edge-line-long
{ printf '\0'; printf '0 1 * * * echo a\0b\n\0\n0 2 * * * echo ok\n'; } |
    put crontab edge-nul
{ printf '\0'; printf 'A="unterminated\nB='"'"'half\nC="x" junk\nD="ok"\n0 1 * * * echo $D\n'; } |
    put crontab edge-quotes
{ printf '\0'; printf 'CRON_TZ=Europe/Berlin\n0 1 * * * a\nCRON_TZ="Asia/Tokyo" 0 2 * * * b\nCRON_TZ= \n0 3 * * * c\nCRON_TZ='"''"' 0 4 * * * d\nCRON_TZ=x\n'; } |
    put crontab edge-cron-tz
{ printf '\1'; printf '0 0 * * * 2000 backup\n0 0 * * * root run it\n@daily nobody /bin/true\n0 0 * * *\n*/5 * * * * * * app tick\n'; } |
    put crontab edge-system
{ printf '\2'; printf '0 1 * * * mail -s hi root%%line 1%%line 2\n0 2 * * * echo 100\\%%\n0 3 * * * %%only input\n'; } |
    put crontab edge-percent
{ printf '\3'; printf 'SHELL=/bin/bash\nMAILTO=""\n@reboot root echo %%x\n'; } |
    put crontab edge-system-percent
{ printf '\0'; printf '# comment\n\n   \t\n60 * * * * bad minute\nfoo bar\n1x=2\n@weekly\n0 0 * * * * * * * too many\n0 0 L * * ok\n'; } |
    put crontab edge-errors
{ printf '\0'; printf '0 1 * * * no newline at the end'; } |
    put crontab edge-no-final-newline
{ printf '\0'; printf '\357\273\277-*/5 * * * * quiet\nRANDOM_DELAY=30\n0~59 3 * * * backup\n0 0 29-L * * bill\n*/100 * * * * hundred\n0 16 */2 * sat sat\n* * * * * * every\n0 0 * * * 2100 echo x\n0 0 * * * date +\\%%Y\nRANDOM_DELAY=bad\nCRON_TZ=UTC -@reboot boot\n'; } |
    put crontab edge-syntax
{ printf '\7'; printf 'RANDOM_DELAY = "5"\n-~ ~ * * * root backup %%in\n0 0 * * * 2100 root x\n-@every 1m app tick\n'; } |
    put crontab edge-syntax-system
# No seed with more than CRONTAB_VARS_MAX (1024) variables: finding a name
# is linear, so such a file costs half a million strncmp calls, 80 ms per run
# under the fuzzer's hooks, and its offspring slowed the whole target five
# times (tests/unit/test_crontab.c covers that limit).
printf '\0' | put crontab edge-empty

# ------------------------------------------------------------------ config
put config ex-crond-lite <examples/crond-lite.ini
sed 's/$/\r/' examples/crond-lite.ini | put config ex-crond-lite-crlf
{ printf '\357\273\277'; cat examples/crond-lite.ini; } | put config ex-crond-lite-bom
printf '[daemon]\ncrontabs = /etc/crontabs /srv/tabs\ngrace: 30s\nlog_format=json\n' |
    put config edge-minimal
printf '[daemon]\nshell = /bin/sh\nshell = /bin/bash\n[job "a"]\nschedule = @daily\ncommand = x\n[job "a"]\nschedule = @hourly\ncommand = y\n' |
    put config edge-duplicates
printf 'key = before any section\n[colour]\n[daemon\n[job ""]\n[job "x" junk\n[job bare]\nschedule=* * * * *\ncommand=c\n' |
    put config edge-sections
printf '[job "no schedule"]\ncommand = x\n[job "no command"]\nschedule = 0 0 * * *\ntimeout = 1.5s\noverlap = sometimes\nshell = bin/sh\nenv.1X = y\nenv.OK =\n' |
    put config edge-job-errors
# 65 and 64 paths, within the 197-character line limit
{ printf '[daemon]\ncrontabs ='; for i in $(seq 1 65); do printf ' a'; done; printf '\n'; } |
    put config edge-too-many-paths
{ printf '[daemon]\ncrontabs ='; for i in $(seq 1 64); do printf ' b'; done; printf '\n'; } |
    put config edge-max-paths
{ printf '[daemon]\nuser = '; rep 200 u; printf '\nsystem = maybe\n'; } |
    put config edge-long-line
printf '[daemon]\nuser = a\0b\nsystem = yes\n  ; indented comment\n\tclean_env = on\nno_reload = 1\n' |
    put config edge-nul
printf '[daemon]\nno equals here\npercent_newline = TRUE\ncommand = a ; b\n[job "x"]\nschedule = 0 0 * * * # not a comment\ncommand = a;b\n' |
    put config edge-comments
printf '[daemon]\noutput = RAW\nsplit_logs = on\n' | put config edge-output-raw
printf '[daemon]\noutput = passthrough\nsplit_logs = stderr\n' | put config edge-output-bad
printf '' | put config edge-empty

# ---------------------------------------------------------------- duration
for d in 90s 1h30m 250ms 2d 30 '' 1h1h 99999999999999d 0 0s 1d2h3m4s5ms 5M 1.5s -5s \
         5sec 9223372036854775807ms 9223372036854775808ms 106751991167d7h12m55s807ms \
         1m1h 10 1s1ms; do
    name=$(printf '%s' "$d" | tr -c 'A-Za-z0-9' '_')
    printf '%s' "$d" | put duration "d-${name:-empty}"
done

# ------------------------------------------------------------------- relay
# Bytes 0-1 seed the chunk sizes; the rest is the stream.
printf '\0\0' | put relay edge-empty
printf '\1\0hello' | put relay edge-no-newline
printf '\2\0one\ntwo\n\nthree\n' | put relay edge-lines
printf '\3\0a\r\nb\r\n\r\n' | put relay edge-crlf
printf '\4\0a\0b\n\0\0\n\0' | put relay edge-nul
{ printf '\5\0'; rep 20000 a; } | put relay edge-20000-no-newline
{ printf '\6\0'; rep 16384 b; printf '\n'; } | put relay edge-16384-newline
{ printf '\7\0'; rep 16383 c; printf '\n'; rep 16385 d; printf '\n\n'; } | put relay edge-around-max
{ printf '\10\0'; rep 32768 e; printf '\nx'; } | put relay edge-two-pieces
{ printf '\11\0'; for i in $(seq 1 500); do printf 'line %d\n' "$i"; done; } | put relay edge-many-lines

# -------------------------------------------------------------------- tzif
# Real files (tz database facts, public domain) when this machine has them;
# without tzdata the committed ones are kept as they are.
zones="UTC Europe/Berlin America/New_York Australia/Lord_Howe Asia/Kathmandu
       Asia/Kolkata America/Sao_Paulo Pacific/Chatham Europe/Dublin Africa/Casablanca
       America/Nuuk Antarctica/Troll Asia/Jerusalem Pacific/Kiritimati America/Santiago"
if [ -d /usr/share/zoneinfo ]; then
    for z in $zones; do
        f=/usr/share/zoneinfo/$z
        [ -f "$f" ] && put tzif "zi-$(tr / - <<<"$z")" <"$f"
    done
else
    echo "make-corpus.sh: no /usr/share/zoneinfo, tzif zi-* seeds kept" >&2
fi

# be BYTES VALUE: VALUE big-endian in BYTES bytes (two's complement).
be() {
    local i
    for ((i = ($1 - 1) * 8; i >= 0; i -= 8)); do
        # shellcheck disable=SC2059  # the format is the octal escape
        printf "\\$(printf '%03o' $((($2 >> i) & 255)))"
    done
}

# tzif_header VERSION-BYTE NTIME NTYPE NCHAR [NIND [NLEAP]]: a TZif header
# (VERSION-BYTE as a printf escape, \0 for version 1), NIND isstd and isut
# indicators.
tzif_header() {
    printf 'TZif'
    printf %b "$1"
    head -c 15 /dev/zero
    be 4 "${5:-0}"; be 4 "${5:-0}"; be 4 "${6:-0}"; be 4 "$2"; be 4 "$3"; be 4 "$4"
}

# tzif_file VERSION-BYTE FOOTER AT:TYPE... -- UTOFF:ISDST...: a file with
# those transitions and types, named "AAA", "BBB", ...; for version 2+ the
# 32-bit block holds one type and no transitions, and the footer follows.
tzif_file() {
    local ver=$1 footer=$2 times=() types=() x i abbrs=(AAA BBB CCC DDD)
    shift 2
    while [ "$1" != -- ]; do times+=("$1"); shift; done
    shift
    types=("$@")
    block() { # TSIZE
        for x in "${times[@]}"; do be "$1" "${x%%:*}"; done
        for x in "${times[@]}"; do be 1 "${x##*:}"; done
        i=0
        for x in "${types[@]}"; do be 4 "${x%%:*}"; be 1 "${x##*:}"; be 1 $((i * 4)); i=$((i + 1)); done
        for ((i = 0; i < ${#types[@]}; i++)); do printf '%s\0' "${abbrs[i]}"; done
    }
    if [ "$ver" = '\0' ]; then
        tzif_header "$ver" "${#times[@]}" "${#types[@]}" $((4 * ${#types[@]}))
        block 4
        return
    fi
    tzif_header "$ver" 0 1 4
    be 4 0; be 1 0; be 1 0; printf 'AAA\0'
    tzif_header "$ver" "${#times[@]}" "${#types[@]}" $((4 * ${#types[@]}))
    block 8
    printf '\n%s\n' "$footer"
}

ny_dst=1710054000 ny_std=1730613600 # 2024-03-10T07Z, 2024-11-03T06Z
tzif_file '\0' '' 1000:1 2000:0 3000:0 4000:1 -- -18000:0 -14400:1 | put tzif hand-v1
tzif_file '2' 'EST5EDT,M3.2.0,M11.1.0' -5000000000:1 $ny_dst:2 $ny_std:1 -- -17762:0 -18000:0 -14400:1 |
    put tzif hand-v2-footer
tzif_file '3' '<-03>3<-02>,M3.5.0/-2,M10.5.0/-1' -5000000000:1 $ny_dst:2 $ny_std:1 -- -11000:0 -10800:0 -7200:1 |
    put tzif hand-v3-negative-times
tzif_file '4' 'IST-2IDT,M3.4.4/26,M10.5.0' 0:1 -- 7200:0 10800:1 | put tzif hand-v4-hour-26
tzif_file '2' '' $ny_dst:1 $ny_std:0 -- -18000:0 -14400:1 | put tzif hand-v2-empty-footer
tzif_file '2' 'EST5EDT,M3.2.0,M11.1.0' -- -18000:0 -14400:1 | put tzif hand-v2-rule-only
tzif_file '2' '<+0530>-5:30' -3000000000:1 -- 21200:0 19800:0 | put tzif hand-v2-fixed-footer
tzif_file '2' 'AAA3BBB,J365/25,J1/0' -- -10800:0 -7200:1 | put tzif hand-v2-almost-permanent-dst
tzif_file '2' '' -576460752303423488:1 0:2 -- 0:0 93599:0 -93599:1 | put tzif hand-v2-big-bang-max-offsets
tzif_file '2' 'AAA-24:59:59' 4102444800:1 -- 0:0 -3600:1 | put tzif hand-v2-footer-late
tzif_file '9' 'EST5EDT' 100:1 200:0 -- -18000:0 -14400:1 | put tzif hand-v9-default-rules
# errors: leap seconds ("right/" files), bad magic, truncated, bad footer
{ tzif_header '\0' 0 1 4 0 1; be 4 0; be 1 0; be 1 0; printf 'UTC\0'; be 4 78796800; be 4 1; } |
    put tzif hand-leap-seconds
{ printf 'TZjf2'; head -c 39 /dev/zero; } | put tzif hand-bad-magic
tzif_file '2' 'EST5EDT,M3.2.0,M11.1.0' $ny_dst:1 -- -18000:0 -14400:1 | head -c 80 |
    put tzif hand-truncated
tzif_file '2' 'EST5EDT,M3.2.0' $ny_dst:1 -- -18000:0 -14400:1 | put tzif hand-bad-footer

# ---------------------------------------------------------------- posix_tz
# The footers of tzdata 2025b with rules, some fixed ones, and edge cases
# (names: the string with [^A-Za-z0-9] as _).
for tz in 'CET-1CEST,M3.5.0,M10.5.0/3' 'EST5EDT,M3.2.0,M11.1.0' 'EET-2EEST,M3.5.0/3,M10.5.0/4' \
          'WET0WEST,M3.5.0/1,M10.5.0' 'AEST-10AEDT,M10.1.0,M4.1.0/3' \
          'NZST-12NZDT,M9.5.0,M4.1.0/3' 'EET-2EEST,M3.4.4/50,M10.4.4/50' \
          'ACST-9:30ACDT,M10.1.0,M4.1.0/3' '<-02>2<-01>,M3.5.0/-1,M10.5.0/0' \
          'NST3:30NDT,M3.2.0,M11.1.0' 'IST-2IDT,M3.4.4/26,M10.5.0' 'IST-1GMT0,M10.5.0,M3.5.0/1' \
          'EET-2EEST,M4.5.5/0,M10.5.4/24' 'CST5CDT,M3.2.0/0,M11.1.0/1' \
          '<-06>6<-05>,M9.1.6/22,M4.1.6/22' '<-04>4<-03>,M9.1.6/24,M4.1.6/24' \
          '<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45' '<+1030>-10:30<+11>-11,M10.1.0,M4.1.0' \
          '<+00>0<+02>-2,M3.5.0/1,M10.5.0/3' '<-03>3' '<+0530>-5:30' 'UTC0' 'GMT0' '<-0930>9:30' \
          'HST10' '<+14>-14' '<-12>12'; do
    printf '%s' "$tz" | put posix_tz "tz-$(tr -c 'A-Za-z0-9' _ <<<"$tz" | sed 's/_$//')"
done
for tz in 'CET-1CEST' 'EST5EDT,0/0,J365/25' 'AAA3BBB,J365/25,J1/0' 'EST5EDT4,M3.2.0/-167,M11.1.0/167' \
          'AAA24BBB-24,M1.1.0,M12.5.6' 'AAA-24:59:59BBB,J60,J59' 'EST5EST5,M3.2.0,M11.1.0' \
          'AAA0BBB,J60/0,J60/1' 'AAA0BBB,0,365' 'AAA0BBB,59,59' 'AAA0BBB,M2.5.0,M3.1.0' \
          'AAA+0:00:01BBB-0:0:0,J1/0:0:1,J365/-0' 'EST0000000000000000005EDT,M03.02.00,M11.1.0' \
          '<A-1>1<B+2>-2,M12.5.6/167,M1.1.0/-167' \
          '<A-1>1<B+2>-2,M12.5.5/134,M1.2.1/-167' 'EET-2EEST,M1.5.0,M1.4.0/3' \
          'EST' 'EST5EDT,M3' '<AB>5' 'EST5EDT,M13.1.0,M1.1.0' 'EST25' 'EST5EDT,J0,J1' \
          'EST5EDT,M3.2.0/168,M11.1.0' 'EST5EDT,M3.2.0,M11.1.0,' 'E5' 'EST5:60' 'EST+' '<EST5' \
          'EST5EDT,M3.2.0,M11.1.0junk' 'EST 5' ''; do
    name=$(tr -c 'A-Za-z0-9' _ <<<"$tz" | sed 's/_$//')
    printf '%s' "$tz" | put posix_tz "edge-${name:-empty}"
done

# ----------------------------------------------------------------- timefmt
# Read in UTC and in New York: offsets, local times in its 2026 gap and
# repeated hour, LMT with seconds, expanded years and the range limits.
for t in '2026-03-08T03:00:00-04:00' '2026-03-08 03:00:00-0400' '2026-03-08T03:00-04' \
         '2026-03-08T07:00:00Z' '2026-03-08t07:00:00z' '2026-03-08T07:00:00.999Z' \
         '2026-03-08T07:00:00,5+00:00' '2026-03-08T12:30:00+05:30' '1849-12-31T19:03:58-04:56:02' \
         '2026-07-01T12:00:00' '2026-01-01 12:00' '2026-01-01' '2024-02-29T00:00:00' \
         '2026-03-08T02:30:00' '2026-03-08T01:59:59' '2026-11-01T01:30:00' '2026-11-01T02:00:00' \
         '1883-11-18T12:03:57' '9999-12-31T23:59:59' '+10000-01-01T00:00:00+00:00' \
         '-0001-12-31T23:59:59+00:00' '0000-01-01' '-0004-02-29' '+002026-03-08T07:00:00Z' \
         '+999999999-12-31T23:59:59Z' '-999999999-01-01T00:00:00Z' \
         '+1000000000-01-01T01:00:00+02:00' '-1000000000-12-31T23:00:00-02:00' \
         '-1000000000-12-31T23:00:00' '2026-01-01T12:00:00+25:59:59'; do
    printf '%s' "$t" | put timefmt "ok-$(tr -c 'A-Za-z0-9' _ <<<"$t" | sed 's/_$//')"
done
for t in '2026-02-30' '2026-13-01' '2026-01-01T24:00' '2026-01-01T12:00+26:00' 'garbage' '' \
         '2026-1-01' '2026-01-01T' '2026-01-01T12' '2026-01-01T12:00:00.' '2026-01-01Z' \
         '2026-01-01T12:00:00Zjunk' '12026-01-01' '+202-01-01' '+-2026-01-01' \
         '+99999999999999999999-01-01' '-0001-02-29' '2026-01-01T12:00:00+5' \
         '+1000000000-01-01T00:00:00Z'; do
    name=$(tr -c 'A-Za-z0-9' _ <<<"$t" | sed 's/_$//')
    printf '%s' "$t" | put timefmt "bad-${name:-empty}"
done

# ----------------------------------------------------------------- options
# opts NAME NARGV WORD...: byte 0 is NARGV (+128: variables without the
# CROND_LITE_ prefix), then the words separated by NUL bytes: the first
# NARGV go to argv, the others are variables.
opts() {
    local name=$1 n=$2 w sep=''
    shift 2
    {
        be 1 "$n"
        for w in "$@"; do
            printf "$sep%s" "$w"
            sep='\0'
        done
    } | put options "$name"
}
opts none 0
opts daemon 4 -f /etc/crontabs -c /etc/crond-lite.ini
opts all-long 13 --file=/a --config=/c.ini --user=app:staff --system --shell=/bin/bash \
    --timezone=Europe/Berlin --log-format=json --log-level=debug --grace=1m30s --overlap=queue \
    --clean-env --no-reload --no-new-privs
opts all-short 10 -f /a -fb -c/c.ini -u 1000:1000 -s /bin/ash -zUTC
opts clusters 3 -nf /x -nfPATH
opts output 4 --output raw --split-logs --output=Records
opts env-output 0 OUTPUT=RAW SPLIT_LOGS=yes
opts err-output 2 --output passthrough
opts next 8 --next '*/5 * * * *' --from 2026-03-08T01:30:00 --tz America/New_York --count 10
opts list 2 -l --count=3
opts next-twice 4 --next @daily --next @hourly
opts help-wins 3 --check --list --help
opts help-stray 2 stray --help
opts version 3 -V --next x
opts help-bad-value 2 --grace=5x -h
opts err-unknown 1 --foo=bar
opts err-prefix 2 --fil x
opts err-modes 1 -nl
opts err-grace 2 --grace 5x
opts err-user 2 -u :staff
opts err-user-colons 1 --user=a:b:c
opts err-empty 1 --config=
opts err-empty-file 2 -f ''
opts err-flag-value 1 --system=yes
opts err-missing 1 --grace
opts err-operand 2 -- extra
opts err-from-alone 2 --from 2026-01-01T00:00:00
opts err-count 3 --list --count 100001
opts count-max 3 --list --count 100000
opts env-all 0 'FILE= /etc/crontabs  /app/cron.d	/x:y' USER=app SYSTEM=yes SHELL=/bin/bash \
    TIMEZONE=Asia/Tokyo LOG_FORMAT=JSON LOG_LEVEL=warn GRACE=5s OVERLAP=allow CLEAN_ENV=false \
    NO_RELOAD=on NO_NEW_PRIVS=1 CONFIG=/etc/c.ini COUNT=7 FROM=2026-01-01 TZ=UTC
opts env-cli-wins 2 --grace 5s GRACE=bogus
opts env-mode-ignored 1 --list CHECK=1 NEXT=@daily
opts env-next-from-cli 2 --from 2026-01-01T00:00:00 NEXT=@daily
opts env-modes-conflict 0 CHECK=1 LIST=true
opts env-empty-unset 0 GRACE= FILE= USER=
opts env-bad-bool 0 CLEAN_ENV=maybe
opts env-verbatim 128 PATH=/bin CROND_LITE_USER=nobody CROND_LITE_USERX=1 CROND_LITE_GRACE
# 64 paths are fine, 65 are too many (options.h: OPTIONS_MAX_FILES)
mapfile -t paths < <(seq -f -fp%g 1 65)
opts files-64 64 "${paths[@]:0:64}"
opts err-files-65 65 "${paths[@]}"
opts env-files-65 0 "FILE=$(seq -s ' ' 1 65)"

# ------------------------------------------------------------------ pwfile
# The first line is the name looked up, the rest the passwd or group file.
passwd='root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
# a comment line is not an entry

+nisuser::::::
short:x:12:12:gecos
noshell:x:2500:2500:gecos:/home/noshell
badid:x:12a:1:gecos:/home/badid:/bin/sh
neg:x:-5:1:gecos:/home/neg:/bin/sh
huge:x:4294967295:1:gecos:/home/huge:/bin/sh
max:x:4294967294:4294967294::/home/max:/bin/sh
zeros:x:0000000000065532:007::/z:/bin/sh
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
nohome:x:2000:2001:::/bin/sh
dup:x:3000:3000::/first:/bin/sh
dup:x:3001:3001::/second:/bin/sh
extra:x:5:5:g:/h:/bin/sh:more:colons
last:x:4000:4000::/home/last:/bin/sh'
group='root:x:0:
bad:x:1x:
short:x
-nis::::
staff:x:50:alice,bob
nonroot:x:65532:
staff:x:51:
members:x:7:a:b:c
nomembers:x:60'
for q in nonroot dup root 65532 3000 0 badid huge +nisuser '' nobody; do
    printf '%s\n%s\n' "$q" "$passwd" | put pwfile "passwd-${q:-empty}"
done
for q in staff nomembers root bad nis -nis members; do
    printf '%s\n%s' "$q" "$group" | put pwfile "group-$q"
done
printf 'a\na:x:1:1::/h\r\nb:x:2:2::/h2\r\n' | put pwfile edge-crlf
printf 'a\na:x:1:1::/h\0tail:/bin/sh\nb\0:x:2:2::/h\n' | put pwfile edge-nul
printf 'app\n\n\n#app:x:1:1::/no:/bin/sh\n app:x:2:2::/no:/bin/sh\napp:x:3:3::/yes' |
    put pwfile edge-comment-blank
{ printf 'big\nbig:x:7000:7000:'; rep 3000 g; printf ':/home/big:/bin/sh\nafter:x:7001:7001::/a:/bin/sh\n'; } |
    put pwfile edge-long-line
printf 'x\n' | put pwfile edge-empty-file
printf '' | put pwfile edge-empty

# ----------------------------------------------------------------- httpreq
# Two seed bytes (the read sizes), then what a client sends: the requests of
# tests/unit/test_httpreq.c, a Prometheus scrape, pipelines and the bounds.
# shellcheck disable=SC2059  # the seeds are printf formats (\r\n, \0)
h() { printf '\3\0'; printf "$@"; }
h 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' | put httpreq edge-get
h 'HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n' | put httpreq edge-head
h 'GET /readyz HTTP/1.0\r\n\r\n' | put httpreq edge-http10
h 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n' | put httpreq edge-http10-keep-alive
h 'GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET /after HTTP/1.1\r\n\r\n' | put httpreq edge-close
h 'GET /metrics?name[]=x&y=%%20#top HTTP/1.1\r\n\r\n' | put httpreq edge-query
h 'GET http://example.com:9746/healthz?x HTTP/1.1\r\n\r\nGET HTTPS://h HTTP/1.1\r\n\r\n' | put httpreq edge-absolute
h '\r\n\r\nGET /x HTTP/1.1\r\n\r\n' | put httpreq edge-blank-lines
h 'GET /lf HTTP/1.1\nHost: x\n\n' | put httpreq edge-lf
h 'GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n' | put httpreq edge-content-length-0
h 'GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\nPRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' | put httpreq edge-upgrade
h 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9746\r\nUser-Agent: Prometheus/2.42.0+ds\r\nAccept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\nAccept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n' |
    put httpreq edge-prometheus
h 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\n\r\nGET /c HTTP/1.0\r\n\r\n' | put httpreq edge-pipelined
h 'POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc' | put httpreq edge-post
h 'DELETE / HTTP/1.1\r\n\r\n' | put httpreq edge-delete
h 'OPTIONS * HTTP/1.1\r\n\r\n' | put httpreq edge-options
h 'GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello' | put httpreq edge-body
h 'HEAD / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' | put httpreq edge-chunked
h 'GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n' | put httpreq edge-cl-te
h 'GET / HTTP/2.0\r\n\r\n' | put httpreq edge-http2
h 'GET /\r\n\r\n' | put httpreq edge-http09
h 'garbage\r\n\r\n' | put httpreq edge-garbage
h '\26\3\1\2\0\1\0\1\374\3\3' | put httpreq edge-tls
h 'GET /a\0b HTTP/1.1\r\n\r\n' | put httpreq edge-nul-path
h 'GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n' | put httpreq edge-nul-header
h 'get / HTTP/1.1\r\n\r\n' | put httpreq edge-lower-case
h 'GET / HTTP/1.1\r\nBad Header\r\n\r\n' | put httpreq edge-bad-header
{ h 'GET /'; rep 600 a; printf ' HTTP/1.1\r\n\r\n'; } | put httpreq edge-long-path
{ h 'GET /healthz HTTP/1.1\r\nX-Pad: '; rep 8157 p; printf '\r\n\r\n'; } | put httpreq edge-head-8192
{ h 'GET /healthz HTTP/1.1\r\nX-Pad: '; rep 8158 p; printf '\r\n\r\n'; } | put httpreq edge-head-8193
{ h 'GET / HTTP/1.1\r\nX: '; rep 10000 x; } | put httpreq edge-head-never-ends
{ printf '\7\0'; for _ in $(seq 1 4500); do printf '\r\n'; done; } | put httpreq edge-blank-lines-only
{ printf '\11\0'; for i in $(seq 1 300); do printf 'GET /%d HTTP/1.1\r\n\r\n' "$i"; done; } |
    put httpreq edge-many-pipelined

# ------------------------------------------------------------------ compat
# peer NAME PICK NARGV WORD...: byte 0 NARGV, byte 1 the program name (0
# crond-lite, 1 go-crond, 2 supercronic, 3 CROND_LITE_COMPAT=supercronic),
# then the words: the first NARGV to argv, the others are variables.
peer() {
    local name=$1 pick=$2 n=$3 w sep=''
    shift 3
    {
        be 1 "$n"
        be 1 "$pick"
        for w in "$@"; do
            printf "$sep%s" "$w"
            sep='\0'
        done
    } | put compat "$name"
}
peer gocrond-readme-system 1 1 examples/crontab
peer gocrond-readme-users 1 2 root:examples/crontab-root guest:examples/crontab-guest
peer gocrond-readme-include 1 5 --include=/etc/cron.d --run-parts-hourly=/etc/cron.hourly \
    --run-parts-weekly=/etc/cron.weekly --run-parts-daily=/etc/cron.daily \
    --run-parts-monthly=/etc/cron.monthly
peer gocrond-readme-spec 1 2 --run-parts=1m:/etc/cron.minute --run-parts=15m:/etc/cron.15min
peer gocrond-readme-spec-user 1 2 --run-parts=1m:application:/etc/cron.minute \
    --run-parts=15m:admin:/etc/cron.15min
peer gocrond-dockerfile-env 1 0 SERVER_BIND=:8080 SERVER_METRICS=1 LOG_JSON=1
peer gocrond-flags 1 9 -v --log.json --server.bind :8080 --server.metrics \
    --server.timeout.read=5s --server.timeout.write 10s --allow-unprivileged --auto
peer gocrond-default-user 1 3 --default-user=app --working-directory=/srv --run-parts-1min=/x
peer gocrond-versions 1 2 -V --dumpversion
peer gocrond-bad-timeout 1 1 --server.timeout.read=0
peer supercronic-plain 2 1 /etc/crontab
peer supercronic-all 2 12 -debug -quiet -json -test -inotify -no-reap -overlapping -split-logs \
    -passthrough-logs -prometheus-listen-address 0.0.0.0 my-crontab
peer supercronic-double-dash 2 4 --json --prometheus-listen-address=:9746 -debug=false crontab
peer supercronic-sentry 2 3 -sentry-dsn https://k@sentry.example/1 crontab
peer supercronic-sentry-env 2 1 crontab SENTRY_DSN=https://k@sentry.example/1
peer supercronic-after 2 2 crontab -json
peer supercronic-v6 2 3 -prometheus-listen-address :: crontab
peer compat-option 0 4 --compat supercronic -json crontab
peer compat-variable 3 2 -json crontab
peer own-hints 0 4 -json -split-logs root:/etc/crontab --log.json

# ---------------------------------------------------------------- claimurl
n=0
for u in 'redis://127.0.0.1' 'redis://redis:6380/3' 'redis://:s3cret@cache.internal/2' \
    'redis://app:p%40ss%3Aw%2Fd%25@[::1]:7000/15' 'redis://:a@b@host' 'redis://h/' \
    'redis://h:65535/100000' 'rediss://h' 'http://h' 'redis://' 'redis://h:0' \
    'redis://h:65536' 'redis://h/100001' 'redis://h?db=1' 'redis://pass@h' 'redis://:@h' \
    'redis://:%zz@h' 'redis://[::1' 'redis://[zz]' 'redis://h h' 'redis://user:pw@10.0.0.7:6379/0'; do
    n=$((n + 1))
    printf '%s' "$u" | put claimurl "url-$n"
done

echo "corpus: $(find "$out" -type f | wc -l) files, $(du -sb "$out" | cut -f1) bytes"
