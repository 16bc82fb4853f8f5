/* The environment, as hpk reads it: a set-user-ID or set-group-ID program
 * ignores its caller's variables (secure_getenv). */
#define _GNU_SOURCE
#include "hpk_internal.h"

#include <stdlib.h>
#include <unistd.h>

const char *hpk__getenv(const char *name)
{
#if defined(__GLIBC__)
    return secure_getenv(name);
#else
    return getuid() == geteuid() && getgid() == getegid() ? getenv(name) : NULL;
#endif
}
