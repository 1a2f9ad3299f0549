// The requester's side of a deal: app orders and request orders (EIP-712
// under the same "iExecODB" 5.0.0 domain as workerpool orders), and the
// hub's matchOrders(app, dataset, workerpool, request) call that turns four
// signed orders into a deal. Datasets are not used: the empty dataset order
// (all zero, no signature) is what the SDK sends for an app-only deal.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "libs/eth/address.h"
#include "libs/eth/bytes.h"
#include "libs/iexec/workerpool_order.h"
#include "nlohmann/json.hpp"

namespace poolops::iexec {

inline constexpr char kZeroBytes32[] =
    "0x0000000000000000000000000000000000000000000000000000000000000000";

struct AppOrder {
  eth::Address app;
  uint64_t appprice = 0;
  uint64_t volume = 1;
  std::string tag = kZeroBytes32;
  eth::Address datasetrestrict;
  eth::Address workerpoolrestrict;
  eth::Address requesterrestrict;
  std::string salt = kZeroBytes32;
  eth::Bytes sign;  // 65 bytes r || s || v once signed
};

struct RequestOrder {
  eth::Address app;
  uint64_t appmaxprice = 0;
  eth::Address dataset;
  uint64_t datasetmaxprice = 0;
  eth::Address workerpool;
  uint64_t workerpoolmaxprice = 0;
  eth::Address requester;
  uint64_t volume = 1;
  std::string tag = kZeroBytes32;
  uint64_t category = 0;
  uint64_t trust = 0;
  eth::Address beneficiary;
  eth::Address callback;
  std::string params;  // the SDK's JSON ("{\"iexec_args\":...}") or empty
  std::string salt = kZeroBytes32;
  eth::Bytes sign;
};

nlohmann::json AppOrderTypedData(const AppOrder& order,
                                 const OrderDomain& domain);
nlohmann::json RequestOrderTypedData(const RequestOrder& order,
                                     const OrderDomain& domain);
absl::StatusOr<eth::Hash32> AppOrderHash(const AppOrder& order,
                                         const OrderDomain& domain);
absl::StatusOr<eth::Hash32> RequestOrderHash(const RequestOrder& order,
                                             const OrderDomain& domain);

// Calldata of matchOrders with an empty dataset order. The workerpool
// order's `sign` is its "0x..." text as the market returns it.
absl::StatusOr<eth::Bytes> MatchOrdersCall(const AppOrder& app,
                                           const WorkerpoolOrder& workerpool,
                                           const RequestOrder& request);

// A deal's id: keccak256(abi.encodePacked(requestorderHash, index)) where
// index is the request order's consumed volume before the match (0 for a
// fresh request order). Task i of a deal: keccak256(abi.encodePacked(dealid,
// i)), i counted from the deal's botFirst.
eth::Hash32 DealId(const eth::Hash32& request_order_hash, uint64_t index);
eth::Hash32 TaskId(const eth::Hash32& deal_id, uint64_t index);

}  // namespace poolops::iexec
