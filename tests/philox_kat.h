/* Random123's known-answer vectors for Philox4x32-10 (kat_vectors): one
 * table, checked on the host (test_mc.c) and on an OpenCL device
 * (test_cl_mc.c). */
#ifndef HPK_TEST_PHILOX_KAT_H
#define HPK_TEST_PHILOX_KAT_H

#include <stddef.h>
#include <stdint.h>

typedef struct test_philox_kat {
    uint32_t counter[4], key[2], expected[4];
} test_philox_kat;

static const test_philox_kat test_philox_kats[] = {
    {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{~0u, ~0u, ~0u, ~0u}, {~0u, ~0u}, {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

#define TEST_PHILOX_KATS (sizeof test_philox_kats / sizeof test_philox_kats[0])

#endif /* HPK_TEST_PHILOX_KAT_H */
