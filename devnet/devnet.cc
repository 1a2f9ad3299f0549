#include "devnet/devnet.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "devnet/anvil_process.h"
#include "devnet/poco6_deployer.h"
#include "libs/common/files.h"
#include "libs/common/http_client.h"
#include "libs/common/process_runner.h"
#include "libs/eth/hex.h"
#include "libs/eth/secp256k1.h"
#include "libs/ethrpc/json_rpc_client.h"
#include "nlohmann/json.hpp"

namespace poolops::devnet {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

constexpr int kFundedAccounts = 10;
// Program names a pid from devnet.json must run before it is trusted.
constexpr std::string_view kAnvil = "anvil";
constexpr std::string_view kMarket = "poolops-devnet-market";

fs::path Dir(const fs::path& home) { return home / "devnet"; }
fs::path StateFile(const fs::path& home) { return Dir(home) / "devnet.json"; }
fs::path ChainState(const fs::path& home) { return Dir(home) / "state.json"; }
fs::path AnvilConfig(const fs::path& home) { return Dir(home) / "anvil.json"; }

json ToJson(const DevnetState& s) {
  json accounts = json::array();
  for (const DevAccount& a : s.accounts)
    accounts.push_back({{"address", a.address.ToChecksum()},
                        {"privateKeyFile", a.private_key_file.string()}});
  return {{"pid", s.pid},
          {"port", s.port},
          {"rpc", s.rpc},
          {"chainId", std::to_string(s.chain_id)},
          {"flavour", s.flavour},
          {"hub", s.deployment.hub.ToChecksum()},
          {"ordersLibrary", s.deployment.orders_library.ToChecksum()},
          {"appRegistry", s.deployment.app_registry.ToChecksum()},
          {"datasetRegistry", s.deployment.dataset_registry.ToChecksum()},
          {"workerpoolRegistry", s.deployment.workerpool_registry.ToChecksum()},
          {"token", s.deployment.token.ToChecksum()},
          {"deploymentGas", s.deployment.gas_used},
          {"market", s.market},
          {"marketPid", s.market_pid},
          {"chainJson", s.chain_json.string()},
          {"chainJson9", s.chain_json9.string()},
          {"accounts", accounts}};
}

absl::StatusOr<DevnetState> FromJson(const json& j) {
  try {
    DevnetState s;
    s.pid = j.at("pid").get<int>();
    s.port = j.at("port").get<uint16_t>();
    s.rpc = j.at("rpc").get<std::string>();
    s.chain_id = std::stoull(j.at("chainId").get<std::string>());
    s.flavour = j.value("flavour", "native");
    auto addr = [&](const char* key) -> absl::StatusOr<eth::Address> {
      return eth::Address::Parse(j.at(key).get<std::string>(), key);
    };
    struct {
      const char* key;
      eth::Address* out;
    } fields[] = {{"hub", &s.deployment.hub},
                  {"ordersLibrary", &s.deployment.orders_library},
                  {"appRegistry", &s.deployment.app_registry},
                  {"datasetRegistry", &s.deployment.dataset_registry},
                  {"workerpoolRegistry", &s.deployment.workerpool_registry}};
    for (auto& f : fields) {
      absl::StatusOr<eth::Address> a = addr(f.key);
      if (!a.ok()) return a.status();
      *f.out = *a;
    }
    if (j.contains("token")) {  // absent in files from before the flavours
      absl::StatusOr<eth::Address> token = addr("token");
      if (!token.ok()) return token.status();
      s.deployment.token = *token;
    }
    s.deployment.gas_used = j.value("deploymentGas", uint64_t{0});
    s.market = j.value("market", "");
    s.market_pid = j.value("marketPid", 0);
    s.chain_json = j.value("chainJson", "");
    s.chain_json9 = j.value("chainJson9", "");
    for (const json& a : j.at("accounts")) {
      absl::StatusOr<eth::Address> address =
          eth::Address::Parse(a.at("address").get<std::string>());
      if (!address.ok()) return address.status();
      s.accounts.push_back(
          {*address, a.at("privateKeyFile").get<std::string>()});
    }
    return s;
  } catch (const std::exception& e) {
    return absl::DataLossError(
        absl::StrCat("devnet.json is damaged: ", e.what()));
  }
}

absl::StatusOr<DevnetState> ReadState(const fs::path& home) {
  absl::StatusOr<std::string> text = files::ReadFile(StateFile(home));
  if (!text.ok()) return text.status();
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded())
    return absl::DataLossError(StateFile(home).string() + " is not JSON");
  return FromJson(j);
}

