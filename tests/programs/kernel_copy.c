/* kernel_copy.c -- sendfile and splice (tests/programs.sh). Between real
** files they are the kernel's; with a pipe or socket weft models, weft
** cannot move the bytes, and it says so at the call's line (the bytes went
** to weft's /dev/null, unnoticed). The mode: "files" copies a file into
** another with sendfile; "pipe" sends a file into a pipe; "splice" splices
** it into one. */
#define _GNU_SOURCE                   /* splice */
#include <assert.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

static int temp_file(char *path, const char *text)
{
    int fd = mkstemp(path);
    assert(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    unlink(path);
    return fd;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "files";
    char from_path[] = "/tmp/weft-copy-XXXXXX", to_path[] = "/tmp/weft-copy-XXXXXX", got[4] = "";
    int from = temp_file(from_path, "abc"), out[2];
    off_t off = 0;
    if (strcmp(mode, "files") == 0) {
        int to = temp_file(to_path, "");
        assert(sendfile(to, from, &off, 3) == 3);
        assert(pread(to, got, 3, 0) == 3);
    } else {
        assert(pipe(out) == 0);
        if (strcmp(mode, "splice") == 0)
            assert(splice(from, &off, out[1], NULL, 3, 0) == 3);
        else
            assert(sendfile(out[1], from, &off, 3) == 3);
        assert(read(out[0], got, 3) == 3);
    }
    assert(strcmp(got, "abc") == 0);
    return 0;
}
