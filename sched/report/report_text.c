/*
** report_text.c -- the human report, after lockdep: a banner naming the
** class, what happened, each thread with what it waits for and who holds
** it, the wait-for cycle, held locks, the interleaving with one column per
** thread, and the replay command last. One print function per class.
*/
#include <stdlib.h>
#include <string.h>
#include "report/report.h"

#define DIGITS_OF(n) #n
#define NUMBER_TEXT(n) DIGITS_OF(n)   /* a macro's value as a string literal */

#define RULE "========================================================================"
#define THIN "------------------------------------------------------------------------"
#define CELL_MAX 40

/* ==========================================================================
** Shared pieces
** ========================================================================== */

static void print_thread_name(FILE *f, const struct report *rep, int tid)
{
    fprintf(f, "thread %d \"%s\"", tid, rep->threads[tid].name);
}

/* "thread 1 "a", thread 2 "b"": the threads in mask, comma-separated. */
static void print_thread_list(FILE *f, const struct report *rep, sched_mask mask)
{
    const char *sep = "";
    MASK_FOR(i, mask)
        if (i < rep->nthreads) {
            fprintf(f, "%s", sep);
            print_thread_name(f, rep, i);
            sep = ", ";
        }
}

static void print_frame_place(FILE *f, const struct report_frame *fr)
{
    if (fr->file[0])
        fprintf(f, "%s:%d", fr->file, fr->line);
    else
        fprintf(f, "%s+0x%lx", fr->module[0] ? fr->module : "?", fr->offset);
}

/* "at x.c:12 in helper", then a line per caller: "called from x.c:30 in
** worker". Without debug information the code's module and offset stand
** in for the lines weft does not know. */
static void print_place(FILE *f, const struct report *rep, const char *indent,
                        struct sched_loc at, struct report_chain c)
{
    const struct report_frame *fr = c.n ? &rep->frames[c.first] : NULL;
    fprintf(f, "%sat %s", indent, report_loc(at).s);
    if (fr && fr->function[0])
        fprintf(f, " in %s", fr->function);
    else if (fr && !fr->file[0])
        fprintf(f, " (%s+0x%lx)", fr->module[0] ? fr->module : "?", fr->offset);
    fputc('\n', f);
    for (int i = 1; i < c.n; i++) {
        fr = &rep->frames[c.first + i];
        fprintf(f, "%scalled from ", indent);
        print_frame_place(f, fr);
        if (fr->function[0])
            fprintf(f, " in %s", fr->function);
        fputc('\n', f);
    }
}

/* A thread that waits for anyone, when nobody has used what it waits on:
** say which of the others finished rather than call them all blocked. */
static void print_nobody_used(FILE *f, const struct report *rep, const struct report_thread *t)
{
    struct mask_table tab = { 0 };    /* this set's own (the report is read only) */
    struct mask_builder done = MASK_BUILDER_INIT;
    bool live = false;
    for (int i = 0; i < rep->nthreads; i++)
        if (i != t->id && strcmp(rep->threads[i].state, "finished") == 0)
            mask_build_add(&done, i);
        else if (i != t->id && strcmp(rep->threads[i].state, "idle") != 0)
            live = true;              /* (an idle timer's thread wakes nobody) */
    sched_mask finished = mask_build_done(&tab, &done);
    if (mask_empty(finished)) {
        fprintf(f, live ? "      no other live thread has used it yet; any could wake it, but all "
                          "are blocked\n"
                        : "      no other thread is left that could wake it\n");
        mask_table_free(&tab);
        return;
    }
    fprintf(f, "      no other thread has used it; ");
    print_thread_list(f, rep, finished);
    fprintf(f, " %s finished", mask_single(finished) ? "has" : "have");
    fprintf(f, live ? ", and the others, which could wake it, are blocked\n"
                    : "; nothing is left to wake it\n");
    mask_table_free(&tab);
}

static void print_blockers(FILE *f, const struct report *rep, const struct report_thread *t)
{
    if (t->held_at.file) {
        int holder = mask_first(t->blockers);
        bool gone = strcmp(rep->threads[holder].state, "finished") == 0;
        fprintf(f, "      held by ");
        print_thread_name(f, rep, holder);
        fprintf(f, !gone ? ", locked at %s\n"
                   : rep->threads[holder].cancelled
                   ? ", which was cancelled holding it, its cleanup handlers run (locked at %s)\n"
                   : ", which returned without unlocking it (locked at %s)\n",
                report_loc(t->held_at).s);
    } else if (t->how == WAIT_ANYONE && !mask_empty(t->finished_users)) {
        bool one = mask_single(t->finished_users);
        fprintf(f, "      the other thread%s that used it (", one ? "" : "s");
        print_thread_list(f, rep, t->finished_users);
        fprintf(f, ") %s finished; nothing is left to wake it\n", one ? "has" : "have");
    } else if (t->how == WAIT_ANYONE) {
        print_nobody_used(f, rep, t);
    } else {
        fprintf(f, t->how == WAIT_EXACT ? "      until " : "      only ");
        print_thread_list(f, rep, t->blockers);
        bool many = mask_count(t->blockers) > 1;
        /* a join or a wait group waits for threads to end; a lock for
        ** its holders and announced writers to be done with it */
        fprintf(f, " %s\n", t->how != WAIT_EXACT ? (many ? "also use it, and they are blocked"
                                                       : "also uses it, and it is blocked")
                            : t->only_waits ? (many ? "finish" : "finishes")
                            : many ? "are done with it" : "is done with it");
    }
}

/* Under a waiting thread: what it holds itself ("holding mutex "A",
** locked at x.c:3"). */
static void print_holding(FILE *f, const struct report *rep, int tid)
{
    for (int i = 0; i < rep->nlocks; i++) {
        const struct report_lock *l = &rep->locks[i];
        if (l->holder == tid)
            fprintf(f, "      holding %s \"%s\"%s%s, locked at %s\n", l->kind, l->name,
                    l->how[0] ? " " : "", l->how, report_loc(l->at).s);
    }
}

