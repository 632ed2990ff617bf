/* Two threads spawned under one name take two mutexes in opposite
** orders. The second is named "worker#2" in every part of the report (it
** shared the first's name, and its column, before). */
#include <weft.h>
static weft_mutex_t a, b;
static void forward(void *p)
{
    (void)p;
    weft_mutex_lock(&a);
    weft_mutex_lock(&b);
    weft_mutex_unlock(&b);
    weft_mutex_unlock(&a);
}
static void backward(void *p)
{
    (void)p;
    weft_mutex_lock(&b);
    weft_mutex_lock(&a);
    weft_mutex_unlock(&a);
    weft_mutex_unlock(&b);
}
WEFT_SCENARIO(threads_of_one_name, .summary = "two workers of one name, ABBA",
              .expect = WEFT_DEADLOCK)
{
    weft_thread_t one = weft_spawn("worker", forward, NULL);
    weft_thread_t two = weft_spawn("worker", backward, NULL);
    weft_join(one);
    weft_join(two);
}
