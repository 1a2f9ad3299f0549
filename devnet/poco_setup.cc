#include "devnet/poco_setup.h"

#include "absl/strings/str_cat.h"
#include "libs/eth/abi.h"

namespace poolops::devnet {
namespace {

using eth::abi::Value;

// Arguments built here always match their signature.
PocoCall Make(const eth::Address& to, std::string_view signature,
              const std::vector<Value>& args, std::string label) {
  return {to, *eth::abi::EncodeCall(signature, args), std::move(label)};
}

}  // namespace

std::vector<PocoCall> RegistrySetupCalls(const PocoDeployment& d,
                                         uint64_t chain_id) {
  const struct {
    const char* contract;
    const char* kind;
    eth::Address address;
  } registries[] = {
      {"AppRegistry", "app", d.app_registry},
      {"DatasetRegistry", "dataset", d.dataset_registry},
      {"WorkerpoolRegistry", "workerpool", d.workerpool_registry}};
  std::vector<PocoCall> out;
  for (const auto& r : registries) {
    out.push_back(Make(r.address, "initialize(address)",
                       {Value::Addr(eth::Address())},
                       absl::StrCat(r.contract, ".initialize")));
    out.push_back(Make(r.address, "setBaseURI(string)",
                       {Value::Str(absl::StrCat("https://nfts-metadata.iex.ec/",
                                                r.kind, "/", chain_id, "/"))},
                       absl::StrCat(r.contract, ".setBaseURI")));
  }
  return out;
}

std::vector<PocoCall> ConfigureCalls(const PocoDeployment& d,
                                     std::string_view category_description) {
  std::vector<PocoCall> out;
  out.push_back(Make(
      d.hub,
      "configure(address,string,string,uint8,address,address,address,address)",
      {Value::Addr(d.token), Value::Str("Staked RLC"), Value::Str("SRLC"),
       Value::Uint(9), Value::Addr(d.app_registry),
       Value::Addr(d.dataset_registry), Value::Addr(d.workerpool_registry),
       Value::Addr(eth::Address())},
      "configure"));
  for (const PocoCategory& c : kPocoCategories) {
    out.push_back(
        Make(d.hub, "createCategory(string,string,uint256)",
             {Value::Str(c.name), Value::Str(std::string(category_description)),
              Value::Uint(c.work_clock_time_ref)},
             absl::StrCat("createCategory ", c.name)));
  }
  return out;
}

std::vector<PocoCall> FundingCalls(const eth::Address& token,
                                   const std::vector<eth::Address>& accounts,
                                   const eth::Address& deployer,
                                   uint64_t amount) {
  std::vector<PocoCall> out;
  for (const eth::Address& account : accounts) {
    if (account == deployer) continue;
    out.push_back(Make(token, "transfer(address,uint256)",
                       {Value::Addr(account), Value::Uint(amount)},
                       absl::StrCat("RLC.transfer ", account.ToChecksum())));
  }
  return out;
}

}  // namespace poolops::devnet
