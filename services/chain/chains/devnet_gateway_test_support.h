// Shared by chain-gateway tests: a real devnet (anvil + PoCo + local market)
// in a temporary home, with a KeySigner holding its funded accounts
// ("acct0".."acct9"; acct0 deployed PoCo), and the gateway over it. The
// devnet processes are killed (not saved) when the fixture goes.
#pragma once

#include <signal.h>

#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "devnet/anvil_process.h"
#include "devnet/devnet.h"
#include "devnet/devnet_test_support.h"
#include "libs/common/files.h"
#include "libs/common/process_runner.h"
#include "libs/common/temp_dir_test_support.h"
#include "services/chain/chains/chain_ops.h"
#include "services/chain/chains/chain_registry.h"
#include "services/chain/chains/gateway.h"
#include "services/chain/tx/key_signer.h"

namespace poolops::chain::testing {

inline void KillAndWait(int pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  for (int i = 0; i < 200 && proc::ProcessAlive(pid); ++i)
    absl::SleepFor(absl::Milliseconds(10));
}

class DevnetGateway {
 public:
  ~DevnetGateway() {
    KillAndWait(state_.market_pid);
    KillAndWait(state_.pid);
  }

  absl::Status Start(devnet::Flavour flavour = devnet::Flavour::kNative,
                     TxSenderOptions tx_options = {}) {
    devnet::DevnetOptions options;
    options.home = home_.path();
    options.flavour = flavour;
    absl::StatusOr<devnet::DevnetState> state = devnet::DevnetUp(options);
    if (!state.ok()) return state.status();
    state_ = *state;
    for (size_t i = 0; i < state_.accounts.size(); ++i) {
      absl::StatusOr<std::string> key =
          files::ReadFile(state_.accounts[i].private_key_file, 1024);
      if (!key.ok()) return key.status();
      std::string hex(absl::StripAsciiWhitespace(*key));
      absl::StatusOr<eth::Address> a = signer_.Add(Account(i), hex);
      if (!a.ok()) return a.status();
      keys_.push_back(hex);
    }
    registry_ = std::make_unique<ChainRegistry>(home_.path());
    gateway_ = std::make_unique<Gateway>(registry_.get(), &signer_,
                                         http::NewCurlClient(), tx_options);
    ops_ = std::make_unique<ChainOps>(gateway_.get());
    return absl::OkStatus();
  }

  static std::string Account(size_t i) { return absl::StrCat("acct", i); }
  const std::string& Key(size_t i) const { return keys_[i]; }
  eth::Address Address(size_t i) const { return state_.accounts[i].address; }

  const std::filesystem::path& home() const { return home_.path(); }
  const devnet::DevnetState& state() const { return state_; }
  KeySigner& signer() { return signer_; }
  ChainRegistry& registry() { return *registry_; }
  Gateway& gateway() { return *gateway_; }
  ChainOps& ops() { return *ops_; }
  ChainSession& session() { return **gateway_->Session(""); }

 private:
  poolops::test::TempDir home_;
  devnet::DevnetState state_;
  KeySigner signer_;
  std::vector<std::string> keys_;
  std::unique_ptr<ChainRegistry> registry_;
  std::unique_ptr<Gateway> gateway_;
  std::unique_ptr<ChainOps> ops_;
};

}  // namespace poolops::chain::testing
