/*
** A 264 KB local buffer on a 256 KB thread stack (issue 8). The frame
** reached past the stack and the one guard page below it, into the next
** thread's stack, and weft said "pass". Now the frame meets the guard
** region (scenario files are built with -fstack-clash-protection, and the
** guard is 64 KB): the thread crashes with a stack overflow. Only the top
** of the buffer is written, as code that uses part of a big array does.
*/
#include <weft.h>

static void big_frame(void *arg)
{
    (void)arg;
    char buf[264 * 1024];
    buf[sizeof buf - 1] = 1;
    __asm__ volatile("" : : "r"(buf) : "memory");   /* the buffer must exist */
    weft_yield();
    weft_assert(buf[sizeof buf - 1] == 1, "the buffer's top byte changed");
}

WEFT_SCENARIO(frame_larger_than_stack, .summary = "a 264 KB frame on a 256 KB stack",
              .expect = WEFT_CRASH)
{
    weft_thread_t a = weft_spawn("a", big_frame, NULL);
    weft_thread_t b = weft_spawn("b", big_frame, NULL);
    weft_join(a);
    weft_join(b);
}
