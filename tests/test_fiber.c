/*
** test_fiber.c -- Check tests for the fiber layer (sched/core/fiber.c, .S).
** Covers switch order, many switches, register and FP state, stack reuse, the
** guard region and deep recursion; scheduling policy is sched.c's to test.
** Invariant: fibers only record into globals; assertions run on the main stack.
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "core/fiber.h"

#include <alloca.h>
#include <check.h>
#include "suites.h"
#include <errno.h>
#include <fenv.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif

Suite *fiber_suite(void);

static struct fiber g_main, g_a, g_b;
static char g_log[128];
static size_t g_len;
static uint64_t g_val;

static void logs(const char *s)
{
    size_t n = strlen(s);
    if (g_len + n < sizeof g_log) {
        memcpy(g_log + g_len, s, n);
        g_len += n;
        g_log[g_len] = '\0';
    }
}

/* Opaque to the optimiser (the asm takes p and clobbers memory), so the
** bytes must really be on the stack, whatever the compiler. */
static __attribute__((noinline)) void fill(unsigned char *p, size_t n, uint64_t seed)
{
    for (size_t k = 0; k < n; k++)
        p[k] = (unsigned char)(seed + k);
    __asm__ volatile("" : : "r"(p) : "memory");
}

static __attribute__((noinline)) uint64_t sum_bytes(const unsigned char *p, size_t n)
{
    uint64_t sum = 0;
    __asm__ volatile("" : : "r"(p) : "memory");
    for (size_t k = 0; k < n; k++)
        sum += p[k];
    return sum;
}

/* What fill then sum_bytes give, computed without touching memory. */
static uint64_t expect_bytes(uint64_t seed, size_t n)
{
    uint64_t sum = 0;
    for (size_t k = 0; k < n; k++)
        sum += (unsigned char)(seed + k);
    return sum;
}

static void setup(void)
{
    fiber_init_main(&g_main);
    ck_assert_int_eq(fiber_stack_alloc(&g_a, 64 * 1024), 0);
    ck_assert_int_eq(fiber_stack_alloc(&g_b, 64 * 1024), 0);
    g_len = 0;
    g_log[0] = '\0';
    g_val = 0;
}

static void teardown(void)
{
    fiber_stack_free(&g_a);
    fiber_stack_free(&g_b);
}

/* ---- ping-pong: main, A and B hand control around in a fixed order ---- */

static int g_tag_a = 'A', g_tag_b = 'B';
static int g_arg_ok;

static void pp_a(void *arg)
{
    g_arg_ok += arg == &g_tag_a;
    logs("a1");
    g_val = g_val * 10 + 1;
    fiber_switch(&g_a, &g_b, 0); /* fiber to fiber, main not involved */
    logs("a2");
    g_val = g_val * 10 + 3;
    fiber_switch(&g_a, &g_main, 0);
    logs("a3");
    g_val = g_val * 10 + 5;
    fiber_switch(&g_a, &g_main, 1);
}

static void pp_b(void *arg)
{
    g_arg_ok += arg == &g_tag_b;
    logs("b1");
    g_val = g_val * 10 + 2;
    fiber_switch(&g_b, &g_main, 0);
    logs("b2");
    g_val = g_val * 10 + 4;
    fiber_switch(&g_b, &g_a, 0);
    logs("b3");
    g_val = g_val * 10 + 6;
    fiber_switch(&g_b, &g_main, 1);
}

START_TEST(test_ping_pong)
{
    fiber_prepare(&g_a, pp_a, &g_tag_a);
    fiber_prepare(&g_b, pp_b, &g_tag_b);
    logs("m1");
    fiber_switch(&g_main, &g_a, 0); /* a1 b1 */
    logs("m2");
    fiber_switch(&g_main, &g_a, 0); /* a2 */
    logs("m3");
    fiber_switch(&g_main, &g_b, 0); /* b2 a3 */
    logs("m4");
    fiber_switch(&g_main, &g_b, 0); /* b3 */
    logs("m5");
    ck_assert_str_eq(g_log, "m1a1b1m2a2m3b2a3m4b3m5");
    ck_assert_uint_eq(g_val, 123456);
    ck_assert_int_eq(g_arg_ok, 2);
}
END_TEST

