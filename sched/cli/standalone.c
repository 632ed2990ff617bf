/*
** standalone.c -- main() of libweft-main: a C project links its scenarios
** with it (pkg-config weft-main) and gets a test program that behaves like
** `weft run` on them; `run` with no names runs every scenario linked in.
*/
#include "cli/cli.h"

int main(int argc, char **argv)
{
    const struct cli_program program = { .name = argc > 0 ? argv[0] : "weft-test",
                                         .linked_scenarios = true };
    return cli_main(argc, argv, &program);
}
