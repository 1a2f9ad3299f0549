#include "devnet/simulators/public_chain_config.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "devnet/simulators/spring_values.h"

namespace poolops::sim {
namespace {

absl::Status FieldError(const std::string& field, const std::string& why) {
  return absl::InvalidArgumentError(
      absl::StrCat("chain config field ", field, " ", why));
}

}  // namespace

absl::StatusOr<PublicChainConfig> ParsePublicChainConfig(
    const std::string& json_text) {
  nlohmann::json json = nlohmann::json::parse(json_text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return absl::InvalidArgumentError("chain config is not a JSON object");
  }
  for (const char* field : {"chainId", "sidechain", "chainNodeUrl",
                            "iexecHubContractAddress", "blockTime"}) {
    if (!json.contains(field)) return FieldError(field, "is missing");
  }
  PublicChainConfig c;
  const nlohmann::json& id = json["chainId"];
  if (!id.is_number_integer())
    return FieldError("chainId", "is not an integer");
  c.chain_id = id.get<int64_t>();
  if (c.chain_id <= 0) return FieldError("chainId", "must be greater than 0");

  const nlohmann::json& sidechain = json["sidechain"];
  if (!sidechain.is_boolean()) {
    return FieldError("sidechain", "is not a boolean");
  }
  c.sidechain = sidechain.get<bool>();

  const nlohmann::json& node = json["chainNodeUrl"];
  if (!node.is_string()) return FieldError("chainNodeUrl", "is not a string");
  c.chain_node_url = node.get<std::string>();
  absl::Status url =
      CheckUrl("chainNodeUrl", c.chain_node_url, UrlSchemes::kHttpOrHttps);
  if (!url.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("chain config field ", url.message()));
  }

  const nlohmann::json& hub = json["iexecHubContractAddress"];
  if (!hub.is_string() || !IsEthAddress(hub.get<std::string>())) {
    return FieldError("iexecHubContractAddress",
                      "is not an address (0x + 40 hex digits)");
  }
  c.hub_address = hub.get<std::string>();
  if (IsZeroAddress(c.hub_address)) {
    return FieldError("iexecHubContractAddress", "is the zero address");
  }

  const nlohmann::json& block_time = json["blockTime"];
  if (!block_time.is_string()) {
    return FieldError("blockTime",
                      "is not a string (an ISO-8601 duration such as PT5S)");
  }
  std::string text = block_time.get<std::string>();
  absl::StatusOr<absl::Duration> d = ParseIsoDuration(text);
  if (!d.ok())
    return FieldError("blockTime", std::string(d.status().message()));
  absl::Status range = CheckBlockTime(absl::StrCat("'", text, "'"), *d);
  if (!range.ok()) return FieldError("blockTime", std::string(range.message()));
  c.block_time = *d;
  return c;
}

absl::StatusOr<PublicChainConfig> FetchPublicChainConfig(
    const std::string& config_server_url, const HttpGet& get,
    const AnswerWait& wait) {
  std::string url =
      absl::StrCat(absl::StripSuffix(config_server_url, "/"), "/config/chain");
  absl::StatusOr<std::string> body = GetBodyWhenAnswered(url, get, wait);
  if (!body.ok()) return body.status();
  absl::StatusOr<PublicChainConfig> config = ParsePublicChainConfig(*body);
  if (!config.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(url, ": ", config.status().message()));
  }
  return config;
}

}  // namespace poolops::sim