static void print_threads(FILE *f, const struct report *rep, bool all)
{
    for (int i = 0; i < rep->nthreads; i++) {
        const struct report_thread *t = &rep->threads[i];
        if (!all && t->wait[0] == 0)
            continue;
        fprintf(f, "  ");
        print_thread_name(f, rep, i);
        if (t->wait[0]) {
            fprintf(f, " %s\n", t->wait);
            print_place(f, rep, "      ", t->wait_at, t->chain);
            print_blockers(f, rep, t);
            print_holding(f, rep, i);
        } else {
            fprintf(f, ": %s\n", t->state);
        }
    }
}

/* Does t wait for a lock whose holder has returned? */
static bool holder_gone(const struct report *rep, const struct report_thread *t)
{
    return t->held_at.file && !mask_empty(t->blockers) &&
           strcmp(rep->threads[mask_first(t->blockers)].state, "finished") == 0;
}

/* No cycle: name the threads nothing will wake; the others wait on them. */
static void print_no_cycle(FILE *f, const struct report *rep)
{
    bool gone = false, cancelled = false;
    fprintf(f, "\nNo wait-for cycle: nothing will ever wake ");
    for (int i = 0, n = 0; i < rep->nthreads; i++) {
        const struct report_thread *t = &rep->threads[i];
        bool lost = t->wait[0] && holder_gone(rep, t);
        if (t->wait[0] && (t->how == WAIT_ANYONE || lost)) {
            fprintf(f, "%s", n++ ? " or " : "");
            print_thread_name(f, rep, i);
            gone |= lost;
            cancelled |= lost && rep->threads[mask_first(t->blockers)].cancelled;
        }
    }
    int blocked = 0;
    for (int i = 0; i < rep->nthreads; i++)
        blocked += rep->threads[i].wait[0] != 0;
    const char *why = cancelled ? "a lock's holder was cancelled without unlocking it"
                    : gone ? "a lock's holder returned without unlocking it"
                           : "a lost or never-sent wake-up";
    fprintf(f, blocked > 1 ? ";\nthe other blocked threads wait for it (%s).\n" : " (%s).\n", why);
}

static void print_cycle(FILE *f, const struct report *rep)
{
    if (rep->ncycle == 0) {
        print_no_cycle(f, rep);
        return;
    }
    bool guessed = false;
    fprintf(f, "\nWait-for cycle:\n  %s", rep->threads[rep->cycle[0]].name);
    for (int i = 1; i < rep->ncycle; i++) {
        bool exact = rep->threads[rep->cycle[i - 1]].how == WAIT_EXACT;
        guessed |= !exact;
        fprintf(f, " %s %s", exact ? "->" : "~>", rep->threads[rep->cycle[i]].name);
    }
    fprintf(f, "\n%s", guessed ? "  (A -> B: A waits until B acts; A ~> B: A waits for a wake-up "
                                  "B could give, but B is blocked)\n" : "");
}

/* "mutex "A" by "t1", locked at x.c:3", "rwlock "mu" for reading by
** "t2", ...", or a semaphore's or barrier's state: "semaphore "s": 0 of 2
** permits left". */
static void print_locks(FILE *f, const struct report *rep)
{
    bool held = false, other = false;
    for (int i = 0; i < rep->nlocks; i++) {
        const struct report_lock *l = &rep->locks[i];
        if (l->holder < 0)
            continue;
        fprintf(f, "%s  %s \"%s\" %s%sby \"%s\", locked at %s\n", held ? "" : "\nLocks held:\n",
                l->kind, l->name, l->how, l->how[0] ? " " : "", rep->threads[l->holder].name,
                report_loc(l->at).s);
        held = true;
    }
    for (int i = 0; i < rep->nlocks; i++) {   /* permits, barriers, pipes: no holder */
        const struct report_lock *l = &rep->locks[i];
        if (l->holder >= 0)
            continue;
        fprintf(f, "%s  %s \"%s\": %s\n", other ? "" : "\nOther objects in use:\n", l->kind,
                l->name, l->state);
        other = true;
    }
}


/* ==========================================================================
** The interleaving: a numbered row per step, a column per thread
** ========================================================================== */

#define HEAD_STEPS 40
#define TAIL_STEPS 60
#define CELL_MIN 8                    /* a cell is cut no shorter, whatever the width */
#define DEFAULT_COLUMNS 100

static bool step_shown(const struct report *rep, uint32_t i)
{
    return rep->nsteps <= HEAD_STEPS + TAIL_STEPS || i < HEAD_STEPS ||
           i >= rep->nsteps - TAIL_STEPS || i >= rep->nsteps;   /* the attempts that block */
}

/* The terminal's width: COLUMNS, else 100. */
static int terminal_columns(void)
{
    const char *env = getenv("COLUMNS");
    char *end;
    long n = env ? strtol(env, &end, 10) : 0;
    return env && *env && *end == 0 && n >= 20 && n <= 10000 ? (int)n : DEFAULT_COLUMNS;
}

/*
** Narrow the thread columns until the last one starts early enough for
** its cells to fit in the terminal: widest first, down to each thread's
** name, then down to CELL_MIN (the names are then abbreviated). A row has
** one cell and nothing after it, so a cell may run on over the empty
** columns to its right (print_row): only where it starts matters.
*/
static void fit_columns(const struct report *rep, int *width, int fixed)
{
    int columns = terminal_columns(), last = rep->nthreads - 1, total = fixed + 2 + width[last];
    for (int t = 0; t < last; t++)
        total += 2 + width[t];
    for (int pass = 0; pass < 2; pass++)
        while (total > columns) {
            int widest = -1;
            for (int t = 0; t < last; t++) {
                int name = (int)strlen(rep->threads[t].name);
                int floor = pass == 0 && name > CELL_MIN ? name : CELL_MIN;
                if (width[t] > floor && (widest < 0 || width[t] > width[widest]))
                    widest = t;
            }
            if (widest < 0)
                break;
            width[widest]--;
            total--;
        }
}

