#!/usr/bin/env bash
# End-to-end tests of the man page doc/crond-lite.8: it is clean for mandoc
# and groff, it names every option the binary's --help prints, every INI key
# and every log event of the README, and `make install` puts it in man8.
. "$(dirname "$0")/lib.sh"

MAN_PAGE="$REPO_DIR/doc/crond-lite.8"

# need TOOL: prints the skip line when TOOL is missing (the caller returns).
need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    echo "# skipped: $1 not installed"
    return 1
}

# section NAME: the source lines of the page's .SH NAME section.
section() {
    awk -v want=".SH $1" '
        /^\.SH / { inside = ($0 == want || $0 == want "") }
        inside' "$MAN_PAGE"
}

mandoc_lint_clean() {
    need mandoc || return 0
    local out rc=0
    out=$(mandoc -T lint -W warning "$MAN_PAGE" 2>&1) || rc=$?
    expect_eq "mandoc -T lint -W warning output" "" "$out"
    expect_eq "mandoc exit status" 0 "$rc"
}

groff_clean() {
    need groff || return 0
    local out rc=0 dev
    # the default device (ps) and the terminal one man(1) uses
    for dev in "" -Tutf8; do
        rc=0
        out=$(groff -man -ww -z $dev "$MAN_PAGE" 2>&1) || rc=$?
        expect_eq "groff -man -ww -z $dev output" "" "$out"
        expect_eq "groff $dev exit status" 0 "$rc"
    done
}

required_sections() {
    local s bad=0
    for s in NAME SYNOPSIS DESCRIPTION OPTIONS "CRONTAB SYNTAX" \
        "TIME ZONES AND DAYLIGHT SAVING TIME" "JOB EXECUTION" SIGNALS RELOAD \
        "CONFIGURATION FILE" "LOG RECORDS" OBSERVABILITY "EXIT STATUS" ENVIRONMENT FILES \
        STANDARDS NOTES EXAMPLES "SEE ALSO"; do
        grep -qxF ".SH $s" "$MAN_PAGE" || { echo "no section .SH $s"; bad=1; }
    done
    grep -q '^\.TH CROND\\-LITE 8 ' "$MAN_PAGE" || { echo "no .TH CROND\\-LITE 8"; bad=1; }
    section "SEE ALSO" | grep -q '^\.BR crontab (5)' || { echo "SEE ALSO lacks crontab(5)"; bad=1; }
    section "SEE ALSO" | grep -q '^\.BR cron (8)' || { echo "SEE ALSO lacks cron(8)"; bad=1; }
    [ $bad -eq 0 ]
}

# Every long and short option of --help, written with \- in the source, and
# its CROND_LITE_* variable (all but --help and --version have one).
options_documented() {
    local help opts o src var bad=0
    help=$("$CROND_BIN" --help)
    opts=$(grep -o -- '--[a-z][a-z0-9-]*' <<<"$help" | sort -u)
    [ "$(wc -l <<<"$opts")" -ge 20 ] || fail "only $(wc -l <<<"$opts") long options in --help"
    for o in $opts; do
        src=${o//-/\\-}
        grep -qF -- "$src" "$MAN_PAGE" || { echo "option $o ($src) not in the man page"; bad=1; }
        case $o in --help | --version) continue ;; esac
        var=CROND_LITE_$(tr 'a-z-' 'A-Z_' <<<"${o#--}")
        section OPTIONS | grep -qF -- "$var" || { echo "variable $var not in OPTIONS"; bad=1; }
        section ENVIRONMENT | grep -qF -- "$var" || { echo "variable $var not in ENVIRONMENT"; bad=1; }
    done
    while read -r o; do
        grep -qE -- "\\\\fB\\\\-$o\\\\fR, " "$MAN_PAGE" || { echo "short option -$o not in the man page"; bad=1; }
    done < <(sed -n 's/^  -\([a-zA-Z]\), --.*/\1/p' <<<"$help")
    [ $bad -eq 0 ]
}

