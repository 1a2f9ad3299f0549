#include "services/orchestrator/orchestrator.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "services/orchestrator/bundle_diff.h"
#include "services/orchestrator/env_values.h"
#include "services/orchestrator/owner_policy.h"
#include "services/orchestrator/secret_files.h"
#include "services/orchestrator/spec_defaults.h"
#include "services/orchestrator/spec_validator.h"
#include "services/orchestrator/stack_catalog.h"
#include "services/orchestrator/upgrade_plan.h"

namespace poolops::orchestrator {

namespace fs = std::filesystem;

std::string ViolationsText(const std::vector<v1::Violation>& violations) {
  std::vector<std::string> lines;
  for (const v1::Violation& v : violations) {
    lines.push_back(absl::StrCat(v.location().empty() ? "" : v.location() + " ",
                                 v.field(), ": ", v.message()));
  }
  return absl::StrJoin(lines, "\n");
}

Orchestrator::Orchestrator(Dependencies deps) : deps_(std::move(deps)) {
  absl::StatusOr<Renderer> r = Renderer::Create();
  if (r.ok()) {
    renderer_ = std::make_unique<Renderer>(std::move(*r));
  } else {
    renderer_status_ = r.status();
  }
}

namespace {

// Values that reach rendered files (env_values.h) and the secrets the
// request carries, for the fields the spec validator has not flagged yet.
void AddValueViolations(LoadedSpec& out) {
  std::set<std::string> flagged;
  for (const v1::Violation& v : out.violations) flagged.insert(v.field());
  std::vector<v1::Violation> found =
      ValidateRenderedValues(out.spec, out.locations);
  for (const SecretFileRef& ref : SecretFileRefs(out.spec)) {
    auto given = out.secrets.find(ref.path);
    if (given == out.secrets.end()) continue;
    absl::Status s = CheckValue(ValueKind::kSecret, given->second);
    if (s.ok()) continue;
    v1::Violation* v = &found.emplace_back();
    v->set_field(ref.field);
    v->set_message(absl::StrCat("the secret in ", ref.path, " ", s.message(),
                                "; choose another"));
    v->set_location(out.locations.Of(ref.field));
  }
  for (v1::Violation& v : found) {
    if (flagged.insert(v.field()).second)
      out.violations.push_back(std::move(v));
  }
}

// What a bundle holds instead of a secret the caller did not send.
std::string RedactedPassword(const std::string& pool, const std::string& what) {
  return absl::StrCat("(redacted) ", what,
                      ": kept in the orchestrator home, pools/", pool,
                      "/secrets.json; pool up writes it on the target");
}

std::string RedactedKeystore(const WalletKeystore& w) {
  nlohmann::json j = {
      {"redacted",
       absl::StrCat("keystore of wallet ", w.name,
                    ": it stays in wallet-vault (poolctl wallet export ",
                    w.name, " --out FILE); pool up writes it on the target")},
      {"address", w.address}};
  return j.dump(2) + "\n";
}

}  // namespace

absl::StatusOr<LoadedSpec> Orchestrator::Load(
    const v1::SpecSource& source) const {
  return LoadSpec(source, /*look_up_chain=*/true);
}

absl::StatusOr<LoadedSpec> Orchestrator::LoadSpec(const v1::SpecSource& source,
                                                  bool look_up_chain) const {
  LoadedSpec out;
  if (!source.path().empty()) out.dir = fs::path(source.path()).parent_path();
  out.secrets = SuppliedSecrets(source);
  if (source.has_spec()) {
    out.spec = source.spec();
    out.locations = SpecLocations(source.path());
  } else {
    absl::StatusOr<ParsedSpec> parsed = ParseSpec(source.yaml(), source.path());
    if (!parsed.ok()) return parsed.status();
    out.spec = std::move(parsed->spec);
    out.locations = std::move(parsed->locations);
    out.violations = std::move(parsed->violations);
  }
  std::vector<v1::Violation> semantic =
      ValidateSpec(out.spec, out.locations, out.dir);
  out.violations.insert(out.violations.end(), semantic.begin(), semantic.end());
  AddValueViolations(out);
  if (look_up_chain && !out.spec.chain().empty()) {
    absl::StatusOr<ChainInfo> chain =
        LookUpChain(WithDefaults(out.spec), deps_.chains);
    absl::Status bad = chain.ok() ? CheckChainInfo(*chain) : chain.status();
    if (absl::IsUnavailable(bad) || absl::IsDeadlineExceeded(bad)) {
      out.chain_lookup = bad;
    }
    if (bad.ok()) {
      out.chain = *std::move(chain);
      // Funding hands out the devnet's own test funds: nowhere else.
      if (out.spec.has_funding() && out.chain->origin != "devnet") {
        v1::Violation* v = &out.violations.emplace_back();
        v->set_field("funding");
        v->set_message(absl::StrCat(
            "devnet only: chain '", out.spec.chain(), "' is a ",
            out.chain->origin,
            " chain, and poolops hands out test funds on the devnet alone; "
            "fund the pool's wallets by hand (ETH for gas, RLC for the "
            "stake) and remove `funding`"));
        v->set_location(out.locations.Of("funding"));
      }
    } else {
      v1::Violation* v = &out.violations.emplace_back();
      v->set_field("chain");
      v->set_message(std::string(bad.message()));
      v->set_location(out.locations.Of("chain"));
    }
  }
  return out;
}

absl::StatusOr<LoadedSpec> Orchestrator::LoadValid(
    const v1::SpecSource& source) const {
  return Valid(Load(source));
}

absl::StatusOr<LoadedSpec> Orchestrator::LoadStored(
    const v1::SpecSource& source) const {
  return Valid(LoadSpec(source, /*look_up_chain=*/false));
}

absl::StatusOr<LoadedSpec> Orchestrator::Valid(
    absl::StatusOr<LoadedSpec> loaded) const {
  if (!loaded.ok()) return loaded.status();
  if (!loaded->chain_lookup.ok()) return loaded->chain_lookup;
  if (!loaded->violations.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        loaded->violations.size(), " problem",
        loaded->violations.size() == 1 ? "" : "s", " in the pool spec:\n",
        ViolationsText(loaded->violations)));
  }
  return loaded;
}

