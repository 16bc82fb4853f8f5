/* Small macros every part of the library shares. */
#ifndef HPK_MACROS_H
#define HPK_MACROS_H

/* libhpk_mpi (mpi/) is a library of its own on top of libhpk, and calls a
 * few of libhpk's internal functions: HPK__SHARED exports them from
 * libhpk.so.  They are no part of the API (hpk__ names, no contract, no
 * stability): libhpk_mpi is only ever used with the libhpk of its own
 * build.  A function keeps the visibility of its first declaration, so the
 * attribute goes on the declaration in the function's header. */
#if defined(__GNUC__) && !defined(_WIN32)
#define HPK__SHARED __attribute__((visibility("default")))
#else
#define HPK__SHARED
#endif

/* The text of a macro's value: HPK__STR(HPK_VERSION_MAJOR) is "0". */
#define HPK__STR2(x) #x
#define HPK__STR(x) HPK__STR2(x)

#endif /* HPK_MACROS_H */