# The rendered page shows the options with plain ASCII hyphens, so they can
# be copied from man(1) output.
options_render_ascii() {
    need groff || return 0
    local text o bad=0
    text=$(groff -man -Tutf8 "$MAN_PAGE" 2>/dev/null | col -b)
    for o in $("$CROND_BIN" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        grep -qF -- "$o" <<<"$text" || { echo "option $o not in the rendered page"; bad=1; }
    done
    [ $bad -eq 0 ]
}

ini_keys_documented() {
    local conf k bad=0
    conf=$(section "CONFIGURATION FILE")
    for k in crontabs user system shell timezone log_format log_level grace \
        overlap clean_env no_reload percent_newline output split_logs schedule \
        command timeout workdir; do
        # each key is a .TP tag of its own: ".B key" (with \% against hyphenation)
        grep -qE "^\.B (\\\\%)?$k\$" <<<"$conf" || { echo "INI key $k not in CONFIGURATION FILE"; bad=1; }
    done
    grep -qF '.BI env. NAME' <<<"$conf" || { echo "INI key env.NAME not in CONFIGURATION FILE"; bad=1; }
    # the README's list is the one the page follows
    for k in crontabs user system shell timezone log_format log_level grace \
        overlap clean_env no_reload percent_newline output split_logs schedule \
        command timeout workdir; do
        grep -qF "\`$k\`" "$REPO_DIR/README.md" || { echo "INI key $k is not in README.md any more"; bad=1; }
    done
    [ $bad -eq 0 ]
}

# Every event of the README's record table is documented in LOG RECORDS,
# and the page names no event the README does not have.
log_events_documented() {
    local readme page e bad=0
    readme=$(grep -oE '^\| `(daemon|job|config)\.[a-z]+`' "$REPO_DIR/README.md" |
        grep -oE '(daemon|job|config)\.[a-z]+' | sort -u)
    [ "$(wc -l <<<"$readme")" -ge 12 ] || fail "only $(wc -l <<<"$readme") events in README.md: $readme"
    for e in $readme; do
        section "LOG RECORDS" | grep -qE "^\.B ${e//./\\.} " ||
            { echo "event $e not in LOG RECORDS"; bad=1; }
    done
    page=$(grep -oE '\b(daemon|job|config)\.(start|stop|reload|clock|output|exit|skip|kill|error|status|[a-z]+)\b' "$MAN_PAGE" |
        grep -vE '^(job\.cron|config\.file)$' | sort -u)
    for e in $page; do
        grep -qxF "$e" <<<"$readme" || { echo "the page names $e, which README.md does not list"; bad=1; }
    done
    [ $bad -eq 0 ]
}

# The example crontab of EXAMPLES is valid.
example_crontab_valid() {
    awk '/^A crontab:$/ { want = 1; next }
         want && /^\.EX$/ { inside = 1; next }
         inside && /^\.EE$/ { exit }
         inside' "$MAN_PAGE" | sed 's/\\-/-/g; s/\\e/\\/g' >example.cron
    [ -s example.cron ] || fail "no example crontab found in EXAMPLES"
    local out
    out=$("$CROND_BIN" --check -f example.cron 2>&1) || fail "$out"
    grep -q 'no problems' <<<"$out" || fail "$out"
}

# The DST examples print what the page says they print.
dst_examples_hold() {
    local out
    out=$("$CROND_BIN" --next '30 2 * * *' --tz America/New_York --from 2026-03-07T12:00:00 --count 2)
    expect_eq "spring forward" $'2026-03-08T03:00:00-04:00\n2026-03-09T02:30:00-04:00' "$out"
    grep -qF '2026\-03\-08T03:00:00\-04:00' "$MAN_PAGE" || fail "spring-forward example missing"
    out=$("$CROND_BIN" --next '*/30 1 * * *' --tz America/New_York --from 2026-11-01T00:00:00 --count 4)
    expect_eq "fall back, wildcard" \
        $'2026-11-01T01:00:00-04:00\n2026-11-01T01:30:00-04:00\n2026-11-01T01:00:00-05:00\n2026-11-01T01:30:00-05:00' "$out"
    grep -qF '2026\-11\-01T01:30:00\-05:00' "$MAN_PAGE" || fail "fall-back example missing"
}

# make install puts the page at $(MANDIR)/man8 with mode 0644. BIN and BUILD
# point at the binary under test so make links nothing anew, and -o keeps it
# from remaking that binary even if a source is newer (an ASan build must not
# be overwritten by a plain one).
make_install_installs_page() {
    need make || return 0
    local build out rc=0
    build=$(dirname "$CROND_BIN")
    out=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
        make -C "$REPO_DIR" install DESTDIR="$PWD/inst" PREFIX=/usr \
        BUILD="$build" BIN="$CROND_BIN" -o "$CROND_BIN" 2>&1) || rc=$?
    expect_eq "make install exit status" 0 "$rc" || { echo "$out"; return 1; }
    local f=inst/usr/share/man/man8/crond-lite.8
    [ -f "$f" ] || fail "$f not installed; make said: $out"
    cmp "$MAN_PAGE" "$f" || fail "installed page differs from doc/crond-lite.8"
    expect_eq "mode of the installed page" 644 "$(stat -c %a "$f")"
    [ -x inst/usr/bin/crond-lite ] || fail "binary not installed at inst/usr/bin"
}

run_test "mandoc -T lint -W warning is silent" mandoc_lint_clean
run_test "groff -man -ww -z is silent" groff_clean
run_test "the page has every required section" required_sections
run_test "every --help option and CROND_LITE_* variable is documented" options_documented
run_test "options render with ASCII hyphens" options_render_ascii
run_test "every INI key is documented" ini_keys_documented
run_test "every log event of README.md is documented, no other" log_events_documented
run_test "the example crontab passes --check" example_crontab_valid
run_test "the DST examples hold" dst_examples_hold
run_test "make install puts the page in man8" make_install_installs_page
