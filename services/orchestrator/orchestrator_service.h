// The gRPC adapter of the orchestrator: maps the API onto Orchestrator (and
// the apply workflow) and absl::Status onto gRPC codes. Nothing else.
#pragma once

#include <memory>

#include "poolops/orchestrator/v1/orchestrator.grpc.pb.h"
#include "services/orchestrator/orchestrator.h"

namespace poolops::orchestrator {

class Applier;

class OrchestratorService final : public v1::Orchestrator::Service {
 public:
  // `applier` may be null: Up/Down/History/Rollback then answer UNAVAILABLE.
  OrchestratorService(const Orchestrator* orchestrator, Applier* applier)
      : orchestrator_(orchestrator), applier_(applier) {}

  grpc::Status Validate(grpc::ServerContext* ctx,
                        const v1::ValidateRequest* req,
                        v1::ValidateResponse* resp) override;
  grpc::Status Render(grpc::ServerContext* ctx, const v1::RenderRequest* req,
                      v1::RenderResponse* resp) override;
  grpc::Status Plan(grpc::ServerContext* ctx, const v1::PlanRequest* req,
                    v1::PlanResponse* resp) override;
  grpc::Status Up(grpc::ServerContext* ctx, const v1::UpRequest* req,
                  grpc::ServerWriter<v1::UpEvent>* writer) override;
  grpc::Status Down(grpc::ServerContext* ctx, const v1::DownRequest* req,
                    v1::DownResponse* resp) override;
  grpc::Status History(grpc::ServerContext* ctx, const v1::HistoryRequest* req,
                       v1::HistoryResponse* resp) override;
  grpc::Status Rollback(grpc::ServerContext* ctx,
                        const v1::RollbackRequest* req,
                        grpc::ServerWriter<v1::UpEvent>* writer) override;
  grpc::Status Backup(grpc::ServerContext* ctx, const v1::BackupRequest* req,
                      v1::BackupResponse* resp) override;
  grpc::Status Restore(grpc::ServerContext* ctx, const v1::RestoreRequest* req,
                       grpc::ServerWriter<v1::UpEvent>* writer) override;

 private:
  const Orchestrator* orchestrator_;
  Applier* applier_;
};

}  // namespace poolops::orchestrator
