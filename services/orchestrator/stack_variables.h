// The environment each iExec service reads, per stack version: what
// `pool validate` checks an operator's override_env against. The 9.x
// services ignore a name they do not read, so a v8 habit (a renamed or
// removed variable) would silently do nothing there: poolops says so.
#pragma once

#include <optional>
#include <string>

#include "poolops/orchestrator/v1/orchestrator.pb.h"

namespace poolops::orchestrator {

namespace v1 = ::poolops::orchestrator::v1;

// The services override_env addresses.
enum class StackRole { kCore, kBlockchainAdapter, kWorker };

// Why `name` does nothing, or is wrong, in `role` of `version`, with the
// fix ("IEXEC_PRIVATE_CHAIN_ADDRESS is a v8 name: core 9.x reads
// IEXEC_BLOCKCHAIN_NODE_ADDRESS"); nullopt when the service reads it.
// Spring's own settings (MANAGEMENT_*, SPRING_*, LOGGING_*, SERVER_*,
// JAVA_*) and TZ are accepted everywhere. Stacks before v9.3 are checked
// for 9.x names only (their services read more than poolops lists).
std::optional<std::string> UnreadVariable(v1::StackVersion version,
                                          StackRole role,
                                          const std::string& name);

// What 9.x reads instead of the v8 name `name` in `role` ("reads
// IEXEC_BLOCKCHAIN_NODE_ADDRESS", "removed it (...)"); nullopt when `name`
// is not a v8 name 9.x dropped.
std::optional<std::string> V9Replacement(StackRole role,
                                         const std::string& name);

// Why `value` of `name` stops a 9.x service from starting (a gas price
// multiplier of 0, a bare-integer or out-of-range block time); nullopt
// when it is fine or not checked.
std::optional<std::string> BadV9Value(const std::string& name,
                                      const std::string& value);

}  // namespace poolops::orchestrator
