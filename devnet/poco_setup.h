// The calls every PoCo deployment makes once its contracts exist, the same
// for PoCo 5.5.0 (poco_deployer.h) and 6.1.0 (poco6_deployer.h): each
// registry initialized (no previous registry) and its NFT base URI set,
// configure (the token, "Staked RLC"/"SRLC", 9 decimals, the registries),
// the five categories, and RLC for the dev accounts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "devnet/poco_deployer.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"

namespace poolops::devnet {

struct PocoCall {
  eth::Address to;
  eth::Bytes data;
  std::string label;  // "configure", "AppRegistry.initialize"...
};

// initialize + setBaseURI of the app, dataset and workerpool registries.
std::vector<PocoCall> RegistrySetupCalls(const PocoDeployment& d,
                                         uint64_t chain_id);
// configure, then createCategory for kPocoCategories with `description`
// (5.5.0's migrations: "{}"; 6.1.0's config.json: JSON.stringify("")).
std::vector<PocoCall> ConfigureCalls(const PocoDeployment& d,
                                     std::string_view category_description);
// `amount` nRLC from the token to each account but `deployer`.
std::vector<PocoCall> FundingCalls(const eth::Address& token,
                                   const std::vector<eth::Address>& accounts,
                                   const eth::Address& deployer,
                                   uint64_t amount);

}  // namespace poolops::devnet
