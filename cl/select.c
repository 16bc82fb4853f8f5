/* Device selection: the platform and device that a selection string names
 * ("P:D", "gpu", "cpu", "accelerator", or part of a device name). */
#include "cl_backend.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PLATFORMS 16
#define MAX_DEVICES 32

typedef struct listing {
    cl_uint nplatforms;
    cl_platform_id platforms[MAX_PLATFORMS];
    cl_uint ndevices[MAX_PLATFORMS];
    cl_device_id devices[MAX_PLATFORMS][MAX_DEVICES];
} listing;

static hpk_status list_devices(const char *fn, listing *l)
{
    cl_uint count = 0;
    cl_int err = clGetPlatformIDs(MAX_PLATFORMS, l->platforms, &count);
    if (err == -1001 /* CL_PLATFORM_NOT_FOUND_KHR */ || (err == CL_SUCCESS && count == 0))
        return hpk__fail(NULL, HPK_ERR_NO_DEVICE,
                         "%s: no OpenCL platform is installed (for the CPU as a device, install pocl-opencl-icd)",
                         fn);
    if (err != CL_SUCCESS)
        return hpk__cl_fail(NULL, fn, "clGetPlatformIDs", err);
    l->nplatforms = count < MAX_PLATFORMS ? count : MAX_PLATFORMS;
    for (cl_uint p = 0; p < l->nplatforms; p++) {
        cl_uint n = 0;
        err = clGetDeviceIDs(l->platforms[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES, l->devices[p], &n);
        if (err == CL_DEVICE_NOT_FOUND)
            n = 0;
        else if (err != CL_SUCCESS)
            return hpk__cl_fail(NULL, fn, "clGetDeviceIDs", err);
        l->ndevices[p] = n < MAX_DEVICES ? n : MAX_DEVICES;
    }
    return HPK_SUCCESS;
}

static cl_device_type device_type(cl_device_id d)
{
    cl_device_type type = 0;
    clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof type, &type, NULL);
    return type;
}

static void device_name(cl_device_id d, char *name, size_t size)
{
    name[0] = '\0';
    if (clGetDeviceInfo(d, CL_DEVICE_NAME, size, name, NULL) != CL_SUCCESS)
        name[0] = '\0';
    name[size - 1] = '\0';
}

static bool contains_ignoring_case(const char *text, const char *part)
{
    const size_t n = strlen(part);
    for (; *text; text++) {
        size_t k = 0;
        while (k < n && text[k] && tolower((unsigned char)text[k]) == tolower((unsigned char)part[k]))
            k++;
        if (k == n)
            return true;
    }
    return n == 0;
}

static bool equals_ignoring_case(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    return *a == *b;
}

/* "P:D" with decimal indices, nothing else. */
static bool parse_indices(const char *spec, unsigned long *p, unsigned long *d)
{
    char *end;
    if (!isdigit((unsigned char)spec[0]))
        return false;
    *p = strtoul(spec, &end, 10);
    if (*end != ':' || !isdigit((unsigned char)end[1]))
        return false;
    *d = strtoul(end + 1, &end, 10);
    return *end == '\0';
}

/* The first device, in listing order, that `match` accepts. */
static bool find_first(const listing *l, bool (*match)(cl_device_id, const void *), const void *arg,
                       cl_uint *p_out, cl_uint *d_out)
{
    for (cl_uint p = 0; p < l->nplatforms; p++)
        for (cl_uint d = 0; d < l->ndevices[p]; d++)
            if (match(l->devices[p][d], arg)) {
                *p_out = p;
                *d_out = d;
                return true;
            }
    return false;
}

static bool match_type(cl_device_id d, const void *type)
{
    return (device_type(d) & *(const cl_device_type *)type) != 0;
}

static bool match_any(cl_device_id d, const void *unused)
{
    (void)d;
    (void)unused;
    return true;
}

static bool match_name(cl_device_id d, const void *part)
{
    char name[256];
    device_name(d, name, sizeof name);
    return contains_ignoring_case(name, part);
}

/* "0:0 \"name\", 0:1 \"name\"" for the error message. */
static void describe_devices(const listing *l, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (cl_uint p = 0; p < l->nplatforms; p++)
        for (cl_uint d = 0; d < l->ndevices[p] && used < size; d++) {
            char name[128];
            device_name(l->devices[p][d], name, sizeof name);
            const int w = snprintf(out + used, size - used, "%s%u:%u \"%s\"", used ? ", " : "", p, d, name);
            used += w > 0 ? (size_t)w : 0;
        }
    if (!out[0])
        snprintf(out, size, "none");
}

hpk_status hpk__cl_select(const char *fn, const char *spec, cl_platform_id *platform, cl_device_id *device)
{
    const char *origin = "";
    if (!spec || !spec[0]) {
        spec = hpk__getenv("HPK_CL_DEVICE");
        origin = " (from HPK_CL_DEVICE)";
        if (spec && !spec[0])
            spec = NULL;
    }
    listing l;
    hpk_status st = list_devices(fn, &l);
    if (st != HPK_SUCCESS)
        return st;

    cl_uint p = 0, d = 0;
    bool found;
    unsigned long pi, di;
    if (!spec) {
        const cl_device_type gpu = CL_DEVICE_TYPE_GPU;
        found = find_first(&l, match_type, &gpu, &p, &d) || find_first(&l, match_any, NULL, &p, &d);
    } else if (parse_indices(spec, &pi, &di)) {
        found = pi < l.nplatforms && di < l.ndevices[pi];
        p = (cl_uint)pi;
        d = (cl_uint)di;
    } else if (equals_ignoring_case(spec, "gpu") || equals_ignoring_case(spec, "cpu") ||
               equals_ignoring_case(spec, "accelerator")) {
        const cl_device_type type = equals_ignoring_case(spec, "gpu")   ? CL_DEVICE_TYPE_GPU
                                    : equals_ignoring_case(spec, "cpu") ? CL_DEVICE_TYPE_CPU
                                                                        : CL_DEVICE_TYPE_ACCELERATOR;
        found = find_first(&l, match_type, &type, &p, &d);
    } else {
        found = find_first(&l, match_name, spec, &p, &d);
    }
    if (!found) {
        char devices[400];
        describe_devices(&l, devices, sizeof devices);
        if (!spec)
            return hpk__fail(NULL, HPK_ERR_NO_DEVICE, "%s: the OpenCL platforms have no device", fn);
        return hpk__fail(NULL, HPK_ERR_NO_DEVICE,
                         "%s: no OpenCL device matches \"%s\"%s; use \"P:D\", \"gpu\", \"cpu\", \"accelerator\" or "
                         "part of a name (devices: %s)",
                         fn, spec, origin, devices);
    }
    *platform = l.platforms[p];
    *device = l.devices[p][d];
    return HPK_SUCCESS;
}
