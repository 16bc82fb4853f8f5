/* Counts of the OpenCL objects libhpk creates (or retains) and releases,
 * kept by cl_counting.c, which stands in for the OpenCL functions libhpk
 * calls (calls from elsewhere, the tests' own included, are passed through
 * uncounted). */
#ifndef HPK_TEST_CL_COUNTING_H
#define HPK_TEST_CL_COUNTING_H

typedef enum cl_kind { CL_KIND_CONTEXT, CL_KIND_QUEUE, CL_KIND_BUFFER, CL_KIND_PROGRAM, CL_KIND_KERNEL,
                       CL_KIND_EVENT, CL_KIND_COUNT } cl_kind;

typedef struct cl_counts {
    long created[CL_KIND_COUNT]; /* clCreate... and clRetain... */
    long released[CL_KIND_COUNT];
    long builds; /* clBuildProgram calls (from source or binary) */
} cl_counts;

extern const char *const cl_kind_names[CL_KIND_COUNT];

/* The counts so far. */
cl_counts cl_counts_now(void);

/* Whether the stand-ins are in use (libhpk bound to them), so that the
 * counts mean something. */
int cl_counting_active(void);

#endif /* HPK_TEST_CL_COUNTING_H */
