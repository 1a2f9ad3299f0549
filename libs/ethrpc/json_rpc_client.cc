#include "libs/ethrpc/json_rpc_client.h"

#include <algorithm>
#include <utility>

#include "absl/memory/memory.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace poolops::chain {
namespace {

using nlohmann::json;

bool IsHttpUrl(absl::string_view url) {
  std::string lower = absl::AsciiStrToLower(url.substr(0, 8));
  for (absl::string_view scheme : {"http://", "https://"}) {
    if (absl::StartsWith(lower, scheme)) return url.size() > scheme.size();
  }
  return false;
}

std::string BodySnippet(absl::string_view body) {
  std::string out;
  for (char c : body.substr(0, 120)) {
    out.push_back(absl::ascii_isprint(static_cast<unsigned char>(c)) ? c : '?');
  }
  if (body.size() > 120) out += "...";
  return out;
}

std::string BatchLabel(const std::vector<JsonRpcRequest>& requests) {
  std::vector<absl::string_view> names;
  for (size_t i = 0; i < requests.size() && i < 3; ++i)
    names.push_back(requests[i].method);
  std::string label = absl::StrCat("batch[", absl::StrJoin(names, ","));
  if (requests.size() > 3) absl::StrAppend(&label, ",+", requests.size() - 3);
  return label + "]";
}

std::string Prefix(absl::string_view label, absl::string_view endpoint) {
  return absl::StrCat(label, " at ", endpoint, ": ");
}

}  // namespace

absl::StatusOr<std::unique_ptr<JsonRpcClient>> JsonRpcClient::Create(
    std::vector<std::string> endpoints,
    std::shared_ptr<http::Client> transport, JsonRpcClientOptions options,
    Clock* clock) {
  if (endpoints.empty())
    return absl::InvalidArgumentError("JSON-RPC endpoints: none given");
  for (const std::string& url : endpoints) {
    if (!IsHttpUrl(url))
      return absl::InvalidArgumentError(
          absl::StrCat("JSON-RPC endpoint \"", url, "\": not an http(s) URL"));
  }
  if (transport == nullptr || clock == nullptr)
    return absl::InvalidArgumentError("JSON-RPC client: missing dependency");
  if (options.rounds < 1 || options.max_batch_size < 1)
    return absl::InvalidArgumentError(
        "JSON-RPC client: rounds and max_batch_size must be at least 1");
  return absl::WrapUnique(new JsonRpcClient(
      std::move(endpoints), std::move(transport), options, clock));
}

JsonRpcClient::JsonRpcClient(std::vector<std::string> endpoints,
                             std::shared_ptr<http::Client> transport,
                             JsonRpcClientOptions options, Clock* clock)
    : endpoints_(std::move(endpoints)),
      transport_(std::move(transport)),
      options_(options),
      clock_(clock) {}

absl::Status JsonRpcClient::Exchange(absl::string_view label,
                                     const std::string& body, BodyCheck check) {
  const absl::Time deadline = clock_->Now() + options_.max_total;
  const size_t n = endpoints_.size();
  size_t start;
  {
    absl::MutexLock lock(&mu_);
    start = preferred_;
  }
  std::vector<bool> set_aside(n, false);
  std::vector<absl::Status> last_failure(n);  // per endpoint, OK = not tried
  absl::Status last;
  int attempts = 0;
  absl::Duration backoff = options_.initial_backoff;
  bool out_of_time = false;

  for (int round = 0; round < options_.rounds && !out_of_time; ++round) {
    bool worth_retrying = false;
    absl::Duration retry_after;  // largest server hint of this round
    for (size_t k = 0; k < n; ++k) {
      const size_t i = (start + k) % n;
      if (set_aside[i]) continue;
      const std::string& url = endpoints_[i];
      absl::Duration left = deadline - clock_->Now();
      if (left <= absl::ZeroDuration()) {
        out_of_time = true;
        break;
      }
      ++attempts;
      http::Request request;
      request.method = "POST";
      request.url = url;
      request.headers = {{"Content-Type", "application/json"},
                         {"Accept", "application/json"}};
      request.body = body;
      request.timeout = std::min(options_.attempt_timeout, left);
      request.max_response_bytes = options_.max_response_bytes;
      absl::StatusOr<http::Response> response = transport_->Send(request);
      absl::Status failure;
      bool retryable = false;
      if (!response.ok()) {
        failure = response.status();
        retryable =
            absl::IsUnavailable(failure) || absl::IsDeadlineExceeded(failure);
      } else if (response->status == 429 || response->status >= 500) {
        std::string what = absl::StrCat("HTTP ", response->status, ": ",
                                        BodySnippet(response->body));
        failure = response->status == 429 ? absl::ResourceExhaustedError(what)
                                          : absl::UnavailableError(what);
        retryable = true;
        if (response->retry_after.has_value())
          retry_after = std::max(retry_after, *response->retry_after);
      } else if (response->status < 200 || response->status >= 300) {
        // 3xx/4xx: a wrong URL or refused credentials, not a passing fault.
        failure = absl::UnavailableError(absl::StrCat(
            "HTTP ", response->status, ": ", BodySnippet(response->body)));
      } else {
        bool retry = false;
        absl::Status checked = check(url, response->body, &retry);
        if (checked.ok()) {
          absl::MutexLock lock(&mu_);
          preferred_ = i;
          return absl::OkStatus();
        }
        failure = checked;
        retryable = retry;
      }
      failure = PrefixStatus(failure, Prefix(label, url));
      last_failure[i] = failure;
      last = failure;
      if (retryable) {
        worth_retrying = true;
      } else {
        set_aside[i] = true;
      }
    }
    if (!worth_retrying || out_of_time || round + 1 == options_.rounds) break;
    absl::Duration delay =
        std::max(std::min(backoff, options_.max_backoff), retry_after);
    if (clock_->Now() + delay >= deadline) break;
    clock_->SleepFor(delay);
    backoff = backoff * options_.backoff_multiplier;
  }

  if (attempts == 0)
    return absl::DeadlineExceededError(
        absl::StrCat(Prefix(label, endpoints_[start]), "time budget of ",
                     absl::FormatDuration(options_.max_total), " exhausted"));
  // Name every endpoint that failed, the most recent failure last.
  std::vector<std::string> parts;
  for (size_t k = 0; k < n; ++k) {
    const absl::Status& s = last_failure[(start + k) % n];
    if (!s.ok() && s != last) parts.emplace_back(s.message());
  }
  parts.emplace_back(last.message());
  std::string message = absl::StrJoin(parts, "; ");
  if (attempts > 1) absl::StrAppend(&message, " (", attempts, " attempts)");
  if (out_of_time)
    absl::StrAppend(&message, " (time budget of ",
                    absl::FormatDuration(options_.max_total), " exhausted)");
  absl::Status out(last.code(), message);
  last.ForEachPayload([&out](absl::string_view url, const absl::Cord& p) {
    out.SetPayload(url, p);
  });
  return out;
}

