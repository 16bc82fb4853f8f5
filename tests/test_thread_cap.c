/* The thread cap (hpk.h, hpk_ctx_set_num_threads): a context asked for
 * 100000 threads, in a process whose user may run only a few more tasks
 * (RLIMIT_NPROC), computes the right results and neither prints nor exits.
 * Without the cap the OpenMP runtime would try to start 100000 threads
 * (libgomp: up to its own limit), fail, print "Thread creation failed" and
 * exit the process.  The limited process is a child of the test, run as
 * "nobody" when the test runs as root (root ignores RLIMIT_NPROC) -- from a
 * world-readable copy of the program and of the libraries it loaded from
 * outside the system's directories (libhpk.so.0 of the build tree), since
 * a build tree under a private directory (a clone in /root, mode 700) is
 * out of nobody's reach. */
#define _GNU_SOURCE /* setgroups */
#include "support.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <link.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOBODY 65534
#define HUGE_REQUEST 100000

/* ---- the limited child --------------------------------------------------------------- */

/* Every call that starts threads, on a context asked for HUGE_REQUEST
 * threads, against the serial backend bit for bit.  Exit status 0 when all
 * agree. */
static int child(void)
{
    hpk_ctx *big = NULL, *serial = NULL;
    if (hpk_ctx_create(&big, HPK_BACKEND_OPENMP) || hpk_ctx_create(&serial, HPK_BACKEND_SERIAL) ||
        hpk_ctx_set_num_threads(big, HUGE_REQUEST) || hpk_ctx_get_num_threads(big) != HUGE_REQUEST)
        return 2;
    enum { M = 700, N = 900 };
    double *a = test_alloc(sizeof(double) * M * N), x[N], y[M], y_ref[M];
    test_seed(11);
    test_fill_d(a, (size_t)M * N, -1.0, 1.0);
    test_fill_d(x, N, -1.0, 1.0);
    test_fill_d(y, M, -1.0, 1.0);
    memcpy(y_ref, y, sizeof y);
    if (hpk_dgemv(big, HPK_ROW_MAJOR, HPK_NO_TRANS, M, N, 0.5, a, N, x, 1, -2.0, y, 1) ||
        hpk_dgemv(serial, HPK_ROW_MAJOR, HPK_NO_TRANS, M, N, 0.5, a, N, x, 1, -2.0, y_ref, 1) ||
        memcmp(y, y_ref, sizeof y) != 0)
        return 3;
    double s = 0.0, s_ref = 1.0;
    if (hpk_dsum(big, (int64_t)M * N, a, 1, &s) || hpk_dsum(serial, (int64_t)M * N, a, 1, &s_ref) || s != s_ref)
        return 4;
    hpk_mc_result pi, pi_ref;
    if (hpk_mc_pi(big, 1 << 20, 5, &pi) || hpk_mc_pi(serial, 1 << 20, 5, &pi_ref) ||
        memcmp(&pi, &pi_ref, sizeof pi) != 0)
        return 5;
    free(a);
    hpk_ctx_destroy(big);
    hpk_ctx_destroy(serial);
    return 0;
}

/* ---- a copy the child can run as nobody ------------------------------------------------- */

/* Copies file `from` to `to` with `mode`; false (errno set) on failure. */
static bool copy_file(const char *from, const char *to, mode_t mode)
{
    const int in = open(from, O_RDONLY), out = in < 0 ? -1 : open(to, O_WRONLY | O_CREAT | O_TRUNC, mode);
    bool ok = in >= 0 && out >= 0;
    char buf[1 << 16];
    for (ssize_t r; ok && (r = read(in, buf, sizeof buf)) != 0;)
        ok = r > 0 && write(out, buf, (size_t)r) == r;
    const int saved = errno;
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0)
        ok = false;
    errno = saved;
    return ok && chmod(to, mode) == 0;
}

typedef struct copy_dir {
    char path[64];     /* the directory */
    char failed[300];  /* what could not be copied, if anything */
} copy_dir;

/* dl_iterate_phdr's callback: a loaded object from outside the system's
 * directories (its name as the loader found it: the soname's file) copied
 * into the directory. */
static int copy_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    copy_dir *d = data;
    const char *name = info->dlpi_name, *base = name ? strrchr(name, '/') : NULL;
    if (!base || name[0] != '/' || !strncmp(name, "/usr/", 5) || !strncmp(name, "/lib", 4) || d->failed[0])
        return 0;
    char to[400];
    snprintf(to, sizeof to, "%s%s", d->path, base);
    if (!copy_file(name, to, 0644))
        snprintf(d->failed, sizeof d->failed, "%s: %s", name, strerror(errno));
    return 0;
}

/* Fills d with a fresh directory under /tmp (mode 755) holding this program
 * and its non-system libraries; false, with d->failed saying why, if not. */