struct layout {
    int *width;                       /* each thread's column (malloc'd, with start) */
    int *start;                       /* where it starts in a row */
    int columns;                      /* the terminal's width */
    int locw;                         /* the "where" column */
    bool timed;                       /* a time column */
    bool preempts, blocks;            /* marks to explain under the table */
};

/* The layout of the table: false without memory (else free l->width). */
static bool column_widths(const struct report *rep, struct layout *l)
{
    *l = (struct layout){ .locw = 5 };
    l->width = malloc(2 * ((size_t)rep->nthreads + 1) * sizeof *l->width);
    if (l->width == NULL)
        return false;
    l->start = l->width + rep->nthreads + 1;
    for (int t = 0; t < rep->nthreads; t++)
        l->width[t] = (int)strlen(rep->threads[t].name);
    for (uint32_t i = 0; i < rep->nsteps + rep->nblocked; i++) {
        if (!step_shown(rep, i))
            continue;
        const struct report_step *s = &rep->steps[i];
        char cell[128];
        report_step_text(rep, s, cell, sizeof cell);
        int len = (int)strlen(cell);
        if (len > l->width[s->tid])
            l->width[s->tid] = len;
        l->timed |= s->time > 0;
        l->preempts |= s->preempts;
        l->blocks |= s->blocks;
        int w = (int)strlen(report_loc(s->loc).s);
        if (w > l->locw)
            l->locw = w;
    }
    if (rep->failing_tid >= 0) {      /* the failing row, when there is one */
        int w = (int)strlen(report_loc(rep->where).s);
        if (w > l->locw)
            l->locw = w;
    }
    for (int t = 0; t < rep->nthreads; t++)
        if (l->width[t] > CELL_MAX)
            l->width[t] = CELL_MAX;
    int fixed = 2 + 6 + (l->timed ? 8 : 0) + 2 + l->locw;
    fit_columns(rep, l->width, fixed);
    l->columns = terminal_columns();
    for (int t = 0; t < rep->nthreads; t++)
        l->start[t] = (t ? l->start[t - 1] + l->width[t - 1] : fixed) + 2;
    return true;
}

/* text, cut to width with ".." when longer. */
static const char *cut(const char *text, int width, char *buf, size_t n)
{
    if ((int)strlen(text) <= width || width < 2)
        return text;
    snprintf(buf, n, "%.*s..", width - 2, text);
    return buf;
}

/* How long a cell of thread t may be: to the terminal's edge, since it
** may run on over the empty columns to its right, but never shorter than
** its own column (the last one's: CELL_MIN) nor longer than CELL_MAX. */
static int cell_room(const struct report *rep, const struct layout *l, int t)
{
    int room = l->columns - l->start[t];
    if (room > CELL_MAX)
        room = CELL_MAX;
    if (t < rep->nthreads - 1 && room < l->width[t])
        room = l->width[t];
    return room < CELL_MIN ? CELL_MIN : room;
}

/* The rows whose cell was cut to fit (CELL_MAX, the terminal's width): the
** first CUT_SHOWN of them, and how many in all. */
#define CUT_SHOWN 12
struct cut_rows {
    uint32_t at[CUT_SHOWN];
    uint32_t n;
};

/* The first timer that fired while another thread could still run: the
** failure may need that thread delayed so long, which a loaded machine
** can do and --timers=idle never explores (a timed wait "failing" a
** correct program is read as weft's mistake without this). */
static void print_passed_timer(FILE *f, const struct report *rep)
{
    for (uint32_t i = 0; i < rep->nsteps; i++) {
        const struct report_step *s = &rep->steps[i];
        if (s->passed_by < 0 || !step_shown(rep, i))
            continue;
        if (s->passed_spinning)       /* (--timers=idle too: fair_threads) */
            fprintf(f, "\nStep %u fired a timer while thread \"%s\" could still run: that thread's\n"
                       "loop turns repeat, so weft's fairness rule held it back as spinning, and\n"
                       "when every thread that can run spins, time moves on to the next deadline.\n",
                    i + 1, rep->threads[s->passed_by].name);
        else
            fprintf(f, "\nStep %u fired a timer while thread \"%s\" could still run: weft lets a\n"
                       "deadline pass before a thread that can run gets its turn, as a loaded\n"
                       "machine may. With --timers=idle, timers fire only when no thread can run.\n",
                    i + 1, rep->threads[s->passed_by].name);
        return;
    }
}

/* The row of a step, or of an attempt that blocks ("-"); a preemption is
** marked "*". A cell cut to fit is noted in cut. */
static void print_row(FILE *f, const struct report *rep, const struct layout *l, uint32_t i,
                      struct cut_rows *cut_rows)
{
    const struct report_step *s = &rep->steps[i];
    char text[128], cell[128], number[16];
    report_step_text(rep, s, text, sizeof text);
    snprintf(number, sizeof number, "%u", i + 1);
    fprintf(f, "  %5s%c", s->blocks ? "-" : number, s->preempts ? '*' : ' ');
    if (l->timed) {
        char ms[32];
        sched_ms_text(s->time, ms, sizeof ms);
        fprintf(f, " %7s", ms);
    }
    fprintf(f, "  %-*s", l->locw, report_loc(s->loc).s);
    int last = s->tid;                /* no trailing blanks after the cell */
    for (int t = 0; t <= last; t++)
        fprintf(f, "  %-*s", t == last ? 0 : l->width[t],
                t == s->tid ? cut(text, cell_room(rep, l, t), cell, sizeof cell) : "");
    fprintf(f, "\n");
    if ((int)strlen(text) > cell_room(rep, l, s->tid) && cut_rows->n++ < CUT_SHOWN)
        cut_rows->at[cut_rows->n - 1] = i;
}

