// Arbitrary bytes as a hub log: byte 0 is the number of topics (mod 5),
// then that many 32-byte topics, the rest is the data. What the monitor
// decodes from eth_getLogs answers (libs/iexec/poco_events.h). Must never
// crash or read out of bounds. Accepted: a PoCo event was decoded (a log of
// another topic, or a PoCo topic with the wrong shape, is not).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "libs/iexec/poco_events.h"
#include "tests/fuzz/fuzz_target.h"

bool PoolopsFuzzAccepts(const uint8_t* data, size_t size) {
  if (size == 0) return false;
  const size_t count = data[0] % 5;
  size_t at = 1;
  std::vector<poolops::eth::Hash32> topics;
  for (size_t i = 0; i < count; ++i) {
    if (size - at < 32) return false;
    poolops::eth::Hash32 t{};
    for (size_t b = 0; b < 32; ++b) t[b] = data[at + b];
    topics.push_back(t);
    at += 32;
  }
  auto e = poolops::iexec::DecodePocoEvent(
      topics, poolops::eth::ByteView(data + at, size - at));
  if (!e.ok() || !e->has_value()) return false;
  // The kind decoded is the one topic0 names.
  const auto& known = poolops::iexec::PocoEventTopics();
  if (known[static_cast<size_t>((*e)->kind)] != topics[0]) __builtin_trap();
  return true;
}
