#include "libs/iexec/chain_json.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace poolops::iexec {
namespace {

using json = nlohmann::json;

ChainPreset Preset(std::string name, uint64_t id, std::string rpc,
                   std::string_view hub, bool native, std::string market) {
  return {std::move(name),           id,     std::move(rpc),
          *eth::Address::Parse(hub), native, std::move(market)};
}

// Keys of a chain.json chain entry the iExec SDK 8.24 accepts.
const std::set<std::string>& SdkKeys() {
  static const auto* keys = new std::set<std::string>{"id",
                                                      "host",
                                                      "hub",
                                                      "ensRegistry",
                                                      "ensPublicResolver",
                                                      "voucherHub",
                                                      "sms",
                                                      "resultProxy",
                                                      "ipfsGateway",
                                                      "iexecGateway",
                                                      "compass",
                                                      "pocoSubgraph",
                                                      "voucherSubgraph",
                                                      "native",
                                                      "useGas",
                                                      "defaultTeeFramework",
                                                      "bridge"};
  return *keys;
}

bool HttpUrl(const json& v) {
  if (!v.is_string()) return false;
  const std::string& url = v.get_ref<const std::string&>();
  return absl::StartsWith(url, "http://") || absl::StartsWith(url, "https://");
}

absl::Status Bad(const std::string& where, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(where, " ", std::string(why)));
}

}  // namespace

const std::vector<ChainPreset>& ChainPresets() {
  static const auto* presets = new std::vector<ChainPreset>{
      Preset("arbitrum-mainnet", 42161, "https://arb1.arbitrum.io/rpc",
             "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0", false,
             "https://api.market.arbitrum-mainnet.iex.ec"),
      Preset("arbitrum-sepolia-testnet", 421614,
             "https://sepolia-rollup.arbitrum.io/rpc",
             "0xB2157BF2fAb286b2A4170E3491Ac39770111Da3E", false,
             "https://api-market.arbitrum-sepolia-testnet.iex.ec"),
      Preset("bellecour", 134, "https://bellecour.iex.ec",
             "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f", true,
             "https://api.market.v8-bellecour.iex.ec"),
  };
  return *presets;
}

std::optional<ChainPreset> FindChainPreset(std::string_view name) {
  for (const ChainPreset& p : ChainPresets())
    if (p.name == name) return p;
  return std::nullopt;
}

absl::StatusOr<SdkChainEntry> ParseSdkChainEntry(const json& entry,
                                                 std::string_view where_in) {
  const std::string where(where_in);
  if (!entry.is_object()) return Bad(where, "must be an object");
  SdkChainEntry out;
  for (const auto& [key, value] : entry.items()) {
    const std::string field = absl::StrCat(where, ".", key);
    if (!SdkKeys().count(key))
      return Bad(field, "is not a chain.json key (Unknown key)");
    if (key == "id") {
      uint64_t id = 0;
      if (!value.is_string() ||
          !absl::SimpleAtoi(value.get<std::string>(), &id) || id == 0)
        return Bad(field, "must be a string of digits (the chain id)");
      out.id = id;
    } else if (key == "host" || key == "iexecGateway") {
      if (!HttpUrl(value)) return Bad(field, "must be an http(s) URL");
      (key == "host" ? out.host : out.iexec_gateway) = value.get<std::string>();
    } else if (key == "hub") {
      absl::StatusOr<eth::Address> hub =
          value.is_string()
              ? eth::Address::Parse(value.get<std::string>(), field)
              : absl::InvalidArgumentError("");
      if (!hub.ok()) return Bad(field, "must be an address");
      out.hub = *hub;
    } else if (key == "native" || key == "useGas") {
      if (!value.is_boolean()) return Bad(field, "must be true or false");
      (key == "native" ? out.native : out.use_gas) = value.get<bool>();
    }
    // Other SDK keys (sms, resultProxy, ...) are the SDK's business.
  }
  return out;
}

json SdkChainEntryToJson(const SdkChainEntry& e) {
  json out = json::object();
  if (e.id) out["id"] = absl::StrCat(*e.id);
  if (e.host) out["host"] = *e.host;
  if (e.hub) out["hub"] = e.hub->ToChecksum();
  if (e.native) out["native"] = *e.native;
  if (e.use_gas) out["useGas"] = *e.use_gas;
  if (e.iexec_gateway) out["iexecGateway"] = *e.iexec_gateway;
  return out;
}

}  // namespace poolops::iexec
