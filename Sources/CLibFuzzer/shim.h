#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver for a program that has its own `main` (compiler-rt, LLVM 11 and later): parses
/// libFuzzer's flags from argv and runs `callback` on each input. Linked by `-sanitize=fuzzer`.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
