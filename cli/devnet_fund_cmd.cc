// poolctl devnet fund: a wallet topped up with ETH (gas) and RLC (stake)
// from the devnet's own accounts, through chain-gateway's FundFromDevnet
// (refused on any chain but the devnet's anvil).
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands.h"
#include "cli/gateway_client.h"
#include "libs/eth/address.h"
#include "libs/eth/uint256.h"
#include "libs/eth/units.h"

namespace poolops::cli {
namespace {

using json = nlohmann::json;

// A decimal in `base` as `unit` ("1.5 ETH"), or the text when it is not one.
std::string FundAmount(const std::string& amount, eth::Unit base,
                       eth::Unit unit, const char* name) {
  absl::StatusOr<eth::U256> v = eth::U256::FromDecimal(amount);
  return v.ok() ? absl::StrCat(eth::FormatAmount(*v, base, unit), " ", name)
                : amount;
}

}  // namespace

void AddDevnetFundCommand(CLI::App* devnet, Context& ctx, int* exit_code) {
  struct Opts {
    std::string wallet, address;
    std::string eth = "1", rlc = "10";
  };
  auto o = std::make_shared<Opts>();
  CLI::App* fund = devnet->add_subcommand(
      "fund",
      "Top a wallet up to at least --eth ETH (gas) and --rlc RLC from the "
      "devnet's own accounts (devnet only: fund wallets by hand on real "
      "chains); sends only what is missing");
  CLI::Option* wallet =
      fund->add_option("--wallet", o->wallet, "Wallet of the vault (name)");
  CLI::Option* address =
      fund->add_option("--address", o->address, "Any address (0x...)");
  wallet->excludes(address);
  fund->add_option("--eth", o->eth,
                   "ETH the wallet holds at least afterwards (default 1; on "
                   "the native devnet RLC is the coin and gas is free)");
  fund->add_option("--rlc", o->rlc,
                   "RLC the wallet holds at least afterwards (default 10)");
  fund->callback([&ctx, exit_code, o] {
    if (o->wallet.empty() == o->address.empty()) {
      *exit_code = ctx.Fail(absl::InvalidArgumentError(
          "give the wallet to fund: --wallet NAME or --address 0x..."));
      return;
    }
    if (!o->address.empty()) {
      absl::StatusOr<eth::Address> a = eth::Address::Parse(o->address);
      if (!a.ok()) {
        *exit_code = ctx.Fail(a.status());
        return;
      }
    }
    cv1::FundFromDevnetRequest req;
    req.set_chain(ctx.chain);
    req.set_wallet(o->wallet.empty() ? o->address : o->wallet);
    req.set_eth(o->eth);
    req.set_rlc(o->rlc);
    *exit_code = Reply(
        ctx,
        GatewayTx(ctx, POOLOPS_RPC(cv1::ChainGateway, FundFromDevnet), req,
                  &cv1::FundFromDevnetEvent::result),
        [&](const cv1::FundResult& r) {
          json txs = json::array();
          for (const cv1::TxResult& t : r.txs()) txs.push_back(t.tx_hash());
          const cv1::Balances& b = r.balances();
          const std::string eth_sent = FundAmount(r.eth_sent(), eth::Unit::kWei,
                                                  eth::Unit::kEther, "ETH");
          const std::string rlc_sent = FundAmount(
              r.rlc_sent(), eth::Unit::kNRlc, eth::Unit::kRlc, "RLC");
          std::string what =
              r.txs().empty()
                  ? std::string("funded already, nothing sent")
                  : absl::StrCat("sent ", eth_sent, " and ", rlc_sent,
                                 " from the devnet account ", r.funder());
          return ctx.Ok({{"address", r.address()},
                         {"funder", r.funder()},
                         {"ethSent", r.eth_sent()},
                         {"rlcSent", r.rlc_sent()},
                         {"native", b.native()},
                         {"rlc", b.rlc()},
                         {"stake", b.stake()},
                         {"txs", txs}},
                        absl::StrCat(r.address(), ": ", what, "\nholds: ",
                                     FundAmount(b.native(), eth::Unit::kWei,
                                                eth::Unit::kEther, "ETH"),
                                     ", ",
                                     FundAmount(b.rlc(), eth::Unit::kNRlc,
                                                eth::Unit::kRlc, "RLC"),
                                     " (stake ",
                                     FundAmount(b.stake(), eth::Unit::kNRlc,
                                                eth::Unit::kRlc, "RLC"),
                                     ")"));
        });
  });
}

}  // namespace poolops::cli
