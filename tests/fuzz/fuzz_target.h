// The one function every harness of this folder defines. libFuzzer reaches it
// through fuzz_entry.cc; the corpus replay (replay_main.cc) also checks its
// answer against the seed's name: `*_exp_ok` seeds must be accepted,
// `*_exp_fail` seeds refused, other seeds only must not crash.
#pragma once

#include <cstddef>
#include <cstdint>

// Runs one input through the parser the harness fuzzes and the invariants it
// checks (a broken invariant traps). Returns whether the parser accepted the
// input, as the harness's comment defines it.
bool PoolopsFuzzAccepts(const uint8_t* data, size_t size);
