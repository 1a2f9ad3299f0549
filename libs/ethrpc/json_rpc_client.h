// A JSON-RPC 2.0 client over one or more endpoints of the same chain.
//
// Failover and retries: each call walks the endpoints starting from the last
// one that answered. Transport failures, HTTP 429/5xx and node rate-limit
// errors move on to the next endpoint; once every endpoint has failed in a
// round, the client sleeps (exponential backoff, at least the server's
// Retry-After) and starts another round, up to `rounds`. Malformed responses
// and other HTTP statuses put that endpoint aside for the rest of the call.
// JSON-RPC error objects are the node's answer: returned as they are, never
// retried (except rate limits).
//
// Caution for callers: a request that timed out may still have reached the
// node, so a retried eth_sendRawTransaction can come back "already known" or
// "nonce too low" for a transaction that was in fact accepted.
//
// Every error message starts with "<method> at <endpoint>: ". Thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "libs/common/http_client.h"
#include "libs/ethrpc/json_rpc_codec.h"
#include "nlohmann/json.hpp"

namespace poolops::chain {

struct JsonRpcClientOptions {
  absl::Duration attempt_timeout = absl::Seconds(15);  // one HTTP exchange
  int rounds = 3;  // passes over the endpoint list
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(5);
  double backoff_multiplier = 2.0;
  // Budget of one Call/Batch including retries and backoff.
  absl::Duration max_total = absl::Seconds(60);
  size_t max_response_bytes = kDefaultMaxResponseBytes;
  // Larger batches are split into several requests.
  size_t max_batch_size = 100;
};

class JsonRpcClient {
 public:
  // `endpoints` are http(s) URLs of one chain, in order of preference.
  // InvalidArgumentError when the list is empty or a URL is not http(s).
  // `clock` (time and backoff sleeps) must outlive the client.
  static absl::StatusOr<std::unique_ptr<JsonRpcClient>> Create(
      std::vector<std::string> endpoints,
      std::shared_ptr<http::Client> transport,
      JsonRpcClientOptions options = {}, Clock* clock = Clock::Real());

  // The result (JSON null included) or an error: the node's error object
  // mapped by ErrorToStatus, or the last endpoint failure (Unavailable,
  // DeadlineExceeded, ResourceExhausted; Internal for malformed responses).
  absl::StatusOr<nlohmann::json> Call(
      absl::string_view method,
      nlohmann::json params = nlohmann::json::array());

  // Validates a result; an error means the endpoint answered nonsense.
  using ResultCheck = std::function<absl::Status(const nlohmann::json&)>;
  // Like Call, but a result that fails `check` counts as a malformed
  // response from that endpoint (Internal, next endpoint tried). When
  // `answered_by` is set it receives the URL of the endpoint that answered.
  absl::StatusOr<nlohmann::json> Call(absl::string_view method,
                                      nlohmann::json params,
                                      const ResultCheck& check,
                                      std::string* answered_by = nullptr);

  // Sends `requests` as JSON-RPC batches. The outer status fails only when a
  // batch could not be exchanged at all; each item carries its own result or
  // node error.
  absl::StatusOr<std::vector<absl::StatusOr<nlohmann::json>>> Batch(
      const std::vector<JsonRpcRequest>& requests);

  const std::vector<std::string>& endpoints() const { return endpoints_; }

 private:
  // How a response body is checked. Returns an error for a malformed body;
  // sets `*retry` when the body is valid but asks to come back later.
  using BodyCheck = absl::FunctionRef<absl::Status(
      const std::string& endpoint, const std::string& body, bool* retry)>;

  JsonRpcClient(std::vector<std::string> endpoints,
                std::shared_ptr<http::Client> transport,
                JsonRpcClientOptions options, Clock* clock);

  absl::Status Exchange(absl::string_view label, const std::string& body,
                        BodyCheck check);
  absl::StatusOr<std::vector<absl::StatusOr<nlohmann::json>>> BatchChunk(
      const std::vector<JsonRpcRequest>& requests);

  const std::vector<std::string> endpoints_;
  const std::shared_ptr<http::Client> transport_;
  const JsonRpcClientOptions options_;
  Clock* const clock_;
  std::atomic<int64_t> next_id_{1};
  absl::Mutex mu_;
  size_t preferred_ ABSL_GUARDED_BY(mu_) = 0;  // last endpoint that answered
};

}  // namespace poolops::chain
