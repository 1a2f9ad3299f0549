// poolctl order sign|publish|unpublish|cancel, orderbook workerpool (CLI.md)
// and publisher set|status: workerpool orders through chain-gateway, which
// signs through the vault, checks the market's rules before publishing and
// keeps the pool's capacity on the market (the publisher loop). Prices
// default to nRLC as the iExec SDK's; --unit RLC|nRLC|wei overrides.
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/command_group.h"
#include "cli/commands.h"
#include "cli/gateway_client.h"
#include "libs/common/bounded_json.h"
#include "libs/common/files.h"
#include "libs/eth/uint256.h"
#include "libs/eth/units.h"

namespace poolops::cli {
namespace {

using json = nlohmann::json;

struct TermsFlags {
  std::string workerpool, price, unit, volume, category, tag, trust;
  std::string app_restrict, dataset_restrict, requester_restrict;
};

void AddTermsFlags(CLI::App* cmd, TermsFlags* t, bool workerpool_required) {
  auto* wp = cmd->add_option("--workerpool", t->workerpool,
                             "Workerpool address (the wallet must own it)");
  if (workerpool_required) wp->required();
  cmd->add_option("--price", t->price,
                  "Price per task (default 0; unit nRLC unless --unit)");
  cmd->add_option("--unit", t->unit,
                  "Unit of --price: nRLC (default), RLC, wei");
  cmd->add_option("--volume", t->volume, "Number of tasks (default 1)");
  cmd->add_option("--category", t->category, "Category id (default 0)");
  cmd->add_option("--tag", t->tag,
                  "Tags: names tee,scone,gramine,tdx,gpu (tee needs exactly "
                  "one framework) or a bytes32 hex (default none: a standard "
                  "order). PoCo 6 chains (iExec v9, Arbitrum) have no SGX: "
                  "tee,tdx (0x...09) with --trust 1 for TDX, never scone or "
                  "gramine");
  cmd->add_option("--trust", t->trust,
                  "Trust (default 0; TDX orders on PoCo 6 need 1 or more)");
  cmd->add_option("--app-restrict", t->app_restrict, "Only this app");
  cmd->add_option("--dataset-restrict", t->dataset_restrict,
                  "Only this dataset");
  cmd->add_option("--requester-restrict", t->requester_restrict,
                  "Only this requester");
}

absl::StatusOr<cv1::OrderTerms> TermsProto(const TermsFlags& t) {
  absl::StatusOr<cv1::Amount::Unit> unit = ParseUnitFlag(t.unit);
  if (!unit.ok()) return unit.status();
  cv1::OrderTerms p;
  p.set_workerpool(t.workerpool);
  if (!t.price.empty()) {
    p.mutable_price()->set_value(t.price);
    p.mutable_price()->set_unit(*unit);
  } else if (!t.unit.empty()) {
    return absl::InvalidArgumentError("--unit needs --price");
  }
  p.set_volume(t.volume);
  p.set_category(t.category);
  p.set_tag(t.tag);
  p.set_trust(t.trust);
  p.set_app_restrict(t.app_restrict);
  p.set_dataset_restrict(t.dataset_restrict);
  p.set_requester_restrict(t.requester_restrict);
  return p;
}

json OrderJson(const cv1::WorkerpoolOrder& o) {
  return {{"workerpool", o.workerpool()},
          {"workerpoolprice", o.workerpoolprice()},
          {"volume", o.volume()},
          {"tag", o.tag()},
          {"category", o.category()},
          {"trust", o.trust()},
          {"apprestrict", o.apprestrict()},
          {"datasetrestrict", o.datasetrestrict()},
          {"requesterrestrict", o.requesterrestrict()},
          {"salt", o.salt()},
          {"sign", o.sign()}};
}

std::string Field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : DumpJson(*it);
}

// An order file: what `order sign` prints ({"order":{...}}), a bare order,
// or the iExec SDK's orders.json ({"<chainId>":{"workerpoolorder":{...}}}).
absl::StatusOr<cv1::WorkerpoolOrder> ReadOrderFile(const std::string& path) {
  absl::StatusOr<std::string> text = files::ReadFile(path, 1 << 20);
  if (!text.ok()) return text.status();
  absl::StatusOr<json> parsed =
      ParseBoundedJson(*text, {.max_bytes = 1 << 20, .max_depth = 16}, path);
  if (!parsed.ok()) return parsed.status();
  const json& doc = *parsed;
  if (!doc.is_object())
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is not a JSON object"));
  const json* o = &doc;
  if (doc.contains("order") && doc["order"].is_object()) {
    o = &doc["order"];
  } else if (!doc.contains("workerpool")) {
    for (auto& [key, value] : doc.items())
      if (value.is_object() && value.contains("workerpoolorder")) {
        o = &value["workerpoolorder"];
        break;
      }
  }
  cv1::WorkerpoolOrder p;
  p.set_workerpool(Field(*o, "workerpool"));
  p.set_workerpoolprice(Field(*o, "workerpoolprice"));
  p.set_volume(Field(*o, "volume"));
  p.set_tag(Field(*o, "tag"));
  p.set_category(Field(*o, "category"));
  p.set_trust(Field(*o, "trust"));
  p.set_apprestrict(Field(*o, "apprestrict"));
  p.set_datasetrestrict(Field(*o, "datasetrestrict"));
  p.set_requesterrestrict(Field(*o, "requesterrestrict"));
  p.set_salt(Field(*o, "salt"));
  p.set_sign(Field(*o, "sign"));
  if (p.workerpool().empty())
    return absl::InvalidArgumentError(absl::StrCat(
        path,
        " holds no workerpool order (expected the output of `poolctl "
        "order sign`, an order object or an iExec orders.json)"));
  return p;
}

void AddSign(CLI::App* order, Context& ctx, int* exit_code) {
  struct Opts {
    TermsFlags terms;
    std::string wallet, out;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = order->add_subcommand(
      "sign",
      "Sign a workerpool order (EIP-712, the hub's domain) with the owner's "
      "wallet; defaults as the iExec SDK: price 0, volume 1, category 0");
  AddTermsFlags(cmd, &o->terms, true);
  cmd->add_option("--wallet", o->wallet, "Owner wallet (name or address)")
      ->required();
  cmd->add_option("--out", o->out,
                  "Also write the signed order to FILE (for order publish / "
                  "cancel --order-file)");
  cmd->callback([&ctx, exit_code, o] {
    absl::StatusOr<cv1::OrderTerms> terms = TermsProto(o->terms);
    if (!terms.ok()) {
      *exit_code = ctx.Fail(terms.status());
      return;
    }
    cv1::SignOrderRequest req;
    req.set_chain(ctx.chain);
    req.set_wallet(o->wallet);
    *req.mutable_terms() = *terms;
    absl::StatusOr<cv1::SignedOrder> outcome =
        CallGateway(ctx, POOLOPS_RPC(cv1::ChainGateway, SignOrder), req);
    *exit_code = Reply(ctx, outcome, [&](const cv1::SignedOrder& r) {
      json result = {{"order", OrderJson(r.order())},
                     {"orderHash", r.order_hash()}};
      if (!o->out.empty()) {
        if (absl::Status w = files::WriteFileAtomic(
                o->out, DumpJson(result, 2) + "\n", 0644);
            !w.ok())
          return ctx.Fail(w);
      }
      return ctx.Ok(
          result, absl::StrCat("signed workerpool order ", r.order_hash(), "\n",
                               DumpJson(result["order"], 2)));
    });
  });
}

void AddPublish(CLI::App* order, Context& ctx, int* exit_code) {
  struct Opts {
    TermsFlags terms;
    std::string wallet, file;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = order->add_subcommand(
      "publish",
      "Publish a workerpool order on the chain's market: a signed one "
      "(--order-file) or a new one from the sign flags. The market's rules "
      "are checked first (owner, signature, stake >= 30% of price x "
      "remaining, < 50 open orders)");
  cmd->add_option("--order-file", o->file,
                  "A signed order (output of order sign, or an iExec "
                  "orders.json)");
  AddTermsFlags(cmd, &o->terms, false);
  cmd->add_option("--wallet", o->wallet,
                  "Owner wallet (name or address); signs the order and the "
                  "market login (default with --order-file: the vault wallet "
                  "of the workerpool's owner)");
  cmd->callback([&ctx, exit_code, o] {
    if (o->file.empty() && o->wallet.empty()) {
      *exit_code = ctx.Fail(absl::InvalidArgumentError(
          "--wallet is required to sign a new order"));
      return;
    }
    cv1::PublishOrderRequest req;
    req.set_chain(ctx.chain);
    req.set_wallet(o->wallet);
    const TermsFlags& t = o->terms;
    bool any_terms =
        !t.workerpool.empty() || !t.price.empty() || !t.unit.empty() ||
        !t.volume.empty() || !t.category.empty() || !t.tag.empty() ||
        !t.trust.empty() || !t.app_restrict.empty() ||
        !t.dataset_restrict.empty() || !t.requester_restrict.empty();
    if (!o->file.empty() && any_terms) {
      *exit_code = ctx.Fail(absl::InvalidArgumentError(
          "--order-file publishes a signed order as it is: drop the sign "
          "flags, or drop --order-file to sign a new one"));
      return;
    }
    if (!o->file.empty()) {
      absl::StatusOr<cv1::WorkerpoolOrder> order = ReadOrderFile(o->file);
      if (!order.ok()) {
        *exit_code = ctx.Fail(order.status());
        return;
      }
      *req.mutable_signed_() = *order;
    } else {
      if (o->terms.workerpool.empty()) {
        *exit_code = ctx.Fail(absl::InvalidArgumentError(
            "--order-file or --workerpool (with the sign flags) is required"));
        return;
      }
      absl::StatusOr<cv1::OrderTerms> terms = TermsProto(o->terms);
      if (!terms.ok()) {
        *exit_code = ctx.Fail(terms.status());
        return;
      }
      *req.mutable_terms() = *terms;
    }
    *exit_code = Reply(
        ctx,
        CallGateway(ctx, POOLOPS_RPC(cv1::ChainGateway, PublishOrder), req),
        [&](const cv1::PublishOrderResponse& r) {
          return ctx.Ok(
              {{"orderHash", r.order_hash()}},
              absl::StrCat("published workerpool order ", r.order_hash()));
        });
  });
}

void AddUnpublish(CLI::App* order, Context& ctx, int* exit_code) {
  struct Opts {
    std::string workerpool, wallet, hash;
    bool all = false, last = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = order->add_subcommand(
      "unpublish",
      "Remove orders from the market (off-chain only: a signed order stays "
      "valid on-chain until `order cancel`)");
  cmd->add_option("--workerpool", o->workerpool, "Workerpool address");
  cmd->add_option("--wallet", o->wallet, "Owner wallet (name or address)")
      ->required();
  auto* all =
      cmd->add_flag("--all", o->all, "Every open order of the workerpool");
  auto* last = cmd->add_flag("--last", o->last, "The latest published one");
  auto* hash = cmd->add_option("--hash", o->hash, "The order with this hash");
  all->excludes(last)->excludes(hash);
  last->excludes(hash);
  cmd->callback([&ctx, exit_code, o] {
    if (!o->all && !o->last && o->hash.empty()) {
      *exit_code = ctx.Fail(absl::InvalidArgumentError(
          "one of --all, --last or --hash is required"));
      return;
    }
    if ((o->all || o->last) && o->workerpool.empty()) {
      *exit_code = ctx.Fail(absl::InvalidArgumentError(
          "--workerpool is required with --all and --last"));
      return;
    }
    cv1::UnpublishOrdersRequest req;
    req.set_chain(ctx.chain);
    req.set_wallet(o->wallet);
    req.set_workerpool(o->workerpool);
    if (o->all)
      req.set_all(true);
    else if (o->last)
      req.set_last(true);
    else
      req.set_order_hash(o->hash);
    absl::StatusOr<cv1::UnpublishOrdersResponse> outcome =
        CallGateway(ctx, POOLOPS_RPC(cv1::ChainGateway, UnpublishOrders), req);
    *exit_code =
        Reply(ctx, outcome, [&](const cv1::UnpublishOrdersResponse& r) {
          json list = json::array();
          std::string human = "unpublished:";
          for (const std::string& h : r.unpublished()) {
            list.push_back(h);
            absl::StrAppend(&human, "\n  ", h);
          }
          return ctx.Ok({{"unpublished", list}}, human);
        });
  });
}

void AddCancel(CLI::App* order, Context& ctx, int* exit_code) {
  struct Opts {
    std::string file, wallet;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = order->add_subcommand(
      "cancel",
      "Cancel a signed order on-chain (manageWorkerpoolOrder CLOSE): it can "
      "no longer be matched");
  cmd->add_option("--order-file", o->file, "The signed order")->required();
  cmd->add_option("--wallet", o->wallet, "Owner wallet (name or address)")
      ->required();
  cmd->callback([&ctx, exit_code, o] {
    absl::StatusOr<cv1::WorkerpoolOrder> order = ReadOrderFile(o->file);
    if (!order.ok()) {
      *exit_code = ctx.Fail(order.status());
      return;
    }
    cv1::CancelOrderRequest req;
    req.set_chain(ctx.chain);
    req.set_wallet(o->wallet);
    *req.mutable_order() = *order;
    absl::StatusOr<cv1::TxResult> outcome =
        GatewayTx(ctx, POOLOPS_RPC(cv1::ChainGateway, CancelOrder), req,
                  &cv1::CancelOrderEvent::result);
    *exit_code = Reply(ctx, outcome, [&](const cv1::TxResult& r) {
      return ctx.Ok(
          {{"txHash", r.tx_hash()}, {"blockNumber", r.block_number()}},
          absl::StrCat("cancelled: ", r.tx_hash()));
    });
  });
}

void AddOrderbook(CLI::App& app, Context& ctx, int* exit_code) {
  AddGroup(
      app, "orderbook", "The market's open orders",
      [&ctx, exit_code](CLI::App* book) {
        struct Opts {
          std::string workerpool, category, tag;
        };
        auto o = std::make_shared<Opts>();
        CLI::App* wp = book->add_subcommand(
            "workerpool",
            "Open orders of a workerpool (every page), with the open "
            "volume (sum of remaining)");
        wp->add_option("ADDR", o->workerpool, "Workerpool address")->required();
        wp->add_option("--category", o->category, "Only this category");
        wp->add_option("--tag", o->tag, "Orders with at least these tags");
        wp->callback([&ctx, exit_code, o] {
          cv1::GetOrderbookRequest req;
          req.set_chain(ctx.chain);
          req.set_workerpool(o->workerpool);
          req.set_category(o->category);
          req.set_min_tag(o->tag);
          absl::StatusOr<cv1::Orderbook> outcome = CallGateway(
              ctx, POOLOPS_RPC(cv1::ChainGateway, GetOrderbook), req);
          *exit_code = Reply(ctx, outcome, [&](const cv1::Orderbook& r) {
            json orders = json::array();
            std::string human = absl::StrCat(
                r.count(), " open order(s), open volume ", r.open_volume());
            for (const cv1::OrderbookEntry& e : r.orders()) {
              orders.push_back(
                  {{"orderHash", e.order_hash()},
                   {"workerpoolprice", e.workerpoolprice()},
                   {"volume", e.volume()},
                   {"remaining", e.remaining()},
                   {"category", e.category()},
                   {"tag", e.tag()},
                   {"trust", e.trust()},
                   {"requesterrestrict", e.requesterrestrict()},
                   {"publicationTimestamp", e.publication_timestamp()}});
              absl::StrAppend(&human, "\n  ", e.order_hash(), "  price ",
                              e.workerpoolprice(), " nRLC  remaining ",
                              e.remaining(), "/", e.volume(), "  category ",
                              e.category());
            }
            return ctx.Ok({{"count", r.count()},
                           {"orders", orders},
                           {"openVolume", r.open_volume()}},
                          human);
          });
        });
      });
}

json PublisherJson(const cv1::PublisherStatus& s) {
  const cv1::PublisherPolicy& p = s.policy();
  const cv1::OrderTerms& t = p.terms();
  auto opt = [](const std::string& v) { return v.empty() ? json() : json(v); };
  return {{"chain", p.chain()},
          {"workerpool", p.workerpool()},
          {"wallet", p.wallet()},
          {"enabled", p.enabled()},
          {"running", s.running()},
          {"coreMetricsUrl", p.core_metrics_url()},
          {"gpuPool", p.gpu_pool()},
          {"maxOpenOrders", p.max_open_orders()},
          {"checkPeriodSeconds", p.check_period_seconds()},
          {"priceMin", opt(p.price_min().value())},
          {"priceMax", opt(p.price_max().value())},
          {"terms",
           {{"price", t.price().value()},
            {"volume", t.volume()},
            {"category", t.category()},
            {"tag", t.tag()},
            {"trust", t.trust()},
            {"appRestrict", t.app_restrict()},
            {"datasetRestrict", t.dataset_restrict()},
            {"requesterRestrict", t.requester_restrict()}}},
          {"lastCheck", opt(s.last_check())},
          {"availableCapacity", opt(s.available_capacity())},
          {"openVolume", opt(s.open_volume())},
          {"publishedTotal", s.published_total()},
          {"lastError", opt(s.last_error())},
          {"lastDecision", opt(s.last_decision())},
          {"rounds", s.rounds()},
          // Why publishing is paused (the owner wallet is locked); null.
          {"paused", opt(s.paused())}};
}

std::string PublisherText(const cv1::PublisherStatus& s) {
  const cv1::PublisherPolicy& p = s.policy();
  std::string out = absl::StrCat(
      "publisher for ", p.workerpool(), " on ", p.chain(), ": ",
      !p.enabled()          ? "disabled"
      : !s.paused().empty() ? "PAUSED (owner wallet locked)"
      : s.running()         ? "running"
                            : "stopped",
      "\n  capacity from ", p.core_metrics_url(),
      p.gpu_pool() ? " (aliveAvailableGpu)" : " (aliveAvailableCpu)",
      ", every ", p.check_period_seconds(), "s, at most ", p.max_open_orders(),
      " open orders");
  if (!p.price_min().value().empty()) {
    absl::StrAppend(&out, "\n  price drawn in [", p.price_min().value(), ", ",
                    p.price_max().value(), "] nRLC per order");
  }
  absl::StrAppend(&out, "\n  last check: ",
                  s.last_check().empty() ? "never" : s.last_check());
  if (!s.available_capacity().empty())
    absl::StrAppend(&out, "  capacity ", s.available_capacity());
  if (!s.open_volume().empty())
    absl::StrAppend(&out, "  open volume ", s.open_volume());
  absl::StrAppend(&out, "\n  published since start: ", s.published_total());
  if (!s.last_decision().empty())
    absl::StrAppend(&out, "\n  last round: ", s.last_decision());
  if (!s.paused().empty())
    absl::StrAppend(&out, "\n  paused: ", s.paused());
  else if (!s.last_error().empty())
    absl::StrAppend(&out, "\n  last error: ", s.last_error());
  return out;
}

int PrintPublisher(const Context& ctx,
                   const absl::StatusOr<cv1::PublisherStatus>& outcome) {
  return Reply(ctx, outcome, [&](const cv1::PublisherStatus& r) {
    return ctx.Ok(PublisherJson(r), PublisherText(r));
  });
}

void AddPublisher(CLI::App& app, Context& ctx, int* exit_code) {
  AddGroup(
      app, "publisher",
      "The order publisher of chain-gateway: keeps the pool's free capacity "
      "on the market, as iExec's order-publisher container does",
      [&ctx, exit_code](CLI::App* pub) {
        pub->footer(
            "Each round reads the core's /metrics (aliveAvailableCpu, or "
            "aliveAvailableGpu with --gpu), the workerpool's open volume on "
            "the "
            "market, and publishes (capacity - open volume) / volume new "
            "orders, "
            "at most --max-open-orders open at once. It never publishes what "
            "the "
            "owner's stake cannot lock (30% of the price of every open task): "
            "the "
            "status then says how much to deposit. Policies are kept in "
            "<home>/publisher/ and resumed when chain-gateway starts.");
        struct SetOpts {
          TermsFlags terms;
          std::string wallet, metrics, period, price_min, price_max;
          uint32_t max_open = 3;
          bool gpu = false, disable = false;
        };
        auto o = std::make_shared<SetOpts>();
        CLI::App* set = pub->add_subcommand(
            "set",
            "Create or change the publisher policy of a workerpool (starts "
            "its loop unless --disable)");
        AddTermsFlags(set, &o->terms, true);
        set->add_option("--wallet", o->wallet, "Owner wallet (name or address)")
            ->required();
        set->add_option(
            "--core-metrics", o->metrics,
            "The core's /metrics URL, e.g. http://core-host:13000/metrics");
        set->add_option("--max-open-orders", o->max_open,
                        "Open orders kept at most (default 3)");
        set->add_option("--period", o->period,
                        "Time between rounds: seconds or a duration (30s, 2m; "
                        "default 30s)");
        set->add_option(
            "--price-min", o->price_min,
            "With --price-max: each order's price drawn uniformly in "
            "[min, max], as the container's WORKERPOOL_PRICE_MIN/MAX "
            "(unit of --unit; the stake check uses the max)");
        set->add_option("--price-max", o->price_max,
                        "With --price-min: the top of the price range");
        set->add_flag("--gpu", o->gpu, "Capacity from aliveAvailableGpu");
        set->add_flag("--disable", o->disable,
                      "Keep the policy, stop the loop");
        set->callback([&ctx, exit_code, o] {
          const bool range = !o->price_min.empty() || !o->price_max.empty();
          TermsFlags flags = o->terms;
          if (range && flags.price.empty())
            flags.unit.clear();  // the range's unit
          absl::StatusOr<cv1::OrderTerms> terms = TermsProto(flags);
          if (!terms.ok()) {
            *exit_code = ctx.Fail(terms.status());
            return;
          }
          uint32_t period = 0;
          if (!o->period.empty()) {
            absl::Duration d;
            int64_t secs = 0;
            if (absl::SimpleAtoi(o->period, &secs) && secs > 0) {
              period = static_cast<uint32_t>(secs);
            } else if (absl::ParseDuration(o->period, &d) &&
                       d >= absl::Seconds(1)) {
              period = static_cast<uint32_t>(absl::ToInt64Seconds(d));
            } else {
              *exit_code = ctx.Fail(absl::InvalidArgumentError(
                  absl::StrCat("--period \"", o->period,
                               "\" is not a duration of 1s or more")));
              return;
            }
          }
          cv1::SetPublisherPolicyRequest req;
          cv1::PublisherPolicy* p = req.mutable_policy();
          p->set_chain(ctx.chain);
          p->set_workerpool(o->terms.workerpool);
          p->set_wallet(o->wallet);
          p->set_enabled(!o->disable);
          p->set_core_metrics_url(o->metrics);
          p->set_gpu_pool(o->gpu);
          *p->mutable_terms() = *terms;
          p->set_max_open_orders(o->max_open);
          p->set_check_period_seconds(period);
          if (range) {
            // One without the other is refused by chain-gateway, naming both.
            absl::StatusOr<cv1::Amount::Unit> unit =
                ParseUnitFlag(o->terms.unit);
            if (!unit.ok()) {
              *exit_code = ctx.Fail(unit.status());
              return;
            }
            p->mutable_price_min()->set_value(o->price_min);
            p->mutable_price_min()->set_unit(*unit);
            p->mutable_price_max()->set_value(o->price_max);
            p->mutable_price_max()->set_unit(*unit);
          }
          *exit_code = PrintPublisher(
              ctx, CallGateway(
                       ctx, POOLOPS_RPC(cv1::ChainGateway, SetPublisherPolicy),
                       req));
        });

        auto workerpool = std::make_shared<std::string>();
        CLI::App* status = pub->add_subcommand(
            "status",
            "The publisher of a workerpool: running, last check, "
            "capacity, open volume, published total, last error");
        status->add_option("--workerpool", *workerpool, "Workerpool address")
            ->required();
        status->callback([&ctx, exit_code, workerpool] {
          cv1::GetPublisherStatusRequest req;
          req.set_chain(ctx.chain);
          req.set_workerpool(*workerpool);
          *exit_code = PrintPublisher(
              ctx, CallGateway(
                       ctx, POOLOPS_RPC(cv1::ChainGateway, GetPublisherStatus),
                       req));
        });
      });
}

}  // namespace

void AddOrderCommands(CLI::App& app, Context& ctx, int* exit_code) {
  AddGroup(app, "order", "Workerpool orders: sign, publish, unpublish, cancel",
           [&ctx, exit_code](CLI::App* order) {
             AddSign(order, ctx, exit_code);
             AddPublish(order, ctx, exit_code);
             AddUnpublish(order, ctx, exit_code);
             AddCancel(order, ctx, exit_code);
           });
  AddOrderbook(app, ctx, exit_code);
  AddPublisher(app, ctx, exit_code);
}

}  // namespace poolops::cli
