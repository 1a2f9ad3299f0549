// Shared by the orchestrator tests: examples, a fake vault, rendering.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "libs/common/files.h"
#include "libs/common/process_runner.h"
#include "services/orchestrator/orchestrator.h"
#include "services/orchestrator/renderer.h"
#include "services/orchestrator/spec_parser.h"

namespace poolops::orchestrator::test {

// "location field: message" per violation, one a line (test failure text).
// A rendered bundle by name, a file of a bundle by path (null: none).
inline const Bundle* FindBundle(const std::vector<Bundle>& bs,
                                const std::string& name) {
  for (const Bundle& b : bs) {
    if (b.name == name) return &b;
  }
  return nullptr;
}
inline const BundleFile* FindFile(const Bundle& b, const std::string& path) {
  for (const BundleFile& f : b.files) {
    if (f.path == path) return &f;
  }
  return nullptr;
}
// A YAML sequence's scalars (empty when it is not a sequence).
inline std::vector<std::string> List(const YAML::Node& seq) {
  std::vector<std::string> out;
  if (!seq || !seq.IsSequence()) return out;
  for (const auto& n : seq) out.push_back(n.Scalar());
  return out;
}

// `cmd` through sh -c: what it printed on stdout, trimmed.
inline std::string Sh(const std::string& cmd) {
  auto r = proc::ProcessRunner::Real()->Run({"sh", "-c", cmd}, {});
  return r.ok() ? std::string(absl::StripAsciiWhitespace(r->output)) : "";
}

inline std::string Dump(const std::vector<v1::Violation>& vs) {
  std::string out;
  for (const auto& v : vs) {
    out += v.location() + " " + v.field() + ": " + v.message() + "\n";
  }
  return out;
}

// The first violation on `field`, or null.
inline const v1::Violation* Find(const std::vector<v1::Violation>& vs,
                                 const std::string& field) {
  for (const auto& v : vs) {
    if (v.field() == field) return &v;
  }
  return nullptr;
}

// Whether docker-compose is on PATH (its `config` needs no daemon).
inline bool HaveDockerCompose() {
  return std::system("docker-compose version >/dev/null 2>&1") == 0;
}

inline std::filesystem::path ExamplesDir() {
  return std::filesystem::path(POOLOPS_SOURCE_DIR) / "examples";
}

inline ParsedSpec LoadExample(const std::string& name) {
  std::filesystem::path p = ExamplesDir() / name;
  absl::StatusOr<std::string> text = files::ReadFile(p);
  if (!text.ok()) return {};
  absl::StatusOr<ParsedSpec> parsed = ParseSpec(*text, p.string());
  return parsed.ok() ? *parsed : ParsedSpec{};
}

// The devnet as chain-gateway describes it after `devnet up`.
inline ChainFacts DevnetChainFacts() {
  return ChainFacts{.name = "devnet",
                    .chain_id = "65535",
                    .rpc = "http://127.0.0.1:8545",
                    .hub = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
                    .native = true,
                    .market = "http://127.0.0.1:3000",
                    .origin = "devnet"};
}

// The arbitrum devnet (PoCo 6, RLC token) as chain-gateway describes it.
inline ChainFacts ArbitrumDevnetChainFacts() {
  ChainFacts c = DevnetChainFacts();
  c.chain_id = "31337";
  c.hub = "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0";
  c.native = false;
  return c;
}

// Render input with fake wallets (every wallet of the spec) and fixed
// passwords, so tests can look for them in the output.
inline RenderInput FakeInput(const v1::PoolSpec& spec) {
  RenderInput in;
  in.spec = spec;
  absl::StatusOr<ChainInfo> chain =
      ResolveChain(spec, spec.stack_version() == v1::STACK_VERSION_V9_3
                             ? ArbitrumDevnetChainFacts()
                             : DevnetChainFacts());
  if (chain.ok()) in.chain = *chain;
  FakeWalletSource vault;
  auto add = [&](const std::string& name) {
    absl::StatusOr<WalletKeystore> w = vault.Create(name, "pw");
    if (w.ok()) in.wallets[name] = *w;
    in.secrets.wallet_passwords[name] = "walletpw" +
                                        std::to_string(in.wallets.size()) +
                                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  };
  add(spec.workerpool().owner_wallet());
  for (const auto& w : spec.workers()) add(w.wallet());
  in.secrets.values = {
      {"PROD_CHAIN_ADAPTER_PASSWORD",
       "adapterpw00000000000000000000000000000001"},
      {"PROD_GRAFANA_ADMIN_PASSWORD",
       "grafanapw00000000000000000000000000000002"},
      {"PROD_MONGO_PASSWORD", "mongopw0000000000000000000000000000000003"},
      {"SCONTAIN_REGISTRY_PASSWORD",
       "sconepw0000000000000000000000000000000004"},
      {"REGISTRY_PASSWORD", "registrypw000000000000000000000000000005"}};
  in.workerpool_address = "0x1111111111111111111111111111111111111111";
  return in;
}

// An orchestrator over a new state.db in `dir`, with these vault, secrets
// and chain-gateway (may be null) (main.cc wires the real ones the same
// way).
struct OrchestratorUnderTest {
  std::unique_ptr<StateStore> state;
  std::unique_ptr<Orchestrator> orchestrator;
};
inline OrchestratorUnderTest NewOrchestratorUnderTest(
    const std::filesystem::path& dir, WalletSource* wallets,
    SecretStore* secrets, ChainClient* chains = nullptr) {
  OrchestratorUnderTest out;
  absl::StatusOr<std::unique_ptr<StateStore>> state =
      StateStore::Open(dir / "state.db");
  if (!state.ok()) return out;
  out.state = std::move(*state);
  Dependencies deps;
  deps.wallets = wallets;
  deps.secrets = secrets;
  deps.state = out.state.get();
  deps.chains = chains;
  out.orchestrator = std::make_unique<Orchestrator>(std::move(deps));
  return out;
}

}  // namespace poolops::orchestrator::test