/* The cells cut to fit, in full under the table: a note cut short ("raise
** SIGHUP (pending: thread 0 bl..") is often the reason the reader wants. */
static void print_cut_rows(FILE *f, const struct report *rep, const struct cut_rows *cut_rows)
{
    if (cut_rows->n > 0)
        fprintf(f, "  (..: cut to fit; in full:)\n");
    for (uint32_t k = 0; k < cut_rows->n && k < CUT_SHOWN; k++) {
        const struct report_step *s = &rep->steps[cut_rows->at[k]];
        char text[128], number[16];
        report_step_text(rep, s, text, sizeof text);
        snprintf(number, sizeof number, "%u", cut_rows->at[k] + 1);
        fprintf(f, "  %5s   %s\n", s->blocks ? "-" : number, text);
    }
    if (cut_rows->n > CUT_SHOWN)
        fprintf(f, "  ... and %u more\n", cut_rows->n - CUT_SHOWN);
}

static bool same_step(const struct report_step *a, const struct report_step *b)
{
    return a->tid == b->tid && a->kind == b->kind && a->obj_id == b->obj_id &&
           a->loc.line == b->loc.line && a->loc.file == b->loc.file && a->time == b->time &&
           a->note == b->note && a->note_a == b->note_a && a->note_b == b->note_b &&
           a->preempts == b->preempts && a->nwoke == b->nwoke;
}

/* How many times the `period` steps from i repeat right after themselves:
** a spinning loop is shown once, not ten thousand times. */
static uint32_t repeats(const struct report *rep, uint32_t i, uint32_t period)
{
    uint32_t again = 0;
    while (i + (again + 2) * period <= rep->nsteps) {
        for (uint32_t k = 0; k < period; k++)
            if (!same_step(&rep->steps[i + k], &rep->steps[i + (again + 1) * period + k]))
                return again;
        again++;
    }
    return again;
}

/* Self-deadlock, assertion, crash: the operation that failed, after the
** last step, in its thread's column. */
static void print_failing_row(FILE *f, const struct report *rep, const struct layout *l)
{
    static const char *const what[] = {
        [WEFT_SELF_DEADLOCK] = "lock (already held)", [WEFT_ASSERTION] = "assertion fails",
        [WEFT_CRASH] = "crashes", [WEFT_NONDETERMINISM] = "runs differently",
        [WEFT_DATA_RACE] = "races", [WEFT_UNSUPPORTED] = "not supported",
    };
    int tid = rep->failing_tid;
    if (tid < 0 || (rep->result != WEFT_SELF_DEADLOCK && rep->result != WEFT_ASSERTION &&
                    rep->result != WEFT_CRASH && rep->result != WEFT_NONDETERMINISM &&
                    rep->result != WEFT_DATA_RACE && rep->result != WEFT_UNSUPPORTED))
        return;
    fprintf(f, "  %5s ", "!");
    if (l->timed)
        fprintf(f, " %7s", "");
    fprintf(f, "  %-*s", l->locw, report_loc(rep->where).s);
    for (int t = 0; t <= tid; t++)
        fprintf(f, "  %-*s", t == tid ? 0 : l->width[t],
                t != tid ? "" : rep->failing_op[0] ? rep->failing_op : what[rep->result]);
    fprintf(f, "\n");
}

static void print_header(FILE *f, const struct report *rep, const struct layout *l)
{
    char name[SCHED_NAME_MAX + 4];
    fprintf(f, "\nInterleaving (%u step%s, one column per thread):\n   step ", rep->nsteps,
            rep->nsteps == 1 ? "" : "s");
    if (l->timed)
        fprintf(f, "  t (ms)");
    fprintf(f, "  %-*s", l->locw, "where");
    for (int t = 0; t < rep->nthreads; t++)
        fprintf(f, "  %-*s", t == rep->nthreads - 1 ? 0 : l->width[t],
                cut(rep->threads[t].name, t == rep->nthreads - 1 ? cell_room(rep, l, t)
                                                                   : l->width[t],
                    name, sizeof name));
    fprintf(f, "\n");
}

static void print_interleaving(FILE *f, const struct report *rep)
{
    struct layout l;
    if (!column_widths(rep, &l)) {
        fprintf(f, "\nInterleaving: out of memory to lay out %d threads\n", rep->nthreads);
        return;
    }
    struct cut_rows cut_rows = { .n = 0 };
    print_header(f, rep, &l);
    for (uint32_t i = 0; i < rep->nsteps;) {
        if (!step_shown(rep, i)) {
            fprintf(f, "  ... steps %u to %u not shown ...\n", i + 1, rep->nsteps - TAIL_STEPS);
            i = rep->nsteps - TAIL_STEPS;
            continue;
        }
        uint32_t period, again = 0;
        for (period = 1; period <= 8 && (again = repeats(rep, i, period)) < 2; period++)
            ;
        if (again < 2) {
            print_row(f, rep, &l, i++, &cut_rows);
            continue;
        }
        for (uint32_t k = 0; k < period; k++)
            print_row(f, rep, &l, i + k, &cut_rows);
        fprintf(f, "  ... steps %u to %u repeat the %u step%s above %u more time%s ...\n",
                i + period + 1, i + period * (again + 1), period, period == 1 ? "" : "s",
                again, again == 1 ? "" : "s");
        i += period * (again + 1);
    }
    for (uint32_t i = 0; i < rep->nblocked; i++)
        print_row(f, rep, &l, rep->nsteps + i, &cut_rows);
    print_failing_row(f, rep, &l);
    if (l.preempts)
        fprintf(f, "  (*: a preemption, the thread of the step before could have gone on)\n");
    if (l.blocks)
        fprintf(f, "  (-: where a thread stopped for good: the attempt that blocks)\n");
    print_cut_rows(f, rep, &cut_rows);
    print_passed_timer(f, rep);
    free(l.width);
}

