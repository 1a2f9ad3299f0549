// What `poolctl devnet up|down|reset|images|status|traffic` do. poolctl-full runs
// them in-process (devnet_run.cc: anvil, PoCo, the market, docker builds,
// over libcurl); the poolctl front, which carries no devnet library so that
// it starts in a few milliseconds, hands the whole command line over to
// poolctl-full (devnet_run_front.cc). Each returns the command's exit code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/context.h"

namespace poolops::cli {

struct DevnetUpArgs {
  std::string flavour = "native";
  uint64_t chain_id = 65535;
  uint16_t port = 0;
};

struct DevnetTrafficArgs {
  std::string pool;        // by name (the orchestrator's history) ...
  std::string workerpool;  // ... or by address
  uint64_t deals = 1;
  uint64_t fail = 0;
  uint64_t timeout_seconds = 300;
};

struct DevnetImagesArgs {
  std::string tag = "dev";
  std::vector<std::string> roles;
};

int DevnetUp(const Context& ctx, const DevnetUpArgs& args);
// Deals for a devnet pool, run by its own core and workers.
int DevnetTraffic(const Context& ctx, const DevnetTrafficArgs& args);
int DevnetDown(const Context& ctx);
int DevnetReset(const Context& ctx);
int DevnetImages(const Context& ctx, const DevnetImagesArgs& args);
int DevnetStatus(const Context& ctx);

}  // namespace poolops::cli
