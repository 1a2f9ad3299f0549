#include "devnet/simulators/worker_duties.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "devnet/traffic/escrow.h"
#include "devnet/traffic/task_actions.h"
#include "libs/common/bounded_json.h"
#include "libs/eth/hex.h"
#include "nlohmann/json.hpp"

namespace poolops::sim {
namespace {

// What a replicate summary may hold: a few short fields.
constexpr size_t kMaxReplicateBytes = 16 * 1024;

}  // namespace

bool ParamsAskToFail(const std::string& params) {
  absl::StatusOr<nlohmann::json> j = ParseBoundedJson(
      params, JsonLimits{devnet::kMaxDealParams, 4}, "deal params");
  if (!j.ok() || !j->is_object()) return false;
  auto args = j->find("iexec_args");
  return args != j->end() && args->is_string() &&
         *args == std::string(devnet::kFailingTaskArgs);
}

absl::Status WorkerDuties::RunOnce() {
  absl::Status revealed = RevealReady();
  absl::Status taken = TakeNewTask();
  return revealed.ok() ? taken : revealed;
}

absl::Status WorkerDuties::RevealReady() {
  absl::Status first = absl::OkStatus();
  std::vector<Contributed> still;
  for (const Contributed& c : contributed_) {
    absl::StatusOr<devnet::TaskView> view =
        devnet::ViewTask(session_->api(), session_->hub(), c.task_id);
    if (!view.ok()) {
      first.Update(view.status());
      still.push_back(c);
      continue;
    }
    if (view->status >= 3) continue;  // finalized or claimed
    if (view->status != 2) {          // no consensus yet
      still.push_back(c);
      continue;
    }
    if (!c.reveal) {
      log_(absl::StrCat("task ", devnet::ShortId(c.task_id),
                        ": the app failed, nothing to reveal"));
      continue;
    }
    devnet::WorkerActor actor(&session_->hub(), &session_->key());
    absl::Status done =
        actor.Reveal(c.task_id, devnet::ResultDigest(c.task_id));
    if (!done.ok()) {
      first.Update(done);
      still.push_back(c);
      continue;
    }
    log_(absl::StrCat("task ", devnet::ShortId(c.task_id), " revealed"));
  }
  contributed_ = std::move(still);
  return first;
}

absl::Status WorkerDuties::TakeNewTask() {
  const std::string me = session_->key().address().ToChecksum();
  absl::StatusOr<HttpResponse> r =
      core_get_(absl::StrCat("/replicates/available?walletAddress=", me));
  if (!r.ok()) return r.status();
  if (r->status == 204) return absl::OkStatus();
  if (r->status != 200)
    return absl::UnavailableError(
        absl::StrCat("the core answered HTTP ", r->status, " for a replicate"));
  absl::StatusOr<nlohmann::json> j =
      ParseBoundedJson(r->body, JsonLimits{kMaxReplicateBytes, 8}, "replicate");
  if (!j.ok()) return j.status();
  const nlohmann::json& auth = (*j)["workerpoolAuthorization"];
  const nlohmann::json& task = (*j)["taskDescription"];
  if (!auth.is_object() || !task.is_object() ||
      !auth.value("chainTaskId", nlohmann::json()).is_string() ||
      !auth.value("signature", nlohmann::json()).is_string() ||
      !task.value("chainDealId", nlohmann::json()).is_string() ||
      !task.value("params", nlohmann::json()).is_string())
    return absl::InvalidArgumentError("the core sent a malformed replicate");
  absl::StatusOr<eth::Bytes> task_id = eth::FromHexFixed(
      auth["chainTaskId"].get<std::string>(), 32, "chainTaskId");
  absl::StatusOr<eth::Bytes> deal_id = eth::FromHexFixed(
      task["chainDealId"].get<std::string>(), 32, "chainDealId");
  absl::StatusOr<eth::Bytes> signature =
      eth::FromHexFixed(auth["signature"].get<std::string>(), 65, "signature");
  if (!task_id.ok()) return task_id.status();
  if (!deal_id.ok()) return deal_id.status();
  if (!signature.ok()) return signature.status();
  eth::Hash32 tid{}, did{};
  std::copy(task_id->begin(), task_id->end(), tid.begin());
  std::copy(deal_id->begin(), deal_id->end(), did.begin());

  // The stake the deal asks of each contributor, from the hub itself.
  absl::StatusOr<devnet::DealView> deal =
      devnet::ViewDeal(session_->api(), session_->hub(), did);
  if (!deal.ok()) return deal.status();
  absl::Status staked = devnet::EnsureEscrow(
      session_->api(), session_->hub(), session_->key(), deal->worker_stake);
  if (!staked.ok()) return staked;
  devnet::WorkerActor actor(&session_->hub(), &session_->key());
  absl::Status contributed =
      actor.Contribute(tid, devnet::ResultDigest(tid), *signature);
  if (!contributed.ok()) return contributed;
  const bool fail = ParamsAskToFail(deal->params);
  log_(absl::StrCat("task ", devnet::ShortId(tid), " contributed",
                    fail ? " (its app will fail: no reveal)" : ""));
  contributed_.push_back({tid, !fail});
  return absl::OkStatus();
}

}  // namespace poolops::sim