// Keys of anvil's funded accounts, one 0600 file each.
absl::StatusOr<std::vector<DevAccount>> SaveAccounts(const fs::path& home) {
  absl::StatusOr<std::string> text = files::ReadFile(AnvilConfig(home));
  if (!text.ok()) return text.status();
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.contains("private_keys"))
    return absl::DataLossError("anvil wrote no dev accounts");
  fs::path dir = Dir(home) / "accounts";
  if (absl::Status s = files::EnsureDir(dir, 0700); !s.ok()) return s;
  std::vector<DevAccount> out;
  for (const json& k : j["private_keys"]) {
    std::string key = k.get<std::string>();
    absl::StatusOr<eth::Bytes> bytes = eth::FromHexFixed(key, 32, "dev key");
    if (!bytes.ok()) return bytes.status();
    absl::StatusOr<eth::Address> address = eth::AddressOf(*bytes);
    if (!address.ok()) return address.status();
    fs::path file = dir / (address->ToChecksum() + ".key");
    if (absl::Status s = files::WriteFileAtomic(file, key + "\n", 0600);
        !s.ok())
      return s;
    out.push_back({*address, file});
  }
  // The keys now live in their own files; anvil's copy goes.
  fs::remove(AnvilConfig(home));
  return out;
}

// The devnet as an iExec SDK chain.json. SDK 8: a native chain other than
// 134 needs `native`, and `useGas: false` forces price 0; a token chain has
// no `native` and the SDK reads RLC balances on token(). The arbitrum
// flavour's gas is priced, so its entry has only id, host, hub and
// iexecGateway: what SDK 9's strict schema allows, so both SDKs read it.
json ChainDoc(const DevnetState& s) {
  json chain = {{"id", std::to_string(s.chain_id)},
                {"host", s.rpc},
                {"hub", s.deployment.hub.ToChecksum()}};
  if (s.flavour != "arbitrum") chain["useGas"] = false;
  if (s.flavour == "native") chain["native"] = true;
  if (!s.market.empty()) chain["iexecGateway"] = s.market;
  return {{"default", "devnet"}, {"chains", {{"devnet", chain}}}};
}

// <home>/chains/devnet.json (SDK 8, and what chain-gateway reads), its fee
// mode for chain-gateway beside it, the default chain; for the arbitrum
// flavour the same document as <home>/devnet/sdk9/chain.json, outside
// chains/ whose files chain-gateway reads as chains. Fills chain_json(9).
absl::Status WriteChainFiles(const fs::path& home, DevnetState& s) {
  const std::string doc = ChainDoc(s).dump(2) + "\n";
  const fs::path dir = home / "chains";
  if (absl::Status st = files::EnsureDir(dir, 0700); !st.ok()) return st;
  if (absl::Status st = files::WriteFileAtomic(dir / "devnet.json", doc, 0600);
      !st.ok())
    return st;
  const json extras = {
      {"feeMode", s.flavour == "arbitrum" ? "eip1559" : "legacy"}};
  if (absl::Status st = files::WriteFileAtomic(dir / "devnet.poolops.json",
                                               extras.dump(2) + "\n", 0600);
      !st.ok())
    return st;
  if (absl::Status st =
          files::WriteFileAtomic(dir / "default", "devnet\n", 0600);
      !st.ok())
    return st;
  s.chain_json = dir / "devnet.json";
  s.chain_json9.clear();
  if (s.flavour != "arbitrum") return absl::OkStatus();
  const fs::path sdk9 = Dir(home) / "sdk9";
  if (absl::Status st = files::EnsureDir(sdk9, 0700); !st.ok()) return st;
  if (absl::Status st = files::WriteFileAtomic(sdk9 / "chain.json", doc, 0600);
      !st.ok())
    return st;
  s.chain_json9 = sdk9 / "chain.json";
  return absl::OkStatus();
}

fs::path MarketBinary() {
  if (const char* dir = std::getenv("POOLOPS_BIN_DIR"); dir != nullptr && *dir)
    return fs::path(dir) / "poolops-devnet-market";
  std::error_code ec;
  return fs::read_symlink("/proc/self/exe", ec).parent_path() /
         "poolops-devnet-market";
}