absl::StatusOr<RenderResult> Orchestrator::Render(
    const LoadedSpec& loaded, MissingWallets missing, Secrets which,
    const CancelCheck& cancelled) const {
  if (!renderer_) return renderer_status_;
  if (deps_.secrets == nullptr || deps_.wallets == nullptr) {
    return absl::FailedPreconditionError(
        "no wallet or secret store configured");
  }
  const v1::PoolSpec spec = WithDefaults(loaded.spec);
  RenderResult out;
  absl::StatusOr<ChainInfo> chain =
      loaded.chain ? *loaded.chain : LookUpChain(spec, deps_.chains);
  if (!chain.ok()) return chain.status();
  out.chain = *std::move(chain);
  if (TraitsOf(spec.stack_version()).config_server &&
      spec.chain_params().start_block().empty() && deps_.state != nullptr) {
    absl::StatusOr<std::string> start = deps_.state->StartBlock(spec.name());
    if (!start.ok()) return start.status();
    if (!start->empty()) {
      out.chain.start_block = *start;
    } else {
      out.notes.push_back(
          "IEXEC_START_BLOCK_NUMBER: the chain head at the first `pool up` "
          "(the core polls deals 1000 blocks per 10 s)");
    }
  }
  absl::StatusOr<PoolSecrets> secrets =
      ResolveSecrets(spec, loaded.secrets, deps_.secrets, deps_.random);
  if (!secrets.ok()) return secrets.status();

  std::vector<std::pair<std::string, std::string>> wallets = {
      {spec.workerpool().owner_wallet(), "workerpool.owner_wallet"}};
  for (int i = 0; i < spec.workers_size(); ++i) {
    wallets.emplace_back(spec.workers(i).wallet(),
                         absl::StrCat("workers[", i, "].wallet"));
  }
  int made = 0;
  for (const auto& [name, field] : wallets) {
    absl::StatusOr<std::optional<WalletKeystore>> found =
        deps_.wallets->Find(name);
    if (!found.ok()) return found.status();
    if (found->has_value()) {
      out.wallets[name] = **found;
      continue;
    }
    if (missing == MissingWallets::kFail) {
      return absl::FailedPreconditionError(
          absl::StrCat(field, ": wallet '", name, "' is not in the vault yet"));
    }
    if (missing == MissingWallets::kPlaceholder) {
      out.wallets[name] = WalletKeystore{name, "", "(created by pool up)"};
      secrets->wallet_passwords.emplace(name, "(generated by pool up)");
      continue;
    }
    if (cancelled && cancelled()) {
      return absl::CancelledError(absl::StrCat(
          "cancelled by the caller after creating ", made,
          " wallet(s); the rest are created by the next render or `pool up`"));
    }
    // New wallet: its password is ours to make, unless the spec names one.
    std::string password;
    if (auto p = secrets->wallet_passwords.find(name);
        p != secrets->wallet_passwords.end()) {
      password = p->second;
    } else {
      absl::StatusOr<std::string> made = GeneratePassword(deps_.random);
      if (!made.ok()) return made.status();
      password = *made;
      if (absl::Status s = deps_.secrets->Put(
              spec.name(), WalletPasswordKey(name), password);
          !s.ok())
        return s;
      secrets->wallet_passwords[name] = password;
    }
    absl::StatusOr<WalletKeystore> created =
        deps_.wallets->Create(name, password);
    if (!created.ok()) return created.status();
    ++made;
    out.wallets[name] = *created;
    out.notes.push_back(absl::StrCat("created wallet ", name, " ",
                                     created->address,
                                     " in the vault (generated password)"));
  }

  out.workerpool = spec.workerpool().address();
  if (out.workerpool.empty() && deps_.state != nullptr) {
    absl::StatusOr<std::string> known = deps_.state->Workerpool(spec.name());
    if (!known.ok()) return known.status();
    out.workerpool = *known;
  }
  if (out.workerpool.empty()) {
    out.notes.push_back(
        "workerpool not registered yet: PROD_POOL_ADDRESS stays empty until "
        "`pool up` registers it");
  }
  RenderInput in;
  in.spec = loaded.spec;
  in.chain = out.chain;
  in.secrets = std::move(*secrets);
  in.wallets = out.wallets;
  if (which == Secrets::kSuppliedOnly) {
    for (auto& [var, value] : in.secrets.values) {
      if (!in.secrets.supplied.count(var))
        value = RedactedPassword(spec.name(), var);
    }
    for (auto& [name, value] : in.secrets.wallet_passwords) {
      if (!in.secrets.supplied.count(WalletPasswordKey(name)))
        value = RedactedPassword(spec.name(), "wallet keystore password");
    }
    for (auto& [name, w] : in.wallets) w.keystore_json = RedactedKeystore(w);
    out.notes.push_back(
        "secrets this request did not carry are redacted: passwords say "
        "where they are kept, wallet files how to export the keystore; "
        "`pool up` writes the real ones on the targets");
  }
  in.workerpool_address = out.workerpool;
  absl::StatusOr<std::vector<Bundle>> bundles = renderer_->Render(in);
  if (!bundles.ok()) return bundles.status();
  out.bundles = std::move(*bundles);
  return out;
}

