#include "services/chain/orders/market_client.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/bounded_json.h"
#include "libs/eth/eip712.h"
#include "libs/eth/hex.h"
#include "libs/iexec/market_challenge.h"

namespace poolops::chain {
namespace {

using nlohmann::json;

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// The API's error text: {ok:false,error:"..."} (or a bare message field).
std::string ApiErrorText(const json& body) {
  if (body.is_object()) {
    for (const char* key : {"error", "message"}) {
      auto it = body.find(key);
      if (it != body.end())
        return it->is_string() ? it->get<std::string>() : DumpJson(*it);
    }
  }
  return DumpJson(body);
}

absl::Status StatusForApiError(int http_status, const std::string& message) {
  switch (http_status) {
    case 400:
      return absl::InvalidArgumentError(message);
    case 401:
      return absl::UnauthenticatedError(message);
    case 404:
      return absl::NotFoundError(message);
    case 429:
      return absl::ResourceExhaustedError(message);
    case 403:
      if (absl::StrContains(message, "invalid authorization"))
        return absl::UnauthenticatedError(message);
      if (absl::StrContains(message, "already published"))
        return absl::AlreadyExistsError(message);
      return absl::FailedPreconditionError(message);
    default:
      return absl::FailedPreconditionError(message);
  }
}

std::string Checksum(const eth::Address& a) { return a.ToChecksum(); }

}  // namespace

MarketClient::MarketClient(std::string base_url, uint64_t chain_id,
                           http::Client* http, Signer* signer,
                           absl::Duration timeout)
    : base_url_(TrimSlash(std::move(base_url))),
      chain_id_(chain_id),
      http_(http),
      signer_(signer),
      timeout_(timeout) {}

absl::StatusOr<json> MarketClient::Exchange(const std::string& method,
                                            const std::string& path_and_query,
                                            const std::string& authorization,
                                            const json* body) {
  http::Request request;
  request.method = method;
  request.url = base_url_ + path_and_query;
  request.timeout = timeout_;
  request.headers.emplace_back("Accept", "application/json");
  if (body != nullptr) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = DumpJson(*body);
  }
  if (!authorization.empty())
    request.headers.emplace_back("authorization", authorization);
  std::string where =
      absl::StrCat("market ", base_url_, ": ", method, " ",
                   path_and_query.substr(0, path_and_query.find('?')));
  absl::StatusOr<http::Response> response = http_->Send(request);
  if (!response.ok())
    return absl::Status(response.status().code(),
                        absl::StrCat(where, ": ", response.status().message()));
  // The SDK refuses anything but JSON before reading the status.
  if (!absl::StrContains(absl::AsciiStrToLower(response->content_type),
                         "application/json")) {
    if (response->status >= 500)
      return absl::UnavailableError(absl::StrCat(
          where, ": Server at ", base_url_,
          " encountered an internal error (HTTP ", response->status, ")"));
    return absl::UnavailableError(absl::StrCat(
        where, ": The http response is not of JSON type (HTTP ",
        response->status, ", Content-Type \"", response->content_type, "\")"));
  }
  absl::StatusOr<json> body_json = ParseMarketBody(response->body, where);
  if (!body_json.ok())
    return absl::UnavailableError(body_json.status().message());
  const json& parsed = *body_json;
  if (response->status >= 500)
    return absl::UnavailableError(
        absl::StrCat(where, ": Server at ", base_url_,
                     " encountered an internal error: ", ApiErrorText(parsed)));
  if (response->status < 200 || response->status >= 300 ||
      (parsed.is_object() && parsed.value("ok", true) == false))
    return StatusForApiError(
        response->status,
        absl::StrCat(where, ": API error: ", ApiErrorText(parsed)));
  return *std::move(body_json);
}

absl::StatusOr<std::string> MarketClient::AuthorizationFor(
    const json& challenge, uint64_t chain_id, Signer& signer,
    std::string_view wallet) {
  absl::StatusOr<std::string> text = MarketChallengeText(challenge, chain_id);
  if (!text.ok()) return text.status();
  absl::StatusOr<TypedDataSignature> sig = signer.SignTypedData(
      wallet, iexec::MarketChallengeTypedData(*text, chain_id),
      "market challenge");
  if (!sig.ok()) return sig.status();
  return absl::StrCat(eth::ToHex(sig->digest), "_", eth::ToHex(sig->signature),
                      "_", sig->signer.ToChecksum());
}

absl::StatusOr<std::string> MarketClient::Authorize(std::string_view wallet) {
  absl::StatusOr<eth::Address> address = signer_->Resolve(wallet);
  if (!address.ok()) return address.status();
  absl::StatusOr<json> challenge =
      Exchange("GET",
               absl::StrCat("/challenge?address=", Checksum(*address),
                            "&chainId=", chain_id_),
               "", nullptr);
  if (!challenge.ok()) return challenge.status();
  absl::StatusOr<std::string> header =
      AuthorizationFor(*challenge, chain_id_, *signer_, wallet);
  if (!header.ok())
    return absl::Status(
        header.status().code(),
        absl::StrCat("market ", base_url_, ": ", header.status().message()));
  return header;
}

