#include "libs/iexec/market_challenge.h"

#include <string>

namespace poolops::iexec {

using nlohmann::json;

json MarketChallengeTypedData(std::string_view challenge, uint64_t chain_id) {
  return {{"types",
           {{"EIP712Domain",
             json::array({{{"name", "name"}, {"type", "string"}},
                          {{"name", "version"}, {"type", "string"}},
                          {{"name", "chainId"}, {"type", "uint256"}}})},
            {"Challenge",
             json::array({{{"name", "challenge"}, {"type", "string"}}})}}},
          {"domain",
           {{"name", kMarketDomainName},
            {"version", kMarketDomainVersion},
            {"chainId", std::to_string(chain_id)}}},
          {"primaryType", "Challenge"},
          {"message", {{"challenge", std::string(challenge)}}}};
}

}  // namespace poolops::iexec