/* ---- many switches: values flow both ways on every round trip ---- */

enum { MANY = 100000 };
static uint64_t g_in, g_out, g_count;

static void many_entry(void *arg)
{
    (void)arg;
    uint64_t local = 0; /* lives on the fiber stack across every switch */
    for (;;) {
        local++;
        g_count++;
        g_out = (g_in ^ 0x5a5a5a5aULL) + local;
        fiber_switch(&g_a, &g_main, 0);
    }
}

START_TEST(test_many_switches)
{
    uint64_t bad = 0;
    fiber_prepare(&g_a, many_entry, NULL);
    for (uint64_t i = 0; i < MANY; i++) {
        g_in = i * 7;
        fiber_switch(&g_main, &g_a, 0);
        bad += g_out != ((i * 7) ^ 0x5a5a5a5aULL) + i + 1;
        bad += g_count != i + 1;
    }
    ck_assert_uint_eq(bad, 0);
    ck_assert_uint_eq(g_count, MANY);
}
END_TEST

/* ---- registers: many live values on both sides of each switch ---- */

enum { ROUNDS = 200 };
static uint64_t g_fib_mix;
static double g_fib_dmix;

static void main_yield(void) { fiber_switch(&g_main, &g_a, 0); }
static void fib_yield(void) { fiber_switch(&g_a, &g_main, 0); }

/* Enough integer and double state that the compiler keeps much of it in
** callee-saved registers across yield(); noinline so the reference run
** without switches executes the very same code. */
static __attribute__((noinline)) uint64_t
mix(uint64_t s, double ds, void (*yield)(void), double *dout)
{
    uint64_t a = s, b = s * 3 + 1, c = s ^ 0x9e3779b97f4a7c15ULL, d = ~s;
    uint64_t e = s << 7, f = s >> 3, g = s * s, h = s + 12345;
    double x = ds, y = ds * 1.5, z = ds + 0.25, w = ds - 7.0;
    double u = ds * ds, v = 1.0 / (ds + 1.0), p = ds * 0.1, q = -ds;
    for (int i = 0; i < ROUNDS; i++) {
        a = a * 6364136223846793005ULL + b;
        b ^= a >> 17;
        c += b * 31;
        d = ((d ^ c) << 7) | ((d ^ c) >> 57);
        e += d;
        f ^= e << 3;
        g += f;
        h ^= g >> 11;
        x = x * 1.0000001 + y * 1e-3;
        y = y * 0.999 + z * 1e-3;
        z = z * 0.998 + w * 1e-3;
        w = w * 0.997 + u * 1e-3;
        u = u * 0.996 + v * 1e-3;
        v = v * 0.995 + p * 1e-3;
        p = p * 0.994 + q * 1e-3;
        q = q * 0.993 + x * 1e-3;
        if (yield)
            yield();
    }
    *dout = x + y + z + w + u + v + p + q;
    return a ^ b ^ c ^ d ^ e ^ f ^ g ^ h;
}

static void regs_entry(void *arg)
{
    (void)arg;
    g_fib_mix = mix(987654321, 2.5, fib_yield, &g_fib_dmix);
    fiber_switch(&g_a, &g_main, 1);
}

