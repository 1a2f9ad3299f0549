// Test doubles for the order half of chain-gateway: a JSON-RPC node that
// answers the PoCo reads orders need (hub.domain, the workerpool registry and
// contract, verifySignature by real recovery, viewConsumed, viewAccount,
// the Diamond loupe of a PoCo 6 hub when asked to be one), a
// http::Client that serves the devnet market's API in-process (MarketApi over a
// FakeChainView) or scripted answers, and a gateway over both with a
// KeySigner. Header-only, for tests.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "devnet/market/fake_chain_view.h"
#include "devnet/market/market_api.h"
#include "devnet/market/order_book.h"
#include "libs/common/files.h"
#include "libs/common/http_client.h"
#include "libs/common/temp_dir_test_support.h"
#include "libs/eth/abi.h"
#include "libs/eth/hex.h"
#include "libs/eth/secp256k1.h"
#include "services/chain/chains/chain_registry.h"
#include "services/chain/chains/gateway.h"
#include "services/chain/tx/key_signer.h"

namespace poolops::chain::testing {

namespace abi = eth::abi;
namespace mt = market::testing;

inline constexpr char kRegistry[] =
    "0xf5059a5D33d5853360D16C683c16e67980206f36";
inline constexpr char kRpc[] = "http://fake-node:8545";
inline constexpr char kMarketUrl[] = "http://fake-market:3000";

// Hub and workerpool state the fake node serves; tests change it freely
// (guard with mu when a loop thread reads it).
struct FakePoco {
  uint64_t chain_id = mt::kChainId;
  eth::Address hub = mt::Addr(mt::kHub);
  eth::Address workerpool = mt::Addr(mt::kWorkerpool);
  eth::Address owner = mt::Addr(mt::kOwner);
  bool registered = true;
  eth::U256 stake = eth::U256(1'000'000);
  eth::U256 consumed = eth::U256(0);
  int eth_calls = 0;
  int posts = 0;  // HTTP exchanges with the node (a batch is one)
  // A function signature whose eth_calls revert, e.g. "viewAccount(address)".
  std::string reverting;
  // A PoCo 6 Diamond: the loupe's facetAddresses() lists facets. Otherwise
  // a PoCo 5 hub's fallback takes it and answers nothing.
  bool diamond = false;
  int loupe_calls = 0;
};

class FakeNode : public http::Client {
 public:
  explicit FakeNode(FakePoco* poco) : poco_(poco) {}

  absl::StatusOr<http::Response> Send(const http::Request& request) override {
    const std::string& body = request.body;
    {
      absl::MutexLock lock(&mu);
      ++poco_->posts;
    }
    nlohmann::json req = nlohmann::json::parse(body);
    nlohmann::json out;
    if (req.is_array()) {
      out = nlohmann::json::array();
      for (const auto& r : req) out.push_back(Answer(r));
    } else {
      out = Answer(req);
    }
    return http::Response{200, "application/json", out.dump(), std::nullopt};
  }

  absl::Mutex mu;

 private:
  static std::string Sel(const char* signature) {
    auto s = abi::Selector(signature);
    return eth::ToHex(eth::Bytes(s.begin(), s.end()));
  }
  static std::string Word(const abi::Value& v, const char* type) {
    return eth::ToHex(*abi::Encode({*abi::ParseType(type)}, {v}));
  }

