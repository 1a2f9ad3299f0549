// poolops-wallet-vault: serves the wallet-vault API (proto/poolops/wallet/v1)
// over the common bootstrap (health, reflection, unix socket in the home or
// TCP with TLS, /metrics). Keys, wallets.json and audit.log live in the home.
#include "absl/strings/str_cat.h"
#include "libs/common/service_main.h"
#include "services/wallet/vault.h"
#include "services/wallet/wallet_service.h"

int main(int argc, char** argv) {
  return poolops::ServiceMain(
      argc, argv, "wallet-vault", [](const poolops::ServerOptions& options) {
        poolops::wallet::VaultOptions vault_options;
        vault_options.home = options.home;
        absl::StatusOr<std::unique_ptr<poolops::wallet::Vault>> vault =
            poolops::wallet::Vault::Open(vault_options);
        if (!vault.ok()) {
          return absl::Status(vault.status().code(),
                              absl::StrCat("cannot open the vault: ",
                                           vault.status().message()));
        }
        poolops::wallet::WalletServiceImpl service(vault->get());
        return poolops::RunServer(options, {&service});
      });
}
