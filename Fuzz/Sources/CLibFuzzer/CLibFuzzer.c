// Nothing: the declaration in include/CLibFuzzer.h is implemented by libFuzzer (-sanitize=fuzzer).
#include "CLibFuzzer.h"
