/* Add inside the goroutine, Go's classic wait group mistake: Wait can
** return before the worker has even called Add. */
#include <weft.h>
struct st { weft_waitgroup_t wg; weft_mutex_t m; int done; };
static void worker(void *p) { struct st *s = p; weft_waitgroup_add(&s->wg, 1);
    weft_mutex_lock(&s->m); s->done = 1; weft_mutex_unlock(&s->m); weft_waitgroup_done(&s->wg); }
WEFT_SCENARIO(wg_add_late, .summary = "Add inside the goroutine", .expect = WEFT_ASSERTION)
{
    struct st *s = weft_calloc(1, sizeof *s);
    weft_spawn("worker", worker, s);
    weft_waitgroup_wait(&s->wg);
    weft_mutex_lock(&s->m); int d = s->done; weft_mutex_unlock(&s->m);
    weft_assert(d, "Wait returned before the worker ran");
}
