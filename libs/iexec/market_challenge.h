// The market API's login challenge (iExec Gateway): the EIP-712 typed data a
// wallet signs to log in, one definition for the market that issues it (the
// devnet's) and the gateway that signs it.
#pragma once

#include <cstdint>
#include <string_view>

#include "nlohmann/json.hpp"

namespace poolops::iexec {

inline constexpr char kMarketChallengePrefix[] =
    "Sign this message to log into iExec Gateway: ";
inline constexpr char kMarketDomainName[] = "iExec Gateway";
inline constexpr char kMarketDomainVersion[] = "1";

// The typed data of a challenge text (the prefix included) on `chain_id`, as
// the market API sends it: primaryType Challenge {challenge: string}, domain
// {name, version, chainId}, its EIP712Domain type listed.
nlohmann::json MarketChallengeTypedData(std::string_view challenge,
                                        uint64_t chain_id);

}  // namespace poolops::iexec
