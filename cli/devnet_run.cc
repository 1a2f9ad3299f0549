// The devnet's lifecycle as poolctl-full runs it: anvil, PoCo, the local
// market and the simulator images, in this process (devnet/).
#include "cli/devnet_run.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

int DevnetUp(const Context& ctx, const DevnetUpArgs& args) {
  absl::StatusOr<devnet::Flavour> flavour = devnet::ParseFlavour(args.flavour);
  if (!flavour.ok()) return ctx.Fail(flavour.status());
  absl::StatusOr<std::filesystem::path> home = OpenHome(ctx);
  if (!home.ok()) return ctx.Fail(home.status());
  devnet::DevnetOptions options;
  options.home = *home;
  options.chain_id = args.chain_id;
  options.flavour = *flavour;
  options.port = args.port;
  options.progress = [&ctx](std::string_view line) { ctx.Progress(line); };
  absl::StatusOr<devnet::DevnetState> state = devnet::DevnetUp(options);
  if (!state.ok()) return ctx.Fail(state.status());
  return ctx.Ok(StateJson(*state), StateText(*state));
}

int DevnetDown(const Context& ctx) {
  absl::StatusOr<std::filesystem::path> home = OpenHome(ctx);
  absl::Status s = home.ok() ? devnet::DevnetDown(*home) : home.status();
  if (absl::IsNotFound(s)) {
    // Nothing to stop is not a failure: say so and succeed.
    return ctx.Ok({{"chain", "devnet"}, {"running", false}},
                  "the devnet is not running");
  }
  return s.ok() ? ctx.Ok({{"chain", "devnet"}, {"running", false}},
                         "devnet stopped (chain state kept)")
                : ctx.Fail(s);
}

int DevnetReset(const Context& ctx) {
  absl::StatusOr<std::filesystem::path> home = OpenHome(ctx);
  absl::Status s = home.ok() ? devnet::DevnetReset(*home) : home.status();
  return s.ok() ? ctx.Ok({{"chain", "devnet"}, {"running", false}},
                         "devnet reset: the next up deploys afresh")
                : ctx.Fail(s);
}

int DevnetImages(const Context& ctx, const DevnetImagesArgs& args) {
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
  options.tag = args.tag;
  options.roles = args.roles;
  for (const std::string& f : {options.binary, options.dockerfile}) {
    if (access(f.c_str(), R_OK) != 0) {
      return ctx.Fail(absl::NotFoundError(absl::StrCat(
          f, " is missing (build poolops, or set POOLOPS_BIN_DIR)")));
    }
  }
  ctx.Progress(
      absl::StrCat("building poolops-sim/<role>:", args.tag, " images"));
  absl::Status s =
      sim::BuildSimulatorImages(options, proc::ProcessRunner::Real());
  if (!s.ok()) return ctx.Fail(s);
  return ctx.Ok({{"tag", args.tag}, {"roles", args.roles}},
                absl::StrCat("built poolops-sim images with tag ", args.tag));
}

int DevnetStatus(const Context& ctx) {
  absl::StatusOr<std::filesystem::path> home = OpenHome(ctx);
  absl::StatusOr<devnet::DevnetState> state =
      home.ok() ? devnet::DevnetStatus(*home)
                : absl::StatusOr<devnet::DevnetState>(home.status());
  return state.ok() ? ctx.Ok(StateJson(*state), StateText(*state))
                    : ctx.Fail(state.status());
}

}  // namespace poolops::cli
