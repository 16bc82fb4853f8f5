/* The last call's commands and hpk_ctx_last_profile: each command a call
 * enqueues keeps its event until the next call on the context, so its
 * start and end times can be read afterwards. */
#include "cl_backend.h"

void hpk__cl_events_release(hpk__cl_state *s)
{
    for (int i = 0; i < s->nevents; i++)
        if (s->events[i])
            clReleaseEvent(s->events[i]);
    s->nevents = 0;
}

void hpk__cl_call_begin(hpk__cl_state *s)
{
    hpk__cl_events_release(s);
    s->build_s = 0.0;
    s->verify_s = 0.0;
}

cl_event *hpk__cl_event_slot(hpk__cl_state *s, hpk__cl_phase phase)
{
    if (s->nevents == HPK__CL_MAX_EVENTS)
        return NULL;
    s->phases[s->nevents] = phase;
    s->events[s->nevents] = NULL;
    return &s->events[s->nevents++];
}

hpk_status hpk_ctx_last_profile(const hpk_ctx *ctx_, hpk_profile *profile)
{
    static const char fn[] = "hpk_ctx_last_profile";
    hpk_ctx *ctx = (hpk_ctx *)ctx_; /* only its error message is written */
    hpk_status st = hpk__cl_check_ctx(ctx, fn);
    if (st != HPK_SUCCESS)
        return st;
    if (!profile)
        return hpk__fail(ctx, HPK_ERR_INVALID_ARG, "%s: profile is NULL", fn);

    hpk__cl_state *s = hpk__cl(ctx);
    if (!s->profiling)
        return hpk__fail(ctx, HPK_ERR_UNSUPPORTED,
                         "%s: ctx's command queue was created without CL_QUEUE_PROFILING_ENABLE, so its commands "
                         "are not timed",
                         fn);
    cl_event events[HPK__CL_MAX_EVENTS];
    cl_uint count = 0;
    for (int i = 0; i < s->nevents; i++)
        if (s->events[i])
            events[count++] = s->events[i];
    cl_int err = count ? clWaitForEvents(count, events) : CL_SUCCESS;
    if (err != CL_SUCCESS)
        return hpk__cl_fail(ctx, fn, "clWaitForEvents", err);

    double seconds[3] = {0.0, 0.0, 0.0};
    for (int i = 0; i < s->nevents; i++) {
        if (!s->events[i])
            continue;
        cl_ulong start = 0, end = 0;
        err = clGetEventProfilingInfo(s->events[i], CL_PROFILING_COMMAND_START, sizeof start, &start, NULL);
        if (err == CL_SUCCESS)
            err = clGetEventProfilingInfo(s->events[i], CL_PROFILING_COMMAND_END, sizeof end, &end, NULL);
        if (err != CL_SUCCESS)
            return hpk__cl_fail(ctx, fn, "clGetEventProfilingInfo", err);
        seconds[s->phases[i]] += end > start ? (double)(end - start) * 1e-9 : 0.0;
    }
    profile->upload_s = seconds[HPK__CL_UPLOAD];
    profile->kernel_s = seconds[HPK__CL_KERNEL];
    profile->download_s = seconds[HPK__CL_DOWNLOAD];
    profile->build_s = s->build_s;
    profile->verify_s = s->verify_s;
    return HPK_SUCCESS;
}
