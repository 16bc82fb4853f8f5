/* The program cache on disk: one file per program binary under
 * $XDG_CACHE_HOME/hpk/opencl (or ~/.cache/hpk/opencl), named by a hash of
 * its key and holding the key itself, so a hash collision or a changed
 * device reads as a miss.  An entry is written to a temporary file and
 * renamed into place; a checksum catches damaged entries, which are then
 * rebuilt and replaced.  HPK_CL_CACHE=0 turns the cache off.  Nothing here
 * fails a call: every problem reads as a miss or a skipped write. */
#define _POSIX_C_SOURCE 200809L
#include "cl_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "HPKCLB01"
#define MAGIC_LEN 8

static uint64_t fnv1a(const void *data, size_t size)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = data, *end = p + size; p < end; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return h;
}

static bool disabled(void)
{
    const char *v = getenv("HPK_CL_CACHE");
    return v && (!strcmp(v, "0") || !strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false"));
}

/* The cache directory, or false when there is none to use. */
static bool directory(char *out, size_t size)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/') /* the XDG rule: relative paths are ignored */
        n = snprintf(out, size, "%s/hpk/opencl", xdg);
    else if (home && home[0])
        n = snprintf(out, size, "%s/.cache/hpk/opencl", home);
    else
        return false;
    return n > 0 && (size_t)n < size;
}

/* mkdir -p, private to the user. */
static bool make_directories(char *path)
{
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        const char saved = *p;
        *p = '\0';
        const bool ok = mkdir(path, 0700) == 0 || errno == EEXIST;
        *p = saved;
        if (!ok)
            return false;
        if (!saved)
            return true;
    }
}

static bool entry_path(const char *key, char *out, size_t size)
{
    char dir[4096];
    if (disabled() || !directory(dir, sizeof dir))
        return false;
    const int n = snprintf(out, size, "%s/%016llx.bin", dir, (unsigned long long)fnv1a(key, strlen(key)));
    return n > 0 && (size_t)n < size;
}

static bool read_exactly(FILE *f, void *buf, size_t size)
{
    return fread(buf, 1, size, f) == size;
}

/* File layout: magic, key length, key, binary size, binary checksum, binary. */
unsigned char *hpk__cl_cache_load(const char *key, size_t *size)
{
    char path[4200];
    if (!entry_path(key, path, sizeof path))
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    const size_t key_len = strlen(key);
    char magic[MAGIC_LEN];
    uint64_t stored_key_len = 0, bin_size = 0, checksum = 0;
    unsigned char *binary = NULL;
    char *stored_key = NULL;
    bool ok = read_exactly(f, magic, MAGIC_LEN) && !memcmp(magic, MAGIC, MAGIC_LEN) &&
              read_exactly(f, &stored_key_len, sizeof stored_key_len) && stored_key_len == key_len &&
              (stored_key = malloc(key_len)) && read_exactly(f, stored_key, key_len) &&
              !memcmp(stored_key, key, key_len) && read_exactly(f, &bin_size, sizeof bin_size) &&
              read_exactly(f, &checksum, sizeof checksum) && bin_size > 0 && bin_size < ((uint64_t)1 << 31) &&
              (binary = malloc((size_t)bin_size)) && read_exactly(f, binary, (size_t)bin_size) &&
              fgetc(f) == EOF && fnv1a(binary, (size_t)bin_size) == checksum;
    fclose(f);
    free(stored_key);
    if (!ok) {
        free(binary);
        return NULL;
    }
    *size = (size_t)bin_size;
    return binary;
}

static bool write_all(int fd, const void *data, size_t size)
{
    const unsigned char *p = data;
    while (size > 0) {
        const ssize_t w = write(fd, p, size);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        size -= (size_t)w;
    }
    return true;
}

void hpk__cl_cache_store(const char *key, const unsigned char *binary, size_t size)
{
    char path[4200], dir[4096], tmp[4300];
    if (!entry_path(key, path, sizeof path) || !directory(dir, sizeof dir) || !make_directories(dir))
        return;
    static atomic_uint counter; /* distinct temporary names within a process */
    snprintf(tmp, sizeof tmp, "%s.%ld.%u.tmp", path, (long)getpid(), atomic_fetch_add(&counter, 1u));
    const int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return;
    const uint64_t key_len = strlen(key), bin_size = size, checksum = fnv1a(binary, size);
    bool ok = write_all(fd, MAGIC, MAGIC_LEN) && write_all(fd, &key_len, sizeof key_len) &&
              write_all(fd, key, (size_t)key_len) && write_all(fd, &bin_size, sizeof bin_size) &&
              write_all(fd, &checksum, sizeof checksum) && write_all(fd, binary, size);
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp);
}
