/* hpk's OpenCL C sources (the .cl files of cl/device, their #include lines
 * expanded), embedded at build time by cmake/HpkEmbedCL.cmake. */
#ifndef HPK_CL_SOURCES_H
#define HPK_CL_SOURCES_H

extern const char hpk__cl_src_gemv[];
extern const char hpk__cl_src_reduce[];
extern const char hpk__cl_src_mc_pi[];
extern const char hpk__cl_src_mc_integrate[];

#endif /* HPK_CL_SOURCES_H */
