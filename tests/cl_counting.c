/* Stand-ins for the OpenCL functions that create, retain and release
 * objects: each forwards to the ICD loader (dlsym RTLD_NEXT) and, when its
 * caller lies in libhpk, counts the object.  The test executable exports these symbols, so
 * libhpk's calls bind here first. */
#define _GNU_SOURCE
#define CL_TARGET_OPENCL_VERSION 120
#include "cl_counting.h"

#include <CL/cl.h>
#include <dlfcn.h>
#include <string.h>

const char *const cl_kind_names[CL_KIND_COUNT] = {"context", "queue", "buffer", "program", "kernel", "event"};

static cl_counts counts;
static int seen_hpk_call;

cl_counts cl_counts_now(void)
{
    return counts;
}

int cl_counting_active(void)
{
    return seen_hpk_call;
}

static int from_hpk(const void *caller)
{
    Dl_info info;
    const int yes = dladdr(caller, &info) && info.dli_fname && strstr(info.dli_fname, "libhpk") != NULL;
    seen_hpk_call |= yes;
    return yes;
}

#define REAL(name)                                                \
    static __typeof__(&name) real;                                \
    if (!real)                                                    \
        real = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

#define CALLER __builtin_return_address(0)

static void created(cl_kind kind, cl_int err, const void *caller)
{
    if (err == CL_SUCCESS && from_hpk(caller))
        counts.created[kind]++;
}

static cl_int released(cl_kind kind, cl_int err, const void *caller)
{
    if (err == CL_SUCCESS && from_hpk(caller))
        counts.released[kind]++;
    return err;
}

cl_context clCreateContext(const cl_context_properties *properties, cl_uint num_devices, const cl_device_id *devices,
                           void(CL_CALLBACK *notify)(const char *, const void *, size_t, void *), void *user_data,
                           cl_int *errcode_ret)
{
    REAL(clCreateContext);
    cl_int err;
    cl_context c = real(properties, num_devices, devices, notify, user_data, &err);
    created(CL_KIND_CONTEXT, err, CALLER);
    if (errcode_ret)
        *errcode_ret = err;
    return c;
}

cl_command_queue clCreateCommandQueue(cl_context context, cl_device_id device, cl_command_queue_properties properties,
                                      cl_int *errcode_ret)
{
    REAL(clCreateCommandQueue);
    cl_int err;
    cl_command_queue q = real(context, device, properties, &err);
    created(CL_KIND_QUEUE, err, CALLER);
    if (errcode_ret)
        *errcode_ret = err;
    return q;
}

cl_mem clCreateBuffer(cl_context context, cl_mem_flags flags, size_t size, void *host_ptr, cl_int *errcode_ret)
{
    REAL(clCreateBuffer);
    cl_int err;
    cl_mem m = real(context, flags, size, host_ptr, &err);
    created(CL_KIND_BUFFER, err, CALLER);
    if (errcode_ret)
        *errcode_ret = err;
    return m;
}

cl_program clCreateProgramWithSource(cl_context context, cl_uint count, const char **strings, const size_t *lengths,
                                     cl_int *errcode_ret)
{
    REAL(clCreateProgramWithSource);
    cl_int err;
    cl_program p = real(context, count, strings, lengths, &err);
    created(CL_KIND_PROGRAM, err, CALLER);
    if (errcode_ret)
        *errcode_ret = err;
    return p;
}

cl_program clCreateProgramWithBinary(cl_context context, cl_uint num_devices, const cl_device_id *device_list,
                                     const size_t *lengths, const unsigned char **binaries, cl_int *binary_status,
                                     cl_int *errcode_ret)
{
    REAL(clCreateProgramWithBinary);
    cl_int err;
    cl_program p = real(context, num_devices, device_list, lengths, binaries, binary_status, &err);
    created(CL_KIND_PROGRAM, err, CALLER);
    if (errcode_ret)
        *errcode_ret = err;
    return p;
}

cl_int clBuildProgram(cl_program program, cl_uint num_devices, const cl_device_id *device_list, const char *options,
                      void(CL_CALLBACK *notify)(cl_program, void *), void *user_data)
{
    REAL(clBuildProgram);
    if (from_hpk(CALLER))
        counts.builds++;
    return real(program, num_devices, device_list, options, notify, user_data);
}

cl_kernel clCreateKernel(cl_program program, const char *kernel_name, cl_int *errcode_ret)
{
    REAL(clCreateKernel);
    cl_int err;
    cl_kernel k = real(program, kernel_name, &err);
    created(CL_KIND_KERNEL, err, CALLER);
    if (errcode_ret)
        *errcode_ret = err;
    return k;
}