absl::StatusOr<std::string> MarketClient::Publish(
    std::string_view wallet, const iexec::WorkerpoolOrder& order) {
  absl::StatusOr<std::string> auth = Authorize(wallet);
  if (!auth.ok()) return auth.status();
  // Key order and string values as the SDK sends them.
  json o = json::object();
  o["workerpool"] = Checksum(order.workerpool);
  o["workerpoolprice"] = std::to_string(order.workerpoolprice);
  o["volume"] = std::to_string(order.volume);
  o["category"] = std::to_string(order.category);
  o["trust"] = std::to_string(order.trust);
  o["tag"] = order.tag;
  o["apprestrict"] = Checksum(order.apprestrict);
  o["datasetrestrict"] = Checksum(order.datasetrestrict);
  o["requesterrestrict"] = Checksum(order.requesterrestrict);
  o["salt"] = order.salt;
  o["sign"] = order.sign;
  json body = {{"order", o}};
  absl::StatusOr<json> r =
      Exchange("POST", absl::StrCat("/workerpoolorders?chainId=", chain_id_),
               *auth, &body);
  if (!r.ok()) return r.status();
  absl::StatusOr<std::string> hash = ParsePublishAnswer(*r);
  if (!hash.ok())
    return absl::UnavailableError(
        absl::StrCat("market ", base_url_, ": ", hash.status().message()));
  return hash;
}

absl::StatusOr<std::vector<std::string>> MarketClient::Unpublish(
    std::string_view wallet, UnpublishTarget target,
    const eth::Address& workerpool, std::string_view order_hash) {
  json body;
  switch (target) {
    case UnpublishTarget::kOrderHash:
      body = {{"target", "unpublish_orderHash"},
              {"orderHash", std::string(order_hash)}};
      break;
    case UnpublishTarget::kLast:
      body = {{"target", "unpublish_last"},
              {"workerpool", Checksum(workerpool)}};
      break;
    case UnpublishTarget::kAll:
      body = {{"target", "unpublish_all"},
              {"workerpool", Checksum(workerpool)}};
      break;
  }
  absl::StatusOr<std::string> auth = Authorize(wallet);
  if (!auth.ok()) return auth.status();
  absl::StatusOr<json> r =
      Exchange("PUT", absl::StrCat("/workerpoolorders?chainId=", chain_id_),
               *auth, &body);
  if (!r.ok()) return r.status();
  std::vector<std::string> out;
  if (r->contains("unpublished") && (*r)["unpublished"].is_array())
    for (const json& h : (*r)["unpublished"])
      if (h.is_string()) out.push_back(h.get<std::string>());
  return out;
}

absl::StatusOr<MarketOrderbookPage> MarketClient::Orderbook(
    const MarketOrderbookQuery& q) {
  std::string path = absl::StrCat("/workerpoolorders?chainId=", chain_id_);
  if (q.category) absl::StrAppend(&path, "&category=", *q.category);
  absl::StrAppend(&path,
                  "&isAppStrict=false&isDatasetStrict=false&"
                  "isRequesterStrict=false");
  if (q.max_tag) absl::StrAppend(&path, "&maxTag=", *q.max_tag);
  if (q.min_tag) absl::StrAppend(&path, "&minTag=", *q.min_tag);
  if (q.min_trust) absl::StrAppend(&path, "&minTrust=", *q.min_trust);
  if (q.min_volume) absl::StrAppend(&path, "&minVolume=", *q.min_volume);
  absl::StrAppend(&path, "&pageIndex=", q.page_index,
                  "&pageSize=", q.page_size);
  absl::StrAppend(
      &path, "&workerpool=", q.workerpool ? Checksum(*q.workerpool) : "any");
  if (q.workerpool_owner)
    absl::StrAppend(&path, "&workerpoolOwner=", Checksum(*q.workerpool_owner));
  absl::StatusOr<json> r = Exchange("GET", path, "", nullptr);
  if (!r.ok()) return r.status();
  absl::StatusOr<MarketOrderbookPage> page = ParseOrderbookPage(*r);
  if (!page.ok())
    return absl::UnavailableError(absl::StrCat(
        "market ", base_url_, ": orderbook: ", page.status().message()));
  return page;
}

absl::StatusOr<MarketOrderbookPage> MarketClient::OrderbookAll(
    MarketOrderbookQuery query, size_t max_orders) {
  if (query.page_size < 10) query.page_size = 10;
  MarketOrderbookPage all;
  for (;;) {
    absl::StatusOr<MarketOrderbookPage> page = Orderbook(query);
    if (!page.ok()) return page.status();
    all.count = page->count;
    for (MarketOrder& o : page->orders) all.orders.push_back(std::move(o));
    if (!page->next_page || page->orders.empty() ||
        all.orders.size() >= max_orders)
      break;
    query.page_index = *page->next_page;
  }
  return all;
}

absl::StatusOr<MarketOrder> MarketClient::GetOrder(
    std::string_view order_hash) {
  absl::StatusOr<json> r =
      Exchange("GET",
               absl::StrCat("/workerpoolorders/", std::string(order_hash),
                            "?chainId=", chain_id_),
               "", nullptr);
  if (!r.ok()) return r.status();
  absl::StatusOr<MarketOrder> o = ParseOrder(*r);
  if (!o.ok())
    return absl::UnavailableError(absl::StrCat("market ", base_url_, ": order ",
                                               std::string(order_hash), ": ",
                                               o.status().message()));
  return o;
}

}  // namespace poolops::chain
