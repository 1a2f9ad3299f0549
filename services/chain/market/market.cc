#include "services/chain/market/market.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "libs/eth/eip712.h"
#include "libs/eth/hex.h"
#include "libs/eth/secp256k1.h"

namespace poolops::market {
namespace {

using nlohmann::json;

constexpr char kZeroAddress[] = "0x0000000000000000000000000000000000000000";
constexpr uint64_t kMaxSafeInteger = (uint64_t{1} << 53) - 1;  // JS numbers

absl::Status Business(std::string message) {
  return absl::InvalidArgumentError(std::move(message));
}

json DomainTypes() {
  return json::array({{{"name", "name"}, {"type", "string"}},
                      {{"name", "version"}, {"type", "string"}},
                      {{"name", "chainId"}, {"type", "uint256"}},
                      {{"name", "verifyingContract"}, {"type", "address"}}});
}

json OrderTypes() {
  json fields = json::array();
  for (auto [name, type] : std::vector<std::pair<const char*, const char*>>{
           {"workerpool", "address"},
           {"workerpoolprice", "uint256"},
           {"volume", "uint256"},
           {"tag", "bytes32"},
           {"category", "uint256"},
           {"trust", "uint256"},
           {"apprestrict", "address"},
           {"datasetrestrict", "address"},
           {"requesterrestrict", "address"},
           {"salt", "bytes32"}})
    fields.push_back({{"name", name}, {"type", type}});
  return fields;
}

// A JSON number or a decimal string, as the real API's schema casts them.
absl::StatusOr<uint64_t> IntField(const json& order, const char* key,
                                  uint64_t min, uint64_t max, uint64_t fallback,
                                  bool required) {
  if (!order.contains(key)) {
    if (required) return Business(absl::StrCat(key, " is a required field"));
    return fallback;
  }
  const json& v = order[key];
  uint64_t out = 0;
  if (v.is_number_unsigned()) {
    out = v.get<uint64_t>();
  } else if (v.is_string() && absl::SimpleAtoi(v.get<std::string>(), &out)) {
  } else {
    return Business(absl::StrCat(key, " must be a valid integer"));
  }
  if (out < min || out > max)
    return Business(absl::StrCat(key, " must be between ", min, " and ", max));
  return out;
}

absl::StatusOr<std::string> AddressField(const json& order, const char* key,
                                         bool required) {
  if (!order.contains(key)) {
    if (required) return Business(absl::StrCat(key, " is a required field"));
    return std::string(kZeroAddress);
  }
  if (!order[key].is_string())
    return Business(absl::StrCat(key, " must be a valid ethereum address"));
  absl::StatusOr<eth::Address> a =
      eth::Address::Parse(order[key].get<std::string>(), key);
  if (!a.ok())
    return Business(absl::StrCat(key, " must be a valid ethereum address"));
  return a->ToChecksum();
}

absl::StatusOr<std::string> Bytes32Field(const json& order, const char* key,
                                         bool required) {
  if (!order.contains(key)) {
    if (required) return Business(absl::StrCat(key, " is a required field"));
    return eth::ToHex(eth::Bytes(32, 0));
  }
  if (order[key].is_string()) {
    absl::StatusOr<eth::Bytes> b =
        eth::FromHexFixed(order[key].get<std::string>(), 32, key);
    if (b.ok()) return eth::ToHex(*b);
  }
  return Business(absl::StrCat(key, " must be a bytes32 hexstring"));
}

// The order as the real API stores it: numbers as numbers, hex lowercase.
absl::StatusOr<json> NormalizeOrder(const json& order) {
  if (!order.is_object()) return Business("order is a required field");
  json out;
  absl::StatusOr<std::string> workerpool =
      AddressField(order, "workerpool", true);
  if (!workerpool.ok()) return workerpool.status();
  out["workerpool"] = *workerpool;
  absl::StatusOr<uint64_t> price =
      IntField(order, "workerpoolprice", 0, kMaxSafeInteger, 0, false);
  if (!price.ok()) return price.status();
  out["workerpoolprice"] = *price;
  absl::StatusOr<uint64_t> volume =
      IntField(order, "volume", 1, kMaxSafeInteger, 1, false);
  if (!volume.ok()) return volume.status();
  out["volume"] = *volume;
  absl::StatusOr<std::string> tag = Bytes32Field(order, "tag", false);
  if (!tag.ok()) return tag.status();
  out["tag"] = *tag;
  absl::StatusOr<uint64_t> category =
      IntField(order, "category", 0, kMaxSafeInteger, 0, true);
  if (!category.ok()) return category.status();
  out["category"] = *category;
  absl::StatusOr<uint64_t> trust =
      IntField(order, "trust", 0, kMaxSafeInteger, 0, false);
  if (!trust.ok()) return trust.status();
  out["trust"] = *trust;
  for (const char* key :
       {"apprestrict", "datasetrestrict", "requesterrestrict"}) {
    absl::StatusOr<std::string> a = AddressField(order, key, false);
    if (!a.ok()) return a.status();
    out[key] = *a;
  }
  absl::StatusOr<std::string> salt = Bytes32Field(order, "salt", true);
  if (!salt.ok()) return salt.status();
  out["salt"] = *salt;
  if (!order.contains("sign") || !order["sign"].is_string())
    return Business("sign is a required field");
  absl::StatusOr<eth::Bytes> sign =
      eth::FromHex(order["sign"].get<std::string>(), "sign");
  if (!sign.ok() || (sign->size() != 65 && sign->size() != 64))
    return Business("sign must be a valid signature");
  out["sign"] = eth::ToHex(*sign);
  return out;
}

absl::StatusOr<eth::Hash32> OrderHash(const json& order, uint64_t chain_id,
                                      const eth::Address& hub) {
  absl::StatusOr<eth::eip712::Digests> d = eth::eip712::HashTypedData(
      WorkerpoolOrderTypedData(order, chain_id, hub));
  if (!d.ok()) return d.status();
  return d->digest;
}

std::string Iso8601(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

// Tag bit sets as 32-byte values: `a` includes every bit of `b`.
bool Includes(const std::string& a, const std::string& b) {
  absl::StatusOr<eth::Bytes> x = eth::FromHex(a), y = eth::FromHex(b);
  if (!x.ok() || !y.ok() || x->size() != y->size()) return false;
  for (size_t i = 0; i < x->size(); ++i)
    if (((*x)[i] & (*y)[i]) != (*y)[i]) return false;
  return true;
}

std::string Lower(std::string s) { return absl::AsciiStrToLower(s); }

}  // namespace

json WorkerpoolOrderTypedData(const json& order, uint64_t chain_id,
                              const eth::Address& hub) {
  json message = json::object();
  for (const json& f : OrderTypes()) {
    std::string name = f["name"];
    const json& v = order.at(name);
    message[name] = v.is_number() ? json(std::to_string(v.get<uint64_t>())) : v;
  }
  return {
      {"types",
       {{"EIP712Domain", DomainTypes()}, {"WorkerpoolOrder", OrderTypes()}}},
      {"domain",
       {{"name", "iExecODB"},
        {"version", "5.0.0"},
        {"chainId", std::to_string(chain_id)},
        {"verifyingContract", hub.ToChecksum()}}},
      {"primaryType", "WorkerpoolOrder"},
      {"message", message}};
}

json ChallengeTypedData(const std::string& challenge, uint64_t chain_id) {
  return {{"types",
           {{"EIP712Domain",
             json::array({{{"name", "name"}, {"type", "string"}},
                          {{"name", "version"}, {"type", "string"}},
                          {{"name", "chainId"}, {"type", "uint256"}}})},
            {"Challenge",
             json::array({{{"name", "challenge"}, {"type", "string"}}})}}},
          {"domain",
           {{"name", "iExec Gateway"},
            {"version", "1"},
            {"chainId", std::to_string(chain_id)}}},
          {"primaryType", "Challenge"},
          {"message", {{"challenge", challenge}}}};
}

Market::Market(MarketConfig config, ChainView* chain, Clock* clock,
               Random* random)
    : config_(std::move(config)),
      chain_(chain),
      clock_(clock),
      random_(random) {}

json Market::Version() const {
  return {{"ok", true},
          {"version",
           "poolops-devnet-market (iExec market API for workerpool orders)"}};
}

absl::Status Market::CheckChain(const Query& query) const {
  auto it = query.find("chainId");
  uint64_t id = 0;
  if (it == query.end() || !absl::SimpleAtoi(it->second, &id))
    return Business("chainId is a required field");
  if (id != config_.chain_id)
    return Business(absl::StrCat("chainId ", it->second, " is not supported"));
  return absl::OkStatus();
}

absl::StatusOr<json> Market::Challenge(const Query& query) {
  if (absl::Status s = CheckChain(query); !s.ok()) return s;
  auto it = query.find("address");
  if (it == query.end()) return Business("address is a required field");
  absl::StatusOr<eth::Address> address = eth::Address::Parse(it->second);
  if (!address.ok())
    return Business("address must be a valid ethereum address");
  std::string key = Lower(address->ToLowerHex());
  std::string challenge;
  {
    absl::MutexLock lock(&mu_);
    auto found = challenges_.find(key);
    if (found != challenges_.end()) {
      challenge = found->second;  // one pending challenge per address
    } else {
      static constexpr char kChars[] =
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
      uint8_t bytes[32];
      if (absl::Status s = random_->Fill(absl::MakeSpan(bytes)); !s.ok())
        return s;
      std::string nonce;
      for (uint8_t b : bytes) nonce.push_back(kChars[b % 62]);
      challenge =
          absl::StrCat("Sign this message to log into iExec Gateway: ", nonce);
      challenges_[key] = challenge;
    }
  }
  return json{{"ok", true},
              {"data", ChallengeTypedData(challenge, config_.chain_id)}};
}

absl::StatusOr<eth::Address> Market::Authorize(
    const std::string& authorization) {
  std::vector<std::string> parts = absl::StrSplit(authorization, '_');
  if (parts.size() != 3)
    return absl::UnauthenticatedError("invalid authorization");
  absl::StatusOr<eth::Bytes> hash = eth::FromHexFixed(parts[0], 32, "hash");
  absl::StatusOr<eth::Bytes> sign = eth::FromHex(parts[1], "sign");
  absl::StatusOr<eth::Address> address = eth::Address::Parse(parts[2]);
  if (!hash.ok() || !sign.ok() || !address.ok())
    return absl::UnauthenticatedError("invalid authorization");
  absl::MutexLock lock(&mu_);
  auto it = challenges_.find(address->ToLowerHex());
  if (it == challenges_.end())
    return absl::UnauthenticatedError("challenge not valid");
  absl::StatusOr<eth::eip712::Digests> digest = eth::eip712::HashTypedData(
      ChallengeTypedData(it->second, config_.chain_id));
  if (!digest.ok() ||
      !std::equal(hash->begin(), hash->end(), digest->digest.begin()))
    return absl::UnauthenticatedError("challenge not valid");
  absl::StatusOr<eth::Address> signer =
      eth::RecoverAddress(digest->digest, *sign);
  if (!signer.ok() || *signer != *address)
    return absl::UnauthenticatedError("invalid signature");
  challenges_.erase(it);  // single use
  return *address;
}

absl::StatusOr<json> Market::Publish(const Query& query,
                                     const std::string& authorization,
                                     const json& body) {
  if (absl::Status s = CheckChain(query); !s.ok()) return s;
  absl::StatusOr<eth::Address> authorized = Authorize(authorization);
  if (!authorized.ok()) return authorized.status();
  if (!body.is_object() || !body.contains("order"))
    return Business("order is a required field");
  absl::StatusOr<json> order = NormalizeOrder(body["order"]);
  if (!order.ok()) return order.status();
  absl::StatusOr<eth::Hash32> hash =
      OrderHash(*order, config_.chain_id, config_.hub);
  if (!hash.ok()) return hash.status();
  std::string order_hash = eth::ToHex(*hash);
  {
    absl::MutexLock lock(&mu_);
    if (orders_.count(order_hash)) return Business("order already published");
  }
  absl::StatusOr<eth::Address> workerpool =
      eth::Address::Parse((*order)["workerpool"].get<std::string>());
  absl::StatusOr<eth::Address> owner = chain_->WorkerpoolOwner(*workerpool);
  if (!owner.ok()) return owner.status();
  if (*owner != *authorized)
    return Business(absl::StrCat("only order signer ", owner->ToChecksum(),
                                 " can publish an order"));
  absl::StatusOr<eth::Bytes> sign =
      eth::FromHex((*order)["sign"].get<std::string>());
  absl::StatusOr<bool> valid = chain_->VerifySignature(*owner, *hash, *sign);
  if (!valid.ok()) return valid.status();
  if (!*valid) return Business("invalid sign");
  {
    absl::MutexLock lock(&mu_);
    size_t open = 0;
    for (const auto& [h, r] : orders_) open += r.signer == owner->ToChecksum();
    if (open >= config_.max_open_orders_per_wallet)
      return Business(absl::StrCat(
          "maximun of ", config_.max_open_orders_per_wallet,
          " published open workerpoolorder has been reached for wallet ",
          owner->ToChecksum()));
  }
  absl::StatusOr<eth::U256> consumed = chain_->Consumed(*hash);
  if (!consumed.ok()) return consumed.status();
  eth::U256 volume((*order)["volume"].get<uint64_t>());
  if (*consumed >= volume) return Business("order already consumed");
  eth::U256 remaining = volume - *consumed;
  absl::StatusOr<eth::U256> stake = chain_->Stake(*owner);
  if (!stake.ok()) return stake.status();
  eth::U256 required = eth::U256((*order)["workerpoolprice"].get<uint64_t>()) *
                       30 / 100 * remaining;
  if (*stake < required)
    return Business(
        "workerpool owner's stake is too low to cover required workerpool "
        "lock");

  Record record;
  record.order_hash = order_hash;
  record.order = *order;
  record.signer = owner->ToChecksum();
  record.workerpool = (*order)["workerpool"];
  record.remaining = remaining.low64();
  record.timestamp = Iso8601(clock_->Now());
  absl::MutexLock lock(&mu_);
  if (orders_.count(order_hash)) return Business("order already published");
  record.sequence = ++sequence_;
  orders_[order_hash] = record;
  return json{{"ok", true}, {"published", ToJson(record)}};
}

absl::StatusOr<json> Market::Unpublish(const Query& query,
                                       const std::string& authorization,
                                       const json& body) {
  if (absl::Status s = CheckChain(query); !s.ok()) return s;
  absl::StatusOr<eth::Address> authorized = Authorize(authorization);
  if (!authorized.ok()) return authorized.status();
  std::string signer = authorized->ToChecksum();
  std::string target = body.is_object() ? body.value("target", "") : "";
  absl::MutexLock lock(&mu_);
  std::vector<std::string> hashes;
  if (target == "unpublish_orderHash") {
    std::string hash = Lower(body.value("orderHash", ""));
    auto it = orders_.find(hash);
    if (it == orders_.end())
      return Business(absl::StrCat("workerpoolorder with orderHash ", hash,
                                   " is not published"));
    if (it->second.signer != signer)
      return Business(absl::StrCat("only order signer ", it->second.signer,
                                   " can unpublish an order"));
    hashes.push_back(hash);
  } else if (target == "unpublish_last" || target == "unpublish_all") {
    absl::StatusOr<eth::Address> workerpool =
        eth::Address::Parse(body.value("workerpool", ""));
    if (!workerpool.ok())
      return Business("workerpool must be a valid ethereum address");
    std::vector<const Record*> mine;
    for (const auto& [h, r] : orders_)
      if (r.signer == signer && r.workerpool == workerpool->ToChecksum())
        mine.push_back(&r);
    if (mine.empty())
      return Business(
          absl::StrCat("no open workerpoolorder published by signer ", signer,
                       " for workerpool ", workerpool->ToChecksum()));
    std::sort(mine.begin(), mine.end(), [](const Record* a, const Record* b) {
      return a->sequence > b->sequence;
    });
    if (target == "unpublish_last") mine.resize(1);
    for (const Record* r : mine) hashes.push_back(r->order_hash);
  } else {
    return Business(
        "target must be one of unpublish_orderHash, unpublish_last, "
        "unpublish_all");
  }
  for (const std::string& h : hashes) orders_.erase(h);
  return json{{"ok", true}, {"unpublished", hashes}};
}

json Market::ToJson(const Record& r) const {
  return {{"orderHash", r.order_hash}, {"chainId", config_.chain_id},
          {"remaining", r.remaining},  {"status", "open"},
          {"signer", r.signer},        {"publicationTimestamp", r.timestamp},
          {"order", r.order}};
}

absl::StatusOr<json> Market::Orderbook(const Query& query) {
  if (absl::Status s = CheckChain(query); !s.ok()) return s;
  auto get = [&](const char* key) -> std::string {
    auto it = query.find(key);
    return it == query.end() ? "" : it->second;
  };
  auto address_filter = [&](const char* key) -> absl::StatusOr<std::string> {
    std::string v = get(key);
    if (v.empty() || v == "any") return std::string();
    absl::StatusOr<eth::Address> a = eth::Address::Parse(v);
    if (!a.ok())
      return Business(absl::StrCat(key, " must be a valid ethereum address"));
    return a->ToChecksum();
  };
  absl::StatusOr<std::string> workerpool = address_filter("workerpool");
  absl::StatusOr<std::string> owner = address_filter("workerpoolOwner");
  absl::StatusOr<std::string> requester = address_filter("requester");
  absl::StatusOr<std::string> app = address_filter("app");
  absl::StatusOr<std::string> dataset = address_filter("dataset");
  for (auto* s : {&workerpool, &owner, &requester, &app, &dataset})
    if (!s->ok()) return s->status();
  uint64_t page_index = 0, page_size = 20, category = 0, min_trust = 0,
           min_volume = 0;
  bool has_category = !get("category").empty();
  if ((!get("pageIndex").empty() &&
       !absl::SimpleAtoi(get("pageIndex"), &page_index)) ||
      (!get("pageSize").empty() &&
       !absl::SimpleAtoi(get("pageSize"), &page_size)) ||
      (has_category && !absl::SimpleAtoi(get("category"), &category)) ||
      (!get("minTrust").empty() &&
       !absl::SimpleAtoi(get("minTrust"), &min_trust)) ||
      (!get("minVolume").empty() &&
       !absl::SimpleAtoi(get("minVolume"), &min_volume)))
    return Business("invalid numeric query parameter");
  if (page_size < 10 || page_size > 1000)
    return Business("pageSize must be between 10 and 1000");
  std::string min_tag = Lower(get("minTag")), max_tag = Lower(get("maxTag"));

  auto restrict_ok = [&](const std::string& field, const std::string& wanted,
                         const char* strict_key) {
    if (wanted.empty()) return true;
    const std::string& r = field;
    if (r == wanted) return true;
    return get(strict_key) != "true" && r == kZeroAddress;
  };
  std::vector<const Record*> matches;
  absl::MutexLock lock(&mu_);
  for (const auto& [h, r] : orders_) {
    const json& o = r.order;
    if (!workerpool->empty() && r.workerpool != *workerpool) continue;
    if (!owner->empty() && r.signer != *owner) continue;
    if (has_category && o["category"].get<uint64_t>() != category) continue;
    if (o["trust"].get<uint64_t>() < min_trust) continue;
    if (r.remaining < min_volume) continue;
    if (!min_tag.empty() && !Includes(o["tag"], min_tag)) continue;
    if (!max_tag.empty() && !Includes(max_tag, o["tag"])) continue;
    if (!restrict_ok(o["requesterrestrict"], *requester, "isRequesterStrict"))
      continue;
    if (!restrict_ok(o["apprestrict"], *app, "isAppStrict")) continue;
    if (!restrict_ok(o["datasetrestrict"], *dataset, "isDatasetStrict"))
      continue;
    matches.push_back(&r);
  }
  std::sort(matches.begin(), matches.end(),
            [](const Record* a, const Record* b) {
              uint64_t pa = a->order["workerpoolprice"],
                       pb = b->order["workerpoolprice"];
              if (pa != pb) return pa < pb;
              if (a->timestamp != b->timestamp)
                return a->timestamp < b->timestamp;
              return a->order_hash < b->order_hash;
            });
  json orders = json::array();
  size_t begin = std::min<size_t>(matches.size(), page_index * page_size);
  size_t end = std::min<size_t>(matches.size(), begin + page_size);
  for (size_t i = begin; i < end; ++i) orders.push_back(ToJson(*matches[i]));
  json out = {{"ok", true}, {"count", matches.size()}, {"orders", orders}};
  if (end < matches.size()) out["nextPage"] = page_index + 1;
  return out;
}

absl::StatusOr<json> Market::GetOrder(const std::string& order_hash,
                                      const Query& query) {
  if (absl::Status s = CheckChain(query); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  auto it = orders_.find(Lower(order_hash));
  if (it == orders_.end())
    return absl::NotFoundError("workerpoolorder not found");
  json out = ToJson(it->second);
  out["ok"] = true;
  return out;
}

}  // namespace poolops::market
