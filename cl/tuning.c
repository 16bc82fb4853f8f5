/* Per-device choices, made once when a context is created: the kernel
 * family, the work-group size, how many work-groups a reduction uses, the
 * vector widths; fp64; and the identity string the disk cache keys on.
 * HPK_CL_KERNELS, HPK_CL_WGS and HPK_CL_NO_FP64 override the defaults. */
#include "cl_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CPU_WGS 64   /* CPU drivers run a group's work-items in one thread */
#define GPU_WGS 256
#define CPU_GROUPS_PER_UNIT 4
#define GPU_GROUPS_PER_UNIT 8

static void info_string(cl_device_id d, cl_device_info what, char *out, size_t size)
{
    if (clGetDeviceInfo(d, what, size, out, NULL) != CL_SUCCESS)
        out[0] = '\0';
    out[size - 1] = '\0';
}

static void platform_string(cl_platform_id p, cl_platform_info what, char *out, size_t size)
{
    if (clGetPlatformInfo(p, what, size, out, NULL) != CL_SUCCESS)
        out[0] = '\0';
    out[size - 1] = '\0';
}

static bool is_power_of_two(size_t v)
{
    return v && !(v & (v - 1));
}

static size_t floor_power_of_two(size_t v)
{
    size_t p = 1;
    while (p * 2 <= v)
        p *= 2;
    return p;
}

/* A preferred vector width as one of the CPU family's 2, 4, 8, 16. */
static int lanes(cl_uint preferred)
{
    return preferred >= 16 ? 16 : preferred >= 8 ? 8 : preferred >= 4 ? 4 : preferred >= 2 ? (int)preferred : 4;
}

static bool env_flag(const char *name)
{
    const char *v = hpk__getenv(name);
    return v && v[0] && strcmp(v, "0") != 0;
}

hpk_status hpk__cl_tune(const char *fn, hpk__cl_state *s)
{
    cl_device_id d = s->device;
    cl_device_type type = 0;
    cl_uint units = 1, pref_d = 0, pref_s = 0;
    size_t max_wgs = 1, item_sizes[3] = {1, 1, 1};
    cl_ulong local_mem = 0;
    cl_device_fp_config fp64 = 0;
    cl_int err = clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof type, &type, NULL);
    if (err == CL_SUCCESS)
        err = clGetDeviceInfo(d, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units, &units, NULL);
    if (err == CL_SUCCESS)
        err = clGetDeviceInfo(d, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof max_wgs, &max_wgs, NULL);
    if (err == CL_SUCCESS)
        err = clGetDeviceInfo(d, CL_DEVICE_MAX_WORK_ITEM_SIZES, sizeof item_sizes, item_sizes, NULL);
    if (err == CL_SUCCESS)
        err = clGetDeviceInfo(d, CL_DEVICE_LOCAL_MEM_SIZE, sizeof local_mem, &local_mem, NULL);
    if (err == CL_SUCCESS)
        err = clGetDeviceInfo(d, CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT, sizeof pref_s, &pref_s, NULL);
    if (err != CL_SUCCESS)
        return hpk__cl_fail(NULL, fn, "clGetDeviceInfo", err);
    /* Both may fail or give 0 on a device without fp64. */
    if (clGetDeviceInfo(d, CL_DEVICE_DOUBLE_FP_CONFIG, sizeof fp64, &fp64, NULL) != CL_SUCCESS)
        fp64 = 0;
    if (clGetDeviceInfo(d, CL_DEVICE_PREFERRED_VECTOR_WIDTH_DOUBLE, sizeof pref_d, &pref_d, NULL) != CL_SUCCESS)
        pref_d = 0;

    s->fp64 = fp64 != 0 && !env_flag("HPK_CL_NO_FP64");
    s->fp64_hidden = fp64 != 0 && !s->fp64;

    hpk__cl_tuning *t = &s->tune;
    t->cpu_kernels = (type & CL_DEVICE_TYPE_CPU) != 0;
    const char *family = hpk__getenv("HPK_CL_KERNELS");
    if (family && family[0]) {
        if (strcmp(family, "cpu") != 0 && strcmp(family, "gpu") != 0)
            return hpk__fail(NULL, HPK_ERR_INVALID_ARG, "%s: HPK_CL_KERNELS is \"%s\"; use \"cpu\" or \"gpu\"", fn,
                             family);
        t->cpu_kernels = strcmp(family, "cpu") == 0;
    }

    /* The largest group every kernel can run: the device's limits, and local
     * memory for the widest tree (three doubles per work-item). */
    size_t limit = max_wgs < item_sizes[0] ? max_wgs : item_sizes[0];
    while (limit > 1 && 3 * sizeof(double) * limit + 256 > local_mem)
        limit /= 2;
    limit = floor_power_of_two(limit);
    const char *wgs = hpk__getenv("HPK_CL_WGS");
    if (wgs && wgs[0]) {
        char *end;
        const unsigned long v = strtoul(wgs, &end, 10);
        if (*end || !is_power_of_two(v) || v > limit)
            return hpk__fail(NULL, HPK_ERR_INVALID_ARG,
                             "%s: HPK_CL_WGS is \"%s\"; it must be a power of two from 1 to %zu on this device", fn,
                             wgs, limit);
        t->wgs = v;
    } else {
        const size_t want = t->cpu_kernels ? CPU_WGS : GPU_WGS;
        t->wgs = want < limit ? want : limit;
    }

    t->groups = (size_t)(units ? units : 1) * (t->cpu_kernels ? CPU_GROUPS_PER_UNIT : GPU_GROUPS_PER_UNIT);
    if (t->groups > 4096)
        t->groups = 4096;
    t->vec_d = t->cpu_kernels ? lanes(pref_d ? pref_d : pref_s / 2) : 1;
    t->vec_s = t->cpu_kernels ? lanes(pref_s) : 1;
    t->rows = 4;
    t->axpy_vecs = 8;
    t->axpy_rows = 8;

    info_string(d, CL_DEVICE_NAME, s->device_name, sizeof s->device_name);
    char version[128], driver[128], platform[128], platform_version[128];
    info_string(d, CL_DEVICE_VERSION, version, sizeof version);
    info_string(d, CL_DRIVER_VERSION, driver, sizeof driver);
    platform_string(s->platform, CL_PLATFORM_NAME, platform, sizeof platform);
    platform_string(s->platform, CL_PLATFORM_VERSION, platform_version, sizeof platform_version);
    snprintf(s->identity, sizeof s->identity, "device: %s\ndevice version: %s\ndriver: %s\nplatform: %s %s",
             s->device_name, version, driver, platform, platform_version);
    return HPK_SUCCESS;
}
