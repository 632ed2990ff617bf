/* exit_status.c -- a program's exit status is its verdict: main returns
** 3 without arguments, or calls exit(atoi(argv[1])) (tests/programs.sh). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    printf("shown under the report only\n");
    if (argc > 1)
        exit(atoi(argv[1]));
    return 3;
}