START_TEST(test_registers_survive)
{
    double dm = 0, dm_ref = 0, df_ref = 0;
    fiber_prepare(&g_a, regs_entry, NULL);
    uint64_t m = mix(42, 0.75, main_yield, &dm);
    fiber_switch(&g_main, &g_a, 0); /* let the fiber finish its last round */
    uint64_t m_ref = mix(42, 0.75, NULL, &dm_ref);
    uint64_t f_ref = mix(987654321, 2.5, NULL, &df_ref);
    ck_assert_uint_eq(m, m_ref);
    ck_assert_uint_eq(g_fib_mix, f_ref);
    ck_assert(memcmp(&dm, &dm_ref, sizeof dm) == 0);
    ck_assert(memcmp(&g_fib_dmix, &df_ref, sizeof dm) == 0);
    ck_assert_uint_ne(m, g_fib_mix);
}
END_TEST

/* ---- registers, exactly: asm loads a pattern, switches, reads it back ---- */

/* probe(from, to, seed, out): put seed+k in every callee-saved register k,
** fiber_switch(from, to, 0), then store what those registers hold into out[]
** once control comes back, and restore the caller's values. Checks the swap
** at any optimisation level, without trusting the compiler's register use. */
#if defined(__x86_64__) || defined(__aarch64__)
#define HAVE_PROBE 1
#if defined(__x86_64__)
enum { PROBE_REGS = 6 }; /* rbx rbp r12 r13 r14 r15 */
__asm__(".text\n"
        ".globl test_fiber_probe_\n.hidden test_fiber_probe_\n"
        ".type test_fiber_probe_, @function\n"
        "test_fiber_probe_:\n"
        "  pushq %rbp\n  pushq %rbx\n  pushq %r12\n"
        "  pushq %r13\n  pushq %r14\n  pushq %r15\n"
        "  pushq %rcx\n" /* out; rsp is now 16-aligned for the call */
        "  movq %rdx, %rbx\n  leaq 1(%rdx), %rbp\n  leaq 2(%rdx), %r12\n"
        "  leaq 3(%rdx), %r13\n  leaq 4(%rdx), %r14\n  leaq 5(%rdx), %r15\n"
        "  xorl %edx, %edx\n"
        "  call fiber_switch\n"
        "  popq %rcx\n"
        "  movq %rbx, 0(%rcx)\n  movq %rbp, 8(%rcx)\n  movq %r12, 16(%rcx)\n"
        "  movq %r13, 24(%rcx)\n  movq %r14, 32(%rcx)\n  movq %r15, 40(%rcx)\n"
        "  popq %r15\n  popq %r14\n  popq %r13\n"
        "  popq %r12\n  popq %rbx\n  popq %rbp\n"
        "  ret\n"
        ".size test_fiber_probe_, .-test_fiber_probe_\n");
#else
enum { PROBE_REGS = 19 }; /* x19-x28, x29, d8-d15 */
__asm__(".text\n"
        ".globl test_fiber_probe_\n.hidden test_fiber_probe_\n"
        ".type test_fiber_probe_, %function\n"
        "test_fiber_probe_:\n"
        "  stp x29, x30, [sp, #-176]!\n"
        "  stp x19, x20, [sp, #16]\n  stp x21, x22, [sp, #32]\n"
        "  stp x23, x24, [sp, #48]\n  stp x25, x26, [sp, #64]\n"
        "  stp x27, x28, [sp, #80]\n  stp d8, d9, [sp, #96]\n"
        "  stp d10, d11, [sp, #112]\n  stp d12, d13, [sp, #128]\n"
        "  stp d14, d15, [sp, #144]\n  str x3, [sp, #160]\n"
        "  mov x19, x2\n      add x20, x2, #1\n  add x21, x2, #2\n"
        "  add x22, x2, #3\n  add x23, x2, #4\n  add x24, x2, #5\n"
        "  add x25, x2, #6\n  add x26, x2, #7\n  add x27, x2, #8\n"
        "  add x28, x2, #9\n  add x29, x2, #10\n"
        "  add x9, x2, #11\n  fmov d8, x9\n   add x9, x2, #12\n  fmov d9, x9\n"
        "  add x9, x2, #13\n  fmov d10, x9\n  add x9, x2, #14\n  fmov d11, x9\n"
        "  add x9, x2, #15\n  fmov d12, x9\n  add x9, x2, #16\n  fmov d13, x9\n"
        "  add x9, x2, #17\n  fmov d14, x9\n  add x9, x2, #18\n  fmov d15, x9\n"
        "  mov w2, #0\n"
        "  bl fiber_switch\n"
        "  ldr x3, [sp, #160]\n"
        "  stp x19, x20, [x3, #0]\n  stp x21, x22, [x3, #16]\n"
        "  stp x23, x24, [x3, #32]\n  stp x25, x26, [x3, #48]\n"
        "  stp x27, x28, [x3, #64]\n  str x29, [x3, #80]\n"
        "  stp d8, d9, [x3, #88]\n   stp d10, d11, [x3, #104]\n"
        "  stp d12, d13, [x3, #120]\n stp d14, d15, [x3, #136]\n"
        "  ldp x19, x20, [sp, #16]\n  ldp x21, x22, [sp, #32]\n"
        "  ldp x23, x24, [sp, #48]\n  ldp x25, x26, [sp, #64]\n"
        "  ldp x27, x28, [sp, #80]\n  ldp d8, d9, [sp, #96]\n"
        "  ldp d10, d11, [sp, #112]\n ldp d12, d13, [sp, #128]\n"
        "  ldp d14, d15, [sp, #144]\n"
        "  ldp x29, x30, [sp], #176\n"
        "  ret\n"
        ".size test_fiber_probe_, .-test_fiber_probe_\n");
