#include "libs/iexec/workerpool_order.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/eth/eip712.h"
#include "libs/eth/hex.h"
#include "libs/iexec/validation.h"

namespace poolops::iexec {
namespace {

using nlohmann::json;

const std::vector<std::pair<const char*, const char*>>& OrderFields() {
  static const auto* fields =
      new std::vector<std::pair<const char*, const char*>>{
          {"workerpool", "address"},
          {"workerpoolprice", "uint256"},
          {"volume", "uint256"},
          {"tag", "bytes32"},
          {"category", "uint256"},
          {"trust", "uint256"},
          {"apprestrict", "address"},
          {"datasetrestrict", "address"},
          {"requesterrestrict", "address"},
          {"salt", "bytes32"}};
  return *fields;
}

const json* Field(const json& order, const char* key) {
  auto it = order.find(key);
  return it == order.end() ? nullptr : &*it;
}

}  // namespace

absl::StatusOr<WorkerpoolOrder> ParseSignedWorkerpoolOrder(
    const json& order, std::string_view path) {
  std::string p(path);
  if (order.is_null())
    return absl::InvalidArgumentError(p + " is a required field");
  if (!order.is_object())
    return absl::InvalidArgumentError(
        absl::StrCat(p, " must be a `object` type, but the final value was: `",
                     PrintValue(order), "`."));
  auto name = [&](const char* field) { return absl::StrCat(p, ".", field); };
  WorkerpoolOrder out;
  auto address = [&](const char* field, eth::Address& to) -> absl::Status {
    absl::StatusOr<std::optional<eth::Address>> a =
        AddressField(Field(order, field), name(field), true);
    if (!a.ok()) return a.status();
    to = **a;
    return absl::OkStatus();
  };
  auto integer = [&](const char* field, uint64_t min,
                     uint64_t& to) -> absl::Status {
    absl::StatusOr<std::optional<uint64_t>> v = IntegerField(
        Field(order, field), name(field), min, kMaxSafeInteger, true);
    if (!v.ok()) return v.status();
    to = **v;
    return absl::OkStatus();
  };
  auto bytes32 = [&](const char* field, std::string& to) -> absl::Status {
    absl::StatusOr<std::optional<std::string>> v =
        Bytes32Field(Field(order, field), name(field), true);
    if (!v.ok()) return v.status();
    to = **v;
    return absl::OkStatus();
  };
  for (absl::Status s :
       {address("workerpool", out.workerpool),
        integer("workerpoolprice", 0, out.workerpoolprice),
        integer("volume", 1, out.volume), bytes32("tag", out.tag),
        integer("category", 0, out.category), integer("trust", 0, out.trust),
        address("apprestrict", out.apprestrict),
        address("datasetrestrict", out.datasetrestrict),
        address("requesterrestrict", out.requesterrestrict),
        bytes32("salt", out.salt)}) {
    if (!s.ok()) return s;
  }
  absl::StatusOr<std::optional<std::string>> sign =
      SignField(Field(order, "sign"), name("sign"), true);
  if (!sign.ok()) return sign.status();
  out.sign = **sign;
  return out;
}

json WorkerpoolOrderToJson(const WorkerpoolOrder& o) {
  return {{"workerpool", o.workerpool.ToChecksum()},
          {"workerpoolprice", o.workerpoolprice},
          {"volume", o.volume},
          {"tag", o.tag},
          {"category", o.category},
          {"trust", o.trust},
          {"apprestrict", o.apprestrict.ToChecksum()},
          {"datasetrestrict", o.datasetrestrict.ToChecksum()},
          {"requesterrestrict", o.requesterrestrict.ToChecksum()},
          {"salt", o.salt},
          {"sign", o.sign}};
}

json OrderTypedData(const char* primary_type,
                    const std::vector<std::pair<const char*, const char*>>& members,
                    json message, const OrderDomain& domain) {
  json fields = json::array();
  for (const auto& [name, type] : members)
    fields.push_back({{"name", name}, {"type", type}});
  return {
      {"types",
       {{"EIP712Domain",
         json::array({{{"name", "name"}, {"type", "string"}},
                      {{"name", "version"}, {"type", "string"}},
                      {{"name", "chainId"}, {"type", "uint256"}},
                      {{"name", "verifyingContract"}, {"type", "address"}}})},
        {primary_type, fields}}},
      {"domain",
       {{"name", "iExecODB"},
        {"version", "5.0.0"},
        {"chainId", std::to_string(domain.chain_id)},
        {"verifyingContract", domain.hub.ToChecksum()}}},
      {"primaryType", primary_type},
      {"message", std::move(message)}};
}

json WorkerpoolOrderTypedData(const WorkerpoolOrder& o,
                              const OrderDomain& domain) {
  json message = WorkerpoolOrderToJson(o);
  message.erase("sign");
  for (const char* key : {"workerpoolprice", "volume", "category", "trust"})
    message[key] = std::to_string(message[key].get<uint64_t>());
  return OrderTypedData("WorkerpoolOrder", OrderFields(), std::move(message),
                        domain);
}

absl::StatusOr<eth::Hash32> WorkerpoolOrderHash(const WorkerpoolOrder& order,
                                                const OrderDomain& domain) {
  absl::StatusOr<eth::eip712::Digests> d =
      eth::eip712::HashTypedData(WorkerpoolOrderTypedData(order, domain));
  if (!d.ok()) return d.status();
  return d->digest;
}

namespace {
eth::Bytes TagBytes(std::string_view tag) {
  absl::StatusOr<eth::Bytes> b = eth::FromHexFixed(tag, 32, "tag");
  return b.ok() ? *b : eth::Bytes(32, 0);
}
}  // namespace

bool TagIncludes(std::string_view tag, std::string_view required) {
  eth::Bytes t = TagBytes(tag), r = TagBytes(required);
  for (size_t i = 0; i < 32; ++i)
    if ((t[i] & r[i]) != r[i]) return false;
  return true;
}

bool TagWithin(std::string_view tag, std::string_view allowed) {
  return TagIncludes(allowed, tag);
}

}  // namespace poolops::iexec