  nlohmann::json Answer(const nlohmann::json& r) {
    absl::MutexLock lock(&mu);
    nlohmann::json reply = {{"jsonrpc", "2.0"}, {"id", r.at("id")}};
    std::string method = r.at("method");
    if (method == "eth_chainId") {
      reply["result"] = eth::U256(poco_->chain_id).ToHex();
      return reply;
    }
    if (method != "eth_call") {
      reply["error"] = {{"code", -32601}, {"message", "not in the fake"}};
      return reply;
    }
    ++poco_->eth_calls;
    const auto& call = r.at("params")[0];
    std::string data = call.value("data", call.value("input", "0x"));
    std::string sel = data.substr(0, 10);
    eth::Bytes args = *eth::FromHex("0x" + data.substr(10));
    std::string result = "0x";
    if (!poco_->reverting.empty() && sel == Sel(poco_->reverting.c_str())) {
      reply["error"] = {{"code", 3},
                        {"message", "execution reverted: fake revert"},
                        {"data", "0x"}};
      return reply;
    }
    auto decode = [&](const char* types) {
      std::vector<abi::Type> t;
      for (absl::string_view s : absl::StrSplit(types, ';'))
        t.push_back(*abi::ParseType(std::string(s)));
      return *abi::Decode(t, args);
    };
    if (sel == Sel("facetAddresses()")) {
      ++poco_->loupe_calls;
      if (poco_->diamond)
        result = Word(abi::Value::List({abi::Value::Addr(mt::Addr(kRegistry)),
                                        abi::Value::Addr(poco_->hub)}),
                      "address[]");
    } else if (sel == Sel("domain()")) {
      result = Word(abi::Value::List({abi::Value::Str("iExecODB"),
                                      abi::Value::Str("5.0.0"),
                                      abi::Value::Uint(poco_->chain_id),
                                      abi::Value::Addr(poco_->hub)}),
                    "(string,string,uint256,address)");
    } else if (sel == Sel("workerpoolregistry()")) {
      result = Word(abi::Value::Addr(mt::Addr(kRegistry)), "address");
    } else if (sel == Sel("isRegistered(address)")) {
      result = Word(abi::Value::Bool(poco_->registered), "bool");
    } else if (sel == Sel("owner()")) {
      result = Word(abi::Value::Addr(poco_->owner), "address");
    } else if (sel == Sel("m_workerpoolDescription()")) {
      result = Word(abi::Value::Str("fake pool"), "string");
    } else if (sel == Sel("m_workerStakeRatioPolicy()")) {
      result = Word(abi::Value::Uint(30), "uint256");
    } else if (sel == Sel("m_schedulerRewardRatioPolicy()")) {
      result = Word(abi::Value::Uint(1), "uint256");
    } else if (sel == Sel("registry()")) {
      result = Word(abi::Value::Addr(mt::Addr(kRegistry)), "address");
    } else if (sel == Sel("verifySignature(address,bytes32,bytes)")) {
      auto v = decode("address;bytes32;bytes");
      eth::Bytes h = std::get<eth::Bytes>(v[1].v);
      eth::Hash32 hash;
      std::copy(h.begin(), h.end(), hash.begin());
      absl::StatusOr<eth::Address> a =
          eth::RecoverAddress(hash, std::get<eth::Bytes>(v[2].v));
      result =
          Word(abi::Value::Bool(a.ok() && *a == std::get<eth::Address>(v[0].v)),
               "bool");
    } else if (sel == Sel("viewConsumed(bytes32)")) {
      result = Word(abi::Value::Uint(poco_->consumed), "uint256");
    } else if (sel == Sel("viewAccount(address)")) {
      result = Word(abi::Value::List(
                        {abi::Value::Uint(poco_->stake), abi::Value::Uint(0)}),
                    "(uint256,uint256)");
    }
    reply["result"] = result;
    return reply;
  }

  FakePoco* const poco_;
};

// Scripted HTTP answers by "METHOD path-prefix", else the in-process market
// (when attached); every request recorded.
class FakeWeb : public http::Client {
 public:
  using Handler =
      std::function<absl::StatusOr<http::Response>(const http::Request&)>;

  void Route(const std::string& method_and_prefix, Handler h) {
    absl::MutexLock lock(&mu_);
    routes_.emplace_back(method_and_prefix, std::move(h));
  }
  void AttachMarket(market::MarketApi* api, std::string base) {
    absl::MutexLock lock(&mu_);
    market_ = api;
    base_ = std::move(base);
  }
  static http::Response Json(int status, const nlohmann::json& body) {
    return {status, "application/json; charset=utf-8", body.dump()};
  }

  absl::StatusOr<http::Response> Send(const http::Request& req) override {
    Handler h;
    market::MarketApi* api;
    std::string base;
    {
      absl::MutexLock lock(&mu_);
      sent_.push_back(req);
      for (const auto& [key, handler] : routes_) {
        auto [m, prefix] = std::pair(key.substr(0, key.find(' ')),
                                     key.substr(key.find(' ') + 1));
        if (m == req.method && absl::StartsWith(req.url, prefix)) h = handler;
      }
      api = market_;
      base = base_;
    }
    if (h) return h(req);
    if (api != nullptr && absl::StartsWith(req.url, base))
      return Serve(*api, req, req.url.substr(base.size()));
    return absl::UnavailableError("fake web: connection refused");
  }

  std::vector<http::Request> sent() {
    absl::MutexLock lock(&mu_);
    return sent_;
  }
  size_t CountTo(const std::string& needle) {
    size_t n = 0;
    for (const http::Request& r : sent())
      if (absl::StrContains(r.url, needle)) ++n;
    return n;
  }

