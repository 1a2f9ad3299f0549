// poolops-orchestrator: serves the orchestrator API
// (proto/poolops/orchestrator/v1) with the common bootstrap (health,
// reflection, unix socket in the home, metrics). State in <home>/state.db,
// generated secrets in <home>/pools/<pool>/secrets.json (0600).
// POOLOPS_SSH_CONFIG names an ssh_config file passed to every `ssh -F`.
#include <cstdlib>

#include "libs/common/home.h"
#include "libs/common/service_main.h"
#include "services/orchestrator/applier.h"
#include "services/orchestrator/image_pruner.h"
#include "services/orchestrator/orchestrator_service.h"
#include "services/orchestrator/suite_clients.h"
#include "services/orchestrator/unlock_keeper.h"

int main(int argc, char** argv) {
  namespace orch = poolops::orchestrator;
  return poolops::ServiceMain(
      argc, argv, "orchestrator",
      [](const poolops::ServerOptions& options) -> absl::Status {
        absl::StatusOr<poolops::Home> home = poolops::Home::Open(options.home);
        if (!home.ok()) return home.status();
        absl::StatusOr<std::unique_ptr<orch::StateStore>> state =
            orch::StateStore::Open(home->state_db());
        if (!state.ok()) return state.status();
        orch::FileSecretStore secrets(home->root() / "pools");
        std::unique_ptr<orch::WalletSource> wallets =
            orch::NewSuiteWalletSource(home->run_dir());
        std::unique_ptr<orch::ChainClient> chain =
            orch::NewSuiteChainClient(home->run_dir());
        orch::Dependencies deps;
        deps.wallets = wallets.get();
        deps.secrets = &secrets;
        deps.state = state->get();
        // chain-gateway owns the chain registry: chains are asked of it.
        deps.chains = chain.get();
        orch::Orchestrator orchestrator(std::move(deps));
        orch::SshOptions ssh;
        if (const char* cfg = std::getenv("POOLOPS_SSH_CONFIG"))
          ssh.config_file = cfg;
        std::unique_ptr<orch::TargetFactory> targets = orch::NewTargetFactory(
            poolops::proc::ProcessRunner::Real(), ssh, home->root() / "swarm");
        orch::DockerComposeRunner runner;
        std::unique_ptr<orch::HealthProbe> health =
            orch::NewSuiteHealthProbe(home->run_dir());
        orch::ApplyOptions apply;
        apply.backup_dir = home->root() / "backups";
        orch::Applier applier(&orchestrator, state->get(), targets.get(),
                              &runner, chain.get(), health.get(), apply);
        // The publisher signs with the owner wallet for as long as the pool
        // runs; the vault unlocks for a day at most and forgets on restart.
        orch::UnlockKeeper keeper(&orchestrator, &applier, wallets.get());
        keeper.Start(absl::Minutes(1));
        // Worker hosts' task images, per each pool's maintenance period.
        orch::ImagePruner pruner(&applier, targets.get(), state->get());
        pruner.Start(absl::Minutes(10));
        orch::OrchestratorService service(&orchestrator, &applier);
        return poolops::RunServer(options, {&service});
      });
}
