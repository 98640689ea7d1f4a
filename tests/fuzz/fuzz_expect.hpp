#pragma once
// A property a fuzz target asserts. A broken one aborts, which libFuzzer (and
// the replay runner) reports with the input that broke it.
#include <cstdio>
#include <cstdlib>

#define FUZZ_EXPECT(condition)                                                      \
  do {                                                                              \
    if (!(condition)) {                                                             \
      std::fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)
