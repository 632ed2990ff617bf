/*
** fiber_ucontext_copy.c -- fiber.c once more, as the ucontext fallback under
** uc_ names, so that bench_switch times both switches in one program.
*/
#define WEFT_FIBER_UCONTEXT 1
#define fiber uc_fiber
#define fiber_init_main uc_fiber_init_main
#define fiber_stack_alloc uc_fiber_stack_alloc
#define fiber_stack_free uc_fiber_stack_free
#define fiber_prepare uc_fiber_prepare
#define fiber_switch uc_fiber_switch
#define fiber_abandon uc_fiber_abandon
#define fiber_landed uc_fiber_landed
#define fiber_overflowed uc_fiber_overflowed
#define fiber_check_stack uc_fiber_check_stack
#define fiber_stack_overflowed uc_fiber_stack_overflowed
#include "core/fiber.c"