#endif
__attribute__((visibility("hidden"))) void
test_fiber_probe_(struct fiber *from, struct fiber *to, uint64_t seed,
                  uint64_t *out);

enum { SEED_MAIN = 0x1000, SEED_FIB = 0x7000 };
static uint64_t g_probe_fib[PROBE_REGS];

static void probe_entry(void *arg)
{
    (void)arg;
    test_fiber_probe_(&g_a, &g_main, SEED_FIB, g_probe_fib);
    fiber_switch(&g_a, &g_main, 1);
}

static unsigned probe_mismatches(const uint64_t *out, uint64_t seed)
{
    unsigned bad = 0;
    for (unsigned k = 0; k < PROBE_REGS; k++)
        bad += out[k] != seed + k;
    return bad;
}

START_TEST(test_callee_saved_exact)
{
    uint64_t out[PROBE_REGS];
    fiber_prepare(&g_a, probe_entry, NULL);
    test_fiber_probe_(&g_main, &g_a, SEED_MAIN, out); /* fiber probes back */
    fiber_switch(&g_main, &g_a, 0); /* let the fiber read its registers */
    ck_assert_uint_eq(probe_mismatches(out, SEED_MAIN), 0);
    ck_assert_uint_eq(probe_mismatches(g_probe_fib, SEED_FIB), 0);
}
END_TEST
#endif

/* ---- floating-point control state is per fiber ---- */

static double third(void)
{
    volatile double one = 1.0, three = 3.0;
    volatile double r = one / three; /* volatile: divide here, not later */
    return r;
}

#if defined(__x86_64__)
static unsigned x87_cw(void)
{
    unsigned short cw;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    return cw;
}
#define MXCSR_RC(m) (((m) >> 13) & 3u) /* 0 nearest, 2 upward */
#define X87_RC(c) (((c) >> 10) & 3u)
static unsigned g_fib_mxcsr, g_fib_cw, g_fib_mxcsr_start;
#endif
static int g_fib_round_start, g_fib_round_after;
static double g_fib_third;

static void fp_entry(void *arg)
{
    (void)arg;
    g_fib_round_start = fegetround(); /* glibc reads the x87 word only */
#if defined(__x86_64__)
    g_fib_mxcsr_start = __builtin_ia32_stmxcsr();
#endif
    fesetround(FE_UPWARD);
    fiber_switch(&g_a, &g_main, 0);
    g_fib_round_after = fegetround();
    g_fib_third = third();
#if defined(__x86_64__)
    g_fib_mxcsr = __builtin_ia32_stmxcsr();
    g_fib_cw = x87_cw();
#endif
    fiber_switch(&g_a, &g_main, 1);
}

