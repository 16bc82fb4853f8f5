/* Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy
 * as 1, 2, 3", SC'11), as defined by Random123.  This one file compiles as C
 * for the host and as OpenCL C for devices, so both draw identical numbers. */
#ifndef HPK_PHILOX_H
#define HPK_PHILOX_H

#ifdef __OPENCL_VERSION__
typedef uint hpk__u32;
typedef ulong hpk__u64;
#define HPK__PHILOX_FN inline
#else
#include <stdint.h>
typedef uint32_t hpk__u32;
typedef uint64_t hpk__u64;
#define HPK__PHILOX_FN static inline
#endif

typedef struct hpk__philox4 {
    hpk__u32 v[4];
} hpk__philox4;

#define HPK__PHILOX_M0 0xD2511F53u
#define HPK__PHILOX_M1 0xCD9E8D57u
#define HPK__PHILOX_W0 0x9E3779B9u /* golden ratio */
#define HPK__PHILOX_W1 0xBB67AE85u /* sqrt(3) - 1 */

HPK__PHILOX_FN hpk__philox4 hpk__philox_round(hpk__philox4 c, hpk__u32 k0, hpk__u32 k1)
{
    hpk__u64 p0 = (hpk__u64)HPK__PHILOX_M0 * c.v[0];
    hpk__u64 p1 = (hpk__u64)HPK__PHILOX_M1 * c.v[2];
    hpk__philox4 r;
    r.v[0] = (hpk__u32)(p1 >> 32) ^ c.v[1] ^ k0;
    r.v[1] = (hpk__u32)p1;
    r.v[2] = (hpk__u32)(p0 >> 32) ^ c.v[3] ^ k1;
    r.v[3] = (hpk__u32)p0;
    return r;
}

/* Ten rounds, the key bumped by the Weyl constants between rounds. */
HPK__PHILOX_FN hpk__philox4 hpk__philox4x32_10(hpk__philox4 c, hpk__u32 k0, hpk__u32 k1)
{
    for (int round = 0; round < 10; round++) {
        c = hpk__philox_round(c, k0, k1);
        k0 += HPK__PHILOX_W0;
        k1 += HPK__PHILOX_W1;
    }
    return c;
}

/* The numbers of sample `i` under `seed`: counter (i_lo, i_hi, g, 0). */
HPK__PHILOX_FN hpk__philox4 hpk__philox_sample(hpk__u64 seed, hpk__u64 i, hpk__u32 g)
{
    hpk__philox4 c;
    c.v[0] = (hpk__u32)i;
    c.v[1] = (hpk__u32)(i >> 32);
    c.v[2] = g;
    c.v[3] = 0;
    return hpk__philox4x32_10(c, (hpk__u32)seed, (hpk__u32)(seed >> 32));
}

/* Monte Carlo pi's exact hit test: (w0/2^32)^2 + (w1/2^32)^2 < 1, i.e.
 * w0^2 + w1^2 < 2^64, which holds exactly when the 64-bit sum does not wrap. */
HPK__PHILOX_FN int hpk__pi_hit(hpk__u32 w0, hpk__u32 w1)
{
    hpk__u64 s = (hpk__u64)w0 * w0;
    hpk__u64 t = (hpk__u64)w1 * w1;
    return s + t >= s;
}

/* A double in [0, 1) with 53 random bits from two words. */
HPK__PHILOX_FN double hpk__u01_53(hpk__u32 hi, hpk__u32 lo)
{
    return (double)((((hpk__u64)hi << 32) | lo) >> 11) * 0x1.0p-53;
}

#endif /* HPK_PHILOX_H */