// The port of "http://127.0.0.1:PORT"; 0 when there is none.
uint16_t PortOf(const std::string& url) {
  const size_t colon = url.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(url.substr(colon + 1), &port) || port <= 0 ||
      port > 65535)
    return 0;
  return static_cast<uint16_t>(port);
}

// The port a restarted process should take: the one it had, so that what
// points at it (a copied chain.json, the SDK, a running pool's core and
// adapter) keeps working; a free one when it is taken, said loudly.
uint16_t KeepPort(uint16_t had, std::string_view what,
                  const std::function<void(std::string_view)>& progress) {
  if (had == 0) return 0;
  if (!PortInUse(had)) return had;
  progress(absl::StrCat("warning: the ", std::string(what), "'s port ", had,
                        " is taken by another program: it gets a new port, "
                        "and whatever pointed at the old one must be told "
                        "(the chain.json is rewritten)"));
  return 0;
}

// Starts the local market for the running chain on `port` (0: a free one);
// fills market and its pid.
absl::Status StartMarket(const fs::path& home, DevnetState& state,
                         uint16_t port) {
  fs::path binary = MarketBinary();
  if (access(binary.c_str(), X_OK) != 0)
    return absl::NotFoundError(
        absl::StrCat("the devnet market binary is missing: ", binary.string(),
                     " (build poolops-devnet-market, or set POOLOPS_BIN_DIR)"));
  fs::path port_file = Dir(home) / "market.port";
  fs::remove(port_file);
  absl::StatusOr<pid_t> pid = proc::SpawnDetached(
      {binary.string(), "--rpc", state.rpc, "--hub",
       state.deployment.hub.ToChecksum(), "--chain-id",
       std::to_string(state.chain_id), "--port", std::to_string(port),
       "--port-file", port_file.string()},
      {home / "logs" / "market.log"});
  if (!pid.ok()) return pid.status();
  for (int i = 0; i < 300; ++i) {
    absl::StatusOr<std::string> port = files::ReadFile(port_file);
    if (port.ok() && !port->empty()) {
      state.market = absl::StrCat("http://127.0.0.1:", *port);
      state.market_pid = *pid;
      return absl::OkStatus();
    }
    if (!proc::ProcessAlive(*pid)) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  (void)proc::StopProcess(*pid, kStopGrace);
  return absl::UnavailableError(
      absl::StrCat("the devnet market did not start; see ",
                   (home / "logs" / "market.log").string()));
}

// PoCo as the flavour wants it, from the first dev account (the deployer).
absl::StatusOr<PocoDeployment> Deploy(chain::JsonRpcClient& rpc,
                                      chain::EthApi& api,
                                      const DevnetOptions& options,
                                      const std::vector<DevAccount>& accounts) {
  absl::StatusOr<PocoArtifacts> poco5 =
      PocoArtifacts::Open(NpmDir() / "@iexec" / "poco");
  if (!poco5.ok()) return poco5.status();
  absl::StatusOr<std::string> key =
      files::ReadSecretFile(accounts.front().private_key_file);
  if (!key.ok()) return key.status();
  absl::StatusOr<eth::Bytes> key_bytes = eth::FromHexFixed(*key, 32, "dev key");
  if (!key_bytes.ok()) return key_bytes.status();
  DeployOptions deploy;
  deploy.chain_id = options.chain_id;
  deploy.flavour = options.flavour;
  for (const DevAccount& a : accounts)
    deploy.fund_accounts.push_back(a.address);
  deploy.progress = options.progress;
  if (options.flavour != Flavour::kArbitrum)
    return DeployPoco(api, *poco5, *key_bytes, deploy);
  absl::StatusOr<Poco6Artifacts> poco6 =
      Poco6Artifacts::Open(Poco6Artifacts::DefaultDir());
  if (!poco6.ok()) return poco6.status();
  return DeployPoco6(rpc, *poco6, *poco5, *key_bytes, deploy);
}

absl::StatusOr<DevnetState> Start(const DevnetOptions& options, bool fresh) {
  auto progress = [&](std::string_view line) {
    if (options.progress) options.progress(line);
  };
  const fs::path& home = options.home;
  if (fresh) fs::remove(ChainState(home));
  chain::AnvilLaunch anvil;
  if (options.flavour == Flavour::kArbitrum)
    anvil.kind = chain::AnvilLaunch::Kind::kArbitrum;
  anvil.port = options.port;
  anvil.chain_id = options.chain_id;
  anvil.state_file = ChainState(home);
  anvil.config_out = AnvilConfig(home);
  anvil.spawn.log_file = home / "logs" / "anvil.log";
  if (absl::Status s = files::EnsureDir(home / "logs", 0700); !s.ok()) return s;
  progress(fresh ? "starting anvil (fresh chain)"
                 : "starting anvil (saved chain state)");
  absl::StatusOr<chain::LaunchedAnvil> instance = StartAnvil(anvil);
  if (!instance.ok()) return instance.status();
  // anvil may answer before its --config-out file (the dev keys) is
  // written whole: wait for it, then keep it 0600.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  bool written = false;
  while (!written) {
    absl::StatusOr<std::string> text = files::ReadFile(AnvilConfig(home));
    if (text.ok()) {
      json j = json::parse(*text, nullptr, false);
      written = j.is_object() && j.contains("private_keys");
    }
    if (written || absl::Now() > deadline) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  std::error_code ec;
  fs::permissions(AnvilConfig(home),
                  fs::perms::owner_read | fs::perms::owner_write, ec);
  if (!written || ec) {
    (void)proc::StopProcess(instance->pid, kStopGrace);
    return absl::UnavailableError(
        absl::StrCat("anvil started but did not write its dev accounts to ",
                     AnvilConfig(home).string(), " within 10 s"));
  }

  DevnetState state;
  state.running = true;
  state.pid = instance->pid;
  state.port = instance->port;
  state.rpc = instance->rpc_url;
  state.chain_id = options.chain_id;
  state.flavour = FlavourName(options.flavour);
  return state;
}

}  // namespace

absl::StatusOr<DevnetState> DevnetUp(const DevnetOptions& options) {
  auto progress = [&](std::string_view line) {
    if (options.progress) options.progress(line);
  };
  const fs::path& home = options.home;
  if (absl::Status s = files::EnsureDir(Dir(home), 0700); !s.ok()) return s;

  absl::StatusOr<DevnetState> saved = ReadState(home);
  if (saved.ok() && proc::ProcessRuns(saved->pid, kAnvil)) {
    saved->running = true;
    if (saved->flavour != FlavourName(options.flavour) ||
        saved->chain_id != options.chain_id)
      progress(absl::StrCat("warning: the running devnet is ", saved->flavour,
                            " on chain id ", saved->chain_id,
                            "; poolctl devnet reset to change that"));
    if (saved->market_pid == 0 ||
        proc::ProcessRuns(saved->market_pid, kMarket)) {
      progress("devnet already running");
      return saved;
    }
    progress("devnet running; restarting its market");
    if (absl::Status s = StartMarket(
            home, *saved, KeepPort(PortOf(saved->market), "market", progress));
        !s.ok())
      return s;
    if (absl::Status s = WriteChainFiles(home, *saved); !s.ok()) return s;
    if (absl::Status s = files::WriteFileAtomic(StateFile(home),
                                                ToJson(*saved).dump(2), 0600);
        !s.ok())
      return s;
    return saved;
  }
  bool have_chain = saved.ok() && fs::exists(ChainState(home)) &&
                    saved->chain_id == options.chain_id &&
                    saved->flavour == FlavourName(options.flavour);
  DevnetOptions start = options;
  if (start.port == 0 && saved.ok())
    start.port = KeepPort(saved->port, "devnet RPC", progress);
  absl::StatusOr<DevnetState> state = Start(start, /*fresh=*/!have_chain);
  if (!state.ok() && have_chain) {
    progress(
        "warning: the saved chain state does not load; redeploying from "
        "scratch");
    have_chain = false;
    state = Start(start, /*fresh=*/true);
  }
  if (!state.ok()) return state.status();

  auto client =
      chain::JsonRpcClient::Create({state->rpc}, http::NewCurlClient());
  if (!client.ok()) return client.status();
  auto api = std::make_unique<chain::EthApi>(client->get());
  if (have_chain) {
    state->deployment = saved->deployment;
    absl::Status check = CheckPocoDeployment(*api, state->deployment,
                                             options.chain_id, options.flavour);
    if (!check.ok()) {
      progress(
          absl::StrCat("warning: the saved chain state fails the deployment "
                       "checks (",
                       check.message(), "); redeploying from scratch"));
      (void)proc::StopProcess(state->pid, kStopGrace);
      have_chain = false;
      state = Start(start, /*fresh=*/true);
      if (!state.ok()) return state.status();
      client =
          chain::JsonRpcClient::Create({state->rpc}, http::NewCurlClient());
      if (!client.ok()) return client.status();
      api = std::make_unique<chain::EthApi>(client->get());
    }
  }
  absl::StatusOr<std::vector<DevAccount>> accounts = SaveAccounts(home);
  if (!accounts.ok()) {
    (void)proc::StopProcess(state->pid, kStopGrace);
    return accounts.status();
  }
  state->accounts = std::move(*accounts);
  if (!have_chain) {
    absl::StatusOr<PocoDeployment> deployment =
        Deploy(**client, *api, options, state->accounts);
    absl::Status check =
        deployment.ok() ? CheckPocoDeployment(*api, *deployment,
                                              options.chain_id, options.flavour)
                        : deployment.status();
    if (!check.ok()) {
      (void)proc::StopProcess(state->pid, kStopGrace);
      fs::remove(ChainState(home));
      return check;
    }
    state->deployment = *deployment;
    state->deployed_now = true;
  }
  progress("starting the local market");
  const uint16_t market_port =
      saved.ok() ? KeepPort(PortOf(saved->market), "market", progress) : 0;
  if (absl::Status s = StartMarket(home, *state, market_port);
      absl::IsNotFound(s)) {
    // The chain is useful without it: chain.json then has no iexecGateway.
    progress(absl::StrCat("warning: no local market: ", s.message()));
  } else if (!s.ok()) {
    (void)proc::StopProcess(state->pid, kStopGrace);
    return s;
  }
  if (absl::Status s = WriteChainFiles(home, *state); !s.ok()) {
    (void)proc::StopProgram(state->market_pid, kMarket, kStopGrace);
    (void)proc::StopProcess(state->pid, kStopGrace);
    return s;
  }
  if (absl::Status s =
          files::WriteFileAtomic(StateFile(home), ToJson(*state).dump(2), 0600);
      !s.ok()) {
    // Unrecorded processes could never be stopped by pid: stop them now.
    (void)proc::StopProgram(state->market_pid, kMarket, kStopGrace);
    (void)proc::StopProcess(state->pid, kStopGrace);
    return s;
  }
  return state;
}

absl::Status DevnetDown(const fs::path& home) {
  absl::StatusOr<DevnetState> saved = ReadState(home);
  if (!saved.ok() || !proc::ProcessRuns(saved->pid, kAnvil)) {
    if (saved.ok())
      (void)proc::StopProgram(saved->market_pid, kMarket, kStopGrace);
    return absl::NotFoundError("the devnet is not running");
  }
  (void)proc::StopProgram(saved->market_pid, kMarket, kStopGrace);
  absl::Status stopped = proc::StopProgram(saved->pid, kAnvil, kStopGrace);
  std::error_code ec;  // anvil writes its dump 0644; the home keeps 0600
  fs::permissions(ChainState(home),
                  fs::perms::owner_read | fs::perms::owner_write, ec);
  return stopped;
}

absl::Status DevnetReset(const fs::path& home) {
  absl::StatusOr<DevnetState> saved = ReadState(home);
  if (saved.ok()) {
    (void)proc::StopProgram(saved->market_pid, kMarket, kStopGrace);
    if (absl::Status s = proc::StopProgram(saved->pid, kAnvil, kStopGrace);
        !s.ok())
      return s;
  }
  fs::remove(ChainState(home));
  fs::remove(StateFile(home));
  std::error_code ec;
  fs::remove_all(Dir(home) / "anvil-cache", ec);  // anvil's spilled states
  return absl::OkStatus();
}

absl::StatusOr<DevnetState> DevnetStatus(const fs::path& home) {
  absl::StatusOr<DevnetState> saved = ReadState(home);
  if (!saved.ok()) {
    if (absl::IsNotFound(saved.status()))
      return absl::NotFoundError(
          "no devnet in this home; run poolctl devnet up");
    return saved.status();
  }
  saved->running = proc::ProcessRuns(saved->pid, kAnvil);
  return saved;
}

}  // namespace poolops::devnet
