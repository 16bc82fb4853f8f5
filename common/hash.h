/* FNV-1a, 64 bits: detects damage and tells data apart; not a defence
 * against forgery. */
#ifndef HPK_HASH_H
#define HPK_HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a's offset basis: the hash of no bytes. */
#define HPK__FNV1A_START 0xcbf29ce484222325u

/* h continued over `size` bytes of data: hpk__fnv1a(HPK__FNV1A_START, d, n)
 * is the FNV-1a hash of d[0 .. n), and hashing a message in pieces gives
 * the hash of the whole. */
static inline uint64_t hpk__fnv1a(uint64_t h, const void *data, size_t size)
{
    for (const unsigned char *p = data, *end = p + size; p < end; p++)
        h = (h ^ *p) * 0x100000001b3u;
    return h;
}

#endif /* HPK_HASH_H */
