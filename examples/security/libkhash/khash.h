#ifndef KHASH_H
#define KHASH_H

#include <stddef.h>
#include <stdint.h>

uint32_t khash_fnv1a32(const void *data, size_t len);
uint64_t khash_fnv1a64(const void *data, size_t len);
/* CRC-32 as zlib and PNG compute it. */
uint32_t khash_crc32(const void *data, size_t len);

#endif