/*
** A select's step names the case it took; this lists every case it had,
** once per thread and list of cases, with the steps that used it (a
** polling loop's hundreds of selects are one line).
*/
#define SELECT_STEPS_SHOWN 5

static bool same_select(const struct report_step *a, const struct report_step *b)
{
    return a->tid == b->tid && strcmp(a->cases, b->cases) == 0;
}

/* Is step i a select of s's group (shown in the table or not: the steps
** a long table leaves out are counted, never listed)? */
static bool of_group(const struct report *rep, uint32_t i, const struct report_step *s)
{
    return rep->steps[i].cases && same_select(&rep->steps[i], s);
}

static bool in_group(const struct report *rep, uint32_t i, const struct report_step *s)
{
    return step_shown(rep, i) && of_group(rep, i, s);
}

static void print_select_group(FILE *f, const struct report *rep, uint32_t first)
{
    const struct report_step *s = &rep->steps[first];
    uint32_t listed = 0, all = 0;
    for (uint32_t i = first; i < rep->nsteps; i++)
        all += of_group(rep, i, s);
    fprintf(f, "  %s, step%s", rep->threads[s->tid].name, all == 1 ? "" : "s");
    for (uint32_t i = first; i < rep->nsteps && listed < SELECT_STEPS_SHOWN; i++)
        if (in_group(rep, i, s))
            fprintf(f, "%s %u", listed++ ? "," : "", i + 1);
    if (all > listed)
        fprintf(f, " and %u more", all - listed);
    fprintf(f, ": %s\n", s->cases);
}

static void print_select_cases(FILE *f, const struct report *rep)
{
    bool any = false;
    for (uint32_t i = 0; i < rep->nsteps; i++) {
        const struct report_step *s = &rep->steps[i];
        bool first = s->cases && step_shown(rep, i);
        for (uint32_t j = 0; first && j < i; j++)
            first = !in_group(rep, j, s);
        if (!first)
            continue;
        if (!any)
            fprintf(f, "\nSelect steps, with every case in the order written:\n");
        any = true;
        print_select_group(f, rep, i);
    }
}

/*
** The steps made inside helpers: the steps whose call chain has more than
** one frame, grouped by function and callers, each group with its callers
** under it. (The "where" column has each step's own line; a step made in
** its thread's own function needs nothing more.)
*/
#define CHAIN_STEPS_SHOWN 10

/* The same call: the same line and function, or without lines the same code. */
static bool same_frame(const struct report_frame *a, const struct report_frame *b)
{
    if (a->file[0] || b->file[0])
        return a->line == b->line && strcmp(a->file, b->file) == 0 &&
               strcmp(a->function, b->function) == 0;
    return a->offset == b->offset && strcmp(a->module, b->module) == 0;
}

/* Made in the same function, called from the same places? */
static bool same_callers(const struct report *rep, struct report_chain a, struct report_chain b)
{
    if (a.n != b.n || a.n < 2 ||
        strcmp(rep->frames[a.first].function, rep->frames[b.first].function) != 0)
        return false;
    for (int k = 1; k < a.n; k++)
        if (!same_frame(&rep->frames[a.first + k], &rep->frames[b.first + k]))
            return false;
    return true;
}

static void print_helper_group(FILE *f, const struct report *rep, struct report_chain c)
{
    int listed = 0, count = 0;        /* count: the steps a long table leaves out too */
    for (uint32_t i = 0; i < rep->nsteps + rep->nblocked; i++)
        count += same_callers(rep, rep->steps[i].chain, c);
    fprintf(f, "  step%s ", count == 1 ? "" : "s");
    for (uint32_t i = 0; i < rep->nsteps + rep->nblocked && listed < CHAIN_STEPS_SHOWN; i++) {
        const struct report_step *s = &rep->steps[i];
        if (!step_shown(rep, i) || !same_callers(rep, s->chain, c))
            continue;
        if (s->blocks)
            fprintf(f, "%s-", listed++ ? ", " : "");
        else
            fprintf(f, "%s%u", listed++ ? ", " : "", i + 1);
    }
    if (count > listed)
        fprintf(f, " and %d more", count - listed);
    const struct report_frame *fr = &rep->frames[c.first];
    fprintf(f, "%s%s\n", fr->function[0] ? " in " : "", fr->function);
    for (int k = 1; k < c.n; k++) {
        fr = &rep->frames[c.first + k];
        fprintf(f, "      called from ");
        print_frame_place(f, fr);
        if (fr->function[0])
            fprintf(f, " in %s", fr->function);
        fputc('\n', f);
    }
}

static void print_helper_calls(FILE *f, const struct report *rep)
{
    bool any = false;
    for (uint32_t i = 0; i < rep->nsteps + rep->nblocked; i++) {
        const struct report_step *s = &rep->steps[i];
        bool first = s->chain.n > 1 && step_shown(rep, i);
        for (uint32_t j = 0; first && j < i; j++)
            first = !(step_shown(rep, j) && same_callers(rep, rep->steps[j].chain, s->chain));
        if (!first)
            continue;
        if (!any)
            fprintf(f, "\nSteps made inside helpers, and who called the helpers:\n");
        any = true;
        print_helper_group(f, rep, s->chain);
    }
}

/* ==========================================================================
** One print function per class
** ========================================================================== */