START_TEST(test_fp_control_state)
{
    double near = third();
    fesetround(FE_DOWNWARD); /* must neither leak into nor survive the fiber */
    fiber_prepare(&g_a, fp_entry, NULL);
    fiber_switch(&g_main, &g_a, 0);
    int main_round = fegetround();
    fesetround(FE_TONEAREST);
    double main_third = third();
#if defined(__x86_64__)
    unsigned main_mxcsr = __builtin_ia32_stmxcsr(), main_cw = x87_cw();
#endif
    fiber_switch(&g_main, &g_a, 0);
    ck_assert_int_eq(main_round, FE_DOWNWARD);
    ck_assert(main_third == near);
    ck_assert_int_eq(fegetround(), FE_TONEAREST);
    ck_assert_int_eq(g_fib_round_after, FE_UPWARD);
    ck_assert(g_fib_third > near);
#ifndef WEFT_FIBER_UCONTEXT
    /* Hand-written switch: a fresh fiber starts with the ABI defaults
    ** (ucontext instead inherits what getcontext saw in fiber_prepare). */
    ck_assert_int_eq(g_fib_round_start, FE_TONEAREST);
#if defined(__x86_64__)
    ck_assert_uint_eq(g_fib_mxcsr_start & ~0x3fu, 0x1F80); /* flags aside */
#endif
#endif
#if defined(__x86_64__)
    ck_assert_uint_eq(MXCSR_RC(main_mxcsr), 0);
    ck_assert_uint_eq(X87_RC(main_cw), 0);
    ck_assert_uint_eq(MXCSR_RC(g_fib_mxcsr), 2);
    ck_assert_uint_eq(X87_RC(g_fib_cw), 2);
#endif
}
END_TEST

/* ---- reuse: prepare the same stack again, after clean and abandoned runs ---- */

enum { REUSES = 3000 };

static __attribute__((noinline)) uint64_t fill_sum(uint64_t i)
{
    unsigned char buf[300]; /* ASan puts redzones around this */
    fill(buf, sizeof buf, i);
    return sum_bytes(buf, sizeof buf);
}

static void reuse_entry(void *arg)
{
    uint64_t i = (uint64_t)(uintptr_t)arg;
    g_out = fill_sum(i) + i;
    /* Odd runs are abandoned mid-flight, the way a pruned execution is. */
    fiber_switch(&g_a, &g_main, (int)(i % 2 == 0));
    g_out = UINT64_MAX; /* never reached: nobody resumes an abandoned run */
    fiber_switch(&g_a, &g_main, 1);
}

START_TEST(test_reuse)
{
    uint64_t bad = 0;
    void *stack = g_a.stack;
    for (uint64_t i = 0; i < REUSES; i++) {
        fiber_prepare(&g_a, reuse_entry, (void *)(uintptr_t)i);
        fiber_switch(&g_main, &g_a, 0);
        bad += g_out != expect_bytes(i, 300) + i;
    }
    ck_assert_uint_eq(bad, 0);
    ck_assert_ptr_eq(g_a.stack, stack);
}
END_TEST

/* ---- deep recursion: ~32 KiB of frames inside a 256 KiB stack ---- */

static struct fiber g_big;
static uint64_t g_deep_sum;
static size_t g_deep_used;

/* A VLA, not a fixed array: ASan's use-after-return mode moves fixed-size
** locals to a heap "fake stack", but dynamic allocas stay on the real one. */
static volatile size_t g_frame_bytes = 480;

