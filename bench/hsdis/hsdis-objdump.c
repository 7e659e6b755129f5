/*
 * A HotSpot disassembler plugin that hands the machine code to binutils' objdump, for reading what
 * C2 compiled (-XX:+PrintAssembly, -XX:CompileCommand=print,...) where no hsdis plugin is packaged
 * for the JDK in use: Debian's libhsdis0-fcml lacks decode_instructions_virtual, the entry point
 * JDK 17 calls, so there PrintAssembly prints hex. Not part of the build; a measuring tool.
 *
 *   gcc -shared -fPIC -O2 -o hsdis-amd64.so bench/hsdis/hsdis-objdump.c
 *   LD_LIBRARY_PATH=$PWD java -XX:+UnlockDiagnosticVMOptions \
 *       -XX:CompileCommand=print,*Kernels.k5x2 ...
 *
 * The JVM looks in its own lib/ directory before LD_LIBRARY_PATH, so remove or rename a
 * lib/hsdis-amd64.so there first. Addresses print as the JVM loaded the code; objdump does not know
 * where one instruction stream ends and the JVM's stubs and constants begin, so read around those.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef int (*printf_callback_t)(void *, const char *, ...);
typedef void *(*event_callback_t)(void *, const char *, void *);

void *decode_instructions_virtual(uintptr_t start_va, uintptr_t end_va, unsigned char *buffer, uintptr_t length,
                                  event_callback_t event_callback, void *event_stream,
                                  printf_callback_t printf_callback, void *printf_stream,
                                  const char *options, int newline) {
    char path[] = "/tmp/hsdis-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        return (void *) end_va;
    }
    ssize_t written = write(fd, buffer, length);
    close(fd);
    if (written == (ssize_t) length) {
        char command[512];
        snprintf(command, sizeof command,
                 "objdump -D -b binary -mi386:x86-64 --adjust-vma=0x%lx %s | tail -n +8",
                 (unsigned long) start_va, path);
        FILE *out = popen(command, "r");
        char line[1024];
        while (out && fgets(line, sizeof line, out)) {
            printf_callback(printf_stream, "%s", line);
        }
        if (out) {
            pclose(out);
        }
    }
    unlink(path);
    return (void *) end_va;
}

/* The entry point of older JDKs: the code lies at its own address. */
void *decode_instructions(void *start, void *end, event_callback_t event_callback, void *event_stream,
                          printf_callback_t printf_callback, void *printf_stream, const char *options) {
    return decode_instructions_virtual((uintptr_t) start, (uintptr_t) end, (unsigned char *) start,
                                       (uintptr_t) end - (uintptr_t) start, event_callback, event_stream,
                                       printf_callback, printf_stream, options, 1);
}
