/* Tests of the OpenCL program cache on disk (hpk_cl.h, "Programs and the
 * program cache"):
 *   - across processes: a second process builds nothing, damaged entries are
 *     rebuilt, HPK_CL_CACHE=0 writes nothing;
 *   - its threat model: a forged entry (another program's binary under this
 *     program's key, with its checksum recomputed -- what an attacker who can
 *     write the directory would plant) is loaded when it sits in the cache as
 *     the user's own file, and refused when it comes through a symbolic link,
 *     is writable by group or others, has another owner, or sits in a cache
 *     directory that is a link, another user's, or writable by others; a
 *     FIFO does not hang a call; an oversized file is not read; an entry
 *     holding the wrong program is rebuilt and replaced; a process whose
 *     real and effective users differ uses no disk cache.
 * "Refused" is observed as a build from source (hpk_profile's build_s > 0)
 * with the right result; "loaded" as build_s == 0.  The tests write entries
 * in the cache's file layout (cl/cache.c): magic, key length, key, binary
 * size, checksum (FNV-1a of the binary), binary. */
#define _GNU_SOURCE /* setresuid */
#include "support.h"

#include <hpk/hpk_cl.h>

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *test_argv0;

#define MAGIC "HPKCLB02"
#define NOBODY 65534 /* another user, for the ownership checks when run as root */

static void set_env(const char *name, const char *value)
{
    if (value)
        setenv(name, value, 1);
    else
        unsetenv(name);
}

/* ---- temporary cache roots ---------------------------------------------------------- */

typedef struct root {
    char dir[64];      /* XDG_CACHE_HOME */
    char entries[128]; /* dir/hpk/opencl */
} root;

static void make_root(root *r)
{
    snprintf(r->dir, sizeof r->dir, "/tmp/hpk-cl-cache-test-XXXXXX");
    if (!mkdtemp(r->dir))
        fail_msg("mkdtemp failed");
    snprintf(r->entries, sizeof r->entries, "%s/hpk/opencl", r->dir);
}

static void remove_root(const root *r)
{
    char command[400];
    snprintf(command, sizeof command, "chmod -R u+rwX '%s' && rm -rf '%s'", r->dir, r->dir);
    assert_int_equal(system(command), 0);
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The paths of the entries in `dir` (up to 16), sorted; returns how many. */
static int list_entries(const char *dir, char paths[16][400])
{
    DIR *d = opendir(dir);
    int count = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d)) && count < 16;) {
        const size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".bin") == 0)
            snprintf(paths[count++], 400, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(paths, (size_t)count, 400, compare_paths);
    return count;
}

/* The entry that appeared in `dir` since `before` (count_before paths). */
static void new_entry(const char *dir, char before[16][400], int count_before, char *out)
{
    char now[16][400];
    const int count = list_entries(dir, now);
    assert_int_equal(count, count_before + 1);
    for (int i = 0; i < count; i++) {
        bool seen = false;
        for (int j = 0; j < count_before; j++)
            seen = seen || strcmp(now[i], before[j]) == 0;
        if (!seen) {
            strcpy(out, now[i]);
            return;
        }
    }
    fail_msg("no new entry in %s", dir);
}

/* ---- entries ---------------------------------------------------------------------------- */

typedef struct entry {
    char *key;
    unsigned char *binary;
    uint64_t key_len, size;
} entry;

static uint64_t fnv1a(const void *data, size_t size)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = data, *end = p + size; p < end; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return h;
}

static entry read_entry(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char magic[8];
    uint64_t checksum;
    entry e = {0};
    assert_int_equal(fread(magic, 1, 8, f), 8);
    assert_memory_equal(magic, MAGIC, 8);
    assert_int_equal(fread(&e.key_len, sizeof e.key_len, 1, f), 1);
    assert_true(e.key_len > 0 && e.key_len < 1 << 16);
    e.key = test_alloc(e.key_len);
    assert_int_equal(fread(e.key, 1, e.key_len, f), e.key_len);
    assert_int_equal(fread(&e.size, sizeof e.size, 1, f), 1);
    assert_int_equal(fread(&checksum, sizeof checksum, 1, f), 1);
    assert_true(e.size > 0 && e.size < 1 << 28);
    e.binary = test_alloc(e.size);
    assert_int_equal(fread(e.binary, 1, e.size, f), e.size);
    assert_int_equal(fgetc(f), EOF);
    fclose(f);
    assert_true(fnv1a(e.binary, e.size) == checksum);
    return e;
}

