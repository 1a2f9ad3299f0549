#include "devnet/poco6_deployer.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "devnet/anvil_dev_rpc.h"
#include "devnet/poco_setup.h"
#include "libs/eth/abi.h"
#include "libs/eth/keccak.h"
#include "libs/eth/secp256k1.h"
#include "libs/eth/transaction.h"

namespace poolops::devnet {
namespace {

using eth::abi::Value;

// CreateX, the factory of the Arbitrum deployment, and anvil's built-in
// deterministic deployer (calldata: salt ++ init code -> CREATE2), whose
// code stands in for CreateX's at CreateX's address.
constexpr char kCreateX[] = "0xba5Ed099633D3B313e4D5F7bdc1305d3c28ba5Ed";
constexpr char kCreate2Deployer[] =
    "0x4e59b44847b379578588920cA78FbF26c0B4956C";

constexpr std::string_view kDiamondFacets[] = {
    "DiamondCutFacet", "DiamondLoupeFacet", "OwnershipFacet"};
// In deploy order; Arbitrum is a token chain without the Boost facets.
constexpr std::string_view kFacets[] = {"IexecAccessorsABILegacyFacet",
                                        "IexecCategoryManagerFacet",
                                        "IexecConfigurationExtraFacet",
                                        "IexecConfigurationFacet",
                                        "IexecERC20Facet",
                                        "IexecEscrowTokenFacet",
                                        "IexecOrderManagementFacet",
                                        "IexecPoco1Facet",
                                        "IexecPoco2Facet",
                                        "IexecPocoAccessorsFacet",
                                        "IexecRelayFacet"};

constexpr uint64_t kGasPerTransaction = 15'000'000;

eth::Address Addr(const char* text) { return *eth::Address::Parse(text); }

// The deployer's own transactions: EIP-1559, one at a time, each mined
// before the next (anvil automines on arrival).
class Sender {
 public:
  Sender(chain::EthApi& api, eth::ByteView key, eth::Address from,
         uint64_t nonce, uint64_t chain_id, PocoDeployment* out)
      : api_(api),
        key_(key.begin(), key.end()),
        from_(from),
        nonce_(nonce),
        chain_id_(chain_id),
        out_(out) {}

  const eth::Address& from() const { return from_; }

  absl::StatusOr<chain::Receipt> Send(std::optional<eth::Address> to,
                                      eth::Bytes data, std::string label) {
    absl::StatusOr<eth::U256> base = api_.LatestBaseFee();
    if (!base.ok()) return base.status();
    eth::Transaction tx;
    tx.type = eth::Transaction::Type::kEip1559;
    tx.chain_id = chain_id_;
    tx.nonce = nonce_;
    tx.to = to;
    tx.data = std::move(data);
    tx.gas = kGasPerTransaction;
    tx.max_priority_fee_per_gas = 0;
    tx.max_fee_per_gas = *base * eth::U256(2) + eth::U256(1'000'000'000);
    absl::StatusOr<eth::RecoverableSignature> sig =
        eth::SignDigest(key_, tx.SigningHash());
    if (!sig.ok()) return sig.status();
    absl::StatusOr<eth::Hash32> hash =
        api_.SendRawTransaction(tx.EncodeSigned(*sig));
    if (!hash.ok())
      return absl::Status(hash.status().code(),
                          absl::StrCat("deploying PoCo 6, ", label, ": ",
                                       hash.status().message()));
    ++nonce_;
    absl::StatusOr<chain::Receipt> receipt =
        WaitMined(api_, *hash, absl::StrCat("deploying PoCo 6: ", label));
    if (!receipt.ok()) return receipt.status();
    Record(*receipt, std::move(label));
    return receipt;
  }

  absl::Status Call(const eth::Address& to, std::string_view signature,
                    const std::vector<Value>& args, std::string label) {
    absl::StatusOr<eth::Bytes> data = eth::abi::EncodeCall(signature, args);
    if (!data.ok()) return data.status();
    return Send(to, std::move(*data), std::move(label)).status();
  }

  void Record(const chain::Receipt& receipt, std::string label) {
    out_->gas_used += receipt.gas_used;
    ++out_->transactions;
    out_->steps.push_back(
        {std::move(label), receipt.contract_address, receipt.gas_used});
  }

 private:
  chain::EthApi& api_;
  eth::Bytes key_;
  eth::Address from_;
  uint64_t nonce_;
  uint64_t chain_id_;
  PocoDeployment* out_;
};

class Poco6Deployment {
 public:
  Poco6Deployment(chain::JsonRpcClient& rpc, chain::EthApi& api,
                  const Poco6Artifacts& poco6, Sender& sender,
                  PocoDeployment& out)
      : dev_(&rpc, &api),
        api_(api),
        poco6_(poco6),
        sender_(sender),
        out_(out) {}