static void print_deadlock(FILE *f, const struct report *rep)
{
    int blocked = 0;
    for (int i = 0; i < rep->nthreads; i++)
        blocked += rep->threads[i].wait[0] != 0;
    if (rep->result == WEFT_LEAK)
        fprintf(f, "The scenario body (thread 0 \"main\") returned, but %d thread%s stay%s "
                "blocked forever:\n\n", blocked, blocked == 1 ? "" : "s", blocked == 1 ? "s" : "");
    else
        fprintf(f, "%d thread%s blocked forever: none can run and no timer is pending.\n\n",
                blocked, blocked == 1 ? " is" : "s are");
    print_threads(f, rep, false);
    for (int i = 0; i < rep->nthreads; i++)
        if (rep->threads[i].idle[0])
            fprintf(f, "\n%s\n", rep->threads[i].idle);
    print_cycle(f, rep);
    print_locks(f, rep);
}

/* Every thread but the failing one, each on a line with its state. */
static void print_other_threads(FILE *f, const struct report *rep)
{
    if (rep->nthreads < 2)
        return;
    fprintf(f, "\nOther threads:\n");
    for (int i = 0; i < rep->nthreads; i++)
        if (i != rep->failing_tid) {
            fprintf(f, "  ");
            print_thread_name(f, rep, i);
            const struct report_thread *t = &rep->threads[i];
            fprintf(f, ": %s%s%s%s\n", t->wait[0] ? "" : t->state, t->wait,
                    t->wait[0] ? " at " : "", t->wait[0] ? report_loc(t->wait_at).s : "");
        }
}

static void print_self_deadlock(FILE *f, const struct report *rep)
{
    const struct report_thread *t = &rep->threads[rep->failing_tid];
    fprintf(f, "%s\n", rep->message);
    print_place(f, rep, "  ", rep->where, t->chain);
    if (strcmp(rep->failing_kind, "mutex") == 0)
        fprintf(f, "The mutex is not recursive: thread \"%s\" now waits for itself, forever.\n",
                t->name);
    else                              /* a rwlock, a join, a once: no other thread can end it */
        fprintf(f, "No other thread can end this wait: thread \"%s\" waits for itself, "
                "forever.\n", t->name);
    print_locks(f, rep);
    print_other_threads(f, rep);
}

static void print_livelock(FILE *f, const struct report *rep)
{
    fprintf(f, "No cycle: ");
    for (int i = 0, n = 0; i < rep->nthreads; i++)
        if (strcmp(rep->threads[i].state, "spinning") == 0) {
            fprintf(f, "%s", n++ ? " and " : "");
            print_thread_name(f, rep, i);
        }
    fprintf(f, " %s, now at %s:\nits loop repeats the same steps without progress, and no other\n"
            "thread can make progress until it stops.\n\n", rep->message, report_loc(rep->where).s);
    print_threads(f, rep, false);
    print_locks(f, rep);
}

static void print_assertion(FILE *f, const struct report *rep)
{
    fprintf(f, "In ");
    if (rep->failing_tid >= 0)
        print_thread_name(f, rep, rep->failing_tid);
    fprintf(f, " at %s:\n  %s\n", report_loc(rep->where).s, rep->message);
    if (rep->failing_tid >= 0 && rep->threads[rep->failing_tid].chain.n > 1) {
        fprintf(f, "\n");
        print_place(f, rep, "  ", rep->where, rep->threads[rep->failing_tid].chain);
    }
    print_locks(f, rep);
    print_other_threads(f, rep);
}

/* The process that ran the execution died in it, or was stopped: no end
** state to show, only where the thread was last seen. */
static void print_death(FILE *f, const struct report *rep, int flags)
{
    fprintf(f, "In thread %d", rep->failing_tid);
    if (rep->died_name[0])
        fprintf(f, " \"%s\"", rep->died_name);
    if (rep->where.file)
        fprintf(f, ", last seen at %s:\n", report_loc(rep->where).s);
    else
        fprintf(f, ", before its first visible operation:\n");
    fprintf(f, "  %s\n\nThe execution ran in a process of its own (see \"What weft guarantees\" in\n"
            "the README), which ended there: there is no end state to show", rep->message);
    if (flags & REPORT_STEPS_SHOWN)
        fprintf(f, " beyond\nits %u step%s above.\n", rep->nsteps, rep->nsteps == 1 ? "" : "s");
    else
        fprintf(f, ". To see its\n%u step%s one by one, run the replay command below with \"weft "
                "explain\" in\nplace of \"weft replay\".\n", rep->nsteps, rep->nsteps == 1 ? "" : "s");
}

static void print_nondeterminism(FILE *f, const struct report *rep)
{
    fprintf(f, "The scenario did not do the same thing twice for the same schedule:\n"
            "  %s\n  at %s\n\n", rep->message, report_loc(rep->where).s);
    fprintf(f, "weft re-runs a scenario from fresh state for every execution and needs it\n"
            "to behave alike for the same choices; nothing the search found can be\n"
            "trusted. Likely causes: rand() or another random source, the real clock\n"
            "(time, clock_gettime), a global or static variable the body changes and\n"
            "no .setup resets, memory read before it is written, or decisions taken on\n"
            "pointer values (hashing or sorting by address).\n");
    print_other_threads(f, rep);
}

/* Where an access was: its own line (WEFT_READ, or an instrumented access
** whose line libdw found), else its code's module and offset and the step
** the thread made last (where stands for both). */
static void print_access_place(FILE *f, const struct symbol *code, struct sched_loc where)
{
    if (!code->known) {
        fprintf(f, "at %s", report_loc(where).s);
    } else if (code->file[0]) {
        fprintf(f, "at %s", report_loc((struct sched_loc){ code->file, code->line }).s);
        if (code->function[0])
            fprintf(f, " (in %s)", code->function);
    } else {
        if (code->module[0])
            fprintf(f, "at %s+0x%lx, ", code->module, code->offset);
        fprintf(f, "after its step at %s", report_loc(where).s);
    }
}

