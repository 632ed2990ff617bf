/*
** weft.c -- the weft command: the command line, with the bundled
** scenarios built in and scenario files loaded on demand.
*/
#include "cli/cli.h"

int main(int argc, char **argv)
{
    static const struct cli_program weft = { .name = "weft", .linked_scenarios = false };
    return cli_main(argc, argv, &weft);
}