  absl::Status PlantFactory() {
    absl::StatusOr<eth::Bytes> code = api_.GetCode(Addr(kCreate2Deployer));
    if (!code.ok()) return code.status();
    if (code->empty())
      return absl::FailedPreconditionError(absl::StrCat(
          "anvil has no deterministic deployer at ", kCreate2Deployer,
          " (started with --disable-default-create2-deployer?)"));
    return dev_.SetCode(Addr(kCreateX), *code);
  }

  // The contract's Arbitrum init code through CREATE2 from CreateX's address
  // with the deployment's salt (keccak256 of a zero bytes32): it must land
  // at its Arbitrum address.
  absl::StatusOr<DeployedContract> Replay(std::string_view name) {
    absl::StatusOr<DeployedContract> c = poco6_.Load(name);
    if (!c.ok()) return c.status();
    const eth::Hash32 salt = eth::Keccak(eth::ByteView(eth::Bytes(32, 0)));
    eth::Bytes data(salt.begin(), salt.end());
    data.insert(data.end(), c->init_code.begin(), c->init_code.end());
    absl::StatusOr<chain::Receipt> r =
        sender_.Send(Addr(kCreateX), std::move(data), std::string(name));
    if (!r.ok()) return r.status();
    out_.steps.back().created = c->address;
    absl::StatusOr<eth::Bytes> code = api_.GetCode(c->address);
    if (!code.ok()) return code.status();
    if (code->empty())
      return absl::InternalError(absl::StrCat(
          "replaying ", std::string(name), ": nothing at its Arbitrum address ",
          c->address.ToChecksum(), " (init code or salt differ)"));
    return c;
  }

  // Hands `contract` (Ownable) from whoever owns it now to the deployer.
  absl::Status TakeOwnership(const eth::Address& contract,
                             std::string_view name) {
    absl::StatusOr<Value> owner =
        api_.CallFunction(contract, "owner()", {}, "address");
    if (!owner.ok()) return owner.status();
    const eth::Address& from = std::get<eth::Address>(owner->v);
    if (from == sender_.from()) return absl::OkStatus();
    absl::StatusOr<eth::Bytes> data = eth::abi::EncodeCall(
        "transferOwnership(address)", {Value::Addr(sender_.from())});
    if (!data.ok()) return data.status();
    std::string label = absl::StrCat(
        std::string(name), ".transferOwnership (as ", from.ToChecksum(), ")");
    absl::StatusOr<chain::Receipt> r =
        dev_.SendAs(from, contract, *data, label);
    if (!r.ok()) return r.status();
    sender_.Record(*r, std::move(label));
    return absl::OkStatus();
  }

  // One diamondCut adding the facet's selectors that are not cut yet.
  absl::Status Cut(const DeployedContract& facet) {
    absl::StatusOr<std::vector<Selector>> selectors = FacetSelectors(facet.abi);
    if (!selectors.ok()) return selectors.status();
    std::vector<Value> added;
    for (const Selector& s : *selectors) {
      if (!cut_.insert(s).second) continue;
      added.push_back(Value::Blob(eth::Bytes(s.begin(), s.end())));
    }
    return sender_.Call(
        out_.hub, "diamondCut((address,uint8,bytes4[])[],address,bytes)",
        {Value::List({Value::List({Value::Addr(facet.address), Value::Uint(0),
                                   Value::List(std::move(added))})}),
         Value::Addr(eth::Address()), Value::Blob({})},
        absl::StrCat("diamondCut ", facet.name));
  }

  // The selectors the Diamond's constructor cut.
  absl::Status NoteCut(const DeployedContract& facet) {
    absl::StatusOr<std::vector<Selector>> selectors = FacetSelectors(facet.abi);
    if (!selectors.ok()) return selectors.status();
    cut_.insert(selectors->begin(), selectors->end());
    return absl::OkStatus();
  }

