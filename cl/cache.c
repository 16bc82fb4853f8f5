/* The program cache on disk: one file per program binary under
 * $XDG_CACHE_HOME/hpk/opencl (or ~/.cache/hpk/opencl), named by a hash of
 * its key and holding the key itself, so a hash collision or a changed
 * device reads as a miss.  OpenCL drivers load binaries as native code, so
 * an entry is trusted only when nobody but the effective user could have
 * written it: hpk/ and hpk/opencl/ are opened without following symbolic
 * links and must be directories of the effective user that neither group
 * nor others may write; an entry must be a regular file with the same owner
 * and mode rules.  Everything below the cache root is reached through
 * directory descriptors, so a path swapped after its check is never used.
 * An entry is written to a temporary file and renamed into place; a checksum
 * (FNV-1a, common/hash.h) catches damaged entries (not forged ones: the ownership rules exclude
 * those), which are then rebuilt and replaced.  HPK_CL_CACHE=0 turns the
 * cache off, and so does running set-user-ID or set-group-ID.  Nothing here
 * fails a call: every problem reads as a miss or a skipped write. */
#define _POSIX_C_SOURCE 200809L
#include "cl_backend.h"
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "HPKCLB02"
#define MAGIC_LEN 8
#define MAX_ENTRY_BYTES ((size_t)1 << 28) /* larger files are not read */

static bool disabled(void)
{
    const char *v = hpk__getenv("HPK_CL_CACHE");
    return v && (!strcmp(v, "0") || !strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false"));
}

/* The cache root ($XDG_CACHE_HOME, else $HOME/.cache), or false when there
 * is none to use. */
static bool root_path(char *out, size_t size)
{
    const char *xdg = hpk__getenv("XDG_CACHE_HOME"), *home = hpk__getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/') /* the XDG rule: relative paths are ignored */
        n = snprintf(out, size, "%s", xdg);
    else if (home && home[0] == '/')
        n = snprintf(out, size, "%s/.cache", home);
    else
        return false;
    return n > 0 && (size_t)n < size;
}

/* mkdir -p of the root, private to the user where it creates anything. */
static bool make_root(char *path)
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

/* Was the open file `fd` written by nobody but the effective user? */
static bool private_to_user(int fd, mode_t type, struct stat *st)
{
    return fstat(fd, st) == 0 && (st->st_mode & S_IFMT) == type && st->st_uid == geteuid() &&
           (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* The directory `name` in `parent` (created 0700 when `create`), or -1 when
 * it is missing, a symbolic link, or not private to the user. */
static int open_private_dir(int parent, const char *name, bool create)
{
    if (create && mkdirat(parent, name, 0700) != 0 && errno != EEXIST)
        return -1;
    const int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && !private_to_user(fd, S_IFDIR, &st)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The directory of the entries, or -1 when there is no trusted one. */
static int open_cache_dir(bool create)
{
    char root[4096];
    if (disabled() || getuid() != geteuid() || getgid() != getegid() || !root_path(root, sizeof root) ||
        (create && !make_root(root)))
        return -1;
    const int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0)
        return -1;
    const int hpk_fd = open_private_dir(root_fd, "hpk", create);
    close(root_fd);
    if (hpk_fd < 0)
        return -1;
    const int dir_fd = open_private_dir(hpk_fd, "opencl", create);
    close(hpk_fd);
    return dir_fd;
}

static void entry_name(const char *key, char out[32])
{
    snprintf(out, 32, "%016llx.bin", (unsigned long long)hpk__fnv1a(HPK__FNV1A_START, key, strlen(key)));
}

/* Reads exactly `size` bytes and then finds the end of the file. */
static bool read_whole(int fd, unsigned char *buf, size_t size)
{
    size_t done = 0;
    while (done < size) {
        const ssize_t r = read(fd, buf + done, size - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        done += (size_t)r;
    }
    unsigned char extra;
    ssize_t r;
    while ((r = read(fd, &extra, 1)) < 0 && errno == EINTR)
        ;
    return r == 0;
}

/* File layout: magic, key length, key, binary size, binary checksum, binary
 * (the integers as uint64_t in the host's byte order). */
#define HEADER_BYTES(key_len) (MAGIC_LEN + 3 * sizeof(uint64_t) + (key_len))

unsigned char *hpk__cl_cache_load(const char *key, size_t *size)
{
    const int dir = open_cache_dir(false);
    if (dir < 0)
        return NULL;
    char name[32];
    entry_name(key, name);
    /* O_NONBLOCK: opening a FIFO planted here must not wait for a writer. */
    const int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    close(dir);
    if (fd < 0)
        return NULL;
    const size_t key_len = strlen(key), header = HEADER_BYTES(key_len);
    struct stat st;
    unsigned char *file = NULL;
    bool ok = private_to_user(fd, S_IFREG, &st) && st.st_size > 0 && (uint64_t)st.st_size > header &&
              (uint64_t)st.st_size <= MAX_ENTRY_BYTES && (file = malloc((size_t)st.st_size)) &&
              read_whole(fd, file, (size_t)st.st_size);
    close(fd);
    uint64_t stored_key_len = 0, bin_size = 0, checksum = 0;
    if (ok) {
        const unsigned char *p = file + MAGIC_LEN;
        memcpy(&stored_key_len, p, sizeof stored_key_len);
        memcpy(&bin_size, p + sizeof(uint64_t) + key_len, sizeof bin_size);
        memcpy(&checksum, p + 2 * sizeof(uint64_t) + key_len, sizeof checksum);
        ok = !memcmp(file, MAGIC, MAGIC_LEN) && stored_key_len == key_len &&
             !memcmp(p + sizeof(uint64_t), key, key_len) && bin_size == (uint64_t)st.st_size - header &&
             hpk__fnv1a(HPK__FNV1A_START, file + header, (size_t)bin_size) == checksum;
    }
    if (!ok) {
        free(file);
        return NULL;
    }
    memmove(file, file + header, (size_t)bin_size);
    *size = (size_t)bin_size;
    return file;
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
    const size_t key_len = strlen(key);
    if (size == 0 || HEADER_BYTES(key_len) >= MAX_ENTRY_BYTES || size > MAX_ENTRY_BYTES - HEADER_BYTES(key_len))
        return;
    const int dir = open_cache_dir(true);
    if (dir < 0)
        return;
    char name[32], tmp[96];
    entry_name(key, name);
    static atomic_uint counter; /* distinct temporary names within a process */
    const int n = snprintf(tmp, sizeof tmp, "%s.%ld.%u.tmp", name, (long)getpid(), atomic_fetch_add(&counter, 1u));
    const int fd = n > 0 && (size_t)n < sizeof tmp
                       ? openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)
                       : -1;
    if (fd >= 0) {
        const uint64_t stored_key_len = key_len, bin_size = size;
        const uint64_t checksum = hpk__fnv1a(HPK__FNV1A_START, binary, size);
        bool ok = write_all(fd, MAGIC, MAGIC_LEN) && write_all(fd, &stored_key_len, sizeof stored_key_len) &&
                  write_all(fd, key, key_len) && write_all(fd, &bin_size, sizeof bin_size) &&
                  write_all(fd, &checksum, sizeof checksum) && write_all(fd, binary, size);
        ok = close(fd) == 0 && ok;
        if (!ok || renameat(dir, tmp, dir, name) != 0)
            unlinkat(dir, tmp, 0);
    }
    close(dir);
}