absl::StatusOr<std::string> Orchestrator::UnlockOwner(
    const LoadedSpec& loaded) const {
  if (deps_.secrets == nullptr || deps_.wallets == nullptr)
    return absl::FailedPreconditionError(
        "no wallet or secret store configured");
  const v1::PoolSpec spec = WithDefaults(loaded.spec);
  const std::string& owner = spec.workerpool().owner_wallet();
  if (owner.empty()) return std::string("no owner wallet in the spec");
  absl::StatusOr<PoolSecrets> secrets =
      ResolveSecrets(spec, loaded.secrets, deps_.secrets, deps_.random);
  if (!secrets.ok()) return secrets.status();
  auto pw = secrets->wallet_passwords.find(owner);
  if (pw == secrets->wallet_passwords.end())
    return absl::StrCat("owner wallet ", owner,
                        ": password not known to poolops, left as it is");
  constexpr uint64_t kDay = 86400;  // the vault's longest unlock
  if (absl::Status s = deps_.wallets->Unlock(owner, pw->second, kDay); !s.ok())
    return s;
  return absl::StrCat("owner wallet ", owner, " unlocked for 24h");
}

absl::StatusOr<std::string> Orchestrator::RestrictOwnerPolicy(
    const LoadedSpec& loaded, const ChainInfo& chain,
    const std::string& workerpool) const {
  if (deps_.wallets == nullptr)
    return absl::FailedPreconditionError("no wallet store configured");
  const v1::PoolSpec spec = WithDefaults(loaded.spec);
  const std::string& owner = spec.workerpool().owner_wallet();
  if (owner.empty() || workerpool.empty())
    return std::string("skipped: no owner wallet or workerpool");
  absl::StatusOr<poolops::wallet::v1::Policy> current =
      deps_.wallets->GetPolicy(owner);
  if (!current.ok()) return current.status();
  poolops::wallet::v1::Policy merged =
      MergePolicy(*current, PublishingOwnerPolicy(chain, workerpool));
  if (merged.SerializeAsString() == current->SerializeAsString())
    return absl::StrCat("owner wallet ", owner, ": policy already in place");
  if (absl::Status s = deps_.wallets->SetPolicy(owner, merged); !s.ok())
    return s;
  return absl::StrCat("owner wallet ", owner, " may sign: transactions ",
                      chain.sidechain ? "to the hub" : "(any recipient)",
                      ", orders of ", workerpool,
                      " and the market challenge, on chain ", chain.chain_id);
}