static __attribute__((noinline)) uint64_t deep(unsigned depth, char *top)
{
    unsigned char frame[g_frame_bytes];
    fill(frame, sizeof frame, depth);
    if (depth == 0) {
        g_deep_used = (size_t)(top - (char *)frame);
        return sum_bytes(frame, sizeof frame);
    }
    uint64_t below = deep(depth - 1, top);
    return below + sum_bytes(frame, sizeof frame); /* frame outlives the call */
}

static void deep_entry(void *arg)
{
    (void)arg;
    char *top = (char *)g_big.stack + g_big.guard + g_big.stack_size;
    g_deep_sum = deep(72, top); /* 73 frames of ~500 bytes: ~36 KiB */
    fiber_switch(&g_big, &g_main, 1);
}

START_TEST(test_deep_recursion)
{
    ck_assert_int_eq(fiber_stack_alloc(&g_big, 256 * 1024), 0);
    fiber_prepare(&g_big, deep_entry, NULL);
    fiber_switch(&g_main, &g_big, 0);
    uint64_t want = 0;
    for (unsigned d = 0; d <= 72; d++)
        want += expect_bytes(d, 480);
    ck_assert_uint_eq(g_deep_sum, want);
    ck_assert_uint_ge(g_deep_used, 32 * 1024);
    ck_assert_uint_lt(g_deep_used, 256 * 1024);
    fiber_stack_free(&g_big);
    ck_assert_ptr_null(g_big.stack);
}
END_TEST

/* ---- allocation: sizes, errors, and the guard region really is PROT_NONE ---- */

static int guard_is_prot_none(const void *start, size_t bytes)
{
    char line[512];
    int found = 0;
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps == NULL)
        return -1;
    while (fgets(line, sizeof line, maps) != NULL) {
        uintptr_t lo, hi;
        char perms[5];
        if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %4s", &lo, &hi, perms) == 3 &&
            lo == (uintptr_t)start)
            found = hi - lo == bytes &&
                    strcmp(perms, "---p") == 0;
    }
    fclose(maps);
    return found;
}

START_TEST(test_alloc)
{
    struct fiber f;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    ck_assert_int_eq(fiber_stack_alloc(&f, 0), -EINVAL);
    ck_assert_int_eq(fiber_stack_alloc(&f, SIZE_MAX), -EINVAL);
    ck_assert_int_eq(fiber_stack_alloc(&f, SIZE_MAX / 4), -ENOMEM);
    ck_assert_int_eq(fiber_stack_alloc(&f, 1000), 0);
    ck_assert_uint_eq(f.stack_size, page);
    ck_assert_uint_ge(f.guard, FIBER_GUARD_MIN);   /* more than a frame skips unprobed */
    ck_assert_uint_eq(f.guard % page, 0);
    ck_assert_int_eq(guard_is_prot_none(f.stack, f.guard), 1);
    /* An overflow: a fault in the guard, or the stack pointer below the
    ** usable bytes (a frame that stepped over the guard untouched). */
    char *bottom = (char *)f.stack + f.guard;
    ck_assert(fiber_overflowed(&f, f.stack, NULL));
    ck_assert(fiber_overflowed(&f, bottom - 1, bottom + 64));
    ck_assert(!fiber_overflowed(&f, bottom, bottom + 64));
    ck_assert(fiber_overflowed(&f, NULL, bottom - f.guard - 300 * 1024));
    ck_assert(!fiber_overflowed(&f, NULL, bottom));
    struct fiber os_stack;
    fiber_init_main(&os_stack);
    ck_assert(!fiber_overflowed(&os_stack, f.stack, bottom - 1));
    fiber_stack_free(&f);
    ck_assert_ptr_null(f.stack);
    fiber_stack_free(&f); /* freeing twice is harmless */
}
END_TEST

/* ---- overflow: runs in Check's forked child and must die by SIGSEGV ---- */

#ifndef TEST_ASAN
static struct fiber g_ovf;
static volatile unsigned g_ovf_limit = 0xffffffffu; /* bounded, for -Wall */

