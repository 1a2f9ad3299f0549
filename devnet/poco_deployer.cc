#include "devnet/poco_deployer.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "devnet/anvil_dev_rpc.h"
#include "devnet/poco6_deployer.h"
#include "devnet/poco_setup.h"
#include "libs/eth/abi.h"
#include "libs/eth/keccak.h"
#include "libs/eth/rlp.h"
#include "libs/eth/secp256k1.h"
#include "libs/eth/transaction.h"

namespace poolops::devnet {
namespace {

using eth::abi::Value;

// Modules in migration order; the orders library is linked into some.
constexpr std::string_view kModules[] = {"ERC1538QueryDelegate",
                                         "IexecAccessorsDelegate",
                                         "IexecAccessorsABILegacyDelegate",
                                         "IexecCategoryManagerDelegate",
                                         "IexecERC20Delegate",
                                         "IexecEscrowNativeDelegate",
                                         "IexecMaintenanceDelegate",
                                         "IexecOrderManagementDelegate",
                                         "IexecPoco1Delegate",
                                         "IexecPoco2Delegate",
                                         "IexecRelayDelegate",
                                         "ENSIntegrationDelegate",
                                         "IexecMaintenanceExtraDelegate",
                                         "IexecPocoAccessorsDelegate",
                                         "IexecPocoBoostDelegate",
                                         "IexecPocoBoostAccessorsDelegate"};

// Distinct selectors behind the hub once every module is linked (measured
// on the 5.5.0 artifacts; the escrows differ in their function sets).
constexpr uint64_t kExpectedFunctions = 103;
constexpr uint64_t kExpectedFunctionsToken = 104;

// Builds the deployment as a list of signed transactions with local nonces.
class Plan {
 public:
  Plan(eth::ByteView key, eth::Address from, uint64_t nonce,
       const DeployOptions& options)
      : key_(key.begin(), key.end()),
        from_(from),
        nonce_(nonce),
        options_(options) {}

  absl::StatusOr<eth::Address> Create(eth::Bytes code, std::string label) {
    eth::Address address = CreateAddress(from_, nonce_);
    if (absl::Status s = Add(std::nullopt, std::move(code), std::move(label));
        !s.ok())
      return s;
    signed_.back().created = address;
    return address;
  }

  absl::Status Call(const eth::Address& to, std::string_view signature,
                    const std::vector<Value>& args, std::string label) {
    absl::StatusOr<eth::Bytes> data = eth::abi::EncodeCall(signature, args);
    if (!data.ok()) return data.status();
    return Add(to, std::move(*data), std::move(label));
  }

  absl::Status Send(PocoCall call) {
    return Add(call.to, std::move(call.data), std::move(call.label));
  }

  struct Signed {
    eth::Bytes raw;
    std::string label;
    std::optional<eth::Address> created;
  };
  const std::vector<Signed>& transactions() const { return signed_; }
  uint64_t next_nonce() const { return nonce_; }

 private:
  absl::Status Add(std::optional<eth::Address> to, eth::Bytes data,
                   std::string label) {
    eth::Transaction tx;
    tx.chain_id = options_.chain_id;
    tx.nonce = nonce_++;
    tx.to = to;
    tx.data = std::move(data);
    tx.gas = options_.gas_limit_per_tx;
    tx.gas_price = 0;  // Bellecour-like devnet: gas is free
    absl::StatusOr<eth::RecoverableSignature> sig =
        eth::SignDigest(key_, tx.SigningHash());
    if (!sig.ok()) return sig.status();
    signed_.push_back({tx.EncodeSigned(*sig), std::move(label), std::nullopt});
    return absl::OkStatus();
  }

