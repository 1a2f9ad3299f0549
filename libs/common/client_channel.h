// Channels to the services of the suite, wherever they run: a unix socket in
// the home (local default, insecure: the 0700 home is the access control) or
// TCP, always with mutual TLS (every service requires a client certificate
// its CA signed there).
//
// Where a service is, first match wins:
//   1. env POOLOPS_<SERVICE>_ADDRESS (POOLOPS_WALLET_VAULT_ADDRESS, ...)
//   2. <home>/config.yaml: services.<service>.address
//   3. <home>/run/<service>.json (written by the running service)
//   4. unix:<home>/run/<service>.sock
// Addresses: "unix:/abs/path.sock" or "HOST:PORT" (TCP + TLS).
// TLS files, env first, then config.yaml (relative paths: from the home),
// all three required for TCP:
//   POOLOPS_TLS_CA   / tls.ca    PEM CA that signed the servers' certificates
//   POOLOPS_TLS_CERT / tls.cert  PEM client certificate chain (its CN is the
//                                caller's identity: "poolctl", "chain-gateway")
//   POOLOPS_TLS_KEY  / tls.key   PEM client key (not world-readable)
// config.yaml (other top-level keys are left to their owners):
//   services:
//     wallet-vault: {address: "127.0.0.1:7001",
//                    metrics: "http://127.0.0.1:7101/metrics"}
//     monitor: {address: "127.0.0.1:7004",
//               dashboard: "http://127.0.0.1:7204/"}  # its status page
//     orchestrator: 127.0.0.1:7003     # short for {address: ...}
//   tls: {ca: certs/ca.pem, cert: certs/client.pem, key: certs/client.key}
// Errors name the setting at fault. Nothing here touches the network: the
// channel connects lazily, so the service may start later. Thread-safe (reads
// env and files only).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace grpc {
class Channel;
}

namespace poolops {

struct SuiteEndpoint {
  std::string address;  // "unix:/abs/path.sock" or "HOST:PORT"
  // Which setting gave the address ("POOLOPS_MONITOR_ADDRESS",
  // "<home>/config.yaml services.monitor.address", the run file, "default").
  std::string source;
  // True when set explicitly (env or config.yaml): callers must not start or
  // stop anything locally for it.
  bool explicit_setting = false;
  std::string metrics;    // config.yaml or run file; may be empty
  std::string dashboard;  // the monitor's status page: the same, may be empty
  bool tls() const { return address.rfind("unix:", 0) != 0; }
};

// "wallet-vault" -> "POOLOPS_WALLET_VAULT_ADDRESS".
std::string SuiteAddressEnv(std::string_view service);

// Where `service` is (see the order above). InvalidArgument naming the
// setting when env or config.yaml holds something unusable.
absl::StatusOr<SuiteEndpoint> ResolveSuiteEndpoint(
    const std::filesystem::path& home, std::string_view service);

// A channel to `endpoint` (TLS files read now, errors naming their setting).
absl::StatusOr<std::shared_ptr<grpc::Channel>> EndpointChannel(
    const std::filesystem::path& home, const SuiteEndpoint& endpoint);

// ResolveSuiteEndpoint + EndpointChannel: what services and tools call.
absl::StatusOr<std::shared_ptr<grpc::Channel>> SuiteChannel(
    const std::filesystem::path& home, std::string_view service);

// SuiteChannel for one service calling another: a local service (no
// explicit address) must have its run file, else Unavailable "<service> is
// not running (poolctl services up)".
absl::StatusOr<std::shared_ptr<grpc::Channel>> RunningSuiteChannel(
    const std::filesystem::path& home, std::string_view service);

}  // namespace poolops
