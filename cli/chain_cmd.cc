// poolctl chain list|show|add|import (CLI.md): the chains chain-gateway knows
// (presets, the devnet, custom chains and iExec SDK chain.json imports).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/command_group.h"
#include "cli/commands.h"
#include "cli/gateway_client.h"
#include "libs/common/files.h"
#include "libs/common/terminal_text.h"

namespace poolops::cli {
namespace {

using json = nlohmann::json;

json ChainJson(const cv1::Chain& c) {
  json j = {{"name", c.name()},
            {"chainId", c.chain_id()},
            {"rpc", c.rpc()},
            {"hub", c.hub()},
            {"native", c.native()},
            {"market", c.market()},
            {"default", c.is_default()},
            {"origin", c.origin()},
            {"feeMode", c.fee_mode()},
            {"confirmations", c.confirmations()}};
  j["fallbackRpcs"] = std::vector<std::string>(c.fallback_rpcs().begin(),
                                               c.fallback_rpcs().end());
  if (!c.error().empty()) j["error"] = c.error();
  if (c.changes_size() > 0)
    j["changes"] =
        std::vector<std::string>(c.changes().begin(), c.changes().end());
  return j;
}

std::string ChainLine(const cv1::Chain& c) {
  if (!c.error().empty())
    return absl::StrCat(c.is_default() ? "* " : "  ", c.name(),
                        "  BROKEN: ", c.error());
  std::string line = absl::StrCat(
      c.is_default() ? "* " : "  ", c.name(), "  id ", c.chain_id(), "  ",
      c.native() ? "native" : "token", "  ", c.rpc(), "  hub ", c.hub(),
      c.market().empty() ? "" : "  market ", c.market());
  for (const std::string& change : c.changes())
    absl::StrAppend(&line, "\n      replaced ", change);
  return line;
}

int PrintChains(const Context& ctx, const cv1::ListChainsResponse& chains) {
  json list = json::array();
  std::string human;
  for (const cv1::Chain& c : chains.chains()) {
    list.push_back(ChainJson(c));
    absl::StrAppend(&human, ChainLine(c), "\n");
  }
  if (!human.empty()) human.pop_back();
  return ctx.Ok({{"chains", list}}, human);
}

// The exit code of a call answering chains.
int ReplyChains(const Context& ctx,
                const absl::StatusOr<cv1::ListChainsResponse>& outcome) {
  return Reply(ctx, outcome, [&](const cv1::ListChainsResponse& r) {
    return PrintChains(ctx, r);
  });
}

}  // namespace

void AddChainCommands(CLI::App& app, Context& ctx, int* exit_code) {
  AddGroup(
      app, "chain",
      "Chains: presets (bellecour, arbitrum-mainnet, "
      "arbitrum-sepolia-testnet), the devnet and your own",
      [&ctx, exit_code](CLI::App* chain) {
        chain->add_subcommand("list", "Every known chain; * marks the default")
            ->callback([&ctx, exit_code] {
              *exit_code = ReplyChains(
                  ctx,
                  CallGateway(ctx, POOLOPS_RPC(cv1::ChainGateway, ListChains),
                              cv1::ListChainsRequest()));
            });

        auto name = std::make_shared<std::string>();
        CLI::App* show = chain->add_subcommand("show", "One chain");
        show->add_option("NAME", *name,
                         "Chain name (default: the default chain)");
        // main.cc passes `chain show NAME` here when NAME is also a command's
        // name.
        show->add_option("--name", *name, "Chain name (as NAME)")->group("");
        show->callback([&ctx, exit_code, name] {
          cv1::GetChainRequest req;
          req.set_name(name->empty() ? ctx.chain : *name);
          *exit_code = Reply(
              ctx,
              CallGateway(ctx, POOLOPS_RPC(cv1::ChainGateway, GetChain), req),
              [&](const cv1::Chain& c) {
                cv1::ListChainsResponse r;
                *r.add_chains() = c;
                return PrintChains(ctx, r);
              });
        });

        struct AddOpts {
          std::string name, rpc, hub, chain_id, market, fee_mode;
          std::vector<std::string> fallback;
          bool native = false, make_default = false, replace = false;
          uint32_t confirmations = 1;
        };
        auto a = std::make_shared<AddOpts>();
        CLI::App* add = chain->add_subcommand(
            "add",
            "Add a custom chain (written as an SDK chain.json in the home)");
        add->add_option("NAME", a->name,
                        "Chain name (a-z, 0-9, _ -; a letter or digit first)")
            ->required();
        add->add_option("--rpc", a->rpc, "JSON-RPC URL")->required();
        add->add_option("--fallback-rpc", a->fallback,
                        "More JSON-RPC URLs, tried in order when --rpc fails");
        add->add_option("--hub", a->hub, "iExec hub (PoCo proxy) address")
            ->required();
        add->add_option("--chain-id", a->chain_id, "Chain id")->required();
        add->add_flag("--native", a->native,
                      "RLC is the chain's coin (as Bellecour); gas price 0");
        add->add_option("--market", a->market, "Market API (iexecGateway) URL");
        add->add_option("--fee-mode", a->fee_mode,
                        "legacy or eip1559 (default: legacy when --native)");
        add->add_option("--confirmations", a->confirmations,
                        "Blocks to wait for each transaction (default 1)");
        add->add_flag("--default", a->make_default,
                      "Make it the default chain");
        add->add_flag(
            "--replace", a->replace,
            "Replace a preset or an existing chain of that name (says "
            "what changes)");
        add->callback([&ctx, exit_code, a] {
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
          req.set_replace(a->replace);
          *exit_code = Reply(
              ctx,
              CallGateway(ctx, POOLOPS_RPC(cv1::ChainGateway, AddChain), req),
              [&](const cv1::Chain& c) {
                return ctx.Ok(ChainJson(c), ChainLine(c));
              });
        });

        auto file = std::make_shared<std::string>();
        auto replace = std::make_shared<bool>(false);
        CLI::App* import = chain->add_subcommand(
            "import",
            "Import the chains of an iExec SDK chain.json (and its default)");
        import->add_option("FILE", *file, "chain.json")->required();
        import->add_flag("--replace", *replace,
                         "Replace presets and existing chains the file changes "
                         "(says what changes)");
  import->callback([&ctx, exit_code, file, replace] {
    absl::StatusOr<std::string> text = files::ReadFile(*file, 1 << 20);
  if (!text.ok()) {
    *exit_code = ctx.Fail(text.status());
    return;
  }
  // gRPC strings must be UTF-8: say so here rather than fail in transit.
  if (!IsValidUtf8(*text)) {
    *exit_code = ctx.Fail(absl::InvalidArgumentError(absl::StrCat(
        *file, " is not UTF-8 text (an iExec SDK chain.json is JSON)")));
    return;
  }
  cv1::ImportChainsRequest req;
  req.set_chain_json(*text);
  req.set_source_path(SanitizeForTerminal(*file));
  req.set_replace(*replace);
  *exit_code = ReplyChains(
      ctx, CallGateway(ctx, POOLOPS_RPC(cv1::ChainGateway, ImportChains), req));
      });
});
}

}  // namespace poolops::cli
