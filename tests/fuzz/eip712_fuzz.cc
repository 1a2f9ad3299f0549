// Fuzzes EIP-712 typed data hashing from JSON text. Must never crash; hashing
// is deterministic and independent of JSON formatting (re-serialised input
// gives the same digests). Accepted: the typed data hashes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "libs/eth/eip712.h"
#include "nlohmann/json.hpp"
#include "tests/fuzz/fuzz_target.h"

using namespace poolops::eth;  // NOLINT: fuzz harness brevity

bool PoolopsFuzzAccepts(const uint8_t* data, size_t size) {
  (void)eip712::PersonalMessageDigest(ByteView(data, size));
  std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<eip712::Digests> d = eip712::HashTypedDataJson(text);
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.contains("types") &&
      j.contains("primaryType") && j["primaryType"].is_string())
    (void)eip712::EncodeType(j["types"], j["primaryType"].get<std::string>());
  if (!d.ok()) return false;
  if (j.is_discarded()) __builtin_trap();
  absl::StatusOr<eip712::Digests> again = eip712::HashTypedDataJson(j.dump(2));
  if (!again.ok() || again->digest != d->digest ||
      again->struct_hash != d->struct_hash ||
      again->domain_separator != d->domain_separator)
    __builtin_trap();
  return true;
}