static __attribute__((noinline)) uint64_t runaway(unsigned depth)
{
    unsigned char frame[256];
    fill(frame, sizeof frame, depth);
    if (depth >= g_ovf_limit)
        return 0;
    return runaway(depth + 1) + sum_bytes(frame, sizeof frame);
}

static void ovf_entry(void *arg)
{
    (void)arg;
    g_val = runaway(0);
    fiber_switch(&g_ovf, &g_main, 1);
}

/* Lets the SIGSEGV through only if it hit the guard region: the handler then
** returns with the default action back in place, and the access faults again. */
static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    uintptr_t a = (uintptr_t)si->si_addr, g = (uintptr_t)g_ovf.stack;
    if (a < g || a >= g + g_ovf.guard)
        _exit(3);
}

START_TEST(test_overflow_hits_guard)
{
    static char altstack[64 * 1024];
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    ck_assert_int_eq(sigaltstack(&ss, NULL), 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
    ck_assert_int_eq(sigaction(SIGSEGV, &sa, NULL), 0);
    ck_assert_int_eq(fiber_stack_alloc(&g_ovf, 64 * 1024), 0);
    fiber_prepare(&g_ovf, ovf_entry, NULL);
    fiber_switch(&g_main, &g_ovf, 0);
    ck_abort_msg("runaway recursion returned");
}
END_TEST

/* ---- a frame that steps over the guard untouched: the stack check faults ---- */

static struct fiber g_jump;

static void jump_entry(void *arg)
{
    (void)arg;
    /* Past the stack and the guard, into memory mapped just below them:
    ** without stack-clash probes nothing faults on the way. */
    volatile char *far = alloca(g_jump.guard + g_jump.stack_size + 64 * 1024);
    far[0] = 1;
    fiber_check_stack(&g_jump);
    fiber_switch(&g_jump, &g_main, 0);
}

START_TEST(test_jump_below_guard_caught)
{
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    ck_assert_int_eq(fiber_stack_alloc(&g_jump, 64 * 1024), 0);
    size_t below = 512 * 1024;
    void *want = (char *)g_jump.stack - below;
    void *got = mmap(want, below, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    ck_assert_ptr_eq(got, want);
    fiber_prepare(&g_jump, jump_entry, NULL);
    fiber_switch(&g_main, &g_jump, 0);
    ck_abort_msg("a frame below its stack was not noticed");
}
END_TEST
#endif

Suite *fiber_suite(void)
{
    Suite *s = suite_create("fiber");
    TCase *tc = tcase_create("switch");
    tcase_add_checked_fixture(tc, setup, teardown);
    test_leak_check(tc);
    tcase_add_test(tc, test_ping_pong);
    tcase_add_test(tc, test_many_switches);
    tcase_add_test(tc, test_registers_survive);
#ifdef HAVE_PROBE
    tcase_add_test(tc, test_callee_saved_exact);
#endif
    tcase_add_test(tc, test_fp_control_state);
    tcase_add_test(tc, test_reuse);
    tcase_add_test(tc, test_deep_recursion);
    tcase_add_test(tc, test_alloc);
    suite_add_tcase(s, tc);
#ifndef TEST_ASAN
    /* ASan catches the overflow itself and exits rather than dying by signal.
    ** Needs fork mode (Check's default): the child is meant to die. */
    const char *fork_mode = getenv("CK_FORK");
    if (fork_mode == NULL || strcmp(fork_mode, "no") != 0) {
        TCase *ovf = tcase_create("guard");
        tcase_add_checked_fixture(ovf, setup, teardown);
        tcase_add_test_raise_signal(ovf, test_overflow_hits_guard, SIGSEGV);
        tcase_add_test_raise_signal(ovf, test_jump_below_guard_caught, SIGSEGV);
        suite_add_tcase(s, ovf);
    }
#endif
    return s;
}

#ifdef TEST_FIBER_MAIN
int main(void)
{
    SRunner *sr = srunner_create(fiber_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
#endif