 private:
  static http::Response Serve(market::MarketApi& api, const http::Request& req,
                              const std::string& target) {
    std::string path = target.substr(0, target.find('?'));
    market::Query q;
    if (target.find('?') != std::string::npos)
      for (absl::string_view kv :
           absl::StrSplit(target.substr(target.find('?') + 1), '&')) {
        std::vector<std::string> p =
            absl::StrSplit(kv, absl::MaxSplits('=', 1));
        q.emplace(p[0], p.size() > 1 ? p[1] : "");
      }
    std::string auth;
    for (const auto& [k, v] : req.headers)
      if (k == "authorization") auth = v;
    nlohmann::json body = req.body.empty()
                              ? nlohmann::json::object()
                              : nlohmann::json::parse(req.body, nullptr, false);
    absl::StatusOr<nlohmann::json> r;
    if (path == "/challenge")
      r = api.Challenge(q);
    else if (path == "/workerpoolorders" && req.method == "POST")
      r = api.PublishWorkerpoolOrder(q, auth, body);
    else if (path == "/workerpoolorders" && req.method == "PUT")
      r = api.UnpublishWorkerpoolOrders(q, auth, body);
    else if (path == "/workerpoolorders")
      r = api.WorkerpoolOrderbook(q);
    else if (absl::StartsWith(path, "/workerpoolorders/"))
      r = api.GetWorkerpoolOrder(path.substr(18), q);
    else
      r = absl::NotFoundError("no route");
    market::ApiReply reply = market::ToReply(r);
    return Json(reply.status, reply.body);
  }

  absl::Mutex mu_;
  std::vector<std::pair<std::string, Handler>> routes_ ABSL_GUARDED_BY(mu_);
  market::MarketApi* market_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::string base_ ABSL_GUARDED_BY(mu_);
  std::vector<http::Request> sent_ ABSL_GUARDED_BY(mu_);
};

// A ChainView for the in-process market that reads the same FakePoco.
class PocoChainView : public market::ChainView {
 public:
  PocoChainView(FakePoco* poco, absl::Mutex* mu) : poco_(poco), mu_(mu) {}
  absl::StatusOr<bool> IsRegisteredWorkerpool(const eth::Address&) override {
    absl::MutexLock l(mu_);
    return poco_->registered;
  }
  absl::StatusOr<eth::Address> WorkerpoolOwner(const eth::Address&) override {
    absl::MutexLock l(mu_);
    return poco_->owner;
  }
  absl::StatusOr<bool> VerifySignature(const eth::Address& identity,
                                       const eth::Hash32& hash,
                                       eth::ByteView sign) override {
    absl::StatusOr<eth::Address> a = eth::RecoverAddress(hash, sign);
    return a.ok() && *a == identity;
  }
  absl::StatusOr<market::Account> ViewAccount(const eth::Address&) override {
    absl::MutexLock l(mu_);
    return market::Account{poco_->stake, eth::U256(0)};
  }
  absl::StatusOr<eth::U256> ViewConsumed(const eth::Hash32&) override {
    absl::MutexLock l(mu_);
    return poco_->consumed;
  }

 private:
  FakePoco* const poco_;
  absl::Mutex* const mu_;
};

// A home with chain "fake" (the fake node and market) as default, a
// KeySigner with "owner" (the vectors' key) and "other", the gateway, and
// the devnet market's API in-process behind FakeWeb.
class FakeOrderWorld {
 public:
  FakeOrderWorld()
      : node_(std::make_shared<FakeNode>(&poco)),
        view_(&poco, &node_->mu),
        book_(mt::DevnetDomain()),
        api_(market::MarketConfig{mt::DevnetDomain(), 50}, &view_, &book_),
        web(std::make_shared<FakeWeb>()) {
    (void)signer.Add("owner", mt::kOwnerKey);
    (void)signer.Add("other", mt::kOtherKey);
    registry_ = std::make_unique<ChainRegistry>(home_.path());
    ChainConfig c;
    c.name = "fake";
    c.chain_id = poco.chain_id;
    c.rpcs = {kRpc};
    c.hub = poco.hub;
    c.native = true;
    c.market = kMarketUrl;
    c.zero_gas_price = true;
    absl::StatusOr<ChainConfig> added =
        registry_->Add(c, /*make_default=*/true);
    if (!added.ok()) add_error = added.status();
    JsonRpcClientOptions rpc;
    rpc.rounds = 1;
    gateway = std::make_unique<Gateway>(registry_.get(), &signer, node_,
                                        TxSenderOptions{}, rpc);
    web->AttachMarket(&api_, kMarketUrl);
  }

  // Guarded access to the chain's state.
  template <typename F>
  void Chain(F f) {
    absl::MutexLock l(&node_->mu);
    f(poco);
  }

  const std::filesystem::path& home() const { return home_.path(); }

  FakePoco poco;
  absl::Status add_error;
  KeySigner signer;

 private:
  poolops::test::TempDir home_;
  std::shared_ptr<FakeNode> node_;
  PocoChainView view_;
  market::OrderBook book_;
  market::MarketApi api_;
  std::unique_ptr<ChainRegistry> registry_;

 public:
  std::shared_ptr<FakeWeb> web;
  std::unique_ptr<Gateway> gateway;
};

}  // namespace poolops::chain::testing
