// poolctl pool validate|render|plan|up (apply)|down|history|rollback|backup|
// restore: the orchestrator commands of CLI.md. The spec file is read here and
// sent as text with its absolute path (relative paths in it resolve against its
// folder), with the secrets of its *_file fields read here too; rendered
// bundles hold secrets, so --out folders are 0700 and .env/wallet files
// 0600, written without following symlinks inside --out.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/bundle_writer.h"
#include "cli/command_group.h"
#include "cli/commands.h"
#include "cli/rpc_call.h"
#include "libs/common/files.h"
#include "poolops/orchestrator/v1/orchestrator.grpc.pb.h"
#include "services/orchestrator/secret_files.h"
#include "services/orchestrator/spec_text.h"

namespace poolops::cli {
namespace {

namespace fs = std::filesystem;
namespace ov1 = ::poolops::orchestrator::v1;
using json = nlohmann::json;

using Orchestrator = ov1::Orchestrator;
using OrchestratorStub = ov1::Orchestrator::Stub;

absl::StatusOr<ov1::SpecSource> ReadSpec(const std::string& file) {
  if (file.empty()) return absl::InvalidArgumentError("-f SPEC is required");
  std::error_code ec;
  fs::path abs = fs::absolute(file, ec);
  if (ec) abs = file;
  // Both go in proto3 strings, which must be UTF-8: a binary or Latin-1
  // file is refused here, naming it, rather than failing the call.
  const std::string path = abs.lexically_normal().string();
  if (orchestrator::InvalidUtf8At(path) != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        orchestrator::PrintableText(path),
        ": the spec's path is not UTF-8; rename the file or its folder"));
  }
  absl::StatusOr<std::string> text =
      files::ReadFile(abs, orchestrator::kMaxSpecBytes);
  if (!text.ok()) return text.status();
  if (absl::Status s = orchestrator::CheckSpecText(*text, path); !s.ok()) {
    return s;
  }
  ov1::SpecSource source;
  source.set_yaml(*text);
  source.set_path(path);
  // The spec's secret files are read here, on the caller's side, and sent
  // over the authenticated channel: the orchestrator opens no path a spec
  // names (it may run in a container or on another host).
  if (absl::Status s = orchestrator::AttachSecretFiles(&source); !s.ok())
    return s;
  return source;
}

json PoolJson(const ov1::PoolResult& r) {
  return {
      {"pool", r.pool()},
      {"revision", r.revision()},
      {"workerpool", r.workerpool()},
      {"hosts", std::vector<std::string>(r.hosts().begin(), r.hosts().end())}};
}

std::string StateName(ov1::StepEvent::State s) {
  switch (s) {
    case ov1::StepEvent::STATE_STARTED:
      return "...";
    case ov1::StepEvent::STATE_DONE:
      return "done";
    case ov1::StepEvent::STATE_SKIPPED:
      return "skipped";
    case ov1::StepEvent::STATE_FAILED:
      return "FAILED";
    case ov1::StepEvent::STATE_ROLLING_BACK:
      return "rolling back";
    default:
      return "?";
  }
}

// An Up/Rollback stream: steps as progress lines, then the pool.
template <typename Request>
int ApplyStream(const Context& ctx,
                StreamRpc<Orchestrator, Request, ov1::UpEvent> rpc,
                const Request& request) {
  absl::StatusOr<ov1::PoolResult> result = CallStream<Orchestrator>(
      ctx, rpc, request, std::chrono::seconds(3600),
      [&ctx](const ov1::UpEvent& e) -> std::optional<ov1::PoolResult> {
        if (e.has_step()) {
          const ov1::StepEvent& s = e.step();
          ctx.Progress(
              absl::StrCat(s.action().step(), " ", s.action().target(), ": ",
                           StateName(s.state()),
                           s.message().empty() ? "" : " " + s.message()));
        }
        if (e.has_result()) return e.result();
        return std::nullopt;
      },
      // Every step is idempotent and the revision in progress is on record.
      "run `poolctl pool up` again, the apply converges from where it was "
      "cut");
  return Reply(ctx, result, [&](const ov1::PoolResult& r) {
    return ctx.Ok(PoolJson(r),
                  absl::StrCat("pool ", r.pool(), " revision ", r.revision(),
                               " applied (workerpool ", r.workerpool(), ")"));
  });
}

