// JSON-RPC for the simulators' on-chain duties: libs/ethrpc's client over
// the simulators' own HTTP layer (http_client.h), since libcurl has no place
// in their static binary. Plain http only, as everywhere in the simulators.
#pragma once

#include <memory>

#include "libs/common/http_client.h"

namespace poolops::sim {

std::shared_ptr<http::Client> NewSimHttpTransport();

}  // namespace poolops::sim
