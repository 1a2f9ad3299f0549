// poolctl chain list|show|add|import (CLI.md): the chains chain-gateway knows
// (presets, the devnet, custom chains and iExec SDK chain.json imports).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/gateway_client.h"
#include "libs/common/files.h"

namespace poolops::cli {
namespace {

using json = nlohmann::json;

json ChainJson(const cv1::Chain& c) {
  json j = {{"name", c.name()},       {"chainId", c.chain_id()},
            {"rpc", c.rpc()},         {"hub", c.hub()},
            {"native", c.native()},   {"market", c.market()},
            {"default", c.is_default()}, {"origin", c.origin()},
            {"feeMode", c.fee_mode()}, {"confirmations", c.confirmations()}};
  j["fallbackRpcs"] = std::vector<std::string>(c.fallback_rpcs().begin(),
                                               c.fallback_rpcs().end());
  return j;
}

std::string ChainLine(const cv1::Chain& c) {
  return absl::StrCat(c.is_default() ? "* " : "  ", c.name(), "  id ",
                      c.chain_id(), "  ", c.native() ? "native" : "token",
                      "  ", c.rpc(), "  hub ", c.hub(),
                      c.market().empty() ? "" : "  market ", c.market());
}

int PrintChains(const Context& ctx,
                const google::protobuf::RepeatedPtrField<cv1::Chain>& chains) {
  json list = json::array();
  std::string human;
  for (const cv1::Chain& c : chains) {
    list.push_back(ChainJson(c));
    absl::StrAppend(&human, ChainLine(c), "\n");
  }
  if (!human.empty()) human.pop_back();
  return ctx.Ok({{"chains", list}}, human);
}

}  // namespace

void AddChainCommands(CLI::App& app, Context& ctx, int* exit_code) {
  CLI::App* chain = app.add_subcommand(
      "chain",
      "Chains: presets (bellecour, arbitrum-mainnet, "
      "arbitrum-sepolia-testnet), the devnet and your own");

  chain->add_subcommand("list", "Every known chain; * marks the default")
      ->callback([&ctx, exit_code] {
        absl::StatusOr<GatewayClient> gw = GatewayClient::Connect(ctx);
        if (!gw.ok()) {
          *exit_code = ctx.Fail(gw.status());
          return;
        }
        cv1::ListChainsResponse r;
        grpc::Status s = (*gw)->ListChains(GatewayClient::Call().get(),
                                           cv1::ListChainsRequest(), &r);
        *exit_code = s.ok() ? PrintChains(ctx, r.chains()) : ctx.Fail(FromGrpc(s));
      });

  auto name = std::make_shared<std::string>();
  CLI::App* show = chain->add_subcommand("show", "One chain");
  show->add_option("NAME", *name, "Chain name (default: the default chain)");
  // main.cc passes `chain show NAME` here when NAME is also a command's name.
  show->add_option("--name", *name, "Chain name (as NAME)")->group("");
  show->callback([&ctx, exit_code, name] {
    absl::StatusOr<GatewayClient> gw = GatewayClient::Connect(ctx);
    if (!gw.ok()) {
      *exit_code = ctx.Fail(gw.status());
      return;
    }
    cv1::GetChainRequest req;
    req.set_name(name->empty() ? ctx.chain : *name);
    cv1::ListChainsResponse r;
    grpc::Status s = (*gw)->GetChain(GatewayClient::Call().get(), req,
                                     r.add_chains());
    *exit_code = s.ok() ? PrintChains(ctx, r.chains()) : ctx.Fail(FromGrpc(s));
  });

  struct AddOpts {
    std::string name, rpc, hub, chain_id, market, fee_mode;
    std::vector<std::string> fallback;
    bool native = false, make_default = false;
    uint32_t confirmations = 1;
  };
  auto a = std::make_shared<AddOpts>();
  CLI::App* add = chain->add_subcommand(
      "add", "Add a custom chain (written as an SDK chain.json in the home)");
  add->add_option("NAME", a->name, "Chain name (a-z, 0-9, . _ -)")->required();
  add->add_option("--rpc", a->rpc, "JSON-RPC URL")->required();
  add->add_option("--fallback-rpc", a->fallback,
                  "More JSON-RPC URLs, tried in order when --rpc fails");
  add->add_option("--hub", a->hub, "iExec hub (PoCo proxy) address")->required();
  add->add_option("--chain-id", a->chain_id, "Chain id")->required();
  add->add_flag("--native", a->native,
                "RLC is the chain's coin (as Bellecour); gas price 0");
  add->add_option("--market", a->market, "Market API (iexecGateway) URL");
  add->add_option("--fee-mode", a->fee_mode,
                  "legacy or eip1559 (default: legacy when --native)");
  add->add_option("--confirmations", a->confirmations,
                  "Blocks to wait for each transaction (default 1)");
  add->add_flag("--default", a->make_default, "Make it the default chain");
  add->callback([&ctx, exit_code, a] {
    absl::StatusOr<GatewayClient> gw = GatewayClient::Connect(ctx);
    if (!gw.ok()) {
      *exit_code = ctx.Fail(gw.status());
      return;
    }
    cv1::AddChainRequest req;
    cv1::Chain* c = req.mutable_chain();
    c->set_name(a->name);
    c->set_rpc(a->rpc);
    for (const std::string& u : a->fallback) c->add_fallback_rpcs(u);
    c->set_hub(a->hub);
    c->set_chain_id(a->chain_id);
    c->set_native(a->native);
    c->set_market(a->market);
    c->set_fee_mode(a->fee_mode);
    c->set_confirmations(a->confirmations);
    req.set_make_default(a->make_default);
    cv1::Chain out;
    grpc::Status s = (*gw)->AddChain(GatewayClient::Call().get(), req, &out);
    *exit_code = s.ok() ? ctx.Ok(ChainJson(out), ChainLine(out))
                        : ctx.Fail(FromGrpc(s));
  });

  auto file = std::make_shared<std::string>();
  CLI::App* import = chain->add_subcommand(
      "import", "Import the chains of an iExec SDK chain.json (and its default)");
  import->add_option("FILE", *file, "chain.json")->required();
  import->callback([&ctx, exit_code, file] {
    absl::StatusOr<std::string> text = files::ReadFile(*file, 1 << 20);
    if (!text.ok()) {
      *exit_code = ctx.Fail(text.status());
      return;
    }
    absl::StatusOr<GatewayClient> gw = GatewayClient::Connect(ctx);
    if (!gw.ok()) {
      *exit_code = ctx.Fail(gw.status());
      return;
    }
    cv1::ImportChainsRequest req;
    req.set_chain_json(*text);
    req.set_source_path(*file);
    cv1::ListChainsResponse r;
    grpc::Status s = (*gw)->ImportChains(GatewayClient::Call().get(), req, &r);
    *exit_code = s.ok() ? PrintChains(ctx, r.chains()) : ctx.Fail(FromGrpc(s));
  });
}

}  // namespace poolops::cli