// The commands that take -f SPEC: the spec read, then sent as `Request`.
template <typename Request>
absl::StatusOr<Request> SpecRequest(const std::string& file) {
  absl::StatusOr<ov1::SpecSource> source = ReadSpec(file);
  if (!source.ok()) return source.status();
  Request req;
  *req.mutable_spec() = *std::move(source);
  return req;
}

void AddValidate(CLI::App* pool, Context& ctx, int* exit_code) {
  auto file = std::make_shared<std::string>();
  CLI::App* cmd =
      pool->add_subcommand("validate", "Check a pool spec; changes nothing");
  cmd->add_option("-f,--file", *file, "Pool spec (YAML or JSON)")->required();
  cmd->callback([&ctx, exit_code, file] {
    absl::StatusOr<ov1::ValidateRequest> req =
        SpecRequest<ov1::ValidateRequest>(*file);
    absl::StatusOr<ov1::ValidateResponse> outcome =
        req.ok() ? CallOnce<Orchestrator>(
                       ctx, POOLOPS_RPC(ov1::Orchestrator, Validate), *req,
                       std::chrono::seconds(30))
                 : req.status();
    if (!outcome.ok()) {
      *exit_code = ctx.Fail(outcome.status());
      return;
    }
    const ov1::ValidateResponse& resp = *outcome;
    if (!resp.ok()) {
      std::vector<std::string> lines;
      for (const ov1::Violation& v : resp.violations()) {
        lines.push_back(
            absl::StrCat(v.location().empty() ? "" : v.location() + " ",
                         v.field(), ": ", v.message()));
      }
      *exit_code = ctx.Fail(absl::InvalidArgumentError(
          absl::StrCat(resp.violations_size(), " problem",
                       resp.violations_size() == 1 ? "" : "s",
                       " in the pool spec:\n", absl::StrJoin(lines, "\n"))));
      return;
    }
    *exit_code =
        ctx.Ok({{"ok", true}}, absl::StrCat(req->spec().path(), ": valid"));
  });
}

