// poolctl devnet up|down|reset|status: the embedded local iExec chain
// (anvil + PoCo 5.5.0 or 6.1.0 deployed by poolops), see devnet/; `devnet
// fund` (devnet_fund_cmd.cc) goes through chain-gateway.
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands.h"
#include "devnet/devnet.h"
#include "devnet/simulators/images.h"
#include "libs/common/home.h"

namespace poolops::cli {
namespace {

// "5.5.0" / "6.1.0"; "" for a flavour this poolctl does not know.
std::string PocoVersionOf(const std::string& flavour) {
  absl::StatusOr<devnet::Flavour> f = devnet::ParseFlavour(flavour);
  return f.ok() ? std::string(devnet::PocoVersion(*f)) : "";
}

nlohmann::json StateJson(const devnet::DevnetState& s) {
  nlohmann::json accounts = nlohmann::json::array();
  for (const devnet::DevAccount& a : s.accounts)
    accounts.push_back({{"address", a.address.ToChecksum()},
                        {"privateKeyFile", a.private_key_file.string()}});
  nlohmann::json out = {
      {"chain", "devnet"},
      {"chainId", std::to_string(s.chain_id)},
      {"rpc", s.rpc},
      {"hub", s.deployment.hub.ToChecksum()},
      {"market", s.market},
      {"chainJson", s.chain_json.string()},
      {"accounts", accounts},
      {"running", s.running},
      {"flavour", s.flavour},
      {"poco", PocoVersionOf(s.flavour)},
      {"registries",
       {{"app", s.deployment.app_registry.ToChecksum()},
        {"dataset", s.deployment.dataset_registry.ToChecksum()},
        {"workerpool", s.deployment.workerpool_registry.ToChecksum()}}}};
  if (s.flavour != "native") out["token"] = s.deployment.token.ToChecksum();
  if (!s.chain_json9.empty()) out["chainJson9"] = s.chain_json9.string();
  return out;
}

std::string StateText(const devnet::DevnetState& s) {
  return absl::StrCat(
      "devnet ", s.running ? "running" : "stopped", " (chain id ", s.chain_id,
      ", ", s.flavour, ", PoCo ", PocoVersionOf(s.flavour),
      ")\n  rpc:        ", s.rpc,
      "\n  hub:        ", s.deployment.hub.ToChecksum(),
      "\n  workerpool registry: ",
      s.deployment.workerpool_registry.ToChecksum(),
      "\n  market:     ", s.market.empty() ? "-" : s.market,
      " (iExec market API, local)\n  chain.json: ", s.chain_json.string(),
      s.chain_json9.empty() ? "" : " (SDK 8)\n  chain.json: ",
      s.chain_json9.empty() ? "" : s.chain_json9.string() + " (SDK 9)",
      "\n  dev accounts: ", s.accounts.size(),
      " funded (keys in files 0600 under the home's devnet/accounts)");
}

absl::StatusOr<std::filesystem::path> OpenHome(const Context& ctx) {
  absl::StatusOr<Home> home = Home::Open(ctx.Home());
  if (!home.ok()) return home.status();
  return home->root();
}

}  // namespace

void AddDevnetCommands(CLI::App& app, Context& ctx, int* exit_code) {
  CLI::App* devnet = app.add_subcommand(
      "devnet",
      "The local iExec chain (anvil + PoCo 5.5.0 or 6.1.0), the embedded "
      "default");
  devnet->require_subcommand(1);

  struct UpOpts {
    std::string flavour = "native";
    uint64_t chain_id = 65535;
    uint16_t port = 0;
  };
  auto opts = std::make_shared<UpOpts>();
  CLI::App* up = devnet->add_subcommand(
      "up", "Start the devnet: restore the saved chain or deploy PoCo afresh");
  up->add_option("--flavour", opts->flavour,
                 "native (PoCo 5.5.0 as Bellecour), token (PoCo 5.5.0 with "
                 "RLC) or arbitrum (PoCo 6.1.0 as on Arbitrum, EIP-1559)")
      ->check(CLI::IsMember({"native", "token", "arbitrum"}));
  up->add_option("--chain-id", opts->chain_id, "Chain id (default 65535)");
  up->add_option("--port", opts->port,
                 "RPC port on 127.0.0.1 (default: a free one)");
  up->callback([&ctx, exit_code, opts] {
    absl::StatusOr<devnet::Flavour> flavour =
        devnet::ParseFlavour(opts->flavour);
    if (!flavour.ok()) {
      *exit_code = ctx.Fail(flavour.status());
      return;
    }
    absl::StatusOr<std::filesystem::path> home = OpenHome(ctx);
    if (!home.ok()) {
      *exit_code = ctx.Fail(home.status());
      return;
    }
    devnet::DevnetOptions options;
    options.home = *home;
    options.chain_id = opts->chain_id;
    options.flavour = *flavour;
    options.port = opts->port;
    options.progress = [&ctx](std::string_view line) { ctx.Progress(line); };
    absl::StatusOr<devnet::DevnetState> state = devnet::DevnetUp(options);
    if (!state.ok()) {
      *exit_code = ctx.Fail(state.status());
      return;
    }
    *exit_code = ctx.Ok(StateJson(*state), StateText(*state));
  });

  devnet->add_subcommand("down", "Stop the devnet, keeping its chain state")
      ->callback([&ctx, exit_code] {
        absl::StatusOr<std::filesystem::path> home = OpenHome(ctx);
        absl::Status s = home.ok() ? devnet::DevnetDown(*home) : home.status();
        if (absl::IsNotFound(s)) {
          // Nothing to stop is not a failure: say so and succeed.
          *exit_code = ctx.Ok({{"chain", "devnet"}, {"running", false}},
                              "the devnet is not running");
          return;
        }
        *exit_code = s.ok() ? ctx.Ok({{"chain", "devnet"}, {"running", false}},
                                     "devnet stopped (chain state kept)")
                            : ctx.Fail(s);
      });

  devnet->add_subcommand("reset", "Stop the devnet and forget its chain")
      ->callback([&ctx, exit_code] {
        absl::StatusOr<std::filesystem::path> home = OpenHome(ctx);
        absl::Status s = home.ok() ? devnet::DevnetReset(*home) : home.status();
        *exit_code = s.ok() ? ctx.Ok({{"chain", "devnet"}, {"running", false}},
                                     "devnet reset: the next up deploys afresh")
                            : ctx.Fail(s);
      });

  struct ImagesOpts {
    std::string tag = "dev";
    std::vector<std::string> roles;
  };
  auto img = std::make_shared<ImagesOpts>();
  CLI::App* images = devnet->add_subcommand(
      "images",
      "Build the stack simulator images poolops-sim/<role>:<tag> (FROM "
      "scratch, nothing pulled) in the docker of DOCKER_HOST: what a devnet "
      "pool runs instead of the iExec core and worker images");
  images->add_option("--tag", img->tag, "Image tag (default dev)");
  images->add_option("--role", img->roles,
                     "Only these roles (core, worker, blockchain-adapter, "
                     "grafana, mongo, ...); default all");
  images->callback([&ctx, exit_code, img] {
    // The static simulator and its Dockerfile are installed next to poolctl
    // (or in $POOLOPS_BIN_DIR).
    std::filesystem::path dir;
    if (const char* d = std::getenv("POOLOPS_BIN_DIR"); d != nullptr && *d) {
      dir = d;
    } else {
      std::error_code ec;
      dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
    }
    sim::ImageBuildOptions options;
    options.binary = (dir / "poolops-stack-sim").string();
    options.dockerfile = (dir / "poolops-stack-sim.Dockerfile").string();
    options.tag = img->tag;
    options.roles = img->roles;
    for (const std::string& f : {options.binary, options.dockerfile}) {
      if (access(f.c_str(), R_OK) != 0) {
        *exit_code = ctx.Fail(absl::NotFoundError(absl::StrCat(
            f, " is missing (build poolops, or set POOLOPS_BIN_DIR)")));
        return;
      }
    }
    ctx.Progress(
        absl::StrCat("building poolops-sim/<role>:", img->tag, " images"));
    absl::Status s =
        sim::BuildSimulatorImages(options, proc::ProcessRunner::Real());
    if (!s.ok()) {
      *exit_code = ctx.Fail(s);
      return;
    }
    *exit_code =
        ctx.Ok({{"tag", img->tag}, {"roles", img->roles}},
               absl::StrCat("built poolops-sim images with tag ", img->tag));
  });

  AddDevnetFundCommand(devnet, ctx, exit_code);

  devnet->add_subcommand("status", "Where the devnet is and whether it runs")
      ->callback([&ctx, exit_code] {
        absl::StatusOr<std::filesystem::path> home = OpenHome(ctx);
        absl::StatusOr<devnet::DevnetState> state =
            home.ok() ? devnet::DevnetStatus(*home)
                      : absl::StatusOr<devnet::DevnetState>(home.status());
        *exit_code = state.ok() ? ctx.Ok(StateJson(*state), StateText(*state))
                                : ctx.Fail(state.status());
      });
}

}  // namespace poolops::cli
