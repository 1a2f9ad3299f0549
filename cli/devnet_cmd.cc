// poolctl devnet up|down|reset|images|status|traffic: the embedded local iExec
// chain (anvil + PoCo 5.5.0 or 6.1.0 deployed by poolops), see devnet/ and
// devnet_run.h; `devnet fund` (devnet_fund_cmd.cc) goes through
// chain-gateway.
#include <memory>

#include "cli/command_group.h"
#include "cli/commands.h"
#include "cli/devnet_run.h"

namespace poolops::cli {

void AddDevnetCommands(CLI::App& app, Context& ctx, int* exit_code) {
  AddGroup(
      app, "devnet",
      "The local iExec chain (anvil + PoCo 5.5.0 or 6.1.0), the embedded "
      "default",
      [&ctx, exit_code](CLI::App* devnet) {
        devnet->require_subcommand(1);

        auto opts = std::make_shared<DevnetUpArgs>();
        CLI::App* up = devnet->add_subcommand(
            "up",
            "Start the devnet: restore the saved chain or deploy PoCo afresh");
        up->add_option(
              "--flavour", opts->flavour,
              "native (PoCo 5.5.0 as Bellecour), token (PoCo 5.5.0 with "
              "RLC) or arbitrum (PoCo 6.1.0 as on Arbitrum, EIP-1559)")
            ->check(CLI::IsMember({"native", "token", "arbitrum"}));
        up->add_option("--chain-id", opts->chain_id,
                       "Chain id (default 65535)");
        up->add_option("--port", opts->port,
                       "RPC port on 127.0.0.1 (default: a free one)");
        up->callback(
            [&ctx, exit_code, opts] { *exit_code = DevnetUp(ctx, *opts); });

        devnet
            ->add_subcommand("down", "Stop the devnet, keeping its chain state")
            ->callback([&ctx, exit_code] { *exit_code = DevnetDown(ctx); });

        devnet->add_subcommand("reset", "Stop the devnet and forget its chain")
            ->callback([&ctx, exit_code] { *exit_code = DevnetReset(ctx); });

        auto img = std::make_shared<DevnetImagesArgs>();
        CLI::App* images = devnet->add_subcommand(
            "images",
            "Build the stack simulator images poolops-sim/<role>:<tag> (FROM "
            "scratch, nothing pulled) in the docker of DOCKER_HOST: what a "
            "devnet "
            "pool runs instead of the iExec core and worker images");
        images->add_option("--tag", img->tag, "Image tag (default dev)");
        images->add_option(
            "--role", img->roles,
            "Only these roles (core, worker, blockchain-adapter, "
            "grafana, mongo, ...); default all");
        images->callback(
            [&ctx, exit_code, img] { *exit_code = DevnetImages(ctx, *img); });

        AddDevnetFundCommand(devnet, ctx, exit_code);

        auto tr = std::make_shared<DevnetTrafficArgs>();
        CLI::App* traffic = devnet->add_subcommand(
            "traffic",
            "Real deals for a devnet pool: devnet accounts match requests "
            "against the pool's published orders; the pool's own core and "
            "workers then run every task on chain (--fail N: the last N "
            "fail, are claimed, and the scheduler's stake is seized)");
        auto* by_name = traffic->add_option("--pool", tr->pool, "Pool name");
        auto* by_addr = traffic->add_option("--workerpool", tr->workerpool,
                                            "Workerpool address (0x...)");
        by_name->excludes(by_addr);
        traffic->add_option("--deals", tr->deals, "Deals of one task each")
            ->required()
            ->check(CLI::Range(uint64_t{1}, uint64_t{1000}));
        traffic
            ->add_option("--fail", tr->fail,
                         "How many of them fail (default 0)")
            ->check(CLI::Range(uint64_t{0}, uint64_t{1000}));
        traffic
            ->add_option("--timeout", tr->timeout_seconds,
                         "Seconds to wait for orders and for the pool "
                         "(default 300)")
            ->check(CLI::Range(uint64_t{1}, uint64_t{3600}));
        traffic->callback(
            [&ctx, exit_code, tr] { *exit_code = DevnetTraffic(ctx, *tr); });

        devnet
            ->add_subcommand("status",
                             "Where the devnet is and whether it runs")
            ->callback([&ctx, exit_code] { *exit_code = DevnetStatus(ctx); });
      });
}

}  // namespace poolops::cli
