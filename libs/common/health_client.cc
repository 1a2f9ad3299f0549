#include "libs/common/health_client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/byte_buffer.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "libs/common/status_grpc.h"

namespace poolops {
namespace {

// HealthCheckRequest { string service = 1; }
std::string EncodeRequest(std::string_view service) {
  std::string out;
  if (service.empty()) return out;
  out.push_back(0x0a);  // field 1, length-delimited
  size_t n = service.size();
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
  out.append(service);
  return out;
}

// HealthCheckResponse { ServingStatus status = 1; } (enum values < 128).
HealthState DecodeResponse(std::string_view bytes) {
  int status = 0;
  if (bytes.size() >= 2 && bytes[0] == 0x08) status = bytes[1];
  switch (status) {
    case 1:
      return HealthState::kServing;
    case 2:
      return HealthState::kNotServing;
    case 3:
      return HealthState::kServiceUnknown;
    default:
      return HealthState::kUnknown;
  }
}

}  // namespace

absl::StatusOr<HealthState> CheckHealth(grpc::Channel& channel,
                                        std::string_view service,
                                        absl::Duration timeout) {
  // GenericStub wants a shared_ptr; the caller keeps the channel alive.
  std::shared_ptr<grpc::Channel> borrowed(&channel, [](grpc::Channel*) {});
  grpc::GenericStub stub(borrowed);
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  std::string request_bytes = EncodeRequest(service);
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(),
                 &request, &response, [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (!status.ok()) {
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
      return HealthState::kServiceUnknown;
    }
    return FromGrpc(status);
  }
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (response.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices) {
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  return DecodeResponse(bytes);
}

absl::Status WaitConnected(grpc::Channel& channel, absl::Duration timeout) {
  const auto deadline = absl::ToChronoTime(absl::Now() + timeout);
  grpc_connectivity_state state = channel.GetState(/*try_to_connect=*/true);
  while (state != GRPC_CHANNEL_READY) {
    if (state == GRPC_CHANNEL_TRANSIENT_FAILURE ||
        state == GRPC_CHANNEL_SHUTDOWN) {
      return absl::UnavailableError("the connection failed");
    }
    if (!channel.WaitForStateChange(state, deadline)) {
      return absl::UnavailableError(
          absl::StrCat("no connection within ", absl::FormatDuration(timeout)));
    }
    state = channel.GetState(/*try_to_connect=*/false);
  }
  return absl::OkStatus();
}

std::shared_ptr<grpc::Channel> LocalChannel(std::string_view address) {
  return grpc::CreateChannel(std::string(address),
                             grpc::InsecureChannelCredentials());
}

}  // namespace poolops
