// poolctl pool validate|render|plan|up (apply)|down|history|rollback: the
// orchestrator commands of CLI.md. The spec file is read here and sent as
// text with its absolute path (relative paths in it resolve against its
// folder); rendered bundles hold secrets, so --out folders are 0700 and
// .env/wallet files 0600.
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands.h"
#include "libs/common/files.h"
#include "libs/common/status_grpc.h"
#include "poolops/orchestrator/v1/orchestrator.grpc.pb.h"

namespace poolops::cli {
namespace {

namespace fs = std::filesystem;
namespace v1 = ::poolops::orchestrator::v1;
using json = nlohmann::json;

std::unique_ptr<grpc::ClientContext> Call(std::chrono::seconds timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  context->AddMetadata("x-poolops-client", absl::StrCat("poolctl pid=", ::getpid()));
  return context;
}

absl::StatusOr<std::unique_ptr<v1::Orchestrator::Stub>> Connect(const Context& ctx) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = ctx.Channel("orchestrator");
  if (!channel.ok()) return channel.status();
  return v1::Orchestrator::NewStub(*channel);
}

absl::StatusOr<v1::SpecSource> ReadSpec(const std::string& file) {
  if (file.empty()) return absl::InvalidArgumentError("-f SPEC is required");
  std::error_code ec;
  fs::path abs = fs::absolute(file, ec);
  if (ec) abs = file;
  absl::StatusOr<std::string> text = files::ReadFile(abs, 4 << 20);
  if (!text.ok()) return text.status();
  v1::SpecSource source;
  source.set_yaml(*text);
  source.set_path(abs.lexically_normal().string());
  return source;
}

json PoolJson(const v1::PoolResult& r) {
  return {{"pool", r.pool()},
          {"revision", r.revision()},
          {"workerpool", r.workerpool()},
          {"hosts", std::vector<std::string>(r.hosts().begin(), r.hosts().end())}};
}

std::string StateName(v1::StepEvent::State s) {
  switch (s) {
    case v1::StepEvent::STATE_STARTED: return "...";
    case v1::StepEvent::STATE_DONE: return "done";
    case v1::StepEvent::STATE_SKIPPED: return "skipped";
    case v1::StepEvent::STATE_FAILED: return "FAILED";
    case v1::StepEvent::STATE_ROLLING_BACK: return "rolling back";
    default: return "?";
  }
}

// Reads an Up/Rollback stream: steps as progress lines, then the result.
template <typename Reader>
int FinishStream(const Context& ctx, Reader* reader) {
  v1::UpEvent e;
  std::optional<v1::PoolResult> result;
  while (reader->Read(&e)) {
    if (e.has_step()) {
      const v1::StepEvent& s = e.step();
      ctx.Progress(absl::StrCat(s.action().step(), " ", s.action().target(), ": ",
                                StateName(s.state()),
                                s.message().empty() ? "" : " " + s.message()));
    } else if (e.has_result()) {
      result = e.result();
    }
  }
  grpc::Status s = reader->Finish();
  if (!s.ok()) return ctx.Fail(FromGrpc(s));
  if (!result.has_value()) {
    return ctx.Fail(absl::InternalError("the orchestrator sent no result"));
  }
  return ctx.Ok(PoolJson(*result),
                absl::StrCat("pool ", result->pool(), " revision ",
                             result->revision(), " applied (workerpool ",
                             result->workerpool(), ")"));
}

void AddValidate(CLI::App* pool, Context& ctx, int* exit_code) {
  auto file = std::make_shared<std::string>();
  CLI::App* cmd = pool->add_subcommand("validate", "Check a pool spec; changes nothing");
  cmd->add_option("-f,--file", *file, "Pool spec (YAML or JSON)")->required();
  cmd->callback([&ctx, exit_code, file] {
    absl::StatusOr<v1::SpecSource> source = ReadSpec(*file);
    if (!source.ok()) {
      *exit_code = ctx.Fail(source.status());
      return;
    }
    absl::StatusOr<std::unique_ptr<v1::Orchestrator::Stub>> stub = Connect(ctx);
    if (!stub.ok()) {
      *exit_code = ctx.Fail(stub.status());
      return;
    }
    v1::ValidateRequest req;
    *req.mutable_spec() = *source;
    v1::ValidateResponse resp;
    grpc::Status s = (*stub)->Validate(Call(std::chrono::seconds(30)).get(), req, &resp);
    if (!s.ok()) {
      *exit_code = ctx.Fail(FromGrpc(s));
      return;
    }
    if (!resp.ok()) {
      std::vector<std::string> lines;
      for (const v1::Violation& v : resp.violations()) {
        lines.push_back(absl::StrCat(v.location().empty() ? "" : v.location() + " ",
                                     v.field(), ": ", v.message()));
      }
      *exit_code = ctx.Fail(absl::InvalidArgumentError(
          absl::StrCat(resp.violations_size(), " problem",
                       resp.violations_size() == 1 ? "" : "s",
                       " in the pool spec:\n", absl::StrJoin(lines, "\n"))));
      return;
    }
    *exit_code = ctx.Ok({{"ok", true}}, absl::StrCat(source->path(), ": valid"));
  });
}

void AddRender(CLI::App* pool, Context& ctx, int* exit_code) {
  struct Opts {
    std::string file, out;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = pool->add_subcommand(
      "render", "Write the bundles of every host (.env, compose files, wallets)");
  cmd->add_option("-f,--file", o->file, "Pool spec (YAML or JSON)")->required();
  cmd->add_option("--out", o->out, "Folder to write (created 0700)")->required();
  cmd->callback([&ctx, exit_code, o] {
    absl::StatusOr<v1::SpecSource> source = ReadSpec(o->file);
    if (!source.ok()) {
      *exit_code = ctx.Fail(source.status());
      return;
    }
    absl::StatusOr<std::unique_ptr<v1::Orchestrator::Stub>> stub = Connect(ctx);
    if (!stub.ok()) {
      *exit_code = ctx.Fail(stub.status());
      return;
    }
    v1::RenderRequest req;
    *req.mutable_spec() = *source;
    v1::RenderResponse resp;
    // Creating missing wallets (scrypt) can take a few seconds each.
    grpc::Status s = (*stub)->Render(Call(std::chrono::seconds(300)).get(), req, &resp);
    if (!s.ok()) {
      *exit_code = ctx.Fail(FromGrpc(s));
      return;
    }
    for (const std::string& n : resp.notes()) ctx.Progress(n);
    std::error_code ec;
    fs::path out = fs::absolute(o->out, ec);
    if (ec) out = o->out;
    if (absl::Status st = files::EnsureDir(out, 0700); !st.ok()) {
      *exit_code = ctx.Fail(st);
      return;
    }
    json written = json::array();
    for (const v1::RenderedFile& f : resp.files()) {
      fs::path p = (out / f.path()).lexically_normal();
      if (p.string().rfind(out.lexically_normal().string(), 0) != 0) {
        *exit_code = ctx.Fail(absl::InternalError(
            absl::StrCat("refusing to write outside --out: ", f.path())));
        return;
      }
      if (absl::Status st = files::EnsureDir(p.parent_path(), 0700); !st.ok()) {
        *exit_code = ctx.Fail(st);
        return;
      }
      if (absl::Status st = files::WriteFileAtomic(p, f.content(), f.mode()); !st.ok()) {
        *exit_code = ctx.Fail(st);
        return;
      }
      written.push_back(p.string());
    }
    *exit_code = ctx.Ok({{"files", written}},
                        absl::StrCat("wrote ", written.size(), " files under ",
                                     out.string()));
  });
}

void AddPlan(CLI::App* pool, Context& ctx, int* exit_code) {
  auto file = std::make_shared<std::string>();
  CLI::App* cmd = pool->add_subcommand(
      "plan", "The changes `pool up` would make; changes nothing");
  cmd->add_option("-f,--file", *file, "Pool spec (YAML or JSON)")->required();
  cmd->callback([&ctx, exit_code, file] {
    absl::StatusOr<v1::SpecSource> source = ReadSpec(*file);
    if (!source.ok()) {
      *exit_code = ctx.Fail(source.status());
      return;
    }
    absl::StatusOr<std::unique_ptr<v1::Orchestrator::Stub>> stub = Connect(ctx);
    if (!stub.ok()) {
      *exit_code = ctx.Fail(stub.status());
      return;
    }
    v1::PlanRequest req;
    *req.mutable_spec() = *source;
    v1::PlanResponse resp;
    grpc::Status s = (*stub)->Plan(Call(std::chrono::seconds(120)).get(), req, &resp);
    if (!s.ok()) {
      *exit_code = ctx.Fail(FromGrpc(s));
      return;
    }
    json actions = json::array();
    std::string human;
    for (const v1::Action& a : resp.actions()) {
      actions.push_back(
          {{"step", a.step()}, {"target", a.target()}, {"detail", a.detail()}});
      absl::StrAppend(&human, a.step(), "  ", a.target(), "  ", a.detail(), "\n");
    }
    *exit_code = ctx.Ok({{"actions", actions}}, human);
  });
}

void AddUp(CLI::App* pool, Context& ctx, int* exit_code) {
  auto file = std::make_shared<std::string>();
  CLI::App* cmd = pool->add_subcommand(
      "up", "Apply a pool spec: wallets, registration, stake, core, workers");
  cmd->alias("apply");
  cmd->add_option("-f,--file", *file, "Pool spec (YAML or JSON)")->required();
  cmd->callback([&ctx, exit_code, file] {
    absl::StatusOr<v1::SpecSource> source = ReadSpec(*file);
    if (!source.ok()) {
      *exit_code = ctx.Fail(source.status());
      return;
    }
    absl::StatusOr<std::unique_ptr<v1::Orchestrator::Stub>> stub = Connect(ctx);
    if (!stub.ok()) {
      *exit_code = ctx.Fail(stub.status());
      return;
    }
    v1::UpRequest req;
    *req.mutable_spec() = *source;
    auto call = Call(std::chrono::seconds(3600));
    auto reader = (*stub)->Up(call.get(), req);
    *exit_code = FinishStream(ctx, reader.get());
  });
}

void AddDownHistoryRollback(CLI::App* pool, Context& ctx, int* exit_code) {
  struct Opts {
    std::string name;
    bool remove_data = false;
    uint32_t to = 0;
  };
  auto down = std::make_shared<Opts>();
  CLI::App* d = pool->add_subcommand("down", "Stop and remove a pool's containers");
  d->add_option("NAME", down->name, "Pool name")->required();
  d->add_flag("--remove-data", down->remove_data, "Also remove its volumes");
  d->callback([&ctx, exit_code, down] {
    absl::StatusOr<std::unique_ptr<v1::Orchestrator::Stub>> stub = Connect(ctx);
    if (!stub.ok()) {
      *exit_code = ctx.Fail(stub.status());
      return;
    }
    v1::DownRequest req;
    req.set_pool(down->name);
    req.set_remove_data(down->remove_data);
    v1::DownResponse resp;
    grpc::Status s = (*stub)->Down(Call(std::chrono::seconds(600)).get(), req, &resp);
    if (!s.ok()) {
      *exit_code = ctx.Fail(FromGrpc(s));
      return;
    }
    *exit_code = ctx.Ok(PoolJson(resp.pool()),
                        absl::StrCat("pool ", down->name, " is down"));
  });

  auto hist = std::make_shared<Opts>();
  CLI::App* h = pool->add_subcommand("history", "A pool's revisions");
  h->add_option("NAME", hist->name, "Pool name")->required();
  h->callback([&ctx, exit_code, hist] {
    absl::StatusOr<std::unique_ptr<v1::Orchestrator::Stub>> stub = Connect(ctx);
    if (!stub.ok()) {
      *exit_code = ctx.Fail(stub.status());
      return;
    }
    v1::HistoryRequest req;
    req.set_pool(hist->name);
    v1::HistoryResponse resp;
    grpc::Status s = (*stub)->History(Call(std::chrono::seconds(30)).get(), req, &resp);
    if (!s.ok()) {
      *exit_code = ctx.Fail(FromGrpc(s));
      return;
    }
    json revisions = json::array();
    std::string human;
    for (const v1::Revision& r : resp.revisions()) {
      revisions.push_back({{"revision", r.revision()},
                           {"appliedAt", r.applied_at()},
                           {"outcome", r.outcome()}});
      absl::StrAppend(&human, r.revision(), "  ", r.applied_at(), "  ", r.outcome(),
                      "\n");
    }
    *exit_code = ctx.Ok({{"revisions", revisions}}, human);
  });

  auto rb = std::make_shared<Opts>();
  CLI::App* r = pool->add_subcommand(
      "rollback", "Apply an earlier revision's spec again (a new revision)");
  r->add_option("NAME", rb->name, "Pool name")->required();
  r->add_option("--to", rb->to, "Revision to go back to")->required();
  r->callback([&ctx, exit_code, rb] {
    absl::StatusOr<std::unique_ptr<v1::Orchestrator::Stub>> stub = Connect(ctx);
    if (!stub.ok()) {
      *exit_code = ctx.Fail(stub.status());
      return;
    }
    v1::RollbackRequest req;
    req.set_pool(rb->name);
    req.set_to_revision(rb->to);
    auto call = Call(std::chrono::seconds(3600));
    auto reader = (*stub)->Rollback(call.get(), req);
    *exit_code = FinishStream(ctx, reader.get());
  });
}

}  // namespace

void AddPoolCommands(CLI::App& app, Context& ctx, int* exit_code) {
  CLI::App* pool = app.add_subcommand(
      "pool", "Pools: validate, render, plan and apply a pool spec (orchestrator)");
  pool->require_subcommand(1);
  AddValidate(pool, ctx, exit_code);
  AddRender(pool, ctx, exit_code);
  AddPlan(pool, ctx, exit_code);
  AddUp(pool, ctx, exit_code);
  AddDownHistoryRollback(pool, ctx, exit_code);
}

}  // namespace poolops::cli