/* `key_of`'s key with `binary_of`'s binary, checksum recomputed, written to
 * path with `mode` (replacing whatever is there). */
static void write_forged(const char *path, const entry *key_of, const entry *binary_of, mode_t mode)
{
    unlink(path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    const uint64_t checksum = fnv1a(binary_of->binary, binary_of->size);
    assert_int_equal(fwrite(MAGIC, 1, 8, f), 8);
    assert_int_equal(fwrite(&key_of->key_len, sizeof key_of->key_len, 1, f), 1);
    assert_int_equal(fwrite(key_of->key, 1, key_of->key_len, f), key_of->key_len);
    assert_int_equal(fwrite(&binary_of->size, sizeof binary_of->size, 1, f), 1);
    assert_int_equal(fwrite(&checksum, sizeof checksum, 1, f), 1);
    assert_int_equal(fwrite(binary_of->binary, 1, binary_of->size, f), binary_of->size);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static void free_entry(entry *e)
{
    free(e->key);
    free(e->binary);
}

/* ---- calls on a fresh context with the cache in a root -------------------------------- */

#define N 1000

typedef struct outcome {
    double build_s;
    bool right; /* the result equals the exact one */
} outcome;

/* x_i = (i mod 13 - 6) / 4: every partial sum is exact, in any order. */
static double value(int i)
{
    return (double)(i % 13 - 6) * 0.25;
}

static double exact_sum(void)
{
    double s = 0.0;
    for (int i = 0; i < N; i++)
        s += value(i);
    return s;
}

typedef enum call { CALL_DSUM, CALL_SSUM, CALL_PI } call;

/* One call on a new OpenCL context with XDG_CACHE_HOME = r->dir. */
static outcome run(const root *r, call what)
{
    set_env("XDG_CACHE_HOME", r->dir);
    hpk_ctx *ctx = test_ctx(0);
    outcome o = {-1.0, false};
    if (what == CALL_DSUM) {
        double x[N], s = -1.0;
        for (int i = 0; i < N; i++)
            x[i] = value(i);
        assert_int_equal(hpk_dsum(ctx, N, x, 1, &s), HPK_SUCCESS);
        o.right = s == exact_sum();
    } else if (what == CALL_SSUM) {
        float x[N], s = -1.0f;
        for (int i = 0; i < N; i++)
            x[i] = (float)value(i);
        assert_int_equal(hpk_ssum(ctx, N, x, 1, &s), HPK_SUCCESS);
        o.right = s == (float)exact_sum();
    } else {
        hpk_ctx *serial = NULL;
        hpk_mc_result got, want;
        assert_int_equal(hpk_ctx_create(&serial, HPK_BACKEND_SERIAL), HPK_SUCCESS);
        assert_int_equal(hpk_mc_pi(ctx, 5000, 3, &got), HPK_SUCCESS);
        assert_int_equal(hpk_mc_pi(serial, 5000, 3, &want), HPK_SUCCESS);
        o.right = memcmp(&got, &want, sizeof got) == 0;
        hpk_ctx_destroy(serial);
    }
    hpk_profile p;
    assert_int_equal(hpk_ctx_last_profile(ctx, &p), HPK_SUCCESS);
    o.build_s = p.build_s;
    hpk_ctx_destroy(ctx);
    return o;
}

static void expect_built(outcome o, const char *what)
{
    if (!o.right || !(o.build_s > 0.0))
        fail_msg("%s: expected a build from source and the right result; build_s %g, result %s", what, o.build_s,
                 o.right ? "right" : "WRONG");
}

static void expect_loaded(outcome o, const char *what)
{
    if (o.build_s != 0.0)
        fail_msg("%s: expected the cached entry to be loaded; build_s %g", what, o.build_s);
}

/* A root whose cache holds the entries of dsum, ssum and pi, read back. */
typedef struct populated {
    root r;
    char dsum_path[400];
    entry dsum, ssum, pi;
} populated;

static void populate(populated *p)
{
    make_root(&p->r);
    char before[16][400], path[400];
    expect_built(run(&p->r, CALL_DSUM), "a cold cache");
    assert_int_equal(list_entries(p->r.entries, before), 1);
    strcpy(p->dsum_path, before[0]);
    p->dsum = read_entry(p->dsum_path);
    expect_built(run(&p->r, CALL_SSUM), "ssum on a cold cache");
    new_entry(p->r.entries, before, 1, path);
    p->ssum = read_entry(path);
    assert_int_equal(list_entries(p->r.entries, before), 2);
    expect_built(run(&p->r, CALL_PI), "pi on a cold cache");
    new_entry(p->r.entries, before, 2, path);
    p->pi = read_entry(path);
    expect_loaded(run(&p->r, CALL_DSUM), "a warm cache");
}

static void release(populated *p)
{
    free_entry(&p->dsum);
    free_entry(&p->ssum);
    free_entry(&p->pi);
    remove_root(&p->r);
}

/* ---- the threat model ---------------------------------------------------------------- */

/* The forgery works when the entry is the user's own private file (so the
 * tests below see a real attack being stopped), and is refused through a
 * symbolic link or with group/other write permission. */
static void test_forged_entry(void **state)
{
    (void)state;
    populated p;
    populate(&p);
    root attacker;
    make_root(&attacker);
    char planted[400];
    snprintf(planted, sizeof planted, "%s/forged.bin", attacker.dir);
    write_forged(planted, &p.dsum, &p.ssum, 0644);

    /* The user's own file: loaded, and the wrong program runs. */
    write_forged(p.dsum_path, &p.dsum, &p.ssum, 0600);
    const outcome own = run(&p.r, CALL_DSUM);
    expect_loaded(own, "a forged entry that is the user's own file");
    assert_false(own.right);

    /* Through a symbolic link: refused, rebuilt, and the link replaced by a
     * real entry without writing through it. */
    unlink(p.dsum_path);
    assert_int_equal(symlink(planted, p.dsum_path), 0);
    expect_built(run(&p.r, CALL_DSUM), "a forged entry through a symbolic link");
    struct stat st;
    assert_int_equal(lstat(p.dsum_path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    expect_loaded(run(&p.r, CALL_DSUM), "the entry that replaced the link");
    entry kept = read_entry(planted);
    assert_memory_equal(kept.binary, p.ssum.binary, p.ssum.size);
    free_entry(&kept);

    /* Writable by group or by others: refused. */
    static const mode_t modes[] = {0620, 0602, 0666};
    for (size_t k = 0; k < sizeof modes / sizeof modes[0]; k++) {
        write_forged(p.dsum_path, &p.dsum, &p.ssum, modes[k]);
        expect_built(run(&p.r, CALL_DSUM), "a forged entry writable by group or others");
    }

    /* Another user's file (only root can make one). */
    if (geteuid() == 0) {
        write_forged(p.dsum_path, &p.dsum, &p.ssum, 0600);
        assert_int_equal(chown(p.dsum_path, NOBODY, NOBODY), 0);
        expect_built(run(&p.r, CALL_DSUM), "a forged entry owned by another user");
    }
    remove_root(&attacker);
    release(&p);
}

/* Cache directories that are links, another user's, or writable by others
 * are not used: nothing is read from them and nothing is written to them. */
static void test_untrusted_directories(void **state)
{
    (void)state;
    populated p;
    populate(&p);
    char hpk_dir[200], path[600], listing[16][400];
    snprintf(hpk_dir, sizeof hpk_dir, "%s/hpk", p.r.dir);

    /* The attacker's tree: hpk/opencl with the forged entry under the same
     * name, reached through a link as hpk/opencl, then as hpk. */
    root attacker;
    make_root(&attacker);
    snprintf(path, sizeof path, "%s/hpk", attacker.dir);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(mkdir(attacker.entries, 0700), 0);
    snprintf(path, sizeof path, "%s/%s", attacker.entries, strrchr(p.dsum_path, '/') + 1);
    write_forged(path, &p.dsum, &p.ssum, 0600);

    char moved[400];
    snprintf(moved, sizeof moved, "%s/opencl.real", hpk_dir);
    assert_int_equal(rename(p.r.entries, moved), 0);
    assert_int_equal(symlink(attacker.entries, p.r.entries), 0);
    expect_built(run(&p.r, CALL_DSUM), "hpk/opencl a symbolic link to another directory");
    assert_int_equal(list_entries(attacker.entries, listing), 1); /* nothing written there */
    unlink(p.r.entries);
    assert_int_equal(rename(moved, p.r.entries), 0);

    char attacker_hpk[400];
    snprintf(attacker_hpk, sizeof attacker_hpk, "%s/hpk", attacker.dir);
    snprintf(moved, sizeof moved, "%s/hpk.real", p.r.dir);
    assert_int_equal(rename(hpk_dir, moved), 0);
    assert_int_equal(symlink(attacker_hpk, hpk_dir), 0);
    expect_built(run(&p.r, CALL_DSUM), "hpk a symbolic link to another directory");
    assert_int_equal(list_entries(attacker.entries, listing), 1);
    unlink(hpk_dir);
    assert_int_equal(rename(moved, hpk_dir), 0);

    /* The user's own directories, open to group or others, holding the
     * forged entry: not used (nor written to). */
    write_forged(p.dsum_path, &p.dsum, &p.ssum, 0600);
    static const mode_t modes[] = {0770, 0777, 0703};
    for (size_t k = 0; k < sizeof modes / sizeof modes[0]; k++) {
        for (int level = 0; level < 2; level++) {
            const char *dir = level == 0 ? p.r.entries : hpk_dir;
            assert_int_equal(chmod(dir, modes[k]), 0);
            expect_built(run(&p.r, CALL_DSUM), "a cache directory writable by group or others");
            assert_int_equal(chmod(dir, 0700), 0);
        }
    }
    /* Still the forged entry, loaded once the modes are private again: the
     * rebuilds above wrote nothing into those directories. */
    assert_false(run(&p.r, CALL_DSUM).right);

    /* Another user's directory (the reproducer's case when the victim is
     * root). */
    if (geteuid() == 0) {
        write_forged(p.dsum_path, &p.dsum, &p.ssum, 0600);
        for (int level = 0; level < 2; level++) {
            const char *dir = level == 0 ? p.r.entries : hpk_dir;
            assert_int_equal(chown(dir, NOBODY, NOBODY), 0);
            expect_built(run(&p.r, CALL_DSUM), "a cache directory owned by another user");
            assert_int_equal(chown(dir, 0, 0), 0);
        }
    }
    remove_root(&attacker);
    release(&p);
}

/* A FIFO where an entry belongs neither hangs the call nor stays. */
static void test_fifo_entry(void **state)
{
    (void)state;
    populated p;
    populate(&p);
    unlink(p.dsum_path);
    assert_int_equal(mkfifo(p.dsum_path, 0600), 0);
    alarm(300); /* a hang fails the test instead of stalling the suite */
    expect_built(run(&p.r, CALL_DSUM), "a FIFO in place of an entry");
    alarm(0);
    struct stat st;
    assert_int_equal(lstat(p.dsum_path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    expect_loaded(run(&p.r, CALL_DSUM), "the entry that replaced the FIFO");
    release(&p);
}

/* An entry with a valid key and checksum but another program's binary (its
 * kernels have other names) is rebuilt and replaced, not reported. */
static void test_relabelled_entry(void **state)
{
    (void)state;
    populated p;
    populate(&p);
    write_forged(p.dsum_path, &p.dsum, &p.pi, 0600);
    expect_built(run(&p.r, CALL_DSUM), "the pi program under the dsum key");
    expect_loaded(run(&p.r, CALL_DSUM), "the entry that replaced it");
    entry now = read_entry(p.dsum_path);
    assert_false(now.size == p.pi.size && !memcmp(now.binary, p.pi.binary, now.size));
    free_entry(&now);
    release(&p);
}

/* A file larger than the cache reads (256 MiB; sparse here) is not read. */
static void test_oversized_entry(void **state)
{
    (void)state;
    populated p;
    populate(&p);
    const int fd = open(p.dsum_path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)300 << 20), 0);
    close(fd);
    expect_built(run(&p.r, CALL_DSUM), "a 300 MiB entry");
    expect_loaded(run(&p.r, CALL_DSUM), "the entry that replaced it");
    release(&p);
}

/* ---- across processes ---------------------------------------------------------------- */

/* The child: a dot product and pi on a fresh context; writes the build
 * seconds they took to out_path.  Exit status 0 when the results are right. */
static int cache_child(const char *out_path)
{
    hpk_ctx *ctx = NULL, *serial = NULL;
    if (hpk_ctx_create(&ctx, HPK_BACKEND_OPENCL) != HPK_SUCCESS || hpk_ctx_create(&serial, HPK_BACKEND_SERIAL))
        return 2;
    double x[N], r = 0.0, build = 0.0, rev = 0.0;
    for (int i = 0; i < N; i++)
        x[i] = i % 7;
    hpk_profile p;
    if (hpk_ddot(ctx, N, x, 1, x, -1, &r) || hpk_ctx_last_profile(ctx, &p))
        return 3;
    build += p.build_s;
    for (int i = 0; i < N; i++)
        rev += x[i] * x[N - 1 - i];
    if (r != rev)
        return 4;
    hpk_mc_result got, ref;
    if (hpk_mc_pi(ctx, 20000, 7, &got) || hpk_ctx_last_profile(ctx, &p) || hpk_mc_pi(serial, 20000, 7, &ref))
        return 5;
    build += p.build_s;
    if (memcmp(&got, &ref, sizeof got) != 0)
        return 6;
    FILE *f = fopen(out_path, "w");
    if (!f)
        return 7;
    fprintf(f, "%.17g\n", build);
    fclose(f);
    hpk_ctx_destroy(ctx);
    hpk_ctx_destroy(serial);
    return 0;
}

/* Runs a child with the cache in r (HPK_CL_CACHE=flag unless NULL); returns
 * the build seconds it reports. */
static double run_child(const root *r, const char *flag)
{
    char out[300];
    snprintf(out, sizeof out, "%s/report", r->dir);
    set_env("XDG_CACHE_HOME", r->dir);
    set_env("HPK_CL_CACHE", flag);
    remove(out);
    char *argv[] = {(char *)test_argv0, (char *)test_backend_name, "--cache-child", out, NULL};
    pid_t pid;
    int status = -1;
    const int spawned = posix_spawn(&pid, test_argv0, NULL, NULL, argv, environ);
    if (spawned == 0)
        waitpid(pid, &status, 0);
    set_env("HPK_CL_CACHE", NULL);
    if (spawned != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("the cache child failed (spawn %d, status %d)", spawned, status);
    FILE *f = fopen(out, "r");
    double build = -1.0;
    if (!f || fscanf(f, "%lf", &build) != 1)
        fail_msg("the cache child wrote no report");
    fclose(f);
    return build;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void test_across_processes(void **state)
{
    (void)state;
    root r;
    make_root(&r);
    char paths[16][400];

    /* HPK_CL_CACHE=0: builds, writes nothing. */
    assert_true(run_child(&r, "0") > 0.0);
    assert_int_equal(list_entries(r.entries, paths), 0);

    /* A cold cache builds and writes private files in private directories;
     * the next process builds nothing. */
    assert_true(run_child(&r, NULL) > 0.0);
    const int count = list_entries(r.entries, paths);
    assert_int_equal(count, 2); /* reduce.cl (double) and mc_pi.cl */
    struct stat st;
    assert_int_equal(stat(r.entries, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(paths[0], &st), 0);
    assert_int_equal(st.st_mode & 0077, 0);
    assert_true(run_child(&r, NULL) == 0.0);

    /* Damaged entries -- a flipped byte, a truncated file, another program's
     * entry under this one's name -- are rebuilt and replaced. */
    for (int damage = 0; damage < 3; damage++) {
        for (int k = 0; k < count; k++) {
            const long size = file_size(paths[k]);
            assert_true(size > 64);
            if (damage == 0) {
                FILE *f = fopen(paths[k], "r+b");
                assert_non_null(f);
                fseek(f, size / 2, SEEK_SET);
                const int c = fgetc(f);
                fseek(f, size / 2, SEEK_SET);
                fputc(c ^ 0x5a, f);
                fclose(f);
            } else if (damage == 1) {
                assert_int_equal(truncate(paths[k], size / 3), 0);
            }
        }
        if (damage == 2) { /* the first entry's bytes under the second's name */
            FILE *in = fopen(paths[0], "rb"), *out = fopen(paths[1], "wb");
            assert_true(in && out);
            for (int c; (c = fgetc(in)) != EOF;)
                fputc(c, out);
            fclose(in);
            fclose(out);
        }
        assert_true(run_child(&r, NULL) > 0.0);
        assert_int_equal(list_entries(r.entries, paths), count);
        assert_true(run_child(&r, NULL) == 0.0);
    }
    remove_root(&r);
}

/* ---- a process whose real and effective users differ ------------------------------- */

/* The child: real user root, effective user nobody (what a set-user-ID
 * program owned by nobody has when root runs it), with a cache root it may
 * write.  Two contexts in a row must both build from source, and nothing may
 * appear under the cache root. */
static int mixed_uid_child(const char *dir)
{
    if (setresuid(0, NOBODY, 0) != 0)
        return 2;
    root r;
    snprintf(r.dir, sizeof r.dir, "%s", dir);
    snprintf(r.entries, sizeof r.entries, "%s/hpk/opencl", dir);
    for (int k = 0; k < 2; k++) {
        hpk_ctx *ctx = NULL;
        double x[N], s = 0.0;
        for (int i = 0; i < N; i++)
            x[i] = value(i);
        hpk_profile p;
        if (hpk_ctx_create(&ctx, HPK_BACKEND_OPENCL) || hpk_dsum(ctx, N, x, 1, &s) ||
            hpk_ctx_last_profile(ctx, &p)) {
            fprintf(stderr, "%s\n", hpk_ctx_error_message(ctx));
            return 3;
        }
        if (s != exact_sum() || !(p.build_s > 0.0))
            return 4;
        hpk_ctx_destroy(ctx);
    }
    char hpk_dir[200];
    snprintf(hpk_dir, sizeof hpk_dir, "%s/hpk", dir);
    struct stat st;
    return stat(hpk_dir, &st) == 0 ? 5 : 0;
}

static void test_mixed_user_ids(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip(); /* only root can make such a process without a set-user-ID file */
    root r;
    make_root(&r);
    char driver[200];
    snprintf(driver, sizeof driver, "%s/pocl", r.dir);
    assert_int_equal(mkdir(driver, 0777), 0);
    assert_int_equal(chmod(driver, 0777), 0);
    assert_int_equal(chmod(r.dir, 0777), 0); /* nobody could make hpk/ here */
    set_env("XDG_CACHE_HOME", r.dir);
    char *saved_driver = strdup(getenv("POCL_CACHE_DIR"));
    const char *saved_asan = getenv("ASAN_OPTIONS");
    char *asan = saved_asan ? strdup(saved_asan) : NULL;
    set_env("POCL_CACHE_DIR", driver);
    /* A process with mixed user IDs is not dumpable, and LeakSanitizer's
     * scan (which ptraces it) fails there. */
    set_env("ASAN_OPTIONS", "detect_leaks=0");
    char *argv[] = {(char *)test_argv0, (char *)test_backend_name, "--mixed-uid-child", r.dir, NULL};
    pid_t pid;
    int status = -1;
    assert_int_equal(posix_spawn(&pid, test_argv0, NULL, NULL, argv, environ), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    set_env("POCL_CACHE_DIR", saved_driver);
    set_env("ASAN_OPTIONS", asan);
    free(saved_driver);
    free(asan);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("the child with real user 0 and effective user %d failed: status %d", NOBODY, status);
    remove_root(&r);
}

int main(int argc, char **argv)
{
    test_argv0 = argv[0];
    if (test_parse_backend(argc, argv))
        return 1;
    if (argc == 4 && strcmp(argv[2], "--cache-child") == 0)
        return cache_child(argv[3]);
    if (argc == 4 && strcmp(argv[2], "--mixed-uid-child") == 0)
        return mixed_uid_child(argv[3]);
    if (test_backend != HPK_BACKEND_OPENCL) {
        fprintf(stderr, "%s tests the OpenCL backend only\n", argv[0]);
        return 1;
    }
    set_env("HPK_CL_CACHE", NULL);
    /* PoCL picks its own cache directory once per process, from
     * XDG_CACHE_HOME unless POCL_CACHE_DIR is set: give it one that outlives
     * the tests' roots. */
    root driver;
    make_root(&driver);
    set_env("POCL_CACHE_DIR", driver.dir);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_across_processes),
        cmocka_unit_test(test_forged_entry),
        cmocka_unit_test(test_untrusted_directories),
        cmocka_unit_test(test_fifo_entry),
        cmocka_unit_test(test_relabelled_entry),
        cmocka_unit_test(test_oversized_entry),
        cmocka_unit_test(test_mixed_user_ids),
    };
    const int failed = cmocka_run_group_tests_name("OpenCL program cache", tests, NULL, NULL);
    remove_root(&driver);
    return failed;
}
