/* The environment, as the OpenCL backend reads it: a set-user-ID or
 * set-group-ID program ignores its caller's variables (secure_getenv). */
#define _GNU_SOURCE
#include "cl_backend.h"

#include <stdlib.h>
#include <unistd.h>

const char *hpk__cl_getenv(const char *name)
{
#if defined(__GLIBC__)
    return secure_getenv(name);
#else
    return getuid() == geteuid() && getgid() == getegid() ? getenv(name) : NULL;
#endif
}
