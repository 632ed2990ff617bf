/* Message passing with C11 atomics: the consumer reads the data only after
** it has seen the flag the producer set after writing it. Under
** --memory=all the flag's operations are visible steps and order the data:
** no race, and the search is exhaustive. Reading without looking at the
** flag is a race. */
#include <stdatomic.h>
#include <weft.h>
static int data;
static atomic_int ready;
static void reset(void) { data = 0; atomic_init(&ready, 0); }
static void producer(void *p) { (void)p; data = 42; atomic_store(&ready, 1); }
static void consumer(void *p)
{
    (void)p;
    if (atomic_load(&ready))
        weft_assert(data == 42, "saw the flag but not the data");
}
static void blind_consumer(void *p)
{
    (void)p;
    (void)atomic_load(&ready);
    weft_assert(data == 0 || data == 42);
}
WEFT_SCENARIO(c11_message_passing, .summary = "data published through an atomic flag",
              .expect = WEFT_PASS, .setup = reset)
{
    weft_thread_t a = weft_spawn("producer", producer, NULL);
    weft_thread_t b = weft_spawn("consumer", consumer, NULL);
    weft_join(a);
    weft_join(b);
}
WEFT_SCENARIO(c11_flag_ignored, .summary = "the same data read without the flag",
              .expect = WEFT_DATA_RACE, .setup = reset)
{
    weft_thread_t a = weft_spawn("producer", producer, NULL);
    weft_thread_t b = weft_spawn("consumer", blind_consumer, NULL);
    weft_join(a);
    weft_join(b);
}
