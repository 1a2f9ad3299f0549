#include "libs/eth/transaction.h"

#include <cstring>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"
#include "libs/eth/rlp.h"
#include "nlohmann/json.hpp"

namespace poolops::eth {
namespace {

using json = nlohmann::json;

absl::Status Invalid(std::string_view field, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("transaction ", std::string(field), ": ", std::string(why)));
}

using rlp::AppendBytes;
using rlp::AppendUint;

void AppendTo(Bytes& out, const std::optional<Address>& to) {
  if (!to.has_value()) {
    AppendBytes(out, {});
    return;
  }
  AppendBytes(out, to->bytes());
}

// Unsigned fields of the payload, in wire order, without the signature.
void AppendPayloadFields(Bytes& out, const Transaction& tx) {
  if (tx.type == Transaction::Type::kEip1559) {
    AppendUint(out, tx.chain_id);
    AppendUint(out, tx.nonce);
    AppendUint(out, tx.max_priority_fee_per_gas);
    AppendUint(out, tx.max_fee_per_gas);
    AppendUint(out, tx.gas);
    AppendTo(out, tx.to);
    AppendUint(out, tx.value);
    AppendBytes(out, tx.data);
    out.push_back(0xc0);  // empty access list
    return;
  }
  AppendUint(out, tx.nonce);
  AppendUint(out, tx.gas_price);
  AppendUint(out, tx.gas);
  AppendTo(out, tx.to);
  AppendUint(out, tx.value);
  AppendBytes(out, tx.data);
}

// [type byte] || list header || payload. A transaction is encoded twice per
// signature (signing hash, signed bytes): one buffer each, no per-field ones.
Bytes WrapList(const Bytes& payload, bool typed) {
  Bytes out;
  out.reserve(payload.size() + 10);
  if (typed) out.push_back(0x02);
  rlp::AppendListHeader(out, payload.size());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

U256 TrimmedScalar(const std::array<uint8_t, 32>& x) {
  return *U256::FromBytesBE(x);
}

// secp256k1 order / 2: signatures above it are malleable copies (EIP-2).
const U256& HalfOrder() {
  static const U256 half = *U256::FromHex(
      "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0");
  return half;
}

absl::StatusOr<std::array<uint8_t, 32>> ScalarField(const rlp::Item& item,
                                                    std::string_view what) {
  absl::StatusOr<U256> v = rlp::ToUint(item, what);
  if (!v.ok()) return v.status();
  if (v->IsZero()) return Invalid(what, "must not be zero");
  return v->ToBytesBE();
}

absl::StatusOr<std::optional<Address>> ToField(const rlp::Item& item) {
  if (item.is_list) return Invalid("to", "expected bytes, got a list");
  if (item.bytes.empty()) return std::optional<Address>();
  absl::StatusOr<Address> a = Address::FromBytes(item.bytes);
  if (!a.ok()) return Invalid("to", "must be empty or 20 bytes");
  return std::optional<Address>(*a);
}

absl::StatusOr<Bytes> DataField(const rlp::Item& item) {
  if (item.is_list) return Invalid("data", "expected bytes, got a list");
  return item.bytes;
}

// Reads one numeric JSON field: decimal or 0x-hex string, or JSON integer.
absl::StatusOr<U256> JsonNumber(const json& j, std::string_view field) {
  if (j.is_number_unsigned()) return U256(j.get<uint64_t>());
  if (j.is_number_integer()) {
    int64_t v = j.get<int64_t>();
    if (v < 0) return Invalid(field, "must not be negative");
    return U256(static_cast<uint64_t>(v));
  }
  if (j.is_string()) {
    absl::StatusOr<U256> v =
        U256::Parse(j.get_ref<const std::string&>(),
                    absl::StrCat("transaction ", std::string(field)));
    if (!v.ok()) return v.status();
    return *v;
  }
  return Invalid(field, "expected a decimal or 0x-hex string or an integer");
}

absl::StatusOr<Transaction> FromJsonImpl(const json& j) {
  if (!j.is_object()) return Invalid("json", "must be an object");
  static constexpr const char* kKnown[] = {
      "type", "chainId", "nonce",    "to",           "value",
      "data", "gas",     "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas"};
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const char* k : kKnown) known |= key == k;
    if (!known) return Invalid(key, "unknown field");
  }
  Transaction tx;
  auto number = [&](const char* key, U256& out, bool required) -> absl::Status {
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
      return required ? Invalid(key, "missing") : absl::OkStatus();
    absl::StatusOr<U256> v = JsonNumber(*it, key);
    if (!v.ok()) return v.status();
    out = *v;
    return absl::OkStatus();
  };
  for (auto [key, field, required] :
       {std::tuple{"chainId", &tx.chain_id, true},
        std::tuple{"nonce", &tx.nonce, true}, std::tuple{"gas", &tx.gas, true},
        std::tuple{"value", &tx.value, false}})
    if (absl::Status s = number(key, *field, required); !s.ok()) return s;

