// poolctl devnet traffic (poolctl-full): deals for a running devnet pool,
// run by the pool's own core and workers (devnet/traffic/pool_traffic.h).
// The pool is found by name in the orchestrator's history (its applied
// workerpool, on the devnet) or given by address; its orders are read from
// the devnet's market, as a requester reads them; the app owner and the
// requester are the devnet's last two dev accounts.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cli/devnet_run.h"
#include "cli/rpc_call.h"
#include "devnet/devnet.h"
#include "devnet/traffic/pool_traffic.h"
#include "libs/common/files.h"
#include "libs/common/home.h"
#include "libs/common/http_client.h"
#include "libs/eth/hex.h"
#include "libs/ethrpc/json_rpc_client.h"
#include "poolops/orchestrator/v1/orchestrator.grpc.pb.h"
#include "services/chain/orders/market_client.h"

namespace poolops::cli {
namespace {

namespace ov1 = ::poolops::orchestrator::v1;
using json = nlohmann::json;

// The workerpool of the pool's latest applied revision, which must be on
// the devnet.
absl::StatusOr<eth::Address> PoolWorkerpool(const Context& ctx,
                                            const std::string& pool) {
  ov1::HistoryRequest req;
  req.set_pool(pool);
  absl::StatusOr<ov1::HistoryResponse> history =
      CallOnce<ov1::Orchestrator>(ctx, POOLOPS_RPC(ov1::Orchestrator, History),
                                  req, std::chrono::seconds(30));
  if (!history.ok()) return history.status();
  for (auto r = history->revisions().rbegin(); r != history->revisions().rend();
       ++r) {
    if (r->outcome() != "applied") continue;
    if (r->spec().chain() != "devnet")
      return absl::FailedPreconditionError(
          absl::StrCat("pool ", pool, " runs on chain ", r->spec().chain(),
                       ": devnet traffic is for devnet pools only"));
    if (r->workerpool().empty()) break;
    return eth::Address::Parse(r->workerpool());
  }
  return absl::FailedPreconditionError(
      absl::StrCat("pool ", pool,
                   " has no applied revision with a workerpool: run `poolctl "
                   "pool up` first"));
}

absl::StatusOr<std::unique_ptr<devnet::KeySender>> DevKey(
    chain::EthApi* api, const devnet::DevnetState& state, size_t index) {
  absl::StatusOr<std::string> key =
      files::ReadSecretFile(state.accounts.at(index).private_key_file);
  if (!key.ok()) return key.status();
  absl::StatusOr<eth::Bytes> bytes = eth::FromHexFixed(
      std::string(absl::StripAsciiWhitespace(*key)), 32, "dev account key");
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<devnet::KeySender> sender =
      devnet::KeySender::Create(api, state.chain_id, *bytes);
  if (!sender.ok()) return sender.status();
  return std::make_unique<devnet::KeySender>(*std::move(sender));
}

}  // namespace

int DevnetTraffic(const Context& ctx, const DevnetTrafficArgs& args) {
  if (args.pool.empty() == args.workerpool.empty())
    return ctx.Fail(absl::InvalidArgumentError(
        "give the pool: --pool NAME or --workerpool ADDR (one of them)"));
  absl::StatusOr<Home> home = Home::Open(ctx.Home());
  if (!home.ok()) return ctx.Fail(home.status());
  absl::StatusOr<devnet::DevnetState> state =
      devnet::DevnetStatus(home->root());
  if (!state.ok()) return ctx.Fail(state.status());
  if (!state->running)
    return ctx.Fail(absl::FailedPreconditionError(
        "the devnet is not running: `poolctl devnet up` first"));
  if (state->accounts.size() < 3 || state->market.empty())
    return ctx.Fail(absl::FailedPreconditionError(
        "the devnet has no market or too few dev accounts: `poolctl devnet "
        "reset` then `up`"));

  absl::StatusOr<eth::Address> workerpool =
      args.pool.empty() ? eth::Address::Parse(args.workerpool)
                        : PoolWorkerpool(ctx, args.pool);
  if (!workerpool.ok()) return ctx.Fail(workerpool.status());

  std::shared_ptr<http::Client> http = http::NewCurlClient();
  absl::StatusOr<std::unique_ptr<chain::JsonRpcClient>> rpc =
      chain::JsonRpcClient::Create({state->rpc}, http);
  if (!rpc.ok()) return ctx.Fail(rpc.status());
  chain::EthApi api(rpc->get());
  devnet::AnvilDevRpc anvil(rpc->get(), &api);
  const devnet::HubContracts hub{state->chain_id, state->deployment.hub,
                                 state->deployment.app_registry,
                                 state->deployment.token};
  const size_t n = state->accounts.size();
  absl::StatusOr<std::unique_ptr<devnet::KeySender>> app_owner =
      DevKey(&api, *state, n - 2);
  absl::StatusOr<std::unique_ptr<devnet::KeySender>> requester_key =
      DevKey(&api, *state, n - 1);
  if (!app_owner.ok()) return ctx.Fail(app_owner.status());
  if (!requester_key.ok()) return ctx.Fail(requester_key.status());
  devnet::Requester requester(&api, hub, app_owner->get(),
                              requester_key->get());

  chain::MarketClient market(state->market, state->chain_id, http.get(),
                             /*signer=*/nullptr);
  devnet::PublishedOrders orders = [&market](const eth::Address& pool)
      -> absl::StatusOr<std::vector<iexec::WorkerpoolOrder>> {
    chain::MarketOrderbookQuery query;
    query.workerpool = pool;
    query.page_size = 100;
    absl::StatusOr<chain::MarketOrderbookPage> page = market.Orderbook(query);
    if (!page.ok()) return page.status();
    std::vector<iexec::WorkerpoolOrder> out;
    for (const chain::MarketOrder& o : page->orders)
      if (o.status == "open" && o.remaining > 0) out.push_back(o.order);
    return out;
  };

  devnet::PoolTrafficPlan plan;
  plan.workerpool = *workerpool;
  plan.deals = args.deals;
  plan.fail = args.fail;
  plan.timeout = absl::Seconds(args.timeout_seconds);
  // Distinct request orders on every run, whatever ran before.
  absl::StatusOr<uint64_t> head = api.BlockNumber();
  if (!head.ok()) return ctx.Fail(head.status());
  plan.salt_seed = *head;
  ctx.Progress(
      absl::StrCat("devnet traffic: ", args.deals, " deal(s) for workerpool ",
                   workerpool->ToChecksum(),
                   args.fail ? absl::StrCat(", ", args.fail, " to fail") : ""));
  devnet::PoolTraffic traffic(
      &api, &anvil, &hub, &requester, requester_key->get(), orders,
      Clock::Real(), [&ctx](std::string_view line) { ctx.Progress(line); });
  absl::StatusOr<devnet::TrafficRun> run = traffic.Run(plan);
  if (!run.ok()) return ctx.Fail(run.status());

  json deals = json::array();
  std::string human;
  for (const devnet::Deal& d : run->deals) {
    deals.push_back({{"dealId", eth::ToHex(d.deal_id)}, {"tasks", d.tasks}});
  }
  size_t completed = 0;
  for (const devnet::TaskRun& t : run->tasks) completed += t.completed ? 1 : 0;
  const size_t failed = run->tasks.size() - completed;
  absl::StrAppend(&human, run->deals.size(), " deal(s) for workerpool ",
                  workerpool->ToChecksum(), ": ", completed,
                  " task(s) completed, ", failed, " failed and claimed\n");
  for (const devnet::Deal& d : run->deals)
    absl::StrAppend(&human, "  deal ", eth::ToHex(d.deal_id), "  ", d.tasks,
                    " task(s)\n");
  return ctx.Ok(
      {{"deals", deals}, {"completed", completed}, {"failed", failed}}, human);
}

}  // namespace poolops::cli
