#include "devnet/traffic/task_actions.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/eth/abi.h"
#include "libs/eth/eip712.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"
#include "libs/iexec/deal_orders.h"

namespace poolops::devnet {
namespace {

using eth::abi::Value;

eth::Bytes Packed(std::initializer_list<eth::ByteView> parts) {
  eth::Bytes out;
  for (eth::ByteView p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Value B32(const eth::Hash32& h) { return Value::Blob(eth::Bytes(h.begin(), h.end())); }

std::string Short(const eth::Hash32& task_id) {
  return eth::ToHex(task_id).substr(0, 10);
}

}  // namespace

eth::Hash32 ResultDigest(const eth::Hash32& task_id) {
  const std::string_view domain = "poolops devnet result";
  eth::Bytes packed(domain.begin(), domain.end());
  packed.insert(packed.end(), task_id.begin(), task_id.end());
  return eth::Keccak(packed);
}

eth::Hash32 AuthorizationMessage(const eth::Address& worker,
                                 const eth::Hash32& task_id) {
  const eth::Address no_enclave;
  return eth::Keccak(
      Packed({worker.bytes(), task_id, no_enclave.bytes()}));
}

absl::StatusOr<eth::Hash32> SchedulerActor::Initialize(
    const eth::Hash32& deal_id, uint64_t index) {
  absl::StatusOr<eth::Bytes> call = eth::abi::EncodeCall(
      "initialize(bytes32,uint256)", {B32(deal_id), Value::Uint(eth::U256(index))});
  if (!call.ok()) return call.status();
  const eth::Hash32 task_id = iexec::TaskId(deal_id, index);
  absl::StatusOr<chain::Receipt> r = key_->Send(
      hub_->hub, std::move(*call), absl::StrCat("initialize task ", Short(task_id)));
  if (!r.ok()) return r.status();
  return task_id;
}

absl::StatusOr<eth::Bytes> SchedulerActor::Authorize(
    const eth::Address& worker, const eth::Hash32& task_id) const {
  const eth::Hash32 message = AuthorizationMessage(worker, task_id);
  return key_->SignDigest(eth::eip712::PersonalMessageDigest(message));
}

absl::Status SchedulerActor::Finalize(const eth::Hash32& task_id,
                                      std::string_view results) {
  absl::StatusOr<eth::Bytes> call = eth::abi::EncodeCall(
      "finalize(bytes32,bytes,bytes)",
      {B32(task_id), Value::Blob(eth::Bytes(results.begin(), results.end())),
       Value::Blob({})});
  if (!call.ok()) return call.status();
  return key_
      ->Send(hub_->hub, std::move(*call),
             absl::StrCat("finalize task ", Short(task_id)))
      .status();
}

absl::Status WorkerActor::Contribute(const eth::Hash32& task_id,
                                     const eth::Hash32& digest,
                                     eth::ByteView authorization) {
  const eth::Hash32 result_hash = eth::Keccak(Packed({task_id, digest}));
  const eth::Hash32 result_seal =
      eth::Keccak(Packed({key_->address().bytes(), task_id, digest}));
  absl::StatusOr<eth::Bytes> call = eth::abi::EncodeCall(
      "contribute(bytes32,bytes32,bytes32,address,bytes,bytes)",
      {B32(task_id), B32(result_hash), B32(result_seal), Value::Addr({}),
       Value::Blob({}),
       Value::Blob(eth::Bytes(authorization.begin(), authorization.end()))});
  if (!call.ok()) return call.status();
  return key_
      ->Send(hub_->hub, std::move(*call),
             absl::StrCat("contribute to task ", Short(task_id)))
      .status();
}

absl::Status WorkerActor::Reveal(const eth::Hash32& task_id,
                                 const eth::Hash32& digest) {
  absl::StatusOr<eth::Bytes> call = eth::abi::EncodeCall(
      "reveal(bytes32,bytes32)", {B32(task_id), B32(digest)});
  if (!call.ok()) return call.status();
  return key_
      ->Send(hub_->hub, std::move(*call),
             absl::StrCat("reveal task ", Short(task_id)))
      .status();
}

absl::Status ClaimTask(const HubContracts& hub, KeySender& anyone,
                       const eth::Hash32& task_id) {
  absl::StatusOr<eth::Bytes> call =
      eth::abi::EncodeCall("claim(bytes32)", {B32(task_id)});
  if (!call.ok()) return call.status();
  return anyone
      .Send(hub.hub, std::move(*call), absl::StrCat("claim task ", Short(task_id)))
      .status();
}

absl::StatusOr<TaskView> ViewTask(chain::EthApi& api, const HubContracts& hub,
                                  const eth::Hash32& task_id) {
  absl::StatusOr<eth::Bytes> call =
      eth::abi::EncodeCall("viewTask(bytes32)", {B32(task_id)});
  if (!call.ok()) return call.status();
  chain::CallRequest request;
  request.to = hub.hub;
  request.data = std::move(*call);
  absl::StatusOr<eth::Bytes> out = api.Call(request);
  if (!out.ok()) return out.status();
  // A dynamic struct: word 0 is its offset; its members status, dealid, idx,
  // timeref, contributionDeadline, revealDeadline, finalDeadline, ...
  auto word = [&](uint64_t at) -> absl::StatusOr<uint64_t> {
    if (at > out->size() || out->size() - at < 32)
      return absl::DataLossError("viewTask returned too little data");
    absl::StatusOr<eth::U256> w =
        eth::U256::FromBytesBE(eth::ByteView(out->data() + at, 32));
    if (!w.ok()) return w.status();
    if (!w->FitsUint64())
      return absl::DataLossError("viewTask returned an out-of-range word");
    return w->low64();
  };
  absl::StatusOr<uint64_t> offset = word(0);
  if (!offset.ok()) return offset.status();
  absl::StatusOr<uint64_t> status = word(*offset);
  absl::StatusOr<uint64_t> deadline =
      *offset > out->size() ? absl::StatusOr<uint64_t>(absl::DataLossError(
                                  "viewTask returned a bad offset"))
                            : word(*offset + 6 * 32);
  if (!status.ok()) return status.status();
  if (!deadline.ok()) return deadline.status();
  if (*status > 4)
    return absl::DataLossError("viewTask returned an unknown status");
  return TaskView{static_cast<int>(*status), *deadline};
}

}  // namespace poolops::devnet