  bool legacy_fees = j.contains("gasPrice") && !j["gasPrice"].is_null();
  bool dynamic_fees =
      (j.contains("maxFeePerGas") && !j["maxFeePerGas"].is_null()) ||
      (j.contains("maxPriorityFeePerGas") &&
       !j["maxPriorityFeePerGas"].is_null());
  if (legacy_fees && dynamic_fees)
    return Invalid("gasPrice", "cannot be combined with maxFeePerGas");
  if (!legacy_fees && !dynamic_fees)
    return Invalid("gasPrice",
                   "missing (or maxFeePerGas/maxPriorityFeePerGas)");
  tx.type =
      legacy_fees ? Transaction::Type::kLegacy : Transaction::Type::kEip1559;
  if (auto it = j.find("type"); it != j.end() && !it->is_null()) {
    absl::StatusOr<U256> type = JsonNumber(*it, "type");
    if (!type.ok()) return type.status();
    if (*type != U256(0) && *type != U256(2))
      return Invalid("type", "must be 0 or 2");
    if ((*type == U256(0)) != legacy_fees)
      return Invalid("type", legacy_fees
                                 ? "2 requires maxFeePerGas, not gasPrice"
                                 : "0 requires gasPrice");
  }
  if (legacy_fees) {
    if (absl::Status s = number("gasPrice", tx.gas_price, true); !s.ok())
      return s;
  } else {
    if (absl::Status s = number("maxFeePerGas", tx.max_fee_per_gas, true);
        !s.ok())
      return s;
    if (absl::Status s =
            number("maxPriorityFeePerGas", tx.max_priority_fee_per_gas, true);
        !s.ok())
      return s;
  }
  if (auto it = j.find("to"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) return Invalid("to", "expected an address string");
    absl::StatusOr<Address> to =
        Address::Parse(it->get<std::string>(), "transaction to");
    if (!to.ok()) return to.status();
    tx.to = *to;
  }
  if (auto it = j.find("data"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) return Invalid("data", "expected a hex string");
    absl::StatusOr<Bytes> data =
        FromHex(it->get<std::string>(), "transaction data");
    if (!data.ok()) return data.status();
    tx.data = *std::move(data);
  }
  if (absl::Status s = tx.Validate(); !s.ok()) return s;
  return tx;
}

}  // namespace

absl::Status Transaction::Validate() const {
  if (chain_id.IsZero()) return Invalid("chainId", "must be > 0");
  if (!nonce.FitsUint64()) return Invalid("nonce", "must fit in 64 bits");
  if (gas.IsZero()) return Invalid("gas", "must be > 0");
  if (!gas.FitsUint64()) return Invalid("gas", "must fit in 64 bits");
  if (data.size() > kMaxDataBytes)
    return Invalid("data",
                   absl::StrCat("larger than ", kMaxDataBytes, " bytes"));
  if (type == Type::kLegacy) {
    if (!max_fee_per_gas.IsZero() || !max_priority_fee_per_gas.IsZero())
      return Invalid("maxFeePerGas", "not allowed on a legacy transaction");
  } else if (type == Type::kEip1559) {
    if (!gas_price.IsZero())
      return Invalid("gasPrice", "not allowed on an EIP-1559 transaction");
    if (max_priority_fee_per_gas > max_fee_per_gas)
      return Invalid("maxPriorityFeePerGas", "must not exceed maxFeePerGas");
  } else {
    return Invalid("type", "must be 0 or 2");
  }
  return absl::OkStatus();
}

Hash32 Transaction::SigningHash() const {
  Bytes payload;
  payload.reserve(data.size() + 160);
  AppendPayloadFields(payload, *this);
  bool typed = type == Type::kEip1559;
  if (!typed && !chain_id.IsZero()) {  // EIP-155; chain 0 = pre-EIP-155
    AppendUint(payload, chain_id);
    payload.push_back(0x80);
    payload.push_back(0x80);
  }
  return Keccak(WrapList(payload, typed));
}

Bytes Transaction::EncodeSigned(const RecoverableSignature& sig) const {
  Bytes payload;
  payload.reserve(data.size() + 230);
  AppendPayloadFields(payload, *this);
  bool typed = type == Type::kEip1559;
  if (typed) {
    AppendUint(payload, sig.recovery_id);
  } else if (chain_id.IsZero()) {
    AppendUint(payload, 27 + sig.recovery_id);
  } else {
    AppendUint(payload, chain_id * 2 + 35 + sig.recovery_id);
  }
  AppendUint(payload, TrimmedScalar(sig.r));
  AppendUint(payload, TrimmedScalar(sig.s));
  return WrapList(payload, typed);
}