static void print_data_race(FILE *f, const struct report *rep)
{
    const struct report_race *r = &rep->race;
    fprintf(f, "Data race on %s%s%s: two threads access it, at least one writes, and no\n"
            "synchronisation orders the two accesses (no lock, channel, join, wait or\n"
            "atomic between them), so they may come in either order, or at once:\n\n  ",
            r->name[0] ? "\"" : "", r->name[0] ? r->name : "memory", r->name[0] ? "\"" : "");
    print_thread_name(f, rep, rep->failing_tid);
    fprintf(f, " %s it %s", r->now_free ? "frees" : r->now_write ? "writes" : "reads",
            r->now_atomic ? "atomically " : "");
    print_access_place(f, &r->now_code, rep->where);
    fprintf(f, "\n  ");
    print_thread_name(f, rep, r->tid);
    fprintf(f, " %s it %s", r->write ? "wrote" : "read", r->atomic ? "atomically " : "");
    print_access_place(f, &r->code, r->at);
    fputc('\n', f);
    if (r->atomic != r->now_atomic)
        fprintf(f, "  (an atomic operation orders nothing with a plain access to the same "
                "memory: C11 calls this a data race too)\n");
    if (r->weak_atomics)
        fprintf(f, "  (atomics weaker than seq_cst ran: a relaxed one orders nothing, and a "
                "release store\n  orders what came before it only for an acquire load "
                "that reads it)\n");
    print_locks(f, rep);
    print_other_threads(f, rep);
}

static const char *const headlines[] = {
    [WEFT_DEADLOCK] = "DEADLOCK", [WEFT_SELF_DEADLOCK] = "SELF-DEADLOCK",
    [WEFT_LEAK] = "LEAKED THREAD", [WEFT_LIVELOCK] = "LIVELOCK (no termination)",
    [WEFT_ASSERTION] = "ASSERTION FAILED", [WEFT_CRASH] = "CRASH",
    [WEFT_NONDETERMINISM] = "NONDETERMINISM", [WEFT_DATA_RACE] = "DATA RACE",
    [WEFT_STUCK] = "STUCK (blocked outside weft)",
    [WEFT_UNSUPPORTED] = "UNSUPPORTED CALL (weft cannot model it)",
};

/* Why a search that found nothing is not exhaustive. */
static const char *not_exhaustive(const struct coverage *c)
{
    if (c->interrupted)
        return "NOT exhaustive: interrupted (SIGINT or SIGTERM); the coverage so far";
    if (c->cut)
        return "NOT exhaustive: executions cut at the step bound (raise --max-steps)";
    if (c->sampled)
        return "NOT exhaustive: sampled with PCT after DPOR ran out of time";
    return "NOT exhaustive: stopped by the execution or time budget";
}

static void print_shrunk(FILE *f, const struct report *rep)
{
    bool same = rep->shrunk_from_preemptions == rep->preemptions &&
                rep->shrunk_from_steps == rep->nsteps;
    if (rep->shrink_stopped && same)
        fprintf(f, "; not shrunk (out of time): %u preemption%s, %u steps",
                rep->preemptions, rep->preemptions == 1 ? "" : "s", rep->nsteps);
    else if (rep->shrink_stopped)
        fprintf(f, "; shrunk from %u preemption%s, %u steps to %u, %u before time ran "
                "out", rep->shrunk_from_preemptions,
                rep->shrunk_from_preemptions == 1 ? "" : "s", rep->shrunk_from_steps,
                rep->preemptions, rep->nsteps);
    else if (same)
        fprintf(f, "; already minimal: %u preemption%s, %u steps", rep->preemptions,
                rep->preemptions == 1 ? "" : "s", rep->nsteps);
    else
        fprintf(f, "; shrunk from %u preemption%s, %u steps to %u, %u",
                rep->shrunk_from_preemptions, rep->shrunk_from_preemptions == 1 ? "" : "s",
                rep->shrunk_from_steps, rep->preemptions, rep->nsteps);
}

/* A pass that was not exhaustive, under WEFT_ACCEPT_SAMPLED: whether its
** sample was enough. */
static void print_acceptance(FILE *f, const struct report *rep)
{
    const struct coverage *c = &rep->cov;
    if (rep->failed || c->exhaustive || !rep->accept_sampled || rep->expect != WEFT_PASS)
        return;
    if (rep->sample_accepted)
        fprintf(f, "; accepted as a sample: %llu executions without a failure, at least %llu "
                "asked", (unsigned long long)c->executions,
                (unsigned long long)rep->min_executions);
    else if (c->interrupted)
        fprintf(f, "; an interrupted sample is not accepted");
    else
        fprintf(f, "; not accepted as a sample: %llu executions, fewer than the %llu asked",
                (unsigned long long)c->executions, (unsigned long long)rep->min_executions);
}

