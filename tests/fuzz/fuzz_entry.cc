// libFuzzer's entry point for every harness: the outcome matters only to the
// corpus replay, the fuzzer looks for crashes and broken invariants.
#include "tests/fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)PoolopsFuzzAccepts(data, size);
  return 0;
}
