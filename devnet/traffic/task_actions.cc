#include "devnet/traffic/task_actions.h"

#include <algorithm>
#include <array>
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

Value B32(const eth::Hash32& h) {
  return Value::Blob(eth::Bytes(h.begin(), h.end()));
}

}  // namespace

std::string ShortId(const eth::Hash32& id) {
  return eth::ToHex(id).substr(0, 10);
}

eth::Hash32 ResultDigest(const eth::Hash32& task_id) {
  const std::string_view domain = "poolops devnet result";
  eth::Bytes packed(domain.begin(), domain.end());
  packed.insert(packed.end(), task_id.begin(), task_id.end());
  return eth::Keccak(packed);
}

eth::Hash32 AuthorizationMessage(const eth::Address& worker,
                                 const eth::Hash32& task_id) {
  const eth::Address no_enclave;
  return eth::Keccak(Packed({worker.bytes(), task_id, no_enclave.bytes()}));
}

absl::StatusOr<eth::Hash32> SchedulerActor::Initialize(
    const eth::Hash32& deal_id, uint64_t index) {
  absl::StatusOr<eth::Bytes> call =
      eth::abi::EncodeCall("initialize(bytes32,uint256)",
                           {B32(deal_id), Value::Uint(eth::U256(index))});
  if (!call.ok()) return call.status();
  const eth::Hash32 task_id = iexec::TaskId(deal_id, index);
  absl::StatusOr<chain::Receipt> r =
      key_->Send(hub_->hub, std::move(*call),
                 absl::StrCat("initialize task ", ShortId(task_id)));
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
             absl::StrCat("finalize task ", ShortId(task_id)))
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
             absl::StrCat("contribute to task ", ShortId(task_id)))
      .status();
}

absl::Status WorkerActor::Reveal(const eth::Hash32& task_id,
                                 const eth::Hash32& digest) {
  absl::StatusOr<eth::Bytes> call = eth::abi::EncodeCall(
      "reveal(bytes32,bytes32)", {B32(task_id), B32(digest)});
  if (!call.ok()) return call.status();
  return key_
      ->Send(hub_->hub, std::move(*call),
             absl::StrCat("reveal task ", ShortId(task_id)))
      .status();
}

absl::Status ClaimTask(const HubContracts& hub, KeySender& anyone,
                       const eth::Hash32& task_id) {
  absl::StatusOr<eth::Bytes> call =
      eth::abi::EncodeCall("claim(bytes32)", {B32(task_id)});
  if (!call.ok()) return call.status();
  return anyone
      .Send(hub.hub, std::move(*call),
            absl::StrCat("claim task ", ShortId(task_id)))
      .status();
}

namespace {

// The words of a struct returned by a view (viewTask, viewDeal): word 0 is
// its offset; members are read at that offset, in 32-byte words.
class StructReturn {
 public:
  StructReturn(eth::Bytes data, std::string_view view)
      : data_(std::move(data)), view_(view) {}

  absl::StatusOr<uint64_t> Word(uint64_t index) const {
    absl::StatusOr<eth::U256> w = U256At(index);
    if (!w.ok()) return w.status();
    if (!w->FitsUint64())
      return absl::DataLossError(
          absl::StrCat(view_, " returned an out-of-range word"));
    return w->low64();
  }
  absl::StatusOr<eth::U256> U256At(uint64_t index) const {
    absl::StatusOr<uint64_t> base = Raw(0);
    if (!base.ok()) return base.status();
    if (index > (1u << 16)) return absl::DataLossError("word index too large");
    return RawU256(*base + index * 32);
  }
  absl::StatusOr<eth::Hash32> HashAt(uint64_t index) const {
    absl::StatusOr<uint64_t> base = Raw(0);
    if (!base.ok()) return base.status();
    const uint64_t at = *base + index * 32;
    if (at > data_.size() || data_.size() - at < 32)
      return absl::DataLossError(
          absl::StrCat(view_, " returned too little data"));
    eth::Hash32 h{};
    std::copy_n(data_.begin() + static_cast<std::ptrdiff_t>(at), 32, h.begin());
    return h;
  }
  // A string member: its offset is relative to the struct.
  absl::StatusOr<std::string> StringAt(uint64_t index, size_t max) const {
    absl::StatusOr<uint64_t> base = Raw(0);
    if (!base.ok()) return base.status();
    absl::StatusOr<uint64_t> rel = Word(index);
    if (!rel.ok()) return rel.status();
    if (*rel > data_.size() || *base > data_.size() - *rel)
      return absl::DataLossError(absl::StrCat(view_, " returned a bad offset"));
    absl::StatusOr<uint64_t> length = Raw(*base + *rel);
    if (!length.ok()) return length.status();
    const uint64_t start = *base + *rel + 32;
    if (*length > max || *length > data_.size() - start)
      return absl::DataLossError(absl::StrCat(view_, " returned a bad string"));
    return std::string(
        data_.begin() + static_cast<std::ptrdiff_t>(start),
        data_.begin() + static_cast<std::ptrdiff_t>(start + *length));
  }

