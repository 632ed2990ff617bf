/*
** A semaphore permit leaked on an error path: each request takes one of
** two permits, and a failed request returns early without giving it
** back. After two failures the third request waits forever.
*/
#include <weft.h>

struct pool { weft_sem_t slots; };

static void request(void *arg)
{
    struct pool *p = arg;
    weft_sem_acquire(&p->slots);
    if (weft_choose(2) == 0)
        return;                       /* the error path forgets to release */
    weft_sem_release(&p->slots);
}

WEFT_SCENARIO(sem_leak_on_error_path, .summary = "permit not released on an error path",
              .expect = WEFT_DEADLOCK)
{
    struct pool *p = weft_calloc(1, sizeof *p);
    weft_sem_init(&p->slots, "slots", 2);
    weft_thread_t t[3];
    for (int i = 0; i < 3; i++)
        t[i] = weft_spawn("request", request, p);
    for (int i = 0; i < 3; i++)
        weft_join(t[i]);
}
