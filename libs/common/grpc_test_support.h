// gRPC helpers for tests, on raw byte buffers (no proto): a one-method
// service answering the caller's PeerIdentity (also what a server needs to
// start with no service of its own: gRPC wants one sync method), and a
// reflection listing.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/impl/codegen/client_unary_call.h>
#include <grpcpp/impl/codegen/method_handler.h>
#include <grpcpp/impl/codegen/rpc_service_method.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/byte_buffer.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/peer_identity.h"

namespace poolops::test {

inline constexpr char kWhoAmIMethod[] = "/poolops.test.WhoAmI/Get";

inline std::string BufferText(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const grpc::Slice& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

// kWhoAmIMethod -> PeerIdentity of the caller.
class WhoAmIService : public grpc::Service {
 public:
  WhoAmIService() {
    AddMethod(new grpc::internal::RpcServiceMethod(
        kWhoAmIMethod, grpc::internal::RpcMethod::NORMAL_RPC,
        new grpc::internal::RpcMethodHandler<WhoAmIService, grpc::ByteBuffer,
                                             grpc::ByteBuffer>(
            [](WhoAmIService*, grpc::ServerContext* ctx,
               const grpc::ByteBuffer*, grpc::ByteBuffer* response) {
              grpc::Slice slice(PeerIdentity(*ctx));
              *response = grpc::ByteBuffer(&slice, 1);
              return grpc::Status::OK;
            },
            this)));
  }
};

// Calls WhoAmIService over `channel`.
inline absl::StatusOr<std::string> WhoAmI(
    const std::shared_ptr<grpc::Channel>& channel) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1), response;
  grpc::Status s = grpc::internal::BlockingUnaryCall(
      channel.get(),
      grpc::internal::RpcMethod(kWhoAmIMethod,
                                grpc::internal::RpcMethod::NORMAL_RPC),
      &ctx, request, &response);
  if (!s.ok()) return absl::UnavailableError(s.error_message());
  return BufferText(response);
}

// The services a server lists through gRPC reflection
// (grpc.reflection.v1alpha), with a raw bidi call so no reflection client
// library is needed. Empty when the call fails (reflection off, refused).

// Sends {list_services: ""}; the names appear verbatim in the response bytes.
inline std::string ReflectionResponse(
    const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::CompletionQueue cq;
  void* tag;
  bool ok;
  auto call = stub.PrepareCall(
      &ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      &cq);
  call->StartCall(reinterpret_cast<void*>(1));
  cq.Next(&tag, &ok);
  std::string out;
  if (ok) {
    const char request_bytes[] = {0x3a, 0x00};  // field 7 (list_services) = ""
    grpc::Slice slice(request_bytes, sizeof request_bytes);
    grpc::ByteBuffer request(&slice, 1);
    call->Write(request, reinterpret_cast<void*>(2));
    cq.Next(&tag, &ok);
    grpc::ByteBuffer response;
    call->Read(&response, reinterpret_cast<void*>(3));
    cq.Next(&tag, &ok);
    if (ok) out = BufferText(response);
    call->WritesDone(reinterpret_cast<void*>(4));
    cq.Next(&tag, &ok);
  }
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return out;
}

}  // namespace poolops::test