absl::StatusOr<SignedTransaction> DecodeSigned(ByteView raw) {
  if (raw.empty()) return Invalid("raw", "empty");
  SignedTransaction out;
  Transaction& tx = out.tx;
  bool typed = raw[0] < 0x80;
  if (typed && raw[0] != 0x02)
    return Invalid("raw",
                   absl::StrCat("unsupported transaction type ", raw[0]));
  absl::StatusOr<rlp::Item> decoded =
      rlp::Decode(typed ? raw.subspan(1) : raw, /*max_depth=*/3);
  if (!decoded.ok()) return decoded.status();
  if (!decoded->is_list) return Invalid("raw", "expected an RLP list");
  const std::vector<rlp::Item>& f = decoded->items;
  size_t expected = typed ? 12 : 9;
  if (f.size() != expected)
    return Invalid(
        "raw", absl::StrCat("expected ", expected, " fields, got ", f.size()));

  auto uint_at = [&](size_t i, std::string_view name,
                     U256& dst) -> absl::Status {
    absl::StatusOr<U256> v =
        rlp::ToUint(f[i], absl::StrCat("transaction ", std::string(name)));
    if (!v.ok()) return v.status();
    dst = *v;
    return absl::OkStatus();
  };
  size_t sig_at;
  U256 v;
  if (typed) {
    tx.type = Transaction::Type::kEip1559;
    for (auto [i, name, dst] :
         {std::tuple{0, "chainId", &tx.chain_id},
          std::tuple{1, "nonce", &tx.nonce},
          std::tuple{2, "maxPriorityFeePerGas", &tx.max_priority_fee_per_gas},
          std::tuple{3, "maxFeePerGas", &tx.max_fee_per_gas},
          std::tuple{4, "gas", &tx.gas}, std::tuple{6, "value", &tx.value},
          std::tuple{9, "yParity", &v}})
      if (absl::Status s = uint_at(i, name, *dst); !s.ok()) return s;
    if (!f[8].is_list) return Invalid("accessList", "expected a list");
    // Access lists are not modelled; accepting one would misreport the hash.
    if (!f[8].items.empty()) return Invalid("accessList", "must be empty");
    if (v > U256(1)) return Invalid("yParity", "must be 0 or 1");
    out.signature.recovery_id = static_cast<uint8_t>(v.low64());
    sig_at = 10;
  } else {
    tx.type = Transaction::Type::kLegacy;
    for (auto [i, name, dst] :
         {std::tuple{0, "nonce", &tx.nonce},
          std::tuple{1, "gasPrice", &tx.gas_price},
          std::tuple{2, "gas", &tx.gas}, std::tuple{4, "value", &tx.value},
          std::tuple{6, "v", &v}})
      if (absl::Status s = uint_at(i, name, *dst); !s.ok()) return s;
    if (v == U256(27) || v == U256(28)) {
      tx.chain_id = 0;
      out.signature.recovery_id = static_cast<uint8_t>(v.low64() - 27);
    } else if (v >= U256(37)) {  // 35/36 would mean chain id 0
      tx.chain_id = (v - 35) / 2;
      out.signature.recovery_id = static_cast<uint8_t>(((v - 35) % 2).low64());
    } else {
      return Invalid("v", "must be 27, 28 or 35 + 2 * chainId (+1)");
    }
    sig_at = 7;
  }
  size_t to_at = typed ? 5 : 3, data_at = typed ? 7 : 5;
  absl::StatusOr<std::optional<Address>> to = ToField(f[to_at]);
  if (!to.ok()) return to.status();
  tx.to = *to;
  absl::StatusOr<Bytes> data = DataField(f[data_at]);
  if (!data.ok()) return data.status();
  tx.data = *std::move(data);

  absl::StatusOr<std::array<uint8_t, 32>> r = ScalarField(f[sig_at], "r");
  if (!r.ok()) return r.status();
  absl::StatusOr<std::array<uint8_t, 32>> s = ScalarField(f[sig_at + 1], "s");
  if (!s.ok()) return s.status();
  if (*U256::FromBytesBE(*s) > HalfOrder())
    return Invalid("s", "high s value (malleable signature)");
  out.signature.r = *r;
  out.signature.s = *s;

  absl::StatusOr<Address> from =
      RecoverAddress(tx.SigningHash(), out.signature.ToRsv());
  if (!from.ok()) return from.status();
  out.from = *from;
  out.hash = Keccak(raw);
  return out;
}

absl::StatusOr<Transaction> TransactionFromJson(const nlohmann::json& j) {
  try {
    return FromJsonImpl(j);
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("transaction json: ", e.what()));
  }
}

nlohmann::json TransactionToJson(const Transaction& tx) {
  json j;
  bool legacy = tx.type == Transaction::Type::kLegacy;
  j["type"] = legacy ? 0 : 2;
  j["chainId"] = tx.chain_id.ToDecimal();
  j["nonce"] = tx.nonce.ToDecimal();
  j["to"] = tx.to.has_value() ? json(tx.to->ToChecksum()) : json(nullptr);
  j["value"] = tx.value.ToDecimal();
  j["data"] = ToHex(tx.data);
  j["gas"] = tx.gas.ToDecimal();
  if (legacy) {
    j["gasPrice"] = tx.gas_price.ToDecimal();
  } else {
    j["maxFeePerGas"] = tx.max_fee_per_gas.ToDecimal();
    j["maxPriorityFeePerGas"] = tx.max_priority_fee_per_gas.ToDecimal();
  }
  return j;
}

}  // namespace poolops::eth
