#include "services/chain/orders/market_responses.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/bounded_json.h"
#include "libs/iexec/market_challenge.h"

namespace poolops::chain {
namespace {

using nlohmann::json;

constexpr JsonLimits kMarketLimits{.max_bytes = 16 << 20, .max_depth = 32};
// The API's challenge is the prefix and 32 random characters.
constexpr size_t kMaxChallengeChars = 256;

absl::StatusOr<uint64_t> JsonInteger(const json& j, const char* field) {
  if (j.is_number_unsigned()) return j.get<uint64_t>();
  if (j.is_number_integer() && j.get<int64_t>() >= 0)
    return static_cast<uint64_t>(j.get<int64_t>());
  if (j.is_string()) {
    uint64_t v = 0;
    std::string s = j.get<std::string>();
    bool digits = !s.empty() && s.size() <= 20;
    for (char c : s) digits = digits && absl::ascii_isdigit(c);
    if (digits && absl::SimpleAtoi(s, &v)) return v;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      field, " is not a whole number: ", DumpJson(j).substr(0, 80)));
}

absl::Status Refuse(std::string_view why) {
  return absl::PermissionDeniedError(
      absl::StrCat("refusing to sign the login challenge: ", std::string(why),
                   " (only the market API's Challenge is signed)"));
}

bool KeysAre(const json& j, const std::set<std::string>& required,
             const std::set<std::string>& optional = {}) {
  if (!j.is_object()) return false;
  for (const std::string& k : required)
    if (!j.contains(k)) return false;
  for (const auto& [k, v] : j.items())
    if (!required.count(k) && !optional.count(k)) return false;
  return true;
}

// [{name, type}, ...] exactly.
bool FieldsAre(const json& j,
               const std::vector<std::pair<std::string, std::string>>& want) {
  if (!j.is_array() || j.size() != want.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    const json& f = j[i];
    if (!KeysAre(f, {"name", "type"}) || f["name"] != want[i].first ||
        f["type"] != want[i].second)
      return false;
  }
  return true;
}

// The API writes the chain id from its query string (a decimal string);
// a number is accepted too.
bool IsChainId(const json& j, uint64_t chain_id) {
  if (j.is_number_unsigned()) return j.get<uint64_t>() == chain_id;
  if (j.is_number_integer())
    return j.get<int64_t>() >= 0 &&
           static_cast<uint64_t>(j.get<int64_t>()) == chain_id;
  if (!j.is_string()) return false;
  return j.get<std::string>() == std::to_string(chain_id);
}

}  // namespace

absl::StatusOr<json> ParseMarketBody(std::string_view body,
                                     std::string_view where) {
  return ParseBoundedJson(body, kMarketLimits, where);
}

absl::StatusOr<MarketOrder> ParseMarketOrder(const json& j) {
  if (!j.is_object())
    return absl::InvalidArgumentError("order record is not an object");
  MarketOrder out;
  try {
    out.order_hash = j.at("orderHash").get<std::string>();
    absl::StatusOr<iexec::WorkerpoolOrder> order =
        iexec::ParseSignedWorkerpoolOrder(j.at("order"), "order");
    if (!order.ok()) return order.status();
    out.order = *order;
    absl::StatusOr<uint64_t> remaining =
        JsonInteger(j.at("remaining"), "remaining");
    if (!remaining.ok()) return remaining.status();
    out.remaining = *remaining;
    out.status = j.value("status", "");
    out.signer = j.value("signer", "");
    out.publication_timestamp = j.value("publicationTimestamp", "");
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("order record: ", e.what()));
  }
  return out;
}

