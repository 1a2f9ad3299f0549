#include "services/chain/chains/poco_client.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/eth/abi.h"

namespace poolops::chain {
namespace abi = eth::abi;

namespace {

// Parses a list of return types once per call site.
std::vector<abi::Type> Types(std::initializer_list<std::string_view> names) {
  std::vector<abi::Type> out;
  for (std::string_view n : names) out.push_back(*abi::ParseType(n));
  return out;
}

absl::StatusOr<std::vector<abi::Value>> DecodeAs(
    std::string_view what, std::initializer_list<std::string_view> types,
    eth::ByteView data) {
  absl::StatusOr<std::vector<abi::Value>> v = abi::Decode(Types(types), data);
  if (!v.ok())
    return absl::InternalError(absl::StrCat("decoding the result of ",
                                            std::string(what), ": ",
                                            v.status().message()));
  return v;
}

const eth::U256& AsUint(const abi::Value& v) {
  return std::get<eth::U256>(v.v);
}
const eth::Address& AsAddress(const abi::Value& v) {
  return std::get<eth::Address>(v.v);
}

eth::Bytes MustEncode(std::string_view signature,
                      const std::vector<abi::Value>& values) {
  // Arguments built here always match their signature.
  return *abi::EncodeCall(signature, values);
}

// Decoders shared by the one-call reads and the batched ones, so both fail
// with the same messages.
absl::StatusOr<bool> DecodeBool(std::string_view what,
                                const absl::StatusOr<eth::Bytes>& out) {
  if (!out.ok()) return out.status();
  absl::StatusOr<std::vector<abi::Value>> v = DecodeAs(what, {"bool"}, *out);
  if (!v.ok()) return v.status();
  return std::get<bool>((*v)[0].v);
}

absl::StatusOr<eth::U256> DecodeUint(std::string_view what,
                                     const absl::StatusOr<eth::Bytes>& out) {
  if (!out.ok()) return out.status();
  absl::StatusOr<std::vector<abi::Value>> v = DecodeAs(what, {"uint256"}, *out);
  if (!v.ok()) return v.status();
  return AsUint((*v)[0]);
}

absl::StatusOr<eth::Address> DecodeAddress(
    std::string_view what, const absl::StatusOr<eth::Bytes>& out) {
  if (!out.ok()) return out.status();
  absl::StatusOr<std::vector<abi::Value>> v = DecodeAs(what, {"address"}, *out);
  if (!v.ok()) return v.status();
  return AsAddress((*v)[0]);
}

absl::StatusOr<EscrowAccount> DecodeAccount(
    const absl::StatusOr<eth::Bytes>& out) {
  if (!out.ok()) return out.status();
  absl::StatusOr<std::vector<abi::Value>> v =
      DecodeAs("hub.viewAccount()", {"(uint256,uint256)"}, *out);
  if (!v.ok()) return v.status();
  const auto& t = std::get<std::vector<abi::Value>>((*v)[0].v);
  return EscrowAccount{AsUint(t[0]), AsUint(t[1])};
}

eth::Bytes VerifySignatureCall(const eth::Address& identity,
                               const eth::Hash32& hash, eth::ByteView sign) {
  return MustEncode("verifySignature(address,bytes32,bytes)",
                    {abi::Value::Addr(identity),
                     abi::Value::Blob(eth::Bytes(hash.begin(), hash.end())),
                     abi::Value::Blob(eth::Bytes(sign.begin(), sign.end()))});
}

eth::Bytes ViewConsumedCall(const eth::Hash32& order_hash) {
  return MustEncode(
      "viewConsumed(bytes32)",
      {abi::Value::Blob(eth::Bytes(order_hash.begin(), order_hash.end()))});
}

eth::Bytes ViewAccountCall(const eth::Address& account) {
  return MustEncode("viewAccount(address)", {abi::Value::Addr(account)});
}

}  // namespace

// The reads whose encoders and decoders the batched reads share; the others
// go through EthApi::CallFunction.
absl::StatusOr<eth::Bytes> PocoClient::CallHub(eth::ByteView data) {
  CallRequest req;
  req.to = hub_;
  req.data.assign(data.begin(), data.end());
  return eth_->Call(req);
}

absl::StatusOr<eth::Address> PocoClient::WorkerpoolRegistry() {
  {
    absl::MutexLock lock(&mu_);
    if (registry_) return *registry_;
  }
  absl::StatusOr<abi::Value> v =
      eth_->CallFunction(hub_, "workerpoolregistry()", {}, "address");
  if (!v.ok()) return v.status();
  absl::MutexLock lock(&mu_);
  registry_ = AsAddress(*v);
  return *registry_;
}

absl::StatusOr<eth::Address> PocoClient::Token() {
  absl::StatusOr<abi::Value> v =
      eth_->CallFunction(hub_, "token()", {}, "address");
  if (!v.ok()) return v.status();
  const eth::Address& token = AsAddress(*v);
  if (token.IsZero())
    return absl::NotFoundError(absl::StrCat(
        "hub ", hub_.ToChecksum(), " has no RLC token (a native chain)"));
  return token;
}

absl::StatusOr<OrderDomainInfo> PocoClient::Domain() {
  {
    absl::MutexLock lock(&mu_);
    if (domain_) return *domain_;
  }
  // (string name, string version, uint256 chainId, address verifyingContract)
  absl::StatusOr<abi::Value> v = eth_->CallFunction(
      hub_, "domain()", {}, "(string,string,uint256,address)");
  if (!v.ok()) return v.status();
  const auto& t = std::get<std::vector<abi::Value>>(v->v);
  OrderDomainInfo d;
  d.name = std::get<std::string>(t[0].v);
  d.version = std::get<std::string>(t[1].v);
  if (!AsUint(t[2]).FitsUint64())
    return absl::InternalError("hub.domain() chainId does not fit 64 bits");
  d.chain_id = AsUint(t[2]).low64();
  d.verifying_contract = AsAddress(t[3]);
  absl::MutexLock lock(&mu_);
  domain_ = d;
  return d;
}

absl::StatusOr<PocoGeneration> PocoClient::Generation() {
  {
    absl::MutexLock lock(&mu_);
    if (generation_) return *generation_;
  }
  absl::StatusOr<PocoGeneration> g = DetectPocoGeneration(*eth_, hub_);
  if (!g.ok()) return g.status();
  absl::MutexLock lock(&mu_);
  generation_ = *g;
  return *g;
}

absl::StatusOr<EscrowAccount> PocoClient::ViewAccount(
    const eth::Address& account) {
  return DecodeAccount(CallHub(ViewAccountCall(account)));
}

absl::StatusOr<eth::U256> PocoClient::RlcBalance(const eth::Address& account) {
  if (native_) {
    absl::StatusOr<eth::U256> wei = eth_->GetBalance(account);
    if (!wei.ok()) return wei.status();
    return *wei / eth::U256(1'000'000'000);
  }
  absl::StatusOr<eth::Address> token = Token();
  if (!token.ok()) return token.status();
  absl::StatusOr<abi::Value> v = eth_->CallFunction(
      *token, "balanceOf(address)", {abi::Value::Addr(account)}, "uint256");
  if (!v.ok()) return v.status();
  return AsUint(*v);
}

absl::StatusOr<eth::Address> PocoClient::PredictWorkerpool(
    const eth::Address& owner, const std::string& description) {
  absl::StatusOr<eth::Address> registry = WorkerpoolRegistry();
  if (!registry.ok()) return registry.status();
  absl::StatusOr<abi::Value> v = eth_->CallFunction(
      *registry, "predictWorkerpool(address,string)",
      {abi::Value::Addr(owner), abi::Value::Str(description)}, "address");
  if (!v.ok()) return v.status();
  return AsAddress(*v);
}

absl::StatusOr<bool> PocoClient::IsRegisteredWorkerpool(
    const eth::Address& workerpool) {
  absl::StatusOr<eth::Address> registry = WorkerpoolRegistry();
  if (!registry.ok()) return registry.status();
  absl::StatusOr<abi::Value> v =
      eth_->CallFunction(*registry, "isRegistered(address)",
                         {abi::Value::Addr(workerpool)}, "bool");
  if (!v.ok()) return v.status();
  return std::get<bool>(v->v);
}

absl::StatusOr<WorkerpoolInfo> PocoClient::GetWorkerpool(
    const eth::Address& workerpool) {
  absl::StatusOr<eth::Address> registry = WorkerpoolRegistry();
  if (!registry.ok()) return registry.status();
  struct Read {
    const char* signature;
    const char* type;
  };
  // Every view of the Workerpool contract, as `iexec workerpool show` reads,
  // after isRegistered: one JSON-RPC batch.
  const Read reads[] = {{"owner()", "address"},
                        {"m_workerpoolDescription()", "string"},
                        {"m_workerStakeRatioPolicy()", "uint256"},
                        {"m_schedulerRewardRatioPolicy()", "uint256"},
                        {"registry()", "address"}};
  std::vector<CallRequest> calls(6);
  calls[0].to = *registry;
  calls[0].data =
      MustEncode("isRegistered(address)", {abi::Value::Addr(workerpool)});
  for (int i = 0; i < 5; ++i) {
    calls[i + 1].to = workerpool;
    calls[i + 1].data = MustEncode(reads[i].signature, {});
  }
  absl::StatusOr<std::vector<absl::StatusOr<eth::Bytes>>> out =
      eth_->CallBatch(calls);
  if (!out.ok()) return out.status();
  if (!(*out)[0].ok()) return (*out)[0].status();
  absl::StatusOr<std::vector<abi::Value>> registered =
      DecodeAs("registry.isRegistered()", {"bool"}, *(*out)[0]);
  if (!registered.ok()) return registered.status();
  if (!std::get<bool>((*registered)[0].v))
    return absl::NotFoundError(
        absl::StrCat("no workerpool registered at ", workerpool.ToChecksum()));
  WorkerpoolInfo info;
  info.address = workerpool;
  for (int i = 0; i < 5; ++i) {
    const absl::StatusOr<eth::Bytes>& data = (*out)[i + 1];
    if (!data.ok()) return data.status();
    absl::StatusOr<std::vector<abi::Value>> v =
        DecodeAs(absl::StrCat("workerpool.", reads[i].signature),
                 {reads[i].type}, *data);
    if (!v.ok()) return v.status();
    const abi::Value& x = (*v)[0];
    switch (i) {
      case 0:
        info.owner = AsAddress(x);
        break;
      case 1:
        info.description = std::get<std::string>(x.v);
        break;
      case 2:
        info.worker_stake_ratio = AsUint(x);
        break;
      case 3:
        info.scheduler_reward_ratio = AsUint(x);
        break;
      case 4:
        info.registry = AsAddress(x);
        break;
    }
  }
  return info;
}

absl::StatusOr<std::vector<eth::Address>> PocoClient::WorkerpoolsOf(
    const eth::Address& owner) {
  absl::StatusOr<eth::Address> registry = WorkerpoolRegistry();
  if (!registry.ok()) return registry.status();
  absl::StatusOr<abi::Value> count = eth_->CallFunction(
      *registry, "balanceOf(address)", {abi::Value::Addr(owner)}, "uint256");
  if (!count.ok()) return count.status();
  const eth::U256& n = AsUint(*count);
  if (!n.FitsUint64() || n.low64() > 10'000)
    return absl::FailedPreconditionError(
        absl::StrCat(owner.ToChecksum(), " holds ", n.ToDecimal(),
                     " workerpools: too many to list"));
  std::vector<eth::Address> pools;
  for (uint64_t i = 0; i < n.low64(); ++i) {
    absl::StatusOr<abi::Value> id = eth_->CallFunction(
        *registry, "tokenOfOwnerByIndex(address,uint256)",
        {abi::Value::Addr(owner), abi::Value::Uint(eth::U256(i))}, "uint256");
    if (!id.ok()) return id.status();
    // tokenId = uint256(uint160(address)).
    eth::Hash32 be = AsUint(*id).ToBytesBE();
    absl::StatusOr<eth::Address> a =
        eth::Address::FromBytes(eth::ByteView(be.data() + 12, 20));
    if (!a.ok()) return a.status();
    pools.push_back(*a);
  }
  return pools;
}

absl::StatusOr<bool> PocoClient::VerifySignature(const eth::Address& identity,
                                                 const eth::Hash32& hash,
                                                 eth::ByteView sign) {
  return DecodeBool("hub.verifySignature()",
                    CallHub(VerifySignatureCall(identity, hash, sign)));
}

absl::StatusOr<eth::U256> PocoClient::ViewConsumed(
    const eth::Hash32& order_hash) {
  return DecodeUint("hub.viewConsumed()",
                    CallHub(ViewConsumedCall(order_hash)));
}

absl::StatusOr<PublishReads> PocoClient::ReadForPublish(
    const eth::Address& workerpool, const eth::Address& signer,
    const eth::Hash32& order_hash, eth::ByteView sign) {
  absl::StatusOr<eth::Address> registry = WorkerpoolRegistry();
  if (!registry.ok()) return registry.status();
  // Independent reads: the signature, consumption and stake are read for
  // the signer, which the caller only trusts once it is the owner.
  std::vector<CallRequest> calls(5);
  calls[0].to = *registry;
  calls[0].data =
      MustEncode("isRegistered(address)", {abi::Value::Addr(workerpool)});
  calls[1].to = workerpool;
  calls[1].data = MustEncode("owner()", {});
  calls[2].to = hub_;
  calls[2].data = VerifySignatureCall(signer, order_hash, sign);
  calls[3].to = hub_;
  calls[3].data = ViewConsumedCall(order_hash);
  calls[4].to = hub_;
  calls[4].data = ViewAccountCall(signer);
  absl::StatusOr<std::vector<absl::StatusOr<eth::Bytes>>> out =
      eth_->CallBatch(calls);
  if (!out.ok()) return out.status();
  if (out->size() != calls.size())
    return absl::InternalError(absl::StrCat("a batch of ", calls.size(),
                                            " eth_calls came back with ",
                                            out->size(), " results"));
  PublishReads r{
      DecodeBool("registry.isRegistered()", (*out)[0]),
      DecodeAddress("workerpool.owner()", (*out)[1]),
      DecodeBool("hub.verifySignature()", (*out)[2]),
      DecodeUint("hub.viewConsumed()", (*out)[3]),
      DecodeAccount((*out)[4]),
  };
  return r;
}

absl::StatusOr<std::vector<Category>> PocoClient::Categories() {
  absl::StatusOr<abi::Value> count =
      eth_->CallFunction(hub_, "countCategory()", {}, "uint256");
  if (!count.ok()) return count.status();
  const eth::U256& n = AsUint(*count);
  if (!n.FitsUint64() || n.low64() > 1000)
    return absl::InternalError("hub.countCategory() is implausibly large");
  std::vector<Category> cats;
  for (uint64_t i = 0; i < n.low64(); ++i) {
    absl::StatusOr<abi::Value> v = eth_->CallFunction(
        hub_, "viewCategory(uint256)", {abi::Value::Uint(eth::U256(i))},
        "(string,string,uint256)");
    if (!v.ok()) return v.status();
    const auto& t = std::get<std::vector<abi::Value>>(v->v);
    cats.push_back({i, std::get<std::string>(t[0].v),
                    std::get<std::string>(t[1].v), AsUint(t[2])});
  }
  return cats;
}

eth::Bytes PocoClient::DepositCall() { return MustEncode("deposit()", {}); }

eth::Bytes PocoClient::WithdrawCall(const eth::U256& nrlc) {
  return MustEncode("withdraw(uint256)", {abi::Value::Uint(nrlc)});
}

eth::Bytes PocoClient::TransferCall(const eth::Address& to,
                                    const eth::U256& amount) {
  return MustEncode("transfer(address,uint256)",
                    {abi::Value::Addr(to), abi::Value::Uint(amount)});
}

eth::Bytes PocoClient::ApproveAndCallCall(const eth::Address& spender,
                                          const eth::U256& amount) {
  return MustEncode("approveAndCall(address,uint256,bytes)",
                    {abi::Value::Addr(spender), abi::Value::Uint(amount),
                     abi::Value::Blob({})});
}

eth::Bytes PocoClient::CreateWorkerpoolCall(const eth::Address& owner,
                                            const std::string& description) {
  return MustEncode("createWorkerpool(address,string)",
                    {abi::Value::Addr(owner), abi::Value::Str(description)});
}

}  // namespace poolops::chain
