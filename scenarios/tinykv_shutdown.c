/*
** tinykv_shutdown.c -- TinyKV, test TestManyPartitionsOneClient2B: the test
** passed, the process never exited.
**
** Upstream (kv/test_raftstore): the test cluster runs background goroutines
** per node, tracked by a wait group. Cluster.Shutdown signals them to stop
** and waits for all of them. One goroutine's loop only checks its exit
** condition on a path that is not taken while its node is partitioned, so
** it never returns and Shutdown waits forever.
**
** Model: each node's message pump looks at closeCh only after a message has
** arrived. Shutdown closes closeCh and sends every node a last message
** through the transport; the test's partition filter, still installed,
** drops the one for node `partitioned` (default 1; out of range: none).
**
**   tinykv_shutdown_hang: the pump blocks in a receive on node1.raftCh,
**     which nobody will send to again; main waits on the wait group for it.
**   tinykv_shutdown_spin: the pump polls its channel and yields, never
**     blocking and never seeing closeCh; main waits for it forever.
**
** Fix: every loop iteration, blocking or not, also selects on closeCh.
*/
#include <weft.h>

#define MAX_NODES 8

static const char *const node_names[MAX_NODES] = {
    "node0", "node1", "node2", "node3", "node4", "node5", "node6", "node7",
};
static const char *const raft_ch_names[MAX_NODES] = {
    "node0.raftCh", "node1.raftCh", "node2.raftCh", "node3.raftCh",
    "node4.raftCh", "node5.raftCh", "node6.raftCh", "node7.raftCh",
};

struct cluster {
    int nodes;
    int partitioned;            /* node cut off by the filter */
    weft_chan_t *closeCh;       /* closed by Shutdown */
    weft_waitgroup_t wg;        /* every node goroutine */
    int fixed;
};

struct node {
    struct cluster *c;
    weft_chan_t *raftCh;        /* messages from the transport */
};

/* select { case <-ch: return true; default: return false } */
static int is_closed(weft_chan_t *ch)
{
    struct weft_select_case sc = { .dir = WEFT_RECV, .ch = ch };

    return weft_select(&sc, 1, 0) == 0;
}

/* tinykv_shutdown_hang: the pump waits for the next message. */
static void pump_blocking(void *arg)
{
    struct node *n = arg;
    struct cluster *c = n->c;
    struct weft_select_case cases[2] = {
        { .dir = WEFT_RECV, .ch = n->raftCh },
        { .dir = WEFT_RECV, .ch = c->closeCh },
    };

    for (;;) {
        if (!c->fixed) {
            weft_chan_recv(n->raftCh, NULL);   /* bug: no closeCh case */
            if (is_closed(c->closeCh))         /* only on this path */
                return;
        } else if (weft_select(cases, 2, WEFT_SELECT_BLOCK) == 1) {
            return;                            /* fix: closeCh each turn */
        }
        /* step(msg) */
    }
}

/* tinykv_shutdown_spin: the pump polls and yields, never blocks. */
static void pump_polling(void *arg)
{
    struct node *n = arg;
    struct cluster *c = n->c;
    struct weft_select_case cases[2] = {
        { .dir = WEFT_RECV, .ch = n->raftCh },
        { .dir = WEFT_RECV, .ch = c->closeCh },
    };

    for (;;) {
        int r = weft_select(cases, c->fixed ? 2 : 1, 0);

        if (r == 1)
            return;                            /* fix: closeCh each turn */
        if (r == 0 && !c->fixed && is_closed(c->closeCh))
            return;                            /* bug: only after a message */
        if (r == WEFT_SELECT_DEFAULT)
            weft_yield();                      /* nothing yet: poll again */
    }
}

/* The cluster transport, with the test's PartitionFilter installed. */
static void send_raft_message(struct cluster *c, struct node *to, int id)
{
    if (id == c->partitioned)
        return;                                /* dropped by the filter */
    weft_chan_send(to->raftCh, NULL);
}

/* Cluster.Shutdown. */
static void cluster_shutdown(struct cluster *c, struct node *nodes)
{
    weft_chan_close(c->closeCh);
    for (int i = 0; i < c->nodes; i++)
        send_raft_message(c, &nodes[i], i);
    weft_waitgroup_wait(&c->wg);
}

static void run(int fixed, void (*pump)(void *))
{
    struct cluster *c = weft_calloc(1, sizeof *c);
    struct node *nodes;

    c->nodes = weft_param_int("nodes", 3);
    c->partitioned = weft_param_int("partitioned", 1);
    weft_assert(c->nodes >= 1 && c->nodes <= MAX_NODES,
                "nodes must be 1..%d", MAX_NODES);
    if (c->nodes < 1 || c->nodes > MAX_NODES)
        return;
    c->fixed = fixed;
    c->closeCh = weft_chan_make("closeCh", 0);
    weft_waitgroup_init(&c->wg, "wg");

    nodes = weft_calloc((size_t)c->nodes, sizeof *nodes);
    for (int i = 0; i < c->nodes; i++) {
        nodes[i].c = c;
        nodes[i].raftCh = weft_chan_make(raft_ch_names[i], 1);
        weft_waitgroup_go(&c->wg, node_names[i], pump, &nodes[i]);
    }
    cluster_shutdown(c, nodes);
}

WEFT_SCENARIO(tinykv_shutdown_hang,
              .summary = "Shutdown waits for a partitioned node blocked forever (TinyKV 2B)",
              .expect = WEFT_DEADLOCK)
{
    run(0, pump_blocking);
}

WEFT_SCENARIO(tinykv_shutdown_hang_fixed,
              .summary = "node loop selects on closeCh as well (TinyKV 2B)",
              .expect = WEFT_PASS)
{
    run(1, pump_blocking);
}

WEFT_SCENARIO(tinykv_shutdown_spin,
              .summary = "Shutdown waits for a partitioned node that spins forever (TinyKV 2B)",
              .expect = WEFT_LIVELOCK)
{
    run(0, pump_polling);
}

WEFT_SCENARIO(tinykv_shutdown_spin_fixed,
              .summary = "polling loop checks closeCh every turn (TinyKV 2B)",
              .expect = WEFT_PASS)
{
    run(1, pump_polling);
}
