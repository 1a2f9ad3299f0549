#include "libs/common/status_grpc.h"

#include "gtest/gtest.h"

namespace poolops {
namespace {

TEST(StatusGrpcTest, RoundTripsEveryCode) {
  for (int code = 0; code <= 16; ++code) {
    absl::Status s(static_cast<absl::StatusCode>(code),
                   code ? "bad thing" : "");
    grpc::Status g = ToGrpc(s);
    EXPECT_EQ(static_cast<int>(g.error_code()), code);
    absl::Status back = FromGrpc(g);
    EXPECT_EQ(back.code(), s.code());
    if (code != 0) {
      EXPECT_EQ(back.message(), "bad thing");
    }
  }
}

TEST(StatusGrpcTest, KeepsTheMessage) {
  grpc::Status g = ToGrpc(absl::NotFoundError("wallet core not found"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(g.error_message(), "wallet core not found");
}

TEST(StatusGrpcTest, UnknownGrpcCodeMapsToUnknown) {
  absl::Status s =
      FromGrpc(grpc::Status(static_cast<grpc::StatusCode>(99), "x"));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnknown);
}

}  // namespace
}  // namespace poolops
