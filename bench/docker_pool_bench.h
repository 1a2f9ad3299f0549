// What the pool benches on local docker share: the orchestrator's applier
// with real local targets, docker-compose and the daemon of DOCKER_HOST, and
// in-memory fakes for the chain, the vault and the secret store; the
// simulator images they run, built once.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "devnet/simulators/images.h"
#include "libs/common/temp_dir_test_support.h"
#include "services/orchestrator/applier.h"
#include "services/orchestrator/fake_chain_client.h"

namespace poolops::bench {

namespace orch = ::poolops::orchestrator;

// One pool's world in a temp dir (state.db and the targets' folders).
struct DockerPool {
  explicit DockerPool(orch::ApplyOptions options) {
    // Swarm targets keep their stacks' files here.
    state = *orch::StateStore::Open(dir.path() / "state.db");
    orch::Dependencies deps;
    deps.wallets = &vault;
    deps.secrets = &secrets;
    deps.state = state.get();
    orchestrator = std::make_unique<orch::Orchestrator>(std::move(deps));
    targets = orch::NewTargetFactory(proc::ProcessRunner::Real(), {},
                                     dir.path() / "swarm");
    health = orch::NewDirectHealthProbe();
    applier = std::make_unique<orch::Applier>(orchestrator.get(), state.get(),
                                              targets.get(), &runner, &chain,
                                              health.get(), options);
  }

  test::TempDir dir;
  std::unique_ptr<orch::StateStore> state;
  orch::FakeWalletSource vault;
  orch::MemorySecretStore secrets;
  std::unique_ptr<orch::Orchestrator> orchestrator;
  std::unique_ptr<orch::TargetFactory> targets;
  orch::DockerComposeRunner runner;
  orch::FakeChainClient chain;
  std::unique_ptr<orch::HealthProbe> health;
  std::unique_ptr<orch::Applier> applier;
};

// The simulator images tagged "bench": 0 when built, 2 without a daemon
// (said on stderr, naming `who`), 1 when the build failed.
inline int BuildBenchImages(const char* who) {
  if (std::getenv("DOCKER_HOST") == nullptr ||
      std::system("docker info >/dev/null 2>&1") != 0) {
    std::fprintf(stderr, "%s: no DOCKER_HOST daemon (scripts/dockerd.sh)\n",
                 who);
    return 2;
  }
  sim::ImageBuildOptions options;
  options.binary = POOLOPS_SIM_BINARY;
  options.dockerfile = POOLOPS_SIM_DOCKERFILE;
  options.tag = "bench";
  if (auto s = sim::BuildSimulatorImages(options, proc::ProcessRunner::Real());
      !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace poolops::bench
