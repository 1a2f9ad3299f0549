// absl::Status <-> grpc::Status at the service edge. Only gRPC adapters and
// clients include this (grpcpp headers are slow to compile).
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace poolops {

grpc::Status ToGrpc(const absl::Status& status);
absl::Status FromGrpc(const grpc::Status& status);

}  // namespace poolops
