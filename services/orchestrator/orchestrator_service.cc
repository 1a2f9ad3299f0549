#include "services/orchestrator/orchestrator_service.h"

#include <filesystem>

#include "libs/common/status_grpc.h"
#include "services/orchestrator/applier.h"

namespace poolops::orchestrator {

grpc::Status OrchestratorService::Validate(grpc::ServerContext*,
                                           const v1::ValidateRequest* req,
                                           v1::ValidateResponse* resp) {
  absl::StatusOr<LoadedSpec> loaded = orchestrator_->Load(req->spec());
  if (!loaded.ok()) return ToGrpc(loaded.status());
  resp->set_ok(loaded->violations.empty());
  for (const v1::Violation& v : loaded->violations) *resp->add_violations() = v;
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::Render(grpc::ServerContext* ctx,
                                         const v1::RenderRequest* req,
                                         v1::RenderResponse* resp) {
  absl::StatusOr<LoadedSpec> loaded = orchestrator_->LoadValid(req->spec());
  if (!loaded.ok()) return ToGrpc(loaded.status());
  // Only the secrets this request carried go back: a caller gets no
  // stored password or keystore it could not read otherwise.
  absl::StatusOr<RenderResult> r =
      orchestrator_->Render(*loaded, Orchestrator::MissingWallets::kCreate,
                            Orchestrator::Secrets::kSuppliedOnly,
                            [ctx] { return ctx->IsCancelled(); });
  if (!r.ok()) return ToGrpc(r.status());
  for (const Bundle& b : r->bundles) {
    for (const BundleFile& f : b.files) {
      v1::RenderedFile* out = resp->add_files();
      out->set_host(b.target);
      out->set_path(b.name + "/" + f.path);
      out->set_mode(f.mode);
      out->set_content(f.content);
    }
  }
  for (const std::string& n : r->notes) resp->add_notes(n);
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::Plan(grpc::ServerContext*,
                                       const v1::PlanRequest* req,
                                       v1::PlanResponse* resp) {
  absl::StatusOr<LoadedSpec> loaded = orchestrator_->LoadValid(req->spec());
  if (!loaded.ok()) return ToGrpc(loaded.status());
  absl::StatusOr<std::vector<v1::Action>> actions =
      orchestrator_->Plan(*loaded);
  if (!actions.ok()) return ToGrpc(actions.status());
  for (const v1::Action& a : *actions) *resp->add_actions() = a;
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::Up(grpc::ServerContext* ctx,
                                     const v1::UpRequest* req,
                                     grpc::ServerWriter<v1::UpEvent>* writer) {
  if (applier_ == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "apply is not configured");
  }
  absl::StatusOr<LoadedSpec> loaded = orchestrator_->LoadValid(req->spec());
  if (!loaded.ok()) return ToGrpc(loaded.status());
  auto emit = [&](const v1::UpEvent& e) {
    if (!ctx->IsCancelled()) writer->Write(e);
  };
  UpOptions options;
  options.migrate_overrides = req->migrate_overrides();
  absl::StatusOr<v1::PoolResult> result = applier_->Up(
      *loaded, emit, [ctx] { return ctx->IsCancelled(); }, options);
  if (!result.ok()) return ToGrpc(result.status());
  v1::UpEvent last;
  *last.mutable_result() = *result;
  writer->Write(last);
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::Down(grpc::ServerContext*,
                                       const v1::DownRequest* req,
                                       v1::DownResponse* resp) {
  if (applier_ == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "apply is not configured");
  }
  absl::StatusOr<v1::PoolResult> r =
      applier_->Down(req->pool(), req->remove_data());
  if (!r.ok()) return ToGrpc(r.status());
  *resp->mutable_pool() = *r;
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::History(grpc::ServerContext*,
                                          const v1::HistoryRequest* req,
                                          v1::HistoryResponse* resp) {
  if (applier_ == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "apply is not configured");
  }
  absl::StatusOr<std::vector<v1::Revision>> h = applier_->History(req->pool());
  if (!h.ok()) return ToGrpc(h.status());
  for (const v1::Revision& r : *h) *resp->add_revisions() = r;
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::Rollback(
    grpc::ServerContext* ctx, const v1::RollbackRequest* req,
    grpc::ServerWriter<v1::UpEvent>* writer) {
  if (applier_ == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "apply is not configured");
  }
  auto emit = [&](const v1::UpEvent& e) {
    if (!ctx->IsCancelled()) writer->Write(e);
  };
  absl::StatusOr<v1::PoolResult> result =
      applier_->Rollback(req->pool(), req->to_revision(), emit,
                         [ctx] { return ctx->IsCancelled(); });
  if (!result.ok()) return ToGrpc(result.status());
  v1::UpEvent last;
  *last.mutable_result() = *result;
  writer->Write(last);
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::Backup(grpc::ServerContext*,
                                         const v1::BackupRequest* req,
                                         v1::BackupResponse* resp) {
  if (applier_ == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "apply is not configured");
  }
  if (!req->out_dir().empty() &&
      !std::filesystem::path(req->out_dir()).is_absolute()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "out_dir: an absolute path");
  }
  absl::StatusOr<BackupResult> r =
      applier_->Backup(req->pool(), req->out_dir());
  if (!r.ok()) return ToGrpc(r.status());
  resp->set_path(r->path);
  for (const std::string& f : r->files) resp->add_files(f);
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::Restore(
    grpc::ServerContext* ctx, const v1::RestoreRequest* req,
    grpc::ServerWriter<v1::UpEvent>* writer) {
  if (applier_ == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "apply is not configured");
  }
  if (!std::filesystem::path(req->from()).is_absolute()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "from: the backup's folder, an absolute path");
  }
  auto emit = [&](const v1::UpEvent& e) {
    if (!ctx->IsCancelled()) writer->Write(e);
  };
  absl::StatusOr<v1::PoolResult> result = applier_->Restore(
      req->pool(), req->from(), emit, [ctx] { return ctx->IsCancelled(); });
  if (!result.ok()) return ToGrpc(result.status());
  v1::UpEvent last;
  *last.mutable_result() = *result;
  writer->Write(last);
  return grpc::Status::OK;
}

}  // namespace poolops::orchestrator
