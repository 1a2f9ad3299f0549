// EIP-712 typed structured data hashing from the JSON form used by
// eth_signTypedData_v4 / ethers: {"types","domain","primaryType","message"}.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "libs/eth/bytes.h"
#include "nlohmann/json_fwd.hpp"

namespace poolops::eth::eip712 {


// Summary of the domain, for policy checks and audit records.
struct DomainInfo {
  std::string name;                // empty when absent
  std::string version;             // empty when absent
  std::string chain_id;            // decimal; empty when absent
  std::string verifying_contract;  // EIP-55; empty when absent
};

struct Digests {
  Hash32 domain_separator;
  Hash32 struct_hash;  // hashStruct(primaryType, message)
  Hash32 digest;       // keccak256(0x1901 || domainSeparator || structHash)
  DomainInfo domain;
  std::string primary_type;
};

// Hashes typed data given as JSON text. `EIP712Domain` may be absent from
// "types" (it is then derived from the domain's fields, as ethers does).
// Unknown types, missing fields, values out of range for their type, cyclic
// or undeclared references are InvalidArgumentErrors naming the field path.
absl::StatusOr<Digests> HashTypedDataJson(std::string_view json_text);
absl::StatusOr<Digests> HashTypedData(const nlohmann::json& typed_data);

// encodeType(primaryType) with referenced types sorted, e.g.
// "Mail(Person from,Person to,string contents)Person(string name,address wallet)".
absl::StatusOr<std::string> EncodeType(const nlohmann::json& types,
                                       std::string_view primary_type);

// EIP-191 personal message digest:
// keccak256("\x19Ethereum Signed Message:\n" + len(message) + message).
Hash32 PersonalMessageDigest(ByteView message);

}  // namespace poolops::eth::eip712
