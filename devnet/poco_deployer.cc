#include "devnet/poco_deployer.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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

struct Category {
  const char* name;
  uint64_t work_clock_time_ref;
};
constexpr Category kCategories[] = {
    {"XS", 300}, {"S", 1200}, {"M", 3600}, {"L", 10800}, {"XL", 36000}};

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

absl::StatusOr<Value> View(chain::EthApi& api, const eth::Address& to,
                           std::string_view signature,
                           std::string_view returns) {
  return api.CallFunction(to, signature, {}, returns);
}

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

}  // namespace

absl::StatusOr<Flavour> ParseFlavour(std::string_view name) {
  if (name == "native") return Flavour::kNative;
  if (name == "token") return Flavour::kToken;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown flavour \"", std::string(name), "\" (native or token)"));
}

std::string_view FlavourName(Flavour flavour) {
  return flavour == Flavour::kToken ? "token" : "native";
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
  for (Registry& r : registries) {
    if (absl::Status s = plan.Call(*r.address, "initialize(address)",
                                   {Value::Addr(eth::Address())},
                                   absl::StrCat(r.contract, ".initialize"));
        !s.ok())
      return s;
    if (absl::Status s = plan.Call(
            *r.address, "setBaseURI(string)",
            {Value::Str(absl::StrCat("https://nfts-metadata.iex.ec/", r.kind,
                                     "/", options.chain_id, "/"))},
            absl::StrCat(r.contract, ".setBaseURI"));
        !s.ok())
      return s;
  }
  // Token flavour: RLC is created after configure and the 5 categories (6
  // nonces from here), so every other address stays the same.
  if (token) out.token = CreateAddress(*deployer, plan.next_nonce() + 6);
  if (absl::Status s = plan.Call(
          out.hub,
          "configure(address,string,string,uint8,address,address,address,"
          "address)",
          {Value::Addr(out.token), Value::Str("Staked RLC"), Value::Str("SRLC"),
           Value::Uint(9), Value::Addr(out.app_registry),
           Value::Addr(out.dataset_registry),
           Value::Addr(out.workerpool_registry), Value::Addr(eth::Address())},
          "configure");
      !s.ok())
    return s;
  for (const Category& c : kCategories) {
    if (absl::Status s =
            plan.Call(out.hub, "createCategory(string,string,uint256)",
                      {Value::Str(c.name), Value::Str("{}"),
                       Value::Uint(c.work_clock_time_ref)},
                      absl::StrCat("createCategory ", c.name));
        !s.ok())
      return s;
  }

  if (token) {
    absl::StatusOr<Contract> rlc = artifacts.Load("RLC");
    if (!rlc.ok()) return rlc.status();
    absl::StatusOr<eth::Address> rlc_address =
        plan.Create(rlc->bytecode, "RLC");
    if (!rlc_address.ok()) return rlc_address.status();
    if (*rlc_address != out.token)
      return absl::InternalError("RLC not at the address given to configure");
    for (const eth::Address& account : options.fund_accounts) {
      if (account == *deployer) continue;
      if (absl::Status s = plan.Call(
              out.token, "transfer(address,uint256)",
              {Value::Addr(account), Value::Uint(options.rlc_per_account)},
              absl::StrCat("RLC.transfer ", account.ToChecksum()));
          !s.ok())
        return s;
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
        api.WaitForReceipt(*hash, 1, absl::Seconds(60), absl::Milliseconds(5));
    if (!receipt.ok()) return receipt.status();
    if (!receipt->success)
      return absl::AbortedError(absl::StrCat("deploying PoCo: transaction ",
                                             i + 1, " (", txs[i].label,
                                             ") reverted"));
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
  absl::StatusOr<Value> total =
      View(api, deployment.hub, "totalFunctions()", "uint256");
  if (!total.ok()) return total.status();
  uint64_t functions = std::get<eth::U256>(total->v).low64();
  if (absl::Status s = Check(functions == expected_functions,
                             absl::StrCat("totalFunctions() is ", functions,
                                          ", expected ", expected_functions));
      !s.ok())
    return s;
  absl::StatusOr<Value> token = View(api, deployment.hub, "token()", "address");
  if (!token.ok()) return token.status();
  if (absl::Status s =
          Check(std::get<eth::Address>(token->v) == deployment.token,
                flavour == Flavour::kToken ? "token() is not the RLC token"
                                           : "token() is not 0x0 (native)");
      !s.ok())
    return s;
  absl::StatusOr<Value> domain =
      View(api, deployment.hub, "domain()", "(string,string,uint256,address)");
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
  absl::StatusOr<Value> separator =
      View(api, deployment.hub, "eip712domain_separator()", "bytes32");
  if (!separator.ok()) return separator.status();
  if (absl::Status s = Check(std::get<eth::Bytes>(separator->v) ==
                                 DomainSeparator(chain_id, deployment.hub),
                             "eip712domain_separator() does not hash domain()");
      !s.ok())
    return s;
  absl::StatusOr<Value> categories =
      View(api, deployment.hub, "countCategory()", "uint256");
  if (!categories.ok()) return categories.status();
  uint64_t count = std::get<eth::U256>(categories->v).low64();
  if (absl::Status s = Check(count == 5, absl::StrCat("countCategory() is ",
                                                      count, ", expected 5"));
      !s.ok())
    return s;
  absl::StatusOr<Value> registry =
      View(api, deployment.hub, "workerpoolregistry()", "address");
  if (!registry.ok()) return registry.status();
  return Check(
      std::get<eth::Address>(registry->v) == deployment.workerpool_registry,
      "workerpoolregistry() is not the deployed registry");
}

}  // namespace poolops::devnet
