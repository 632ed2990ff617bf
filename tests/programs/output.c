/*
** output.c -- what the failing execution writes to standard output and
** error is shown under its report, in order, its first 4,096 bytes per
** stream and a count of the rest (tests/programs.sh).
*/
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    printf("printf %d, ", 1);
    puts("puts, ");
    fputs("fputs, ", stdout);
    fwrite("fwrite, ", 1, 8, stdout);
    fputs("putchar: ", stdout);
    putchar('!');
    putchar('\n');
    write(1, "write(1)\n", 9);
    for (int i = 0; i < 100; i++)
        printf("line %d %.*s\n", i, 55, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    errno = EPIPE;
    perror("output");
    fprintf(stderr, "tab\tand \a bell\n");
    return 1;
}