absl::StatusOr<json> JsonRpcClient::Call(absl::string_view method,
                                         json params) {
  return Call(method, std::move(params), nullptr);
}

absl::StatusOr<json> JsonRpcClient::Call(absl::string_view method, json params,
                                         const ResultCheck& check,
                                         std::string* answered_by) {
  if (!params.is_array() && !params.is_object())
    return absl::InvalidArgumentError(
        absl::StrCat(method, ": params must be a JSON array or object"));
  const int64_t id = next_id_.fetch_add(1);
  const std::string body =
      EncodeRequest({std::string(method), std::move(params)}, id);
  absl::StatusOr<json> out = absl::InternalError("no response");
  absl::Status status =
      Exchange(method, body,
               [&](const std::string& url, const std::string& response,
                   bool* retry) -> absl::Status {
                 absl::StatusOr<JsonRpcReply> reply =
                     ParseResponse(response, id, options_.max_response_bytes);
                 if (!reply.ok())
                   return absl::InternalError(reply.status().message());
                 if (const auto* error = std::get_if<JsonRpcError>(&*reply)) {
                   absl::Status node_error = ErrorToStatus(*error);
                   if (IsRetryableRpcError(*error)) {
                     *retry = true;
                     return node_error;
                   }
                   out = PrefixStatus(node_error, Prefix(method, url));
                   if (answered_by != nullptr) *answered_by = url;
                   return absl::OkStatus();
                 }
                 json& result = std::get<json>(*reply);
                 if (check) {
                   absl::Status valid = check(result);
                   if (!valid.ok())
                     return absl::InternalError(
                         absl::StrCat("malformed result: ", valid.message()));
                 }
                 out = std::move(result);
                 if (answered_by != nullptr) *answered_by = url;
                 return absl::OkStatus();
               });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<std::vector<absl::StatusOr<json>>> JsonRpcClient::Batch(
    const std::vector<JsonRpcRequest>& requests) {
  std::vector<absl::StatusOr<json>> out;
  out.reserve(requests.size());
  for (size_t begin = 0; begin < requests.size();
       begin += options_.max_batch_size) {
    size_t end = std::min(requests.size(), begin + options_.max_batch_size);
    std::vector<JsonRpcRequest> chunk(requests.begin() + begin,
                                      requests.begin() + end);
    auto replies = BatchChunk(chunk);
    if (!replies.ok()) return replies.status();
    for (auto& r : *replies) out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<std::vector<absl::StatusOr<json>>> JsonRpcClient::BatchChunk(
    const std::vector<JsonRpcRequest>& requests) {
  for (const JsonRpcRequest& r : requests) {
    if (!r.params.is_array() && !r.params.is_object())
      return absl::InvalidArgumentError(
          absl::StrCat(r.method, ": params must be a JSON array or object"));
  }
  const std::string label = BatchLabel(requests);
  const int64_t first_id =
      next_id_.fetch_add(static_cast<int64_t>(requests.size()));
  const std::string body = EncodeBatch(requests, first_id);
  std::vector<absl::StatusOr<json>> out;
  absl::Status status = Exchange(
      label, body,
      [&](const std::string& url, const std::string& response,
          bool* retry) -> absl::Status {
        absl::StatusOr<std::vector<JsonRpcReply>> replies = ParseBatchResponse(
            response, first_id, requests.size(), options_.max_response_bytes);
        if (!replies.ok())
          return absl::InternalError(replies.status().message());
        // Resend only when the node throttled every item.
        bool all_throttled = !replies->empty();
        for (const JsonRpcReply& r : *replies) {
          const auto* error = std::get_if<JsonRpcError>(&r);
          all_throttled &= error != nullptr && IsRetryableRpcError(*error);
        }
        if (all_throttled) {
          *retry = true;
          return ErrorToStatus(std::get<JsonRpcError>(replies->front()));
        }
        out.clear();
        for (size_t i = 0; i < replies->size(); ++i) {
          JsonRpcReply& r = (*replies)[i];
          if (auto* error = std::get_if<JsonRpcError>(&r)) {
            out.push_back(PrefixStatus(ErrorToStatus(*error),
                                       Prefix(requests[i].method, url)));
          } else {
            out.push_back(std::get<json>(std::move(r)));
          }
        }
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return out;
}

}  // namespace poolops::chain