/* One line: what was found against what was expected, and the coverage. */
static void print_summary(FILE *f, const struct report *rep)
{
    const struct coverage *c = &rep->cov;
    double rate = rep->elapsed_s > 0 ? (double)(c->executions + c->pruned) / rep->elapsed_s : 0;
    bool sampled_pass = !rep->failed && !c->exhaustive && !c->failing;
    char plan[128];
    report_plan(c, plan, sizeof plan);
    fprintf(f, "%s: %s%s (expected %s) [%s] %llu execution%s", rep->scenario,
            rep->as_expected ? "" : "UNEXPECTED ",
            sampled_pass ? "no failure found" : weft_result_name(rep->result),
            weft_result_name(rep->expect), plan,
            (unsigned long long)c->executions, c->executions == 1 ? "" : "s");
    if (c->pruned)
        fprintf(f, " + %llu pruned", (unsigned long long)c->pruned);
    if (c->cut)
        fprintf(f, " (%llu cut at the step bound)", (unsigned long long)c->cut);
    if (c->failing)                   /* --classes: one report for all of them */
        fprintf(f, ", %llu failing (--classes searched on past failures; run without it for "
                "a report)", (unsigned long long)c->failing);
    fprintf(f, ", %s", rep->failed ? "stopped at the first failure"
                       : c->exhaustive ? (c->bound_hit ? "exhaustive within the preemption bound"
                                                        : "exhaustive")
                       : not_exhaustive(c));
    if (!rep->failed && c->exhaustive)   /* what "every behaviour" covers */
        fprintf(f, " (%s%s%s%s%s%s%s)", c->all_memory ? "all memory checked"
                                  : rep->unmarked ? "plain memory not checked, so a bug in its order may be missed: --memory=all checks it"
                                  : "plain memory checked where marked",
                c->timed ? "; timers fire only when every thread waits" : "",
                report_caveat(rep, CAVEAT_SPINS_MERGED) ? "; orders around held-back spins may "
                                  "be merged: --spin-order exact" : "",
                report_caveat(rep, CAVEAT_LOOPS_HELD) ? "; loops whose values kept changing were "
                                  "held after " NUMBER_TEXT(SCHED_MOVING_TURNS) " turns" : "",
                report_caveat(rep, CAVEAT_ATOMICS_SC) ? "; atomics weaker than seq_cst ran as "
                                  "seq_cst: --memory-model tso buffers their stores" : "",
                report_caveat(rep, CAVEAT_RELAXED_X86) ? "; relaxed atomics reordered only as "
                                  "x86 reorders them" : "",
                report_caveat(rep, CAVEAT_RELAXED_LOADS) ? "; relaxed atomic loads kept in "
                                  "order (ARM and POWER reorder them too)" : "");
    if (c->forked)
        fprintf(f, ", a process per execution");
    print_acceptance(f, rep);
    fprintf(f, ", %.3f s (%.0f/s)", rep->elapsed_s, rate);
    if (rep->failed && rep->shrink_failed)
        fprintf(f, "; shrinking could not reproduce it (is the scenario deterministic?)");
    else if (rep->failed && rep->shrunk_from_steps)
        print_shrunk(f, rep);
    fprintf(f, "\n");
}

/* What the failing execution wrote to one stream, each line indented;
** bytes that would upset a terminal escaped. */
static void print_output(FILE *f, const struct report_output *o, const char *stream)
{
    if (o->len == 0 && o->more == 0)
        return;
    fprintf(f, "\nWhat the program wrote to %s in this execution:\n  ", stream);
    for (size_t i = 0; i < o->len; i++) {
        unsigned char c = (unsigned char)o->text[i];
        if (c == '\n' && i + 1 < o->len)
            fputs("\n  ", f);
        else if (c == '\n')
            ;
        else if (c < 0x20 && c != '\t')
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
    fputc('\n', f);
    if (o->more)
        fprintf(f, "  ... %llu bytes more\n", (unsigned long long)o->more);
}

static void print_text(FILE *f, const struct report *rep, int flags)
{
    bool replay = flags & REPORT_REPLAY;
    if (rep->divergence[0])
        fprintf(f, "weft: %s: %s\n", rep->scenario, rep->divergence);
    if (!rep->failed || ((flags & REPORT_QUIET) && rep->as_expected)) {
        if (!replay)
            print_summary(f, rep);
        return;
    }
    fprintf(f, "%s\nweft: %s in %s\n", RULE, headlines[rep->result], rep->scenario);
    if (rep->summary)
        fprintf(f, "  %s\n", rep->summary);
    fprintf(f, "%s\n", THIN);
    if (rep->died)
        print_death(f, rep, flags);
    else switch (rep->result) {
    case WEFT_DEADLOCK: case WEFT_LEAK: print_deadlock(f, rep); break;
    case WEFT_SELF_DEADLOCK: print_self_deadlock(f, rep); break;
    case WEFT_LIVELOCK: print_livelock(f, rep); break;
    case WEFT_NONDETERMINISM: print_nondeterminism(f, rep); break;
    case WEFT_DATA_RACE: print_data_race(f, rep); break;
    default: print_assertion(f, rep); break;
    }
    if (!rep->died) {
        print_interleaving(f, rep);
        print_select_cases(f, rep);
        print_helper_calls(f, rep);
    }
    print_output(f, &rep->output[0], "standard output");
    print_output(f, &rep->output[1], "standard error");
    fprintf(f, "\n*** %s ***\n\nReplay:\n  %s replay %s%s --schedule %s\n%s\n",
            headlines[rep->result], rep->command, rep->target, rep->params, rep->schedule, RULE);
    if (!replay)
        print_summary(f, rep);
}

/* The totals line that ends every run: "21 scenarios: 21 as expected, 0
** unexpected, 0 errors". */
static void print_totals(FILE *f, const struct report_totals *t)
{
    fprintf(f, "%d scenario%s: %d as expected, %d unexpected, %d error%s", t->scenarios,
            t->scenarios == 1 ? "" : "s", t->as_expected, t->unexpected, t->errors,
            t->errors == 1 ? "" : "s");
    if (t->not_run)
        fprintf(f, ", %d not run", t->not_run);
    fprintf(f, "\n");
}

extern const struct report_format report_json_format, report_tap_format, report_junit_format;
static const struct report_format text_format = { .name = "text", .print = print_text,
                                                  .end = print_totals };
static const struct report_format *const formats[] = {
    &text_format, &report_json_format, &report_tap_format, &report_junit_format, NULL
};

const struct report_format *report_format_named(const char *name)
{
    for (int i = 0; formats[i]; i++)
        if (strcmp(formats[i]->name, name) == 0)
            return formats[i];
    return NULL;
}
