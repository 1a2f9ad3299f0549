// A devnet pool with real traffic, for the tests of the traffic and of what
// reads the pool's history: a devnet in a temporary home, a workerpool
// registered by dev account #1 (its scheduler) with a signed workerpool
// order, dev accounts #2 and #3 as its workers, #4 the app owner, #5 the
// requester, #6 the claimer. The devnet's processes are killed when the
// fixture goes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "devnet/anvil_dev_rpc.h"
#include "devnet/devnet.h"
#include "devnet/traffic/traffic.h"
#include "libs/common/files.h"
#include "libs/common/http_client.h"
#include "libs/common/process_runner.h"
#include "libs/common/temp_dir_test_support.h"
#include "libs/eth/abi.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"
#include "libs/ethrpc/json_rpc_client.h"

namespace poolops::devnet::testing {

class TrafficWorld {
 public:
  // anvil is stopped with SIGTERM (then SIGKILL after a grace): a killed
  // anvil leaves the states it spilled to disk in ~/.foundry/anvil/tmp,
  // gigabytes after a long run.
  ~TrafficWorld() {
    for (int pid : {state_.market_pid, state_.pid})
      if (pid > 0) (void)proc::StopProcess(pid, absl::Seconds(60));
  }

  absl::Status Start(Flavour flavour, uint64_t price = 100,
                     uint64_t volume = 1000) {
    DevnetOptions options;
    options.home = home_.path();
    options.flavour = flavour;
    absl::StatusOr<DevnetState> state = DevnetUp(options);
    if (!state.ok()) return state.status();
    state_ = *state;
    absl::StatusOr<std::unique_ptr<chain::JsonRpcClient>> client =
        chain::JsonRpcClient::Create({state_.rpc}, http::NewCurlClient());
    if (!client.ok()) return client.status();
    rpc_ = std::move(*client);
    api_ = std::make_unique<chain::EthApi>(rpc_.get());
    anvil_ = std::make_unique<AnvilDevRpc>(rpc_.get(), api_.get());
    hub_ = {state_.chain_id, state_.deployment.hub,
            state_.deployment.app_registry, state_.deployment.token};
    for (size_t i = 1; i <= 6; ++i) {
      absl::StatusOr<std::string> key =
          files::ReadFile(state_.accounts.at(i).private_key_file, 1024);
      if (!key.ok()) return key.status();
      absl::StatusOr<eth::Bytes> bytes = eth::FromHexFixed(
          std::string(absl::StripAsciiWhitespace(*key)), 32, "dev key");
      if (!bytes.ok()) return bytes.status();
      absl::StatusOr<KeySender> sender =
          KeySender::Create(api_.get(), state_.chain_id, *bytes);
      if (!sender.ok()) return sender.status();
      keys_.push_back(std::make_unique<KeySender>(*std::move(sender)));
    }
    scheduler_ = std::make_unique<SchedulerActor>(&hub_, keys_[0].get());
    for (size_t i : {1, 2})
      workers_.push_back(std::make_unique<WorkerActor>(&hub_, keys_[i].get()));
    requester_ = std::make_unique<Requester>(api_.get(), hub_, keys_[3].get(),
                                             keys_[4].get());
    return RegisterPool(price, volume);
  }

  TrafficActors Actors() {
    TrafficActors a;
    a.requester = requester_.get();
    a.scheduler = scheduler_.get();
    for (auto& w : workers_) a.workers.push_back(w.get());
    a.worker_keys = {keys_[1].get(), keys_[2].get()};
    a.claimer = keys_[5].get();
    return a;
  }

  std::unique_ptr<Traffic> NewTraffic() {
    return std::make_unique<Traffic>(api_.get(), anvil_.get(), &hub_, Actors());
  }

  // `who`'s escrow account as the hub says; zero after a failed read, which
  // the caller's EXPECT on the value then shows.
  EscrowAccount Escrow(const eth::Address& who) {
    absl::StatusOr<EscrowAccount> a = ViewEscrow(*api_, hub_, who);
    return a.ok() ? *a : EscrowAccount{};
  }

  const DevnetState& state() const { return state_; }
  const std::filesystem::path& home() const { return home_.path(); }
  chain::EthApi& api() { return *api_; }
  AnvilDevRpc& anvil() { return *anvil_; }
  const HubContracts& hub() const { return hub_; }
  const iexec::WorkerpoolOrder& order() const { return order_; }
  const eth::Address& workerpool() const { return order_.workerpool; }
  const eth::Address& scheduler() const { return keys_[0]->address(); }
  eth::Address worker(size_t i) const { return keys_[1 + i]->address(); }
  const eth::Address& requester() const { return keys_[4]->address(); }

 private:
  absl::Status RegisterPool(uint64_t price, uint64_t volume) {
    using eth::abi::Value;
    KeySender& owner = *keys_[0];
    const eth::Address registry = state_.deployment.workerpool_registry;
    const std::vector<Value> args = {Value::Addr(owner.address()),
                                     Value::Str("poolops traffic test pool")};
    absl::StatusOr<Value> predicted = api_->CallFunction(
        registry, "predictWorkerpool(address,string)", args, "address");
    if (!predicted.ok()) return predicted.status();
    absl::StatusOr<eth::Bytes> call =
        eth::abi::EncodeCall("createWorkerpool(address,string)", args);
    if (!call.ok()) return call.status();
    absl::StatusOr<chain::Receipt> created =
        owner.Send(registry, std::move(*call), "createWorkerpool");
    if (!created.ok()) return created.status();
    // 30% of the price is locked from the scheduler per task matched.
    absl::Status staked =
        EnsureEscrow(*api_, hub_, owner, eth::U256(price * volume));
    if (!staked.ok()) return staked;
    order_.workerpool = std::get<eth::Address>(predicted->v);
    order_.workerpoolprice = price;
    order_.volume = volume;
    order_.tag = iexec::kZeroBytes32;
    order_.category = 0;
    order_.trust = 0;
    order_.salt = eth::ToHex(eth::Keccak(std::string_view("traffic test")));
    absl::StatusOr<eth::Hash32> hash = iexec::WorkerpoolOrderHash(
        order_, {state_.chain_id, state_.deployment.hub});
    if (!hash.ok()) return hash.status();
    absl::StatusOr<eth::Bytes> sign = owner.SignDigest(*hash);
    if (!sign.ok()) return sign.status();
    order_.sign = eth::ToHex(*sign);
    return absl::OkStatus();
  }

  poolops::test::TempDir home_;
  DevnetState state_;
  std::unique_ptr<chain::JsonRpcClient> rpc_;
  std::unique_ptr<chain::EthApi> api_;
  std::unique_ptr<AnvilDevRpc> anvil_;
  HubContracts hub_;
  std::vector<std::unique_ptr<KeySender>> keys_;
  std::unique_ptr<SchedulerActor> scheduler_;
  std::vector<std::unique_ptr<WorkerActor>> workers_;
  std::unique_ptr<Requester> requester_;
  iexec::WorkerpoolOrder order_;
};

}  // namespace poolops::devnet::testing
