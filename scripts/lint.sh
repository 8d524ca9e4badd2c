#!/bin/sh
# lint.sh: static analysis, zero findings allowed (make lint; .ci/run).
#   cppcheck    on src/ (suppressions are inline, each with its reason)
#   clang-tidy  on src/ with the checked-in .clang-tidy
#   ShellCheck  on every shell script of the repository
# Prints one "ok - NAME" / "not ok - NAME" line per tool, then
# "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 2
passed=0 failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

report() {
    if [ "$2" -eq 0 ]; then
        echo "ok - $1"
        passed=$((passed + 1))
    else
        echo "not ok - $1"
        sed 's/^/#   /' "$out" | head -60
        failed=$((failed + 1))
    fi
}

# cppcheck: --error-exitcode makes any finding fail; missingIncludeSystem
# only says it does not read the system headers.
cppcheck --std=c11 --enable=warning,style,performance,portability --inline-suppr \
    --error-exitcode=1 -q -D_GNU_SOURCE -DCROND_VERSION='"lint"' -Iinclude \
    --suppress=missingIncludeSystem \
    --template='{file}:{line}: {severity}: {message} [{id}]' src/ >"$out" 2>&1
report cppcheck $?

# clang-tidy: two files at a time (2 cores); any diagnostic is an error
# (WarningsAsErrors in .clang-tidy).
printf '%s\n' src/*.c | xargs -P 2 -I{} sh -c \
    'clang-tidy -quiet "$1" -- -std=c11 -D_GNU_SOURCE -DCROND_VERSION=\"lint\" -Iinclude 2>/dev/null ||
         echo "clang-tidy: $1 failed"' _ {} >"$out" 2>&1
if grep -qE 'warning:|error:|failed$' "$out"; then rc=1; else rc=0; fi
report clang-tidy $rc

# ShellCheck: every script, found by extension or by a shell shebang
scripts=$(git ls-files 2>/dev/null | while read -r f; do
    case $f in
        *.sh) echo "$f" ;;
        *) [ -f "$f" ] && head -n 1 "$f" | grep -qE '^#!.*/(env )?(ba|da)?sh' && echo "$f" ;;
    esac
done)
# shellcheck disable=SC2086  # a list of paths without blanks
shellcheck -x $scripts >"$out" 2>&1
report "shellcheck ($(echo "$scripts" | wc -w) scripts)" $?

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