 private:
  absl::StatusOr<uint64_t> Raw(uint64_t at) const {
    absl::StatusOr<eth::U256> w = RawU256(at);
    if (!w.ok()) return w.status();
    if (!w->FitsUint64())
      return absl::DataLossError(
          absl::StrCat(view_, " returned an out-of-range word"));
    return w->low64();
  }
  absl::StatusOr<eth::U256> RawU256(uint64_t at) const {
    if (at > data_.size() || data_.size() - at < 32)
      return absl::DataLossError(
          absl::StrCat(view_, " returned too little data"));
    return eth::U256::FromBytesBE(eth::ByteView(data_.data() + at, 32));
  }

  eth::Bytes data_;
  std::string view_;
};

absl::StatusOr<StructReturn> CallView(chain::EthApi& api,
                                      const HubContracts& hub,
                                      std::string_view signature,
                                      const eth::Hash32& id) {
  absl::StatusOr<eth::Bytes> call = eth::abi::EncodeCall(signature, {B32(id)});
  if (!call.ok()) return call.status();
  chain::CallRequest request;
  request.to = hub.hub;
  request.data = std::move(*call);
  absl::StatusOr<eth::Bytes> out = api.Call(request);
  if (!out.ok()) return out.status();
  return StructReturn(std::move(*out),
                      signature.substr(0, signature.find('(')));
}

}  // namespace

absl::StatusOr<TaskView> ViewTask(chain::EthApi& api, const HubContracts& hub,
                                  const eth::Hash32& task_id) {
  absl::StatusOr<StructReturn> r =
      CallView(api, hub, "viewTask(bytes32)", task_id);
  if (!r.ok()) return r.status();
  // Members: status, dealid, idx, timeref, contributionDeadline,
  // revealDeadline, finalDeadline, consensusValue, revealCounter, ...
  absl::StatusOr<uint64_t> status = r->Word(0);
  if (!status.ok()) return status.status();
  if (*status > 4)
    return absl::DataLossError("viewTask returned an unknown status");
  absl::StatusOr<eth::Hash32> deal = r->HashAt(1);
  absl::StatusOr<uint64_t> deadline = r->Word(6);
  absl::StatusOr<uint64_t> reveals = r->Word(8);
  if (!deal.ok()) return deal.status();
  if (!deadline.ok()) return deadline.status();
  if (!reveals.ok()) return reveals.status();
  return TaskView{static_cast<int>(*status), *deadline, *reveals, *deal};
}

absl::StatusOr<DealView> ViewDeal(chain::EthApi& api, const HubContracts& hub,
                                  const eth::Hash32& deal_id) {
  absl::StatusOr<StructReturn> r =
      CallView(api, hub, "viewDeal(bytes32)", deal_id);
  if (!r.ok()) return r.status();
  // Members: app, dataset, workerpool (3 words each), trust, category, tag,
  // requester, beneficiary, callback, params, startTime, botFirst, botSize,
  // workerStake, schedulerRewardRatio (PoCo 6 adds sponsor after).
  DealView d;
  absl::StatusOr<eth::Hash32> pool = r->HashAt(6);
  if (!pool.ok()) return pool.status();
  std::array<uint8_t, 20> pool_bytes{};
  std::copy_n(pool->begin() + 12, 20, pool_bytes.begin());
  d.workerpool = eth::Address(pool_bytes);
  absl::StatusOr<std::string> params = r->StringAt(15, kMaxDealParams);
  absl::StatusOr<uint64_t> first = r->Word(17);
  absl::StatusOr<uint64_t> size = r->Word(18);
  absl::StatusOr<eth::U256> stake = r->U256At(19);
  if (!params.ok()) return params.status();
  if (!first.ok()) return first.status();
  if (!size.ok()) return size.status();
  if (!stake.ok()) return stake.status();
  if (*size == 0)
    return absl::NotFoundError(absl::StrCat("no deal ", eth::ToHex(deal_id)));
  d.params = std::move(*params);
  d.first_task = *first;
  d.tasks = *size;
  d.worker_stake = *stake;
  return d;
}

}  // namespace poolops::devnet
