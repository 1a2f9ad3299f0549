// Shared by the devnet tests: the npm assets they need (anvil, PoCo, iexec),
// a fresh anvil stopped by pid whatever the test outcome, and signed calls
// from anvil's account #0.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "devnet/anvil_process.h"
#include "devnet/poco_artifacts.h"
#include "gtest/gtest.h"
#include "libs/common/http_client.h"
#include "libs/common/temp_dir_test_support.h"
#include "libs/eth/abi.h"
#include "libs/eth/hex.h"
#include "libs/eth/secp256k1.h"
#include "libs/eth/transaction.h"
#include "libs/ethrpc/eth_api.h"
#include "libs/ethrpc/json_rpc_client.h"

namespace poolops::devnet::testing {

// anvil's account #0 (the well-known dev mnemonic): the PoCo deployer.
inline constexpr char kDeployerKey[] =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
inline constexpr char kDeployer[] =
    "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

// What is missing among the npm assets, empty when all are there.
inline std::string MissingAssets() {
  std::string missing;
  if (!std::filesystem::exists(AnvilBinary()))
    missing += " " + AnvilBinary().string();
  if (!std::filesystem::exists(NpmDir() / "@iexec" / "poco" / "artifacts"))
    missing += " " + (NpmDir() / "@iexec" / "poco").string();
  if (!std::filesystem::exists(NpmDir() / "iexec-poco6" / "deployments"))
    missing += " " + (NpmDir() / "iexec-poco6").string();
  return missing;
}

// Skips a test without the npm assets, except on CI (CI=true) where that is
// a failure: CI must never go green by skipping the devnet.
#define POOLOPS_REQUIRE_NPM_ASSETS()                                         \
  do {                                                                       \
    std::string missing = ::poolops::devnet::testing::MissingAssets();       \
    if (!missing.empty()) {                                                  \
      const char* ci = std::getenv("CI");                                    \
      if (ci != nullptr && std::string(ci) == "true")                        \
        FAIL() << "npm assets missing:" << missing                           \
               << " (run scripts/test or npm install in tests/interop)";     \
      GTEST_SKIP() << "npm assets missing:" << missing                       \
                   << " (run scripts/test or npm install in tests/interop)"; \
    }                                                                        \
  } while (0)

// A fresh anvil in a temporary folder, stopped by pid in the destructor.
class ScopedAnvil {
 public:
  ~ScopedAnvil() { Stop(); }

  absl::Status Start(
      uint64_t chain_id = 65535, std::filesystem::path state_file = {},
      chain::AnvilLaunch::Kind kind = chain::AnvilLaunch::Kind::kBellecour) {
    chain::AnvilLaunch launch;
    launch.chain_id = chain_id;
    launch.kind = kind;
    launch.state_file = std::move(state_file);
    launch.spawn.log_file = dir_.path() / "anvil.log";
    launch.spawn.die_with_parent = true;  // never outlives a crashed test
    absl::StatusOr<chain::LaunchedAnvil> instance = StartAnvil(launch);
    if (!instance.ok()) return instance.status();
    instance_ = *instance;
    absl::StatusOr<std::unique_ptr<chain::JsonRpcClient>> client =
        chain::JsonRpcClient::Create({instance_.rpc_url},
                                     http::NewCurlClient());
    if (!client.ok()) return client.status();
    client_ = std::move(*client);
    api_ = std::make_unique<chain::EthApi>(client_.get());
    return absl::OkStatus();
  }

  void Stop() {
    if (instance_.pid > 0) (void)proc::StopProcess(instance_.pid, kStopGrace);
    instance_.pid = 0;
  }

  chain::EthApi& api() { return *api_; }
  chain::JsonRpcClient& client() { return *client_; }
  const chain::LaunchedAnvil& instance() const { return instance_; }
  const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  poolops::test::TempDir dir_;
  chain::LaunchedAnvil instance_;
  std::unique_ptr<chain::JsonRpcClient> client_;
  std::unique_ptr<chain::EthApi> api_;
};

inline eth::Bytes DeployerKey() {
  return *eth::FromHexFixed(kDeployerKey, 32, "key");
}

// Sends a legacy transaction signed with `key` and waits for its receipt.
inline absl::StatusOr<chain::Receipt> SendFrom(chain::EthApi& api,
                                               uint64_t chain_id,
                                               eth::ByteView key,
                                               std::optional<eth::Address> to,
                                               eth::Bytes data) {
  absl::StatusOr<eth::Address> from = eth::AddressOf(key);
  if (!from.ok()) return from.status();
  absl::StatusOr<uint64_t> nonce = api.GetTransactionCount(*from);
  if (!nonce.ok()) return nonce.status();
  eth::Transaction tx;
  tx.chain_id = chain_id;
  tx.nonce = *nonce;
  tx.to = to;
  tx.data = std::move(data);
  tx.gas = 1'000'000;
  tx.gas_price = 0;
  absl::StatusOr<eth::RecoverableSignature> sig =
      eth::SignDigest(key, tx.SigningHash());
  if (!sig.ok()) return sig.status();
  absl::StatusOr<eth::Hash32> hash =
      api.SendRawTransaction(tx.EncodeSigned(*sig));
  if (!hash.ok()) return hash.status();
  return api.WaitForReceipt(*hash, 1, absl::Seconds(30),
                            absl::Milliseconds(20));
}

// The same from account #0.
inline absl::StatusOr<chain::Receipt> SendFromDeployer(
    chain::EthApi& api, uint64_t chain_id, std::optional<eth::Address> to,
    eth::Bytes data) {
  return SendFrom(api, chain_id, DeployerKey(), to, std::move(data));
}

}  // namespace poolops::devnet::testing