  eth::Bytes key_;
  eth::Address from_;
  uint64_t nonce_;
  const DeployOptions& options_;
  std::vector<Signed> signed_;
};

// keccak(abi.encode(typeHash, keccak(name), keccak(version), chainId, hub)).
eth::Bytes DomainSeparator(uint64_t chain_id, const eth::Address& hub) {
  auto hash = [](std::string_view text) {
    eth::Hash32 h = eth::Keccak(text);
    return eth::Bytes(h.begin(), h.end());
  };
  absl::StatusOr<eth::Bytes> encoded = eth::abi::Encode(
      {*eth::abi::ParseType("bytes32"), *eth::abi::ParseType("bytes32"),
       *eth::abi::ParseType("bytes32"), *eth::abi::ParseType("uint256"),
       *eth::abi::ParseType("address")},
      {Value::Blob(hash("EIP712Domain(string name,string version,uint256 "
                        "chainId,address verifyingContract)")),
       Value::Blob(hash("iExecODB")), Value::Blob(hash("5.0.0")),
       Value::Uint(chain_id), Value::Addr(hub)});
  if (!encoded.ok()) return {};
  eth::Hash32 h = eth::Keccak(eth::ByteView(*encoded));
  return eth::Bytes(h.begin(), h.end());
}

absl::Status Check(bool ok, std::string_view what) {
  if (ok) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("PoCo deployment check failed: ", std::string(what)));
}

absl::Status CheckTotalFunctions(chain::EthApi& api, const eth::Address& hub,
                                 uint64_t expected_functions) {
  absl::StatusOr<Value> total =
      api.CallFunction(hub, "totalFunctions()", {}, "uint256");
  if (!total.ok()) return total.status();
  uint64_t functions = std::get<eth::U256>(total->v).low64();
  return Check(functions == expected_functions,
               absl::StrCat("totalFunctions() is ", functions, ", expected ",
                            expected_functions));
}

// PoCo 6: the Diamond's loupe lists every facet (each with code) and its
// selectors, as the Arbitrum deployment's .diamond.log does.
absl::Status CheckDiamond(chain::EthApi& api, const eth::Address& hub) {
  absl::StatusOr<Value> facets =
      api.CallFunction(hub, "facets()", {}, "(address,bytes4[])[]");
  if (!facets.ok()) return facets.status();
  const auto& list = std::get<std::vector<Value>>(facets->v);
  size_t selectors = 0;
  for (const Value& f : list) {
    const auto& t = std::get<std::vector<Value>>(f.v);
    const eth::Address& facet = std::get<eth::Address>(t[0].v);
    selectors += std::get<std::vector<Value>>(t[1].v).size();
    absl::StatusOr<eth::Bytes> code = api.GetCode(facet);
    if (!code.ok()) return code.status();
    if (absl::Status s =
            Check(!code->empty(),
                  absl::StrCat("facet ", facet.ToChecksum(), " has no code"));
        !s.ok())
      return s;
  }
  return Check(list.size() == kPoco6Facets && selectors == kPoco6Selectors,
               absl::StrCat("the Diamond has ", list.size(), " facets and ",
                            selectors, " selectors, expected ", kPoco6Facets,
                            " and ", kPoco6Selectors));
}

}  // namespace

absl::StatusOr<Flavour> ParseFlavour(std::string_view name) {
  if (name == "native") return Flavour::kNative;
  if (name == "token") return Flavour::kToken;
  if (name == "arbitrum") return Flavour::kArbitrum;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown flavour \"", std::string(name),
                   "\" (native, token or arbitrum)"));
}

std::string_view FlavourName(Flavour flavour) {
  switch (flavour) {
    case Flavour::kToken:
      return "token";
    case Flavour::kArbitrum:
      return "arbitrum";
    default:
      return "native";
  }
}

std::string_view PocoVersion(Flavour flavour) {
  return flavour == Flavour::kArbitrum ? kPoco6Version : "5.5.0";
}

eth::Address CreateAddress(const eth::Address& sender, uint64_t nonce) {
  eth::Bytes payload;
  eth::rlp::AppendBytes(payload, sender.bytes());
  eth::rlp::AppendUint(payload, nonce);
  eth::Bytes list;
  eth::rlp::AppendListHeader(list, payload.size());
  list.insert(list.end(), payload.begin(), payload.end());
  eth::Hash32 h = eth::Keccak(eth::ByteView(list));
  std::array<uint8_t, 20> a;
  std::copy(h.begin() + 12, h.end(), a.begin());
  return eth::Address(a);
}