void AddRender(CLI::App* pool, Context& ctx, int* exit_code) {
  struct Opts {
    std::string file, out;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = pool->add_subcommand(
      "render",
      "Write the bundles of every host (.env, compose files, wallets)");
  cmd->add_option("-f,--file", o->file, "Pool spec (YAML or JSON)")->required();
  cmd->add_option("--out", o->out, "Folder to write (created 0700)")
      ->required();
  cmd->callback([&ctx, exit_code, o] {
    absl::StatusOr<ov1::RenderRequest> req =
        SpecRequest<ov1::RenderRequest>(o->file);
    // Creating missing wallets (scrypt) can take a few seconds each.
    if (req.ok()) {
      ctx.Progress(absl::StrCat("rendering ", req->spec().path(),
                                " (missing wallets are created)"));
    }
    absl::StatusOr<ov1::RenderResponse> outcome =
        req.ok() ? CallOnce<Orchestrator>(
                       ctx, POOLOPS_RPC(ov1::Orchestrator, Render), *req,
                       std::chrono::seconds(300))
                 : req.status();
    if (!outcome.ok()) {
      *exit_code = ctx.Fail(outcome.status());
      return;
    }
    const ov1::RenderResponse& resp = *outcome;
    for (const std::string& n : resp.notes()) ctx.Progress(n);
    std::error_code ec;
    fs::path out = fs::absolute(o->out, ec);
    if (ec) out = o->out;
    out = out.lexically_normal();
    // Paths come from the server: contained by descriptors, no symlink
    // inside --out followed (bundle_writer.h).
    absl::StatusOr<ContainedDir> dir = ContainedDir::Open(out);
    if (!dir.ok()) {
      *exit_code = ctx.Fail(dir.status());
      return;
    }
    json written = json::array();
    for (const ov1::RenderedFile& f : resp.files()) {
      // Bundle files are never executable nor shared beyond reading.
      mode_t mode = f.mode() & 0644;
      if (absl::Status st = dir->Write(f.path(), f.content(), mode); !st.ok()) {
        *exit_code = ctx.Fail(st);
        return;
      }
      written.push_back((out / f.path()).string());
    }
    *exit_code = ctx.Ok(
        {{"files", written}},
        absl::StrCat("wrote ", written.size(), " files under ", out.string()));
  });
}

void AddPlan(CLI::App* pool, Context& ctx, int* exit_code) {
  auto file = std::make_shared<std::string>();
  CLI::App* cmd = pool->add_subcommand(
      "plan", "The changes `pool up` would make; changes nothing");
  cmd->add_option("-f,--file", *file, "Pool spec (YAML or JSON)")->required();
  cmd->callback([&ctx, exit_code, file] {
    absl::StatusOr<ov1::PlanRequest> req = SpecRequest<ov1::PlanRequest>(*file);
    absl::StatusOr<ov1::PlanResponse> outcome =
        req.ok()
            ? CallOnce<Orchestrator>(ctx, POOLOPS_RPC(ov1::Orchestrator, Plan),
                                     *req, std::chrono::seconds(120))
            : req.status();
    *exit_code = Reply(ctx, outcome, [&](const ov1::PlanResponse& resp) {
      json actions = json::array();
      std::string human;
      for (const ov1::Action& a : resp.actions()) {
        actions.push_back({{"step", a.step()},
                           {"target", a.target()},
                           {"detail", a.detail()}});
        absl::StrAppend(&human, a.step(), "  ", a.target(), "  ", a.detail(),
                        "\n");
      }
      return ctx.Ok({{"actions", actions}}, human);
    });
  });
}

void AddUp(CLI::App* pool, Context& ctx, int* exit_code) {
  auto file = std::make_shared<std::string>();
  CLI::App* cmd = pool->add_subcommand(
      "up", "Apply a pool spec: wallets, registration, stake, core, workers");
  cmd->alias("apply");
  cmd->add_option("-f,--file", *file, "Pool spec (YAML or JSON)")->required();
  auto migrate = std::make_shared<bool>(false);
  cmd->add_flag("--migrate-overrides", *migrate,
                "Upgrading: rewrite the hosts' override.env files for the new "
                "stack (the old ones kept as override.env.pre-<version>)");
  cmd->callback([&ctx, exit_code, file, migrate] {
    absl::StatusOr<ov1::UpRequest> req = SpecRequest<ov1::UpRequest>(*file);
    if (req.ok()) req->set_migrate_overrides(*migrate);
    *exit_code =
        req.ok() ? ApplyStream(ctx, POOLOPS_RPC(ov1::Orchestrator, Up), *req)
                 : ctx.Fail(req.status());
  });
}

void AddDownHistoryRollback(CLI::App* pool, Context& ctx, int* exit_code) {
  struct Opts {
    std::string name;
    bool remove_data = false;
    uint32_t to = 0;
  };
  auto down = std::make_shared<Opts>();
  CLI::App* d =
      pool->add_subcommand("down", "Stop and remove a pool's containers");
  d->add_option("NAME", down->name, "Pool name")->required();
  d->add_flag("--remove-data", down->remove_data, "Also remove its volumes");
  d->callback([&ctx, exit_code, down] {
    ov1::DownRequest req;
    req.set_pool(down->name);
    req.set_remove_data(down->remove_data);
    // docker compose down on every host of the pool: can take minutes.
    ctx.Progress(absl::StrCat("stopping pool ", down->name, " on its hosts"));
    *exit_code =
        Reply(ctx,
              CallOnce<Orchestrator>(ctx, POOLOPS_RPC(ov1::Orchestrator, Down),
                                     req, std::chrono::seconds(600)),
              [&](const ov1::DownResponse& resp) {
                return ctx.Ok(PoolJson(resp.pool()),
                              absl::StrCat("pool ", down->name, " is down"));
              });
  });

  auto hist = std::make_shared<Opts>();
  CLI::App* h = pool->add_subcommand("history", "A pool's revisions");
  h->add_option("NAME", hist->name, "Pool name")->required();
  h->callback([&ctx, exit_code, hist] {
    ov1::HistoryRequest req;
    req.set_pool(hist->name);
    absl::StatusOr<ov1::HistoryResponse> outcome =
        CallOnce<Orchestrator>(ctx, POOLOPS_RPC(ov1::Orchestrator, History),
                               req, std::chrono::seconds(30));
    *exit_code = Reply(ctx, outcome, [&](const ov1::HistoryResponse& resp) {
      json revisions = json::array();
      std::string human;
      for (const ov1::Revision& r : resp.revisions()) {
        json rev = {{"revision", r.revision()},
                    {"appliedAt", r.applied_at()},
                    {"outcome", r.outcome()},
                    {"workers", r.spec().workers_size()}};
        if (!r.workerpool().empty()) rev["workerpool"] = r.workerpool();
        if (!r.message().empty()) rev["message"] = r.message();
        if (!r.backup().empty()) rev["backup"] = r.backup();
        revisions.push_back(std::move(rev));
        absl::StrAppend(&human, r.revision(), "  ", r.applied_at(), "  ",
                        r.outcome(), "  ", r.spec().workers_size(), " workers",
                        r.message().empty() ? "" : "  " + r.message(),
                        r.backup().empty() ? "" : "  backup " + r.backup(),
                        "\n");
      }
      return ctx.Ok({{"revisions", revisions}}, human);
    });
  });

  auto rb = std::make_shared<Opts>();
  CLI::App* r = pool->add_subcommand(
      "rollback", "Apply an earlier revision's spec again (a new revision)");
  r->add_option("NAME", rb->name, "Pool name")->required();
  r->add_option("--to", rb->to, "Revision to go back to")->required();
  r->callback([&ctx, exit_code, rb] {
    ov1::RollbackRequest req;
    req.set_pool(rb->name);
    req.set_to_revision(rb->to);
    *exit_code =
        ApplyStream(ctx, POOLOPS_RPC(ov1::Orchestrator, Rollback), req);
  });
}

// The orchestrator reads and writes backups on its own machine: a relative
// folder given here is made absolute from where poolctl runs.
std::string AbsoluteFolder(const std::string& path) {
  if (path.empty()) return path;
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

void AddBackupRestore(CLI::App* pool, Context& ctx, int* exit_code) {
  struct Opts {
    std::string name, dir;
  };
  auto backup = std::make_shared<Opts>();
  CLI::App* b = pool->add_subcommand(
      "backup",
      "Back up a pool that is up: the core's database, its wallets "
      "(encrypted), secrets, bundles and state, with checksums");
  b->add_option("NAME", backup->name, "Pool name")->required();
  b->add_option("--out", backup->dir,
                "Folder to create the backup in (default: the orchestrator's "
                "home backups/)");
  b->callback([&ctx, exit_code, backup] {
    ov1::BackupRequest req;
    req.set_pool(backup->name);
    req.set_out_dir(AbsoluteFolder(backup->dir));
    ctx.Progress(absl::StrCat("backing up pool ", backup->name,
                              " (the core's database dump first)"));
    *exit_code = Reply(
        ctx,
        CallOnce<Orchestrator>(ctx, POOLOPS_RPC(ov1::Orchestrator, Backup), req,
                               std::chrono::seconds(1800)),
        [&](const ov1::BackupResponse& resp) {
          json files = json::array();
          for (const std::string& f : resp.files()) files.push_back(f);
          return ctx.Ok(
              {{"backup", resp.path()}, {"files", files}},
              absl::StrCat("backup of ", backup->name, " in ", resp.path(),
                           " (", files.size(), " files)"));
        });
  });

  auto restore = std::make_shared<Opts>();
  CLI::App* r = pool->add_subcommand(
      "restore",
      "Bring a pool back from a backup: checksums checked first, then its "
      "wallets, state and the core's database, then `up`");
  r->add_option("NAME", restore->name, "Pool name")->required();
  r->add_option("--from", restore->dir, "The backup's folder")->required();
  r->callback([&ctx, exit_code, restore] {
    ov1::RestoreRequest req;
    req.set_pool(restore->name);
    req.set_from(AbsoluteFolder(restore->dir));
    *exit_code = ApplyStream(ctx, POOLOPS_RPC(ov1::Orchestrator, Restore), req);
  });
}

}  // namespace

void AddPoolCommands(CLI::App& app, Context& ctx, int* exit_code) {
  AddGroup(app, "pool",
           "Pools: validate, render, plan and apply a pool spec (orchestrator)",
           [&ctx, exit_code](CLI::App* pool) {
             pool->require_subcommand(1);
             AddValidate(pool, ctx, exit_code);
             AddRender(pool, ctx, exit_code);
             AddPlan(pool, ctx, exit_code);
             AddUp(pool, ctx, exit_code);
             AddDownHistoryRollback(pool, ctx, exit_code);
             AddBackupRestore(pool, ctx, exit_code);
             AddPoolStats(pool, ctx, exit_code);
           });
}

}  // namespace poolops::cli
