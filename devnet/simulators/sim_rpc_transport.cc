#include "devnet/simulators/sim_rpc_transport.h"

#include "devnet/simulators/http_client.h"

namespace poolops::sim {
namespace {

class SimHttpTransport : public http::Client {
 public:
  absl::StatusOr<http::Response> Send(const http::Request& request) override {
    absl::StatusOr<HttpUrl> url = ParseHttpUrl(request.url);
    if (!url.ok()) return absl::InvalidArgumentError(url.status().message());
    // The head is small: a body over the limit fails while reading.
    absl::StatusOr<HttpResponse> r =
        HttpCall(request.method, url->host, url->port, url->path, request.body,
                 request.timeout, request.max_response_bytes + 64 * 1024);
    if (!r.ok()) return r.status();
    if (r->body.size() > request.max_response_bytes)
      return absl::ResourceExhaustedError("response body over the limit");
    http::Response out;
    out.status = r->status;
    out.content_type = r->content_type;
    out.body = std::move(r->body);
    return out;
  }
};

}  // namespace

std::shared_ptr<http::Client> NewSimHttpTransport() {
  return std::make_shared<SimHttpTransport>();
}

}  // namespace poolops::sim