static bool copy_for_nobody(copy_dir *d)
{
    memset(d, 0, sizeof *d);
    snprintf(d->path, sizeof d->path, "/tmp/hpk-thread-cap.XXXXXX");
    if (!mkdtemp(d->path) || chmod(d->path, 0755) != 0) {
        snprintf(d->failed, sizeof d->failed, "a directory in /tmp: %s", strerror(errno));
        return false;
    }
    char exe[400];
    snprintf(exe, sizeof exe, "%s/test_thread_cap", d->path);
    if (!copy_file("/proc/self/exe", exe, 0755))
        snprintf(d->failed, sizeof d->failed, "/proc/self/exe: %s", strerror(errno));
    else
        dl_iterate_phdr(copy_object, d);
    return !d->failed[0];
}

/* Removes the copy (its files, then the directory). */
static void remove_copy(const copy_dir *d)
{
    DIR *dir = opendir(d->path);
    if (dir) {
        for (struct dirent *e; (e = readdir(dir));) {
            char path[400];
            snprintf(path, sizeof path, "%s/%s", d->path, e->d_name);
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                unlink(path);
        }
        closedir(dir);
    }
    rmdir(d->path);
}

/* ---- the test ---------------------------------------------------------------------------- */

/* Tasks (threads) now running with real user `uid`: what RLIMIT_NPROC counts. */
static long tasks_of(uid_t uid)
{
    DIR *proc = opendir("/proc");
    assert_non_null(proc);
    long total = 0;
    for (struct dirent *e; (e = readdir(proc));) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[300], line[256];
        snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue; /* gone meanwhile */
        long real_uid = -1, threads = 0;
        while (fgets(line, sizeof line, f)) {
            if (!strncmp(line, "Uid:", 4))
                real_uid = strtol(line + 4, NULL, 10);
            else if (!strncmp(line, "Threads:", 8))
                threads = strtol(line + 8, NULL, 10);
        }
        fclose(f);
        if (real_uid == (long)uid)
            total += threads;
    }
    closedir(proc);
    return total;
}

static void test_huge_request_under_process_limit(void **state)
{
    (void)state;
    const bool as_root = geteuid() == 0;
    const uid_t user = as_root ? NOBODY : getuid();
    cpu_set_t cpus;
    assert_int_equal(sched_getaffinity(0, sizeof cpus, &cpus), 0);
    /* Room for the CPUs' threads and some slack (sanitizer helpers, tasks of
     * the same user starting meanwhile), far below what an uncapped request
     * asks for. */
    const rlim_t limit = (rlim_t)(tasks_of(user) + CPU_COUNT(&cpus) + 16);
    assert_true(limit < 1000);

    copy_dir copy = {{0}, {0}};
    if (as_root && !copy_for_nobody(&copy)) {
        remove_copy(&copy);
        fprintf(stderr, "skipped: cannot copy the program for uid %d (%s)\n", NOBODY, copy.failed);
        skip();
    }

    int out[2];
    assert_int_equal(pipe(out), 0);
    const pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        dup2(out[1], STDERR_FILENO);
        close(out[0]);
        close(out[1]);
        /* The default thread count (the CPUs), and no leak scan: LeakSanitizer
         * stops the world with a helper task of its own. */
        unsetenv("OMP_NUM_THREADS");
        setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
        if (as_root && (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 || setuid(NOBODY) != 0)) {
            printf("cannot become uid %d: %s\n", NOBODY, strerror(errno));
            _exit(126);
        }
        const struct rlimit rl = {limit, limit};
        if (setrlimit(RLIMIT_NPROC, &rl) != 0) {
            printf("setrlimit(RLIMIT_NPROC, %lu): %s\n", (unsigned long)limit, strerror(errno));
            _exit(126);
        }
        char *argv[] = {"test_thread_cap", "openmp", "--limited-child", NULL};
        if (as_root) { /* the copy, with its libraries first */
            char exe[400];
            snprintf(exe, sizeof exe, "%s/test_thread_cap", copy.path);
            setenv("LD_LIBRARY_PATH", copy.path, 1);
            execv(exe, argv);
        } else
            execv("/proc/self/exe", argv);
        printf("cannot run the test program as uid %d: %s\n", (int)getuid(), strerror(errno));
        _exit(127);
    }
    close(out[1]);
    char output[4096];
    size_t used = 0;
    for (ssize_t r; (r = read(out[0], output + used, sizeof output - 1 - used)) != 0;) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        used += (size_t)r;
        if (used == sizeof output - 1)
            break;
    }
    output[used] = '\0';
    close(out[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (as_root)
        remove_copy(&copy);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || used != 0)
        fail_msg("with RLIMIT_NPROC %lu for uid %d, a context asked for %d threads: %s %d, output \"%s\"",
                 (unsigned long)limit, (int)user, HUGE_REQUEST, WIFEXITED(status) ? "exit status" : "signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), output);
}

int main(int argc, char **argv)
{
    if (test_parse_backend(argc, argv))
        return 1;
    if (argc == 3 && strcmp(argv[2], "--limited-child") == 0)
        return child();
    if (test_backend != HPK_BACKEND_OPENMP) {
        fprintf(stderr, "%s tests the OpenMP backend only\n", argv[0]);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_huge_request_under_process_limit),
    };
    return cmocka_run_group_tests_name("thread cap", tests, NULL, NULL);
}