 private:
  AnvilDevRpc dev_;
  chain::EthApi& api_;
  const Poco6Artifacts& poco6_;
  Sender& sender_;
  PocoDeployment& out_;
  std::set<Selector> cut_;
};

}  // namespace

absl::StatusOr<PocoDeployment> DeployPoco6(chain::JsonRpcClient& rpc,
                                           const Poco6Artifacts& poco6,
                                           const PocoArtifacts& rlc,
                                           eth::ByteView deployer_key,
                                           const DeployOptions& options) {
  if (options.flavour != Flavour::kArbitrum)
    return absl::InvalidArgumentError(
        "DeployPoco6 deploys the arbitrum flavour");
  auto progress = [&](std::string_view line) {
    if (options.progress) options.progress(line);
  };
  chain::EthApi api(&rpc);
  absl::StatusOr<eth::Address> deployer = eth::AddressOf(deployer_key);
  if (!deployer.ok()) return deployer.status();
  absl::StatusOr<uint64_t> nonce = api.GetTransactionCount(*deployer);
  if (!nonce.ok()) return nonce.status();
  PocoDeployment out;
  Sender sender(api, deployer_key, *deployer, *nonce, options.chain_id, &out);
  Poco6Deployment d(rpc, api, poco6, sender, out);

  progress(absl::StrCat("deploying PoCo ", kPoco6Version,
                        " as on Arbitrum (arbitrum flavour)"));
  if (absl::Status s = d.PlantFactory(); !s.ok()) return s;
  // The Diamond with its cut, loupe and ownership facets and its init.
  for (std::string_view name :
       {std::string_view("DiamondInit"), kDiamondFacets[0], kDiamondFacets[1],
        kDiamondFacets[2]}) {
    absl::StatusOr<DeployedContract> c = d.Replay(name);
    if (!c.ok()) return c.status();
    if (name != "DiamondInit") {
      if (absl::Status s = d.NoteCut(*c); !s.ok()) return s;
    }
  }
  absl::StatusOr<DeployedContract> diamond = d.Replay("Diamond");
  if (!diamond.ok()) return diamond.status();
  out.hub = diamond->address;
  if (absl::Status s = d.TakeOwnership(out.hub, "Diamond"); !s.ok()) return s;

  absl::StatusOr<DeployedContract> library = d.Replay("IexecLibOrders_v5");
  if (!library.ok()) return library.status();
  out.orders_library = library->address;
  progress(absl::StrCat("cutting ", std::size(kFacets), " facets"));
  for (std::string_view name : kFacets) {
    absl::StatusOr<DeployedContract> facet = d.Replay(name);
    if (!facet.ok()) return facet.status();
    if (absl::Status s = d.Cut(*facet); !s.ok()) return s;
  }

  const std::pair<const char*, eth::Address*> registries[] = {
      {"AppRegistry", &out.app_registry},
      {"DatasetRegistry", &out.dataset_registry},
      {"WorkerpoolRegistry", &out.workerpool_registry}};
  for (const auto& [name, address] : registries) {
    absl::StatusOr<DeployedContract> c = d.Replay(name);
    if (!c.ok()) return c.status();
    *address = c->address;
    // CreateX's deployCreate2AndInit makes the deployer the owner.
    if (absl::Status s = d.TakeOwnership(c->address, name); !s.ok()) return s;
  }
  absl::StatusOr<Contract> token = rlc.Load("RLC");
  if (!token.ok()) return token.status();
  absl::StatusOr<chain::Receipt> created =
      sender.Send(std::nullopt, token->bytecode, "RLC");
  if (!created.ok()) return created.status();
  if (!created->contract_address)
    return absl::InternalError("the RLC creation has no contract address");
  out.token = *created->contract_address;

  std::vector<PocoCall> calls = RegistrySetupCalls(out, options.chain_id);
  // config/config.json at v6.1.0: the descriptions are JSON.stringify("").
  for (PocoCall& c : ConfigureCalls(out, "\"\"")) calls.push_back(std::move(c));
  for (PocoCall& c : FundingCalls(out.token, options.fund_accounts, *deployer,
                                  options.rlc_per_account))
    calls.push_back(std::move(c));
  for (PocoCall& c : calls) {
    absl::StatusOr<chain::Receipt> r =
        sender.Send(c.to, std::move(c.data), std::move(c.label));
    if (!r.ok()) return r.status();
  }
  progress(absl::StrCat("PoCo ", kPoco6Version, " deployed: hub ",
                        out.hub.ToChecksum(), ", ", out.transactions,
                        " transactions, ", out.gas_used, " gas"));
  return out;
}

}  // namespace poolops::devnet
