/* Shared by the cmocka unit tests: the includes cmocka needs, in its order. */
#ifndef CROND_TESTUTIL_H
#define CROND_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Tests run from the repository root (tests/run.sh does so). */
#define TEST_VECTORS_DIR "tests/vectors"

#endif