absl::StatusOr<PocoDeployment> DeployPoco(chain::EthApi& api,
                                          const PocoArtifacts& artifacts,
                                          eth::ByteView deployer_key,
                                          const DeployOptions& options) {
  auto progress = [&](std::string_view line) {
    if (options.progress) options.progress(line);
  };
  if (options.flavour == Flavour::kArbitrum)
    return absl::InvalidArgumentError(
        "the arbitrum flavour is PoCo 6: DeployPoco6 deploys it");
  absl::StatusOr<eth::Address> deployer = eth::AddressOf(deployer_key);
  if (!deployer.ok()) return deployer.status();
  absl::StatusOr<uint64_t> nonce = api.GetTransactionCount(*deployer);
  if (!nonce.ok()) return nonce.status();
  Plan plan(deployer_key, *deployer, *nonce, options);
  PocoDeployment out;

  progress(absl::StrCat("building the PoCo 5.5.0 deployment (",
                        std::string(FlavourName(options.flavour)),
                        " flavour)"));
  absl::StatusOr<Contract> update = artifacts.Load("ERC1538UpdateDelegate");
  if (!update.ok()) return update.status();
  absl::StatusOr<eth::Address> update_address =
      plan.Create(update->bytecode, "ERC1538UpdateDelegate");
  if (!update_address.ok()) return update_address.status();

  absl::StatusOr<Contract> proxy = artifacts.Load("ERC1538Proxy");
  if (!proxy.ok()) return proxy.status();
  absl::StatusOr<eth::Bytes> ctor = eth::abi::Encode(
      {*eth::abi::ParseType("address")}, {Value::Addr(*update_address)});
  if (!ctor.ok()) return ctor.status();
  eth::Bytes proxy_code = proxy->bytecode;
  proxy_code.insert(proxy_code.end(), ctor->begin(), ctor->end());
  absl::StatusOr<eth::Address> hub = plan.Create(proxy_code, "ERC1538Proxy");
  if (!hub.ok()) return hub.status();
  out.hub = *hub;

  absl::StatusOr<Contract> library = artifacts.Load("IexecLibOrders_v5");
  if (!library.ok()) return library.status();
  absl::StatusOr<eth::Address> library_address =
      plan.Create(library->bytecode, "IexecLibOrders_v5");
  if (!library_address.ok()) return library_address.status();
  out.orders_library = *library_address;

  const bool token = options.flavour == Flavour::kToken;
  for (std::string_view name : kModules) {
    if (token && name == "IexecEscrowNativeDelegate")
      name = "IexecEscrowTokenDelegate";
    absl::StatusOr<Contract> module = artifacts.Load(name, &out.orders_library);
    if (!module.ok()) return module.status();
    absl::StatusOr<std::string> signatures = FunctionSignatures(module->abi);
    if (!signatures.ok()) return signatures.status();
    absl::StatusOr<eth::Address> address =
        plan.Create(module->bytecode, std::string(name));
    if (!address.ok()) return address.status();
    if (absl::Status s =
            plan.Call(out.hub, "updateContract(address,string,string)",
                      {Value::Addr(*address), Value::Str(*signatures),
                       Value::Str(absl::StrCat("Linking ", std::string(name)))},
                      absl::StrCat("updateContract ", std::string(name)));
        !s.ok())
      return s;
  }

  struct Registry {
    const char* contract;
    const char* kind;
    eth::Address* address;
  } registries[] = {
      {"AppRegistry", "app", &out.app_registry},
      {"DatasetRegistry", "dataset", &out.dataset_registry},
      {"WorkerpoolRegistry", "workerpool", &out.workerpool_registry}};
  for (Registry& r : registries) {
    absl::StatusOr<Contract> registry = artifacts.Load(r.contract);
    if (!registry.ok()) return registry.status();
    absl::StatusOr<eth::Address> address =
        plan.Create(registry->bytecode, r.contract);
    if (!address.ok()) return address.status();
    *r.address = *address;
  }
  // Token flavour: RLC is created after configure and the 5 categories (6
  // nonces from here), so every other address stays the same.
  std::vector<PocoCall> calls = RegistrySetupCalls(out, options.chain_id);
  if (token) {
    out.token = CreateAddress(*deployer, plan.next_nonce() + calls.size() + 6);
  }
  for (PocoCall& c : ConfigureCalls(out, "{}")) calls.push_back(std::move(c));
  for (PocoCall& c : calls) {
    if (absl::Status s = plan.Send(std::move(c)); !s.ok()) return s;
  }

  if (token) {
    absl::StatusOr<Contract> rlc = artifacts.Load("RLC");
    if (!rlc.ok()) return rlc.status();
    absl::StatusOr<eth::Address> rlc_address =
        plan.Create(rlc->bytecode, "RLC");
    if (!rlc_address.ok()) return rlc_address.status();
    if (*rlc_address != out.token)
      return absl::InternalError("RLC not at the address given to configure");
    for (PocoCall& c : FundingCalls(out.token, options.fund_accounts, *deployer,
                                    options.rlc_per_account)) {
      if (absl::Status s = plan.Send(std::move(c)); !s.ok()) return s;
    }
  }

  // One at a time, each mined before the next is sent: anvil's automine
  // mines on arrival, and a burst can leave a transaction in the pool once a
  // block is full (6.7M gas), where nothing would ever mine it.
  const auto& txs = plan.transactions();
  progress(absl::StrCat("sending ", txs.size(), " transactions"));
  for (size_t i = 0; i < txs.size(); ++i) {
    absl::StatusOr<eth::Hash32> hash = api.SendRawTransaction(txs[i].raw);
    if (!hash.ok())
      return absl::Status(hash.status().code(),
                          absl::StrCat("deploying PoCo, ", txs[i].label, ": ",
                                       hash.status().message()));
    absl::StatusOr<chain::Receipt> receipt =
        WaitMined(api, *hash,
                  absl::StrCat("deploying PoCo: transaction ", i + 1, " (",
                               txs[i].label, ")"));
    if (!receipt.ok()) return receipt.status();
    out.gas_used += receipt->gas_used;
    out.steps.push_back({txs[i].label, txs[i].created, receipt->gas_used});
  }
  out.transactions = static_cast<int>(txs.size());
  progress(absl::StrCat("PoCo deployed: hub ", out.hub.ToChecksum(), ", ",
                        out.transactions, " transactions, ", out.gas_used,
                        " gas"));
  return out;
}

