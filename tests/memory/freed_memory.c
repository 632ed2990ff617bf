/* Freed memory under --memory=all (issue 7). When the scenario frees a
** block, weft forgets the accesses to it: the allocator orders the free
** before the malloc that hands the block out again, so the next owner's
** accesses race with nothing the old owner did. A race on a block that is
** still in use is reported as before, and so is a free that nothing orders
** after another thread's use of the block. */
#include <stdlib.h>
#include <weft.h>

static weft_mutex_t lock;
static int *owned[2];                 /* each thread's block, where weft_yield could see it */
static int *shared;
static int *unfreed;                  /* shared until a thread frees it */

/* An execution that ends early (at a race, or cut short by the search)
** leaves blocks that its threads did not free yet: free them here. */
static void reset(void)
{
    lock = (weft_mutex_t){ 0 };
    free(owned[0]);
    free(owned[1]);
    free(unfreed);
    owned[0] = owned[1] = shared = unfreed = NULL;
}

/* A block of the thread's own, written and read back across a step (so the
** compiler keeps both accesses), then freed. Whichever thread mallocs after
** the other freed gets the freed block back. */
static void use_and_free(void *p)
{
    int **mine = p;
    int *block = malloc(4 * sizeof *block);
    weft_assert(block != NULL, "out of memory");
    block[0] = 1;
    *mine = block;
    weft_yield();
    weft_assert(block[0] == 1, "the block changed under its owner");
    *mine = NULL;
    free(block);
}

WEFT_SCENARIO(freed_then_reused, .summary = "a freed block reused by another thread",
              .expect = WEFT_PASS, .setup = reset)
{
    weft_thread_t a = weft_spawn("a", use_and_free, &owned[0]);
    weft_thread_t b = weft_spawn("b", use_and_free, &owned[1]);
    weft_join(a);
    weft_join(b);
}

/* The same, with the block written under a lock and freed after it: the
** next holder of the lock may get the block back. */
static void locked_use(void *p)
{
    int **mine = p;
    weft_mutex_lock(&lock);
    int *block = malloc(4 * sizeof *block);
    weft_assert(block != NULL, "out of memory");
    block[1] = 2;
    *mine = block;
    weft_mutex_unlock(&lock);
    weft_assert(block[1] == 2, "the block changed under its owner");
    *mine = NULL;
    free(block);
}

WEFT_SCENARIO(freed_after_unlock, .summary = "blocks used under a lock, freed after it",
              .expect = WEFT_PASS, .setup = reset)
{
    weft_mutex_init(&lock, "lock", WEFT_MUTEX_NORMAL);
    weft_thread_t a = weft_spawn("a", locked_use, &owned[0]);
    weft_thread_t b = weft_spawn("b", locked_use, &owned[1]);
    weft_join(a);
    weft_join(b);
}

/* Two threads write one live block with nothing ordering them. */
static void write_shared(void *p)
{
    (void)p;
    shared[0]++;
}

WEFT_SCENARIO(heap_race, .summary = "two unordered writes to a block in use",
              .expect = WEFT_DATA_RACE, .setup = reset)
{
    shared = unfreed = calloc(4, sizeof *shared);
    weft_assert(shared != NULL, "out of memory");
    weft_thread_t a = weft_spawn("a", write_shared, NULL);
    weft_thread_t b = weft_spawn("b", write_shared, NULL);
    weft_join(a);
    weft_join(b);
    free(shared);
    unfreed = NULL;
}

/* One thread reads a block while another frees it, with nothing ordering
** the two: the read may come after the free. (It only reads: a write to a
** freed block could corrupt the allocator in the order where it comes
** second, and the search stops at the race, not before.) What it read is
** kept in a volatile, so that the compiler keeps the read. */
static volatile int seen;

static void read_shared(void *p)
{
    (void)p;
    seen = shared[2];
}

static void free_shared(void *p)
{
    (void)p;
    free(shared);
    unfreed = NULL;
}

WEFT_SCENARIO(free_while_read, .summary = "a block freed while another thread reads it",
              .expect = WEFT_DATA_RACE, .setup = reset)
{
    shared = unfreed = calloc(4, sizeof *shared);
    weft_assert(shared != NULL, "out of memory");
    weft_thread_t a = weft_spawn("reader", read_shared, NULL);
    weft_thread_t b = weft_spawn("freer", free_shared, NULL);
    weft_join(a);
    weft_join(b);
}
