/* SPDX-License-Identifier: MIT */
/* Id pools (idpool.h): a bitmap searched from the lowest id. */
#include "idpool.h"

unsigned int id_alloc(struct id_pool *pool)
{
	unsigned int id = 0;

	spin_lock(&pool->lock);
	for (unsigned int bit = 0; bit <= pool->last - pool->first; bit++) {
		uint64_t *word = &pool->used[bit / 64];
		uint64_t mask = 1ull << (bit % 64);

		if (*word == ~0ull) {          /* 64 taken: next word */
			bit |= 63;
			continue;
		}
		if (!(*word & mask)) {
			*word |= mask;
			id = pool->first + bit;
			break;
		}
	}
	spin_unlock(&pool->lock);
	return id;
}

void id_free(struct id_pool *pool, unsigned int id)
{
	unsigned int bit;

	if (id < pool->first || id > pool->last)
		return;
	bit = id - pool->first;
	spin_lock(&pool->lock);
	pool->used[bit / 64] &= ~(1ull << (bit % 64));
	spin_unlock(&pool->lock);
}
