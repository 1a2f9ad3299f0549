// poolctl account deposit|withdraw|show and workerpool deploy|show|list
// (CLI.md): stake and workerpool registration through chain-gateway, with
// the iExec SDK's units (nRLC unless --unit) and progress while waiting for
// receipts.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/command_group.h"
#include "cli/commands.h"
#include "cli/gateway_client.h"
#include "libs/eth/uint256.h"
#include "libs/eth/units.h"

namespace poolops::cli {
namespace {

using json = nlohmann::json;

std::string Rlc(const std::string& nrlc) {
  absl::StatusOr<eth::U256> v = eth::U256::FromDecimal(nrlc);
  return v.ok() ? absl::StrCat(
                      eth::FormatAmount(*v, eth::Unit::kNRlc, eth::Unit::kRlc),
                      " RLC")
                : nrlc;
}

json WorkerpoolJson(const cv1::Workerpool& w) {
  return {{"address", w.address()},
          {"owner", w.owner()},
          {"description", w.description()},
          {"workerStakeRatio", w.worker_stake_ratio()},
          {"schedulerRewardRatio", w.scheduler_reward_ratio()}};
}

std::string WorkerpoolText(const cv1::Workerpool& w) {
  return absl::StrCat(w.address(), "  owner ", w.owner(), "  \"",
                      w.description(), "\"  workerStakeRatio ",
                      w.worker_stake_ratio(), "%  schedulerRewardRatio ",
                      w.scheduler_reward_ratio(), "%");
}

// account deposit / withdraw share everything but the method.
void AddStakeCommand(CLI::App* account, Context& ctx, int* exit_code,
                     bool deposit) {
  struct Opts {
    std::string amount, wallet, unit;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = account->add_subcommand(
      deposit ? "deposit" : "withdraw",
      deposit ? "Stake RLC from the wallet into the iExec escrow"
              : "Take free stake back from the escrow to the wallet");
  cmd->add_option("AMOUNT", o->amount, "Amount (default unit nRLC)")
      ->required();
  cmd->add_option("--wallet", o->wallet, "Wallet (name or address)")
      ->required();
  cmd->add_option("--unit", o->unit, "nRLC (default), RLC or wei");
  cmd->callback([&ctx, exit_code, o, deposit] {
    absl::StatusOr<cv1::Amount::Unit> unit = ParseUnitFlag(o->unit);
    if (!unit.ok()) {
      *exit_code = ctx.Fail(unit.status());
      return;
    }
    // The two requests have the same fields.
    auto fill = [&](auto* req) {
      req->set_chain(ctx.chain);
      req->set_wallet(o->wallet);
      req->mutable_amount()->set_value(o->amount);
      req->mutable_amount()->set_unit(*unit);
    };
    absl::StatusOr<cv1::StakeResult> outcome;
    if (deposit) {
      cv1::DepositRequest req;
      fill(&req);
      outcome = GatewayTx(ctx, POOLOPS_RPC(cv1::ChainGateway, Deposit), req,
                          &cv1::StakeEvent::result);
    } else {
      cv1::WithdrawRequest req;
      fill(&req);
      outcome = GatewayTx(ctx, POOLOPS_RPC(cv1::ChainGateway, Withdraw), req,
                          &cv1::StakeEvent::result);
    }
    *exit_code = Reply(ctx, outcome, [&](const cv1::StakeResult& r) {
      return ctx.Ok(
          {{"txHash", r.tx().tx_hash()}, {"stake", r.stake()}},
          absl::StrCat(deposit ? "deposited" : "withdrawn", ": ",
                       r.tx().tx_hash(), "\nstake: ", Rlc(r.stake())));
    });
  });
}

void AddAccount(CLI::App& app, Context& ctx, int* exit_code) {
  AddGroup(
      app, "account", "Stake in the iExec escrow (what workerpool orders need)",
      [&ctx, exit_code](CLI::App* account) {
        AddStakeCommand(account, ctx, exit_code, /*deposit=*/true);
        AddStakeCommand(account, ctx, exit_code, /*deposit=*/false);
        auto who = std::make_shared<std::string>();
        CLI::App* show =
            account->add_subcommand("show", "Stake and locked stake");
        show->add_option("NAME", *who, "Wallet name, or any address")
            ->required();
        show->callback([&ctx, exit_code, who] {
          cv1::GetAccountRequest req;
          req.set_chain(ctx.chain);
          req.set_wallet(*who);
          *exit_code = Reply(
              ctx,
              CallGateway(ctx, POOLOPS_RPC(cv1::ChainGateway, GetAccount), req),
              [&](const cv1::Account& a) {
                return ctx.Ok({{"address", a.address()},
                               {"stake", a.stake()},
                               {"locked", a.locked()}},
                              absl::StrCat("address: ", a.address(),
                                           "\nstake:   ", Rlc(a.stake()),
                                           "\nlocked:  ", Rlc(a.locked())));
              });
        });
      });
}

void AddWorkerpool(CLI::App& app, Context& ctx, int* exit_code) {
  AddGroup(
      app, "workerpool",
      "Workerpools in the iExec registry: register, show, list",
      [&ctx, exit_code](CLI::App* wp) {
        struct DeployOpts {
          std::string owner, description;
        };
        auto d = std::make_shared<DeployOpts>();
        CLI::App* deploy = wp->add_subcommand(
            "deploy",
            "Register a workerpool owned by a wallet; the same (owner, "
            "description) can be registered once (ALREADY_EXISTS names it)");
        deploy
            ->add_option("--owner", d->owner, "Owner wallet (name or address)")
            ->required();
        deploy->add_option("--description", d->description, "Description")
            ->required();
        deploy->callback([&ctx, exit_code, d] {
          cv1::DeployWorkerpoolRequest req;
          req.set_chain(ctx.chain);
          req.set_owner(d->owner);
          req.set_description(d->description);
          *exit_code = Reply(
              ctx,
              GatewayTx(ctx, POOLOPS_RPC(cv1::ChainGateway, DeployWorkerpool),
                        req, &cv1::DeployWorkerpoolEvent::result),
              [&](const cv1::DeployWorkerpoolResult& r) {
                return ctx.Ok(
                    {{"address", r.address()}, {"txHash", r.tx().tx_hash()}},
                    absl::StrCat("workerpool ", r.address(),
                                 "\ntx: ", r.tx().tx_hash()));
              });
        });

        auto address = std::make_shared<std::string>();
        CLI::App* show = wp->add_subcommand("show", "A registered workerpool");
        show->add_option("ADDR", *address, "Workerpool address")->required();
        show->callback([&ctx, exit_code, address] {
          cv1::GetWorkerpoolRequest req;
          req.set_chain(ctx.chain);
          req.set_address(*address);
          *exit_code = Reply(
              ctx,
              CallGateway(ctx, POOLOPS_RPC(cv1::ChainGateway, GetWorkerpool),
                          req),
              [&](const cv1::Workerpool& w) {
                return ctx.Ok(WorkerpoolJson(w), WorkerpoolText(w));
              });
        });

        auto owner = std::make_shared<std::string>();
        CLI::App* list =
            wp->add_subcommand("list", "The workerpools an owner holds");
        list->add_option("--owner", *owner, "Owner wallet (name or address)")
            ->required();
        list->callback([&ctx, exit_code, owner] {
          cv1::ListWorkerpoolsRequest req;
          req.set_chain(ctx.chain);
          req.set_owner(*owner);
          *exit_code = Reply(
              ctx,
              CallGateway(ctx, POOLOPS_RPC(cv1::ChainGateway, ListWorkerpools),
                          req),
              [&](const cv1::ListWorkerpoolsResponse& r) {
                json list = json::array();
                std::string human;
                for (const cv1::Workerpool& w : r.workerpools()) {
                  list.push_back(WorkerpoolJson(w));
                  absl::StrAppend(&human, WorkerpoolText(w), "\n");
                }
                if (human.empty()) human = "no workerpool\n";
                human.pop_back();
                return ctx.Ok({{"workerpools", list}}, human);
              });
        });
      });
}

}  // namespace

void AddChainOpsCommands(CLI::App& app, Context& ctx, int* exit_code) {
  AddAccount(app, ctx, exit_code);
  AddWorkerpool(app, ctx, exit_code);
}

}  // namespace poolops::cli
