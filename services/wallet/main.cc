// poolops-wallet-vault: serves the wallet-vault API (proto/poolops/wallet/v1)
// over the common bootstrap (health, reflection, unix socket in the home or
// TCP with TLS, /metrics). Keys, wallets.json and audit.log live in the home.
#include <cstdio>

#include "libs/common/logging.h"
#include "libs/common/server.h"
#include "services/wallet/vault.h"
#include "services/wallet/wallet_service.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  poolops::ServerOptions options;
  options.service_name = "wallet-vault";
  if (!poolops::ParseServerFlags(argc, argv, &options).ok()) return 2;
  if (absl::Status s = poolops::InitLogging(options.service_name, options.home,
                                            options.log_level);
      !s.ok()) {
    std::fprintf(stderr, "poolops-wallet-vault: %s\n", s.ToString().c_str());
    return 2;
  }
  poolops::wallet::VaultOptions vault_options;
  vault_options.home = options.home;
  absl::StatusOr<std::unique_ptr<poolops::wallet::Vault>> vault =
      poolops::wallet::Vault::Open(vault_options);
  if (!vault.ok()) {
    spdlog::error("cannot open the vault: {}", vault.status().ToString());
    return 1;
  }
  poolops::wallet::WalletServiceImpl service(vault->get());
  absl::Status status = poolops::RunServer(options, {&service});
  if (!status.ok()) {
    spdlog::error("{}", status.ToString());
    return 1;
  }
  return 0;
}