absl::StatusOr<LoadedSpec> Orchestrator::LoadRevision(
    const RevisionRecord& revision) const {
  nlohmann::json env =
      nlohmann::json::parse(revision.spec_json, nullptr, false);
  if (!env.is_object() || !env.contains("spec")) {
    return absl::DataLossError(absl::StrCat("revision ", revision.revision,
                                            " of ", revision.pool,
                                            ": unreadable spec"));
  }
  v1::SpecSource source;
  google::protobuf::util::JsonParseOptions opts;
  auto s = google::protobuf::util::JsonStringToMessage(
      env["spec"].dump(), source.mutable_spec(), opts);
  if (!s.ok()) {
    return absl::DataLossError(
        absl::StrCat("revision ", revision.revision, ": ", s.ToString()));
  }
  std::string dir = env.value("dir", "");
  source.set_path(dir.empty() ? "" : dir + "/pool.yaml");
  return LoadStored(source);
}

absl::StatusOr<std::vector<v1::Action>> Orchestrator::Plan(
    const LoadedSpec& loaded) const {
  const v1::PoolSpec spec = WithDefaults(loaded.spec);
  std::vector<v1::Action> actions;
  auto add = [&](const std::string& step, const std::string& target,
                 const std::string& detail) {
    v1::Action* a = &actions.emplace_back();
    a->set_step(step);
    a->set_target(target);
    a->set_detail(detail);
  };
  // Wallets the vault lacks.
  std::vector<std::string> wallet_names = {spec.workerpool().owner_wallet()};
  for (const auto& w : spec.workers()) wallet_names.push_back(w.wallet());
  for (const std::string& name : wallet_names) {
    if (deps_.wallets == nullptr) break;
    absl::StatusOr<std::optional<WalletKeystore>> found =
        deps_.wallets->Find(name);
    if (!found.ok()) return found.status();
    if (!found->has_value()) {
      add("create-wallet", "wallet-vault",
          absl::StrCat("wallet ", name, " (generated password)"));
    }
  }
  // Chain.
  std::string workerpool = spec.workerpool().address();
  std::optional<RevisionRecord> last;
  if (deps_.state != nullptr) {
    absl::StatusOr<std::string> known = deps_.state->Workerpool(spec.name());
    if (!known.ok()) return known.status();
    if (workerpool.empty()) workerpool = *known;
    absl::StatusOr<std::optional<RevisionRecord>> l =
        deps_.state->LastApplied(spec.name());
    if (!l.ok()) return l.status();
    last = *l;
  }
  if (spec.has_funding()) {
    add("fund-wallets", spec.chain(),
        absl::StrCat("each of the ", wallet_names.size(),
                     " wallets holds at least ",
                     spec.funding().eth().empty() ? "0" : spec.funding().eth(),
                     " ETH and ",
                     spec.funding().rlc().empty() ? "0" : spec.funding().rlc(),
                     " RLC (topped up from the devnet's accounts)"));
  }
  if (workerpool.empty()) {
    add("register-workerpool", spec.chain(),
        absl::StrCat("owner ", spec.workerpool().owner_wallet(),
                     ", description '", spec.workerpool().description(), "'"));
  }
  if (!spec.stake().minimum().empty() && spec.stake().minimum() != "0") {
    add("ensure-stake", spec.chain(),
        absl::StrCat(spec.workerpool().owner_wallet(), " keeps at least ",
                     spec.stake().minimum(), " nRLC staked"));
  }
  // Bundles: what changes against the last applied revision (wallets that
  // do not exist yet as placeholders: only their bundles differ).
  std::vector<BundleRecord> after;
  std::vector<Bundle> rendered;
  if (deps_.wallets != nullptr) {
    absl::StatusOr<RenderResult> r =
        Render(loaded, MissingWallets::kPlaceholder);
    if (!r.ok()) return r.status();
    rendered = std::move(r->bundles);
    for (const Bundle& b : rendered) after.push_back(RecordOf(b));
  }
  auto previous = [&](const std::string& name) -> const BundleRecord* {
    if (!last.has_value()) return nullptr;
    for (const BundleRecord& b : last->bundles) {
      if (b.name == name) return &b;
    }
    return nullptr;
  };
  // A change of stack version: what it changes, before the bundles' lines.
  if (last.has_value() && !rendered.empty()) {
    absl::StatusOr<LoadedSpec> before = LoadRevision(*last);
    if (!before.ok()) return before.status();
    v1::PoolSpec old_spec = WithDefaults(before->spec);
    if (old_spec.stack_version() != spec.stack_version()) {
      absl::StatusOr<RenderResult> old_render =
          Render(*before, MissingWallets::kPlaceholder);
      if (!old_render.ok()) return old_render.status();
      std::vector<std::string> rolled;
      for (size_t i = 1; i < after.size(); ++i) {
        const BundleRecord* p = previous(after[i].name);
        if (p != nullptr && !Diff(p, after[i]).empty())
          rolled.push_back(after[i].name);
      }
      for (v1::Action& a : StackMigrationActions(old_spec, old_render->bundles,
                                                 spec, rendered, rolled)) {
        actions.push_back(std::move(a));
      }
    }
  }
  auto describe = [&](const std::string& name, const std::string& target) {
    if (after.empty()) {
      add("write-bundle", target, absl::StrCat(name, ": every file (new)"));
      add("compose-up", target, absl::StrCat(name, ": create every service"));
      return;
    }
    for (const BundleRecord& b : after) {
      if (b.name != name) continue;
      BundleChanges c = Diff(previous(name), b);
      if (c.empty()) return;
      std::vector<std::string> parts;
      if (!c.created_files.empty())
        parts.push_back("create " + absl::StrJoin(c.created_files, ", "));
      if (!c.changed_files.empty())
        parts.push_back("update " + absl::StrJoin(c.changed_files, ", "));
      if (!c.removed_files.empty())
        parts.push_back("remove " + absl::StrJoin(c.removed_files, ", "));
      add("write-bundle", target,
          absl::StrCat(name, ": ", absl::StrJoin(parts, "; ")));
      std::vector<std::string> svc;
      if (!c.create.empty())
        svc.push_back("create " + absl::StrJoin(c.create, ", "));
      if (!c.recreate.empty())
        svc.push_back("recreate " + absl::StrJoin(c.recreate, ", "));
      if (!c.remove.empty())
        svc.push_back("remove " + absl::StrJoin(c.remove, ", "));
      if (!svc.empty()) {
        add("compose-up", target,
            absl::StrCat(name, ": ", absl::StrJoin(svc, "; ")));
      }
    }
  };
  describe("core", spec.core().target());
  add("wait-core-healthy", spec.core().host(),
      absl::StrCat("http://", spec.core().host(), ":", spec.core().core_port(),
                   "/metrics answers"));
  for (const auto& w : spec.workers()) describe(w.name(), w.target());
  if (last.has_value()) {
    for (const BundleRecord& b : last->bundles) {
      bool kept = b.name == "core";
      for (const auto& w : spec.workers()) kept |= w.name() == b.name;
      if (!kept) {
        add("remove-bundle", b.target,
            absl::StrCat(b.name, ": compose down, folder kept as a backup"));
      }
    }
  }
  add("wait-workers-alive", spec.core().host(),
      absl::StrCat("aliveWorkers >= ", spec.workers_size()));
  switch (spec.orders().publisher()) {
    case v1::PUBLISHER_POOLOPS:
      add("set-publisher", spec.chain(),
          absl::StrCat("chain-gateway publishes up to ",
                       spec.orders().max_open_orders(), " open orders"));
      break;
    case v1::PUBLISHER_IEXEC:
      add("set-publisher", spec.core().target(),
          "order-publisher-std container of the core bundle");
      break;
    default:
      add("set-publisher", spec.chain(), "none: orders are published by hand");
  }
  add("record-revision", "state.db", "the next revision, outcome applied");
  return actions;
}

}  // namespace poolops::orchestrator