absl::StatusOr<MarketOrderbookPage> ParseOrderbookPage(const json& j) {
  if (!j.is_object())
    return absl::InvalidArgumentError("the orderbook is not a JSON object");
  MarketOrderbookPage page;
  if (j.contains("count")) {
    absl::StatusOr<uint64_t> count = JsonInteger(j["count"], "count");
    if (!count.ok()) return count.status();
    page.count = *count;
  }
  if (j.contains("nextPage") && !j["nextPage"].is_null()) {
    absl::StatusOr<uint64_t> next = JsonInteger(j["nextPage"], "nextPage");
    if (next.ok()) page.next_page = *next;
  }
  if (j.contains("orders") && j["orders"].is_array()) {
    for (const json& o : j["orders"]) {
      absl::StatusOr<MarketOrder> parsed = ParseMarketOrder(o);
      if (!parsed.ok()) return parsed.status();
      page.orders.push_back(*std::move(parsed));
    }
  }
  return page;
}

absl::StatusOr<std::string> ParsePublishAnswer(const json& j) {
  if (j.is_object() && j.contains("published") && j["published"].is_object()) {
    const json& published = j["published"];
    auto hash = published.find("orderHash");
    if (hash != published.end() && hash->is_string())
      return hash->get<std::string>();
  }
  return absl::InvalidArgumentError(
      "publish answer without published.orderHash");
}

absl::StatusOr<std::string> MarketChallengeText(const json& answer,
                                                uint64_t chain_id) {
  if (!answer.is_object()) return Refuse("the answer is not a JSON object");
  const json* typed = &answer;
  if (answer.contains("data")) {
    if (!KeysAre(answer, {"data"}, {"ok"}))
      return Refuse("the answer has keys besides ok and data");
    typed = &answer["data"];
  }
  if (!KeysAre(*typed, {"types", "domain", "message"}, {"primaryType"}))
    return Refuse(
        "the typed data is not exactly {types, domain, primaryType, message}");
  const json& t = *typed;
  if (t.contains("primaryType") && t["primaryType"] != "Challenge")
    return Refuse(absl::StrCat("primaryType is ",
                               DumpJson(t["primaryType"]).substr(0, 80),
                               ", not \"Challenge\""));
  const json& types = t["types"];
  if (!KeysAre(types, {"Challenge"}, {"EIP712Domain"}))
    return Refuse("types must be Challenge (and EIP712Domain) only");
  if (!FieldsAre(types["Challenge"], {{"challenge", "string"}}))
    return Refuse("types.Challenge must be [challenge string] only");
  if (types.contains("EIP712Domain") &&
      !FieldsAre(
          types["EIP712Domain"],
          {{"name", "string"}, {"version", "string"}, {"chainId", "uint256"}}))
    return Refuse("types.EIP712Domain must be [name, version, chainId]");
  const json& domain = t["domain"];
  if (!KeysAre(domain, {"name", "version", "chainId"}))
    return Refuse("the domain must be exactly {name, version, chainId}");
  if (domain["name"] != "iExec Gateway" || domain["version"] != "1")
    return Refuse(absl::StrCat("the domain is ",
                               DumpJson(domain["name"]).substr(0, 80), " ",
                               DumpJson(domain["version"]).substr(0, 20),
                               ", not \"iExec Gateway\" \"1\""));
  if (!IsChainId(domain["chainId"], chain_id))
    return Refuse(absl::StrCat("the domain's chainId is ",
                               DumpJson(domain["chainId"]).substr(0, 40),
                               ", not this chain's ", chain_id));
  const json& message = t["message"];
  if (!KeysAre(message, {"challenge"}) || !message["challenge"].is_string())
    return Refuse("the message must be exactly {challenge: string}");
  std::string text = message["challenge"].get<std::string>();
  if (!absl::StartsWith(text, iexec::kMarketChallengePrefix) ||
      text.size() == sizeof(iexec::kMarketChallengePrefix) - 1 ||
      text.size() > kMaxChallengeChars)
    return Refuse(absl::StrCat("the challenge does not read \"",
                               iexec::kMarketChallengePrefix, "<random>\""));
  for (char c : text)
    if (c < 0x20 || c > 0x7e)
      return Refuse("the challenge holds characters besides printable ASCII");
  return text;
}

}  // namespace poolops::chain