absl::Status CheckPocoDeployment(chain::EthApi& api,
                                 const PocoDeployment& deployment,
                                 uint64_t chain_id, Flavour flavour) {
  const uint64_t expected_functions =
      flavour == Flavour::kToken ? kExpectedFunctionsToken : kExpectedFunctions;
  absl::StatusOr<eth::Bytes> code = api.GetCode(deployment.hub);
  if (!code.ok()) return code.status();
  if (absl::Status s = Check(!code->empty(), "no code at the hub address");
      !s.ok())
    return s;
  if (flavour == Flavour::kArbitrum) {
    if (absl::Status s = CheckDiamond(api, deployment.hub); !s.ok()) return s;
  } else if (absl::Status s =
                 CheckTotalFunctions(api, deployment.hub, expected_functions);
             !s.ok()) {
    return s;
  }
  absl::StatusOr<Value> token =
      api.CallFunction(deployment.hub, "token()", {}, "address");
  if (!token.ok()) return token.status();
  if (absl::Status s =
          Check(std::get<eth::Address>(token->v) == deployment.token,
                flavour == Flavour::kNative ? "token() is not 0x0 (native)"
                                            : "token() is not the RLC token");
      !s.ok())
    return s;
  absl::StatusOr<Value> domain = api.CallFunction(
      deployment.hub, "domain()", {}, "(string,string,uint256,address)");
  if (!domain.ok()) return domain.status();
  const auto& d = std::get<std::vector<Value>>(domain->v);
  bool domain_ok = std::get<std::string>(d[0].v) == "iExecODB" &&
                   std::get<std::string>(d[1].v) == "5.0.0" &&
                   std::get<eth::U256>(d[2].v) == eth::U256(chain_id) &&
                   std::get<eth::Address>(d[3].v) == deployment.hub;
  if (absl::Status s =
          Check(domain_ok, "domain() is not (iExecODB, 5.0.0, chain id, hub)");
      !s.ok())
    return s;
  // Orders are signed against this separator: it must hash domain().
  absl::StatusOr<Value> separator = api.CallFunction(
      deployment.hub, "eip712domain_separator()", {}, "bytes32");
  if (!separator.ok()) return separator.status();
  if (absl::Status s = Check(std::get<eth::Bytes>(separator->v) ==
                                 DomainSeparator(chain_id, deployment.hub),
                             "eip712domain_separator() does not hash domain()");
      !s.ok())
    return s;
  absl::StatusOr<Value> categories =
      api.CallFunction(deployment.hub, "countCategory()", {}, "uint256");
  if (!categories.ok()) return categories.status();
  uint64_t count = std::get<eth::U256>(categories->v).low64();
  if (absl::Status s = Check(count == 5, absl::StrCat("countCategory() is ",
                                                      count, ", expected 5"));
      !s.ok())
    return s;
  absl::StatusOr<Value> registry =
      api.CallFunction(deployment.hub, "workerpoolregistry()", {}, "address");
  if (!registry.ok()) return registry.status();
  return Check(
      std::get<eth::Address>(registry->v) == deployment.workerpool_registry,
      "workerpoolregistry() is not the deployed registry");
}

}  // namespace poolops::devnet
