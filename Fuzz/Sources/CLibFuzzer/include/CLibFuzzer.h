// libFuzzer's entry point for programs that have their own `main` (LLVM's "LLVMFuzzerRunDriver").
//
// SwiftPM links an executable target on Linux with its entry point renamed to `<Target>_main`, which
// `-parse-as-library` (needed so that libFuzzer's `main` can run) never emits; each fuzz target therefore
// defines `<Target>_main` itself and hands control to libFuzzer's driver through this declaration.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

// LeakSanitizer (part of AddressSanitizer): allocations made between these calls are never reported as leaks.
void __lsan_disable(void);
void __lsan_enable(void);
