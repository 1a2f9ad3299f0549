#include "libs/iexec/deal_orders.h"

#include <string>
#include <utility>
#include <vector>

#include "libs/eth/abi.h"
#include "libs/eth/eip712.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"
#include "libs/eth/uint256.h"

namespace poolops::iexec {
namespace {

using nlohmann::json;
using Member = std::pair<const char*, const char*>;
using eth::abi::Value;

// The type members in the contract's order (IexecLibOrders_v5).
const std::vector<Member> kAppFields = {
    {"app", "address"},
    {"appprice", "uint256"},
    {"volume", "uint256"},
    {"tag", "bytes32"},
    {"datasetrestrict", "address"},
    {"workerpoolrestrict", "address"},
    {"requesterrestrict", "address"},
    {"salt", "bytes32"}};
const std::vector<Member> kRequestFields = {
    {"app", "address"},
    {"appmaxprice", "uint256"},
    {"dataset", "address"},
    {"datasetmaxprice", "uint256"},
    {"workerpool", "address"},
    {"workerpoolmaxprice", "uint256"},
    {"requester", "address"},
    {"volume", "uint256"},
    {"tag", "bytes32"},
    {"category", "uint256"},
    {"trust", "uint256"},
    {"beneficiary", "address"},
    {"callback", "address"},
    {"params", "string"},
    {"salt", "bytes32"}};

absl::StatusOr<eth::Hash32> Digest(const json& typed) {
  absl::StatusOr<eth::eip712::Digests> d = eth::eip712::HashTypedData(typed);
  if (!d.ok()) return d.status();
  return d->digest;
}

Value Uint(uint64_t v) { return Value::Uint(eth::U256(v)); }

absl::StatusOr<Value> Bytes32(std::string_view hex, std::string_view what) {
  absl::StatusOr<eth::Bytes> b = eth::FromHexFixed(hex, 32, what);
  if (!b.ok()) return b.status();
  return Value::Blob(std::move(*b));
}

}  // namespace

json AppOrderTypedData(const AppOrder& o, const OrderDomain& domain) {
  json message = {{"app", o.app.ToChecksum()},
                  {"appprice", std::to_string(o.appprice)},
                  {"volume", std::to_string(o.volume)},
                  {"tag", o.tag},
                  {"datasetrestrict", o.datasetrestrict.ToChecksum()},
                  {"workerpoolrestrict", o.workerpoolrestrict.ToChecksum()},
                  {"requesterrestrict", o.requesterrestrict.ToChecksum()},
                  {"salt", o.salt}};
  return OrderTypedData("AppOrder", kAppFields, std::move(message), domain);
}

json RequestOrderTypedData(const RequestOrder& o, const OrderDomain& domain) {
  json message = {{"app", o.app.ToChecksum()},
                  {"appmaxprice", std::to_string(o.appmaxprice)},
                  {"dataset", o.dataset.ToChecksum()},
                  {"datasetmaxprice", std::to_string(o.datasetmaxprice)},
                  {"workerpool", o.workerpool.ToChecksum()},
                  {"workerpoolmaxprice", std::to_string(o.workerpoolmaxprice)},
                  {"requester", o.requester.ToChecksum()},
                  {"volume", std::to_string(o.volume)},
                  {"tag", o.tag},
                  {"category", std::to_string(o.category)},
                  {"trust", std::to_string(o.trust)},
                  {"beneficiary", o.beneficiary.ToChecksum()},
                  {"callback", o.callback.ToChecksum()},
                  {"params", o.params},
                  {"salt", o.salt}};
  return OrderTypedData("RequestOrder", kRequestFields, std::move(message),
                        domain);
}

absl::StatusOr<eth::Hash32> AppOrderHash(const AppOrder& order,
                                         const OrderDomain& domain) {
  return Digest(AppOrderTypedData(order, domain));
}

absl::StatusOr<eth::Hash32> RequestOrderHash(const RequestOrder& order,
                                             const OrderDomain& domain) {
  return Digest(RequestOrderTypedData(order, domain));
}

absl::StatusOr<eth::Bytes> MatchOrdersCall(const AppOrder& a,
                                           const WorkerpoolOrder& w,
                                           const RequestOrder& r) {
  absl::StatusOr<Value> a_tag = Bytes32(a.tag, "app order tag");
  absl::StatusOr<Value> a_salt = Bytes32(a.salt, "app order salt");
  absl::StatusOr<Value> w_tag = Bytes32(w.tag, "workerpool order tag");
  absl::StatusOr<Value> w_salt = Bytes32(w.salt, "workerpool order salt");
  absl::StatusOr<Value> r_tag = Bytes32(r.tag, "request order tag");
  absl::StatusOr<Value> r_salt = Bytes32(r.salt, "request order salt");
  absl::StatusOr<eth::Bytes> w_sign =
      eth::FromHex(w.sign, "workerpool order sign");
  for (const absl::StatusOr<Value>* v :
       {&a_tag, &a_salt, &w_tag, &w_salt, &r_tag, &r_salt})
    if (!v->ok()) return v->status();
  if (!w_sign.ok()) return w_sign.status();
  Value zero32 = Value::Blob(eth::Bytes(32, 0));
  Value app = Value::List(
      {Value::Addr(a.app), Uint(a.appprice), Uint(a.volume), *a_tag,
       Value::Addr(a.datasetrestrict), Value::Addr(a.workerpoolrestrict),
       Value::Addr(a.requesterrestrict), *a_salt, Value::Blob(a.sign)});
  Value dataset = Value::List(
      {Value::Addr({}), Uint(0), Uint(0), zero32, Value::Addr({}),
       Value::Addr({}), Value::Addr({}), zero32, Value::Blob({})});
  Value workerpool = Value::List(
      {Value::Addr(w.workerpool), Uint(w.workerpoolprice), Uint(w.volume),
       *w_tag, Uint(w.category), Uint(w.trust), Value::Addr(w.apprestrict),
       Value::Addr(w.datasetrestrict), Value::Addr(w.requesterrestrict),
       *w_salt, Value::Blob(std::move(*w_sign))});
  Value request = Value::List(
      {Value::Addr(r.app), Uint(r.appmaxprice), Value::Addr(r.dataset),
       Uint(r.datasetmaxprice), Value::Addr(r.workerpool),
       Uint(r.workerpoolmaxprice), Value::Addr(r.requester), Uint(r.volume),
       *r_tag, Uint(r.category), Uint(r.trust), Value::Addr(r.beneficiary),
       Value::Addr(r.callback), Value::Str(r.params), *r_salt,
       Value::Blob(r.sign)});
  return eth::abi::EncodeCall(
      "matchOrders((address,uint256,uint256,bytes32,address,address,address,"
      "bytes32,bytes),(address,uint256,uint256,bytes32,address,address,"
      "address,bytes32,bytes),(address,uint256,uint256,bytes32,uint256,"
      "uint256,address,address,address,bytes32,bytes),(address,uint256,"
      "address,uint256,address,uint256,address,uint256,bytes32,uint256,"
      "uint256,address,address,string,bytes32,bytes))",
      {app, dataset, workerpool, request});
}

eth::Hash32 DealId(const eth::Hash32& request_order_hash, uint64_t index) {
  eth::Bytes packed(request_order_hash.begin(), request_order_hash.end());
  eth::Hash32 i = eth::U256(index).ToBytesBE();
  packed.insert(packed.end(), i.begin(), i.end());
  return eth::Keccak(packed);
}

eth::Hash32 TaskId(const eth::Hash32& deal_id, uint64_t index) {
  return DealId(deal_id, index);  // the same packing: bytes32 ‖ uint256
}

}  // namespace poolops::iexec