/* Commands that can return an event. */
static void event_out(cl_int err, const cl_event *event, const void *caller)
{
    if (event)
        created(CL_KIND_EVENT, err, caller);
}

cl_int clEnqueueNDRangeKernel(cl_command_queue queue, cl_kernel kernel, cl_uint work_dim, const size_t *offset,
                              const size_t *global, const size_t *local, cl_uint num_events,
                              const cl_event *wait_list, cl_event *event)
{
    REAL(clEnqueueNDRangeKernel);
    const cl_int err = real(queue, kernel, work_dim, offset, global, local, num_events, wait_list, event);
    event_out(err, event, CALLER);
    return err;
}

cl_int clEnqueueReadBuffer(cl_command_queue queue, cl_mem buffer, cl_bool blocking, size_t offset, size_t size,
                           void *ptr, cl_uint num_events, const cl_event *wait_list, cl_event *event)
{
    REAL(clEnqueueReadBuffer);
    const cl_int err = real(queue, buffer, blocking, offset, size, ptr, num_events, wait_list, event);
    event_out(err, event, CALLER);
    return err;
}

cl_int clEnqueueWriteBuffer(cl_command_queue queue, cl_mem buffer, cl_bool blocking, size_t offset, size_t size,
                            const void *ptr, cl_uint num_events, const cl_event *wait_list, cl_event *event)
{
    REAL(clEnqueueWriteBuffer);
    const cl_int err = real(queue, buffer, blocking, offset, size, ptr, num_events, wait_list, event);
    event_out(err, event, CALLER);
    return err;
}

cl_int clEnqueueReadBufferRect(cl_command_queue queue, cl_mem buffer, cl_bool blocking, const size_t *buffer_origin,
                               const size_t *host_origin, const size_t *region, size_t buffer_row_pitch,
                               size_t buffer_slice_pitch, size_t host_row_pitch, size_t host_slice_pitch, void *ptr,
                               cl_uint num_events, const cl_event *wait_list, cl_event *event)
{
    REAL(clEnqueueReadBufferRect);
    const cl_int err = real(queue, buffer, blocking, buffer_origin, host_origin, region, buffer_row_pitch,
                            buffer_slice_pitch, host_row_pitch, host_slice_pitch, ptr, num_events, wait_list, event);
    event_out(err, event, CALLER);
    return err;
}

cl_int clEnqueueWriteBufferRect(cl_command_queue queue, cl_mem buffer, cl_bool blocking, const size_t *buffer_origin,
                                const size_t *host_origin, const size_t *region, size_t buffer_row_pitch,
                                size_t buffer_slice_pitch, size_t host_row_pitch, size_t host_slice_pitch,
                                const void *ptr, cl_uint num_events, const cl_event *wait_list, cl_event *event)
{
    REAL(clEnqueueWriteBufferRect);
    const cl_int err = real(queue, buffer, blocking, buffer_origin, host_origin, region, buffer_row_pitch,
                            buffer_slice_pitch, host_row_pitch, host_slice_pitch, ptr, num_events, wait_list, event);
    event_out(err, event, CALLER);
    return err;
}

/* A reference libhpk takes to an object it did not create (the caller's
 * queue and context) counts as a creation: its release must follow. */
cl_int clRetainContext(cl_context context)
{
    REAL(clRetainContext);
    const cl_int err = real(context);
    created(CL_KIND_CONTEXT, err, CALLER);
    return err;
}

cl_int clRetainCommandQueue(cl_command_queue queue)
{
    REAL(clRetainCommandQueue);
    const cl_int err = real(queue);
    created(CL_KIND_QUEUE, err, CALLER);
    return err;
}

cl_int clReleaseContext(cl_context context)
{
    REAL(clReleaseContext);
    return released(CL_KIND_CONTEXT, real(context), CALLER);
}

cl_int clReleaseCommandQueue(cl_command_queue queue)
{
    REAL(clReleaseCommandQueue);
    return released(CL_KIND_QUEUE, real(queue), CALLER);
}

cl_int clReleaseMemObject(cl_mem mem)
{
    REAL(clReleaseMemObject);
    return released(CL_KIND_BUFFER, real(mem), CALLER);
}

cl_int clReleaseProgram(cl_program program)
{
    REAL(clReleaseProgram);
    return released(CL_KIND_PROGRAM, real(program), CALLER);
}

cl_int clReleaseKernel(cl_kernel kernel)
{
    REAL(clReleaseKernel);
    return released(CL_KIND_KERNEL, real(kernel), CALLER);
}

cl_int clReleaseEvent(cl_event event)
{
    REAL(clReleaseEvent);
    return released(CL_KIND_EVENT, real(event), CALLER);
}
