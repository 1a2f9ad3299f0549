// poolctl wallet ...: the wallet-vault commands of CLI.md (create, import,
// list, unlock, lock, export, show, sign-tx, sign-typed-data, sign-message)
// plus `wallet policy set|show`. Secrets come from files, stdin or a prompt
// (cli/secrets.h), never from argv.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "cli/command_group.h"
#include "cli/commands.h"
#include "cli/gateway_client.h"
#include "cli/rpc_call.h"
#include "cli/secret_input.h"
#include "libs/common/files.h"
#include "libs/eth/address.h"
#include "libs/eth/transaction.h"
#include "libs/eth/units.h"
#include "poolops/wallet/v1/wallet.grpc.pb.h"

namespace poolops::cli {
namespace {

namespace fs = std::filesystem;
namespace wv1 = ::poolops::wallet::v1;
using json = nlohmann::json;

constexpr size_t kMaxInputFileBytes = 2 << 20;

using VaultStub = wv1::WalletVault::Stub;

// Key derivation for N=2^18 keystores takes a couple of seconds: be generous.
constexpr std::chrono::seconds kVaultTimeout{120};

// Connects to the vault (starting the local suite when needed) and makes one
// unary call.
template <typename Request, typename Response>
absl::StatusOr<Response> CallVault(
    const Context& ctx, UnaryRpc<wv1::WalletVault, Request, Response> rpc,
    const Request& request) {
  return CallOnce<wv1::WalletVault>(ctx, rpc, request, kVaultTimeout);
}

json NullableTime(const std::string& rfc3339) {
  return rfc3339.empty() ? json() : json(rfc3339);
}

json StatusJson(const wv1::Wallet& w) {
  return {
      {"name", w.name()},
      {"address", w.address()},
      {"locked", w.locked()},
      {"unlockedUntil", NullableTime(w.unlocked_until())},
      // "operator" | "expired" | "not-unlocked"; null when unlocked.
      {"lockReason", w.lock_reason().empty() ? json() : json(w.lock_reason())},
      {"lockedAt", NullableTime(w.locked_at())}};
}

// "locked (...why...)" or "unlocked until T".
std::string LockState(const wv1::Wallet& w) {
  if (!w.locked()) return "unlocked until " + w.unlocked_until();
  if (w.lock_reason() == "operator") {
    return absl::StrCat("locked by the operator at ", w.locked_at(),
                        " (nothing unlocks it again until `poolctl wallet "
                        "unlock ",
                        w.name(), "`)");
  }
  if (w.lock_reason() == "expired") return "locked (its unlock expired)";
  if (w.lock_reason() == "not-unlocked") {
    return "locked (not unlocked since the vault started)";
  }
  return "locked";
}

std::string StatusHuman(const wv1::Wallet& w) {
  return absl::StrCat("wallet ", w.name(), " (", w.address(), ") is ",
                      LockState(w));
}

// The rules in the vault's JSON form (what --typed-data-rule takes).
json TypedDataRulesJson(const wv1::Policy& policy) {
  json rules = json::array();
  for (const wv1::TypedDataRule& r : policy.typed_data_rules()) {
    json domain = json::object();
    if (!r.domain_name().empty()) domain["name"] = r.domain_name();
    if (!r.domain_version().empty()) domain["version"] = r.domain_version();
    if (!r.domain_chain_id().empty()) domain["chainId"] = r.domain_chain_id();
    if (!r.domain_verifying_contract().empty()) {
      domain["verifyingContract"] = r.domain_verifying_contract();
    }
    json message = json::object();
    for (const auto& [k, v] : r.message()) message[k] = v;
    json rule = {{"primaryType", r.primary_type()},
                 {"domain", domain},
                 {"message", message}};
    if (!r.encode_type().empty()) rule["encodeType"] = r.encode_type();
    rules.push_back(std::move(rule));
  }
  return rules;
}

json PolicyJson(const wv1::WalletPolicy& p) {
  const wv1::Policy& policy = p.policy();
  auto list = [](const auto& field) {
    return json(std::vector<std::string>(field.begin(), field.end()));
  };
  return {{"name", p.name()},
          {"address", p.address()},
          {"policy",
           {{"allowedChainIds", list(policy.allowed_chain_ids())},
            {"allowedTo", list(policy.allowed_to())},
            {"maxValueWei", policy.max_value_wei().empty()
                                ? json()
                                : json(policy.max_value_wei())},
            {"allowedDomainNames", list(policy.allowed_domain_names())},
            {"allowedVerifyingContracts",
             list(policy.allowed_verifying_contracts())},
            {"typedDataRules", TypedDataRulesJson(policy)},
            {"allowMessages", policy.allow_messages()}}}};
}

std::string TypedDataRulesHuman(const wv1::Policy& policy) {
  if (policy.typed_data_rules().empty()) return "  typed data rules: any\n";
  std::string out = "  typed data rules (one must match):\n";
  int i = 0;
  for (const json& rule : TypedDataRulesJson(policy)) {
    absl::StrAppend(&out, "    ", ++i, ". ", rule.dump(), "\n");
  }
  return out;
}

std::string PolicyHuman(const wv1::WalletPolicy& p) {
  const wv1::Policy& policy = p.policy();
  auto line = [](std::string_view rule, const auto& field) {
    std::vector<std::string> items(field.begin(), field.end());
    return absl::StrCat(
        "  ", std::string(rule), ": ",
        items.empty() ? std::string("any") : absl::StrJoin(items, ", "), "\n");
  };
  return absl::StrCat(
      "policy of wallet ", p.name(), " (", p.address(), ")\n",
      line("allowed chain ids", policy.allowed_chain_ids()),
      line("allowed to", policy.allowed_to()), "  max value: ",
      policy.max_value_wei().empty()
          ? std::string("no cap")
          : absl::StrCat(policy.max_value_wei(), " wei"),
      "\n", line("allowed EIP-712 domain names", policy.allowed_domain_names()),
      line("allowed verifying contracts", policy.allowed_verifying_contracts()),
      TypedDataRulesHuman(policy), "  EIP-191 messages: ",
      policy.allow_messages() ||
              (policy.allowed_chain_ids().empty() &&
               policy.allowed_to().empty() && policy.max_value_wei().empty() &&
               policy.allowed_domain_names().empty() &&
               policy.allowed_verifying_contracts().empty() &&
               policy.typed_data_rules().empty())
          ? "allowed"
          : "refused (the policy has rules; --allow-messages allows them)",
      "\n");
}

absl::StatusOr<std::string> ReadInput(const std::string& path,
                                      std::string_view flag) {
  if (path.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(flag), " FILE is required"));
  }
  return files::ReadFile(path, kMaxInputFileBytes);
}

// The CLI.md transaction file → the API's fields (the vault parses again).
absl::StatusOr<wv1::TransactionFields> TransactionFile(
    const std::string& path) {
  absl::StatusOr<std::string> text = ReadInput(path, "--tx-file");
  if (!text.ok()) return text.status();
  json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a JSON object"));
  }
  absl::StatusOr<eth::Transaction> tx = eth::TransactionFromJson(j);
  if (!tx.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", std::string(tx.status().message())));
  }
  wv1::TransactionFields f;
  bool legacy = tx->type == eth::Transaction::Type::kLegacy;
  f.set_type(legacy ? wv1::TRANSACTION_TYPE_LEGACY
                    : wv1::TRANSACTION_TYPE_EIP1559);
  f.set_chain_id(tx->chain_id.ToDecimal());
  f.set_nonce(tx->nonce.ToDecimal());
  if (tx->to.has_value()) f.set_to(tx->to->ToChecksum());
  f.set_value(tx->value.ToDecimal());
  f.set_data(std::string(tx->data.begin(), tx->data.end()));
  f.set_gas(tx->gas.ToDecimal());
  if (legacy) {
    f.set_gas_price(tx->gas_price.ToDecimal());
  } else {
    f.set_max_fee_per_gas(tx->max_fee_per_gas.ToDecimal());
    f.set_max_priority_fee_per_gas(tx->max_priority_fee_per_gas.ToDecimal());
  }
  return f;
}

// --ttl: "10m", "1h30m", "90s" or plain seconds.
absl::StatusOr<uint64_t> TtlSeconds(const std::string& text) {
  if (text.empty()) return 0;
  absl::Duration d;
  int64_t seconds = 0;
  if (absl::SimpleAtoi(text, &seconds)) {
    d = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(text, &d)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--ttl ", text, ": want a duration such as 90s, 10m, 2h"));
  }
  if (d < absl::Seconds(1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--ttl ", text, ": must be at least 1s"));
  }
  return static_cast<uint64_t>(absl::ToInt64Seconds(d));
}

struct PasswordFlags {
  std::string file;
  bool from_stdin = false;
};

void AddPasswordFlags(CLI::App* cmd, PasswordFlags* flags) {
  cmd->add_option("--password-file", flags->file,
                  "File whose first line is the password");
  cmd->add_flag("--password-stdin", flags->from_stdin,
                "Read the password from the first line of stdin");
}

absl::StatusOr<SecureBytes> Password(const PasswordFlags& flags,
                                     std::string prompt, bool confirm) {
  PasswordOptions options;
  options.file = flags.file;
  options.from_stdin = flags.from_stdin;
  options.prompt = std::move(prompt);
  options.confirm = confirm;
  return ReadPassword(options);
}

// What create and import answer.
int PrintCreated(const Context& ctx, std::string_view verb,
                 const wv1::Wallet& w) {
  return ctx.Ok({{"name", w.name()},
                 {"address", w.address()},
                 {"keystore", w.keystore()}},
                absl::StrCat(std::string(verb), " wallet ", w.name(), " ",
                             w.address(), "\nkeystore: ", w.keystore()));
}

int PrintStatus(const Context& ctx, const absl::StatusOr<wv1::Wallet>& w) {
  return Reply(ctx, w, [&](const wv1::Wallet& w) {
    return ctx.Ok(StatusJson(w), StatusHuman(w));
  });
}

int PrintPolicy(const Context& ctx,
                const absl::StatusOr<wv1::WalletPolicy>& p) {
  return Reply(ctx, p, [&](const wv1::WalletPolicy& p) {
    return ctx.Ok(PolicyJson(p), PolicyHuman(p));
  });
}

// ------------------------------------------------------------- commands --

void AddCreate(CLI::App* wallet, Context& ctx, int* exit_code) {
  struct Opts {
    std::string name;
    PasswordFlags password;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = wallet->add_subcommand(
      "create", "Create a wallet from a fresh random key (SDK keystore, 0600)");
  cmd->add_option("NAME", o->name, "Wallet name")->required();
  AddPasswordFlags(cmd, &o->password);
  cmd->callback([&ctx, exit_code, o] {
    absl::StatusOr<SecureBytes> password = Password(
        o->password, absl::StrCat("Password for new wallet ", o->name, ": "),
        /*confirm=*/true);
    if (!password.ok()) {
      *exit_code = ctx.Fail(password.status());
      return;
    }
    wv1::CreateWalletRequest req;
    req.set_name(o->name);
    req.set_password(std::string(password->str()));
    absl::StatusOr<wv1::Wallet> w =
        CallVault(ctx, POOLOPS_RPC(wv1::WalletVault, CreateWallet), req);
    WipeString(req.mutable_password());
    *exit_code = Reply(ctx, w, [&](const wv1::Wallet& w) {
      return PrintCreated(ctx, "created", w);
    });
  });
}

void AddImport(CLI::App* wallet, Context& ctx, int* exit_code) {
  struct Opts {
    std::string name;
    std::string private_key_file;
    std::string keystore;
    PasswordFlags password;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = wallet->add_subcommand(
      "import",
      "Import a private key (--private-key-file) or a keystore v3 "
      "(--keystore)");
  cmd->add_option("NAME", o->name, "Wallet name")->required();
  cmd->add_option("--private-key-file", o->private_key_file,
                  "File whose first line is the private key (hex)");
  cmd->add_option("--keystore", o->keystore,
                  "Keystore v3 file (scrypt or pbkdf2); the password is its "
                  "password");
  AddPasswordFlags(cmd, &o->password);
  cmd->callback([&ctx, exit_code, o] {
    if (o->private_key_file.empty() == o->keystore.empty()) {
      *exit_code = ctx.Fail(absl::InvalidArgumentError(
          "give exactly one of --private-key-file FILE and --keystore FILE"));
      return;
    }
    bool from_key = !o->private_key_file.empty();
    absl::StatusOr<SecureBytes> key;
    std::string keystore_json;
    if (from_key) {
      key = ReadPrivateKeyFile(o->private_key_file);
      if (!key.ok()) {
        *exit_code = ctx.Fail(key.status());
        return;
      }
    } else {
      absl::StatusOr<std::string> text = files::ReadFile(o->keystore, 64 << 10);
      if (!text.ok()) {
        *exit_code = ctx.Fail(text.status());
        return;
      }
      keystore_json = std::move(*text);
    }
    absl::StatusOr<SecureBytes> password = Password(
        o->password,
        from_key ? absl::StrCat("Password for new wallet ", o->name, ": ")
                 : absl::StrCat("Password of keystore ", o->keystore, ": "),
        /*confirm=*/from_key);
    if (!password.ok()) {
      *exit_code = ctx.Fail(password.status());
      return;
    }
    absl::StatusOr<wv1::Wallet> w;
    if (from_key) {
      wv1::ImportPrivateKeyRequest req;
      req.set_name(o->name);
      req.set_private_key_hex(std::string(key->str()));
      req.set_password(std::string(password->str()));
      w = CallVault(ctx, POOLOPS_RPC(wv1::WalletVault, ImportPrivateKey), req);
      WipeString(req.mutable_private_key_hex());
      WipeString(req.mutable_password());
    } else {
      wv1::ImportKeystoreRequest req;
      req.set_name(o->name);
      req.set_keystore_json(keystore_json);
      req.set_password(std::string(password->str()));
      w = CallVault(ctx, POOLOPS_RPC(wv1::WalletVault, ImportKeystore), req);
      WipeString(req.mutable_password());
    }
    *exit_code = Reply(ctx, w, [&](const wv1::Wallet& w) {
      return PrintCreated(ctx, "imported", w);
    });
  });
}

void AddList(CLI::App* wallet, Context& ctx, int* exit_code) {
  CLI::App* cmd = wallet->add_subcommand("list", "The vault's wallets");
  cmd->callback([&ctx, exit_code] {
    absl::StatusOr<wv1::ListWalletsResponse> outcome =
        CallVault(ctx, POOLOPS_RPC(wv1::WalletVault, ListWallets),
                  wv1::ListWalletsRequest());
    *exit_code = Reply(ctx, outcome, [&](const wv1::ListWalletsResponse& list) {
      json wallets = json::array();
      std::string human;
      for (const wv1::Wallet& w : list.wallets()) {
        json j = StatusJson(w);
        j["keystore"] = w.keystore();
        wallets.push_back(std::move(j));
        absl::StrAppend(
            &human, w.name(),
            std::string(w.name().size() < 16 ? 16 - w.name().size() : 1, ' '),
            w.address(), "  ", LockState(w), "\n");
      }
      if (human.empty()) human = "no wallets yet (poolctl wallet create NAME)";
      return ctx.Ok({{"wallets", wallets}}, human);
    });
  });
}

void AddUnlockLock(CLI::App* wallet, Context& ctx, int* exit_code) {
  struct Opts {
    std::string name;
    std::string ttl;
    PasswordFlags password;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* unlock = wallet->add_subcommand(
      "unlock", "Decrypt a wallet's key in the vault for --ttl (default 10m)");
  unlock->add_option("NAME", o->name, "Wallet name or address")->required();
  unlock->add_option("--ttl", o->ttl,
                     "How long it stays unlocked: 90s, 10m, 2h (1s to 24h)");
  AddPasswordFlags(unlock, &o->password);
  unlock->callback([&ctx, exit_code, o] {
    absl::StatusOr<uint64_t> ttl = TtlSeconds(o->ttl);
    if (!ttl.ok()) {
      *exit_code = ctx.Fail(ttl.status());
      return;
    }
    // Connected first: no password prompt when the vault is not there.
    *exit_code = WithLink<wv1::WalletVault>(ctx, [&](ServiceLink& vault) {
      absl::StatusOr<SecureBytes> password = Password(
          o->password, absl::StrCat("Password for wallet ", o->name, ": "),
          /*confirm=*/false);
      if (!password.ok()) return ctx.Fail(password.status());
      wv1::UnlockRequest req;
      req.set_wallet(o->name);
      req.set_ttl_seconds(*ttl);
      req.set_password(std::string(password->str()));
      absl::StatusOr<wv1::Wallet> w = Unary(
          vault, POOLOPS_RPC(wv1::WalletVault, Unlock), req, kVaultTimeout);
      WipeString(req.mutable_password());
      return PrintStatus(ctx, w);
    });
  });

  auto name = std::make_shared<std::string>();
  CLI::App* lock = wallet->add_subcommand(
      "lock",
      "Wipe a wallet's decrypted key now; only `wallet unlock` unlocks it "
      "again (the orchestrator's keeper leaves it locked)");
  lock->add_option("NAME", *name, "Wallet name or address")->required();
  lock->callback([&ctx, exit_code, name] {
    wv1::LockRequest req;
    req.set_wallet(*name);
    *exit_code = PrintStatus(
        ctx, CallVault(ctx, POOLOPS_RPC(wv1::WalletVault, Lock), req));
  });
}

void AddExport(CLI::App* wallet, Context& ctx, int* exit_code) {
  struct Opts {
    std::string name;
    std::string out;
    bool force = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = wallet->add_subcommand(
      "export", "Write a wallet's keystore v3 (still encrypted) to --out");
  cmd->add_option("NAME", o->name, "Wallet name or address")->required();
  cmd->add_option("--out", o->out, "File to write (0600)")->required();
  cmd->add_flag("--force", o->force, "Replace --out if it exists");
  cmd->callback([&ctx, exit_code, o] {
    wv1::ExportKeystoreRequest req;
    req.set_wallet(o->name);
    absl::StatusOr<wv1::ExportKeystoreResponse> outcome =
        CallVault(ctx, POOLOPS_RPC(wv1::WalletVault, ExportKeystore), req);
    *exit_code =
        Reply(ctx, outcome, [&](const wv1::ExportKeystoreResponse& ks) {
          std::error_code ec;
          fs::path out = fs::absolute(o->out, ec);
          if (ec) out = o->out;
          if (absl::Status w = files::WriteFileAtomic(out, ks.keystore_json(),
                                                      0600, !o->force);
              !w.ok()) {
            if (absl::IsAlreadyExists(w)) {
              return ctx.Fail(absl::AlreadyExistsError(absl::StrCat(
                  out.string(), " exists; use --force to replace it")));
            }
            return ctx.Fail(w);
          }
          return ctx.Ok({{"file", out.string()}},
                        absl::StrCat("wrote the encrypted keystore of ",
                                     ks.address(), " to ", out.string()));
        });
  });
}

void AddShow(CLI::App* wallet, Context& ctx, int* exit_code) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = wallet->add_subcommand(
      "show",
      "Balances of a wallet on the current chain (chain-gateway): native "
      "coin in wei, RLC held, stake and locked stake in nRLC");
  cmd->add_option("NAME", *name, "Wallet name, or any address")->required();
  cmd->callback([&ctx, exit_code, name] {
    cv1::GetBalancesRequest req;
    req.set_chain(ctx.chain);
    req.set_wallet(*name);
    auto rlc = [](const std::string& nrlc) {
      absl::StatusOr<eth::U256> v = eth::U256::FromDecimal(nrlc);
      return v.ok() ? eth::FormatAmount(*v, eth::Unit::kNRlc, eth::Unit::kRlc)
                    : nrlc;
    };
    *exit_code = Reply(
        ctx, CallGateway(ctx, POOLOPS_RPC(cv1::ChainGateway, GetBalances), req),
        [&](const cv1::Balances& b) {
          return ctx.Ok(
              {{"address", b.address()},
               {"native", b.native()},
               {"rlc", b.rlc()},
               {"stake", b.stake()},
               {"locked", b.locked()}},
              absl::StrCat("address: ", b.address(), "\nnative:  ", b.native(),
                           " wei\nRLC:     ", rlc(b.rlc()), " RLC\nstake:   ",
                           rlc(b.stake()), " RLC\nlocked:  ", rlc(b.locked()),
                           " RLC\n(block ", b.block_number(), ")"));
        });
  });
}

void AddSendRlc(CLI::App* wallet, Context& ctx, int* exit_code) {
  struct Opts {
    std::string amount, to, from, unit;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = wallet->add_subcommand(
      "send-rlc",
      "Send RLC to an address (native value on native chains, the RLC token "
      "elsewhere); the amount is in RLC unless --unit says otherwise");
  cmd->add_option("AMOUNT", o->amount, "Amount (default unit RLC)")->required();
  cmd->add_option("--to", o->to, "Recipient address")->required();
  cmd->add_option("--from", o->from, "Sending wallet (name or address)")
      ->required();
  cmd->add_option("--unit", o->unit, "RLC (default), nRLC or wei");
  cmd->callback([&ctx, exit_code, o] {
    absl::StatusOr<cv1::Amount::Unit> unit = ParseUnitFlag(o->unit);
    if (!unit.ok()) {
      *exit_code = ctx.Fail(unit.status());
      return;
    }
    cv1::SendRlcRequest req;
    req.set_chain(ctx.chain);
    req.set_from(o->from);
    req.set_to(o->to);
    req.mutable_amount()->set_value(o->amount);
    req.mutable_amount()->set_unit(*unit);
    *exit_code = Reply(
        ctx,
        GatewayTx(ctx, POOLOPS_RPC(cv1::ChainGateway, SendRlc), req,
                  &cv1::SendRlcEvent::result),
        [&](const cv1::TxResult& r) {
          return ctx.Ok(
              {{"txHash", r.tx_hash()}, {"blockNumber", r.block_number()}},
              absl::StrCat("sent: ", r.tx_hash(), " (block ", r.block_number(),
                           ")"));
        });
  });
}

// sign-typed-data and sign-message answer alike.
int PrintSignature(const Context& ctx,
                   const absl::StatusOr<wv1::SignatureResponse>& outcome) {
  return Reply(ctx, outcome, [&](const wv1::SignatureResponse& r) {
    return ctx.Ok({{"signature", r.signature()},
                   {"digest", r.digest()},
                   {"signer", r.signer()}},
                  absl::StrCat("digest:    ", r.digest(),
                               "\nsignature: ", r.signature()));
  });
}

void AddSigning(CLI::App* wallet, Context& ctx, int* exit_code) {
  struct Opts {
    std::string name;
    std::string file;
  };
  auto tx = std::make_shared<Opts>();
  CLI::App* sign_tx = wallet->add_subcommand(
      "sign-tx", "Sign a transaction (legacy EIP-155 or EIP-1559) from JSON");
  sign_tx->add_option("NAME", tx->name, "Wallet name or address")->required();
  sign_tx
      ->add_option("--tx-file", tx->file,
                   "JSON {chainId,nonce,to,value,data,gas,gasPrice} or with "
                   "maxFeePerGas,maxPriorityFeePerGas")
      ->required();
  sign_tx->callback([&ctx, exit_code, tx] {
    absl::StatusOr<wv1::TransactionFields> fields = TransactionFile(tx->file);
    if (!fields.ok()) {
      *exit_code = ctx.Fail(fields.status());
      return;
    }
    wv1::SignTransactionRequest req;
    req.set_wallet(tx->name);
    *req.mutable_transaction() = std::move(*fields);
    *exit_code = Reply(
        ctx,
        CallVault(ctx, POOLOPS_RPC(wv1::WalletVault, SignTransaction), req),
        [&](const wv1::SignTransactionResponse& r) {
          return ctx.Ok(
              {{"raw", r.raw()}, {"hash", r.hash()}, {"from", r.from()}},
              absl::StrCat("hash: ", r.hash(), "\nfrom: ", r.from(),
                           "\nraw:  ", r.raw()));
        });
  });

  auto typed = std::make_shared<Opts>();
  CLI::App* sign_typed = wallet->add_subcommand(
      "sign-typed-data", "Sign EIP-712 typed data from JSON");
  sign_typed->add_option("NAME", typed->name, "Wallet name or address")
      ->required();
  sign_typed
      ->add_option("--file", typed->file,
                   "EIP-712 JSON {types,domain,primaryType,message}")
      ->required();
  sign_typed->callback([&ctx, exit_code, typed] {
    absl::StatusOr<std::string> text = ReadInput(typed->file, "--file");
    if (!text.ok()) {
      *exit_code = ctx.Fail(text.status());
      return;
    }
    wv1::SignTypedDataRequest req;
    req.set_wallet(typed->name);
    req.set_typed_data_json(std::move(*text));
    *exit_code = PrintSignature(
        ctx, CallVault(ctx, POOLOPS_RPC(wv1::WalletVault, SignTypedData), req));
  });

  auto message = std::make_shared<Opts>();
  CLI::App* sign_message = wallet->add_subcommand(
      "sign-message", "Sign a file's bytes as an EIP-191 personal message");
  sign_message->add_option("NAME", message->name, "Wallet name or address")
      ->required();
  sign_message
      ->add_option("--message-file", message->file,
                   "The message: the file's exact bytes")
      ->required();
  sign_message->callback([&ctx, exit_code, message] {
    absl::StatusOr<std::string> bytes =
        ReadInput(message->file, "--message-file");
    if (!bytes.ok()) {
      *exit_code = ctx.Fail(bytes.status());
      return;
    }
    wv1::SignMessageRequest req;
    req.set_wallet(message->name);
    req.set_message(std::move(*bytes));
    *exit_code = PrintSignature(
        ctx, CallVault(ctx, POOLOPS_RPC(wv1::WalletVault, SignMessage), req));
  });
}

// --typed-data-rule: a JSON object (the form `policy show --json` prints) or
// key=value pairs split on commas (domain.*, message.*, primaryType,
// encodeType; an encodeType with commas needs the JSON form). The vault
// validates the values.
absl::StatusOr<wv1::TypedDataRule> ParseTypedDataRule(const std::string& text) {
  wv1::TypedDataRule rule;
  auto set = [&](const std::string& key,
                 const std::string& value) -> absl::Status {
    if (key == "primaryType") {
      rule.set_primary_type(value);
    } else if (key == "encodeType") {
      rule.set_encode_type(value);
    } else if (key == "domain.name") {
      rule.set_domain_name(value);
    } else if (key == "domain.version") {
      rule.set_domain_version(value);
    } else if (key == "domain.chainId") {
      rule.set_domain_chain_id(value);
    } else if (key == "domain.verifyingContract") {
      rule.set_domain_verifying_contract(value);
    } else if (key.rfind("message.", 0) == 0 && key.size() > 8) {
      (*rule.mutable_message())[key.substr(8)] = value;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown key ", key,
          " (want primaryType, encodeType, domain.name, domain.version, "
          "domain.chainId, domain.verifyingContract, message.FIELD)"));
    }
    return absl::OkStatus();
  };
  const std::string trimmed(absl::StripAsciiWhitespace(text));
  if (!trimmed.empty() && trimmed[0] == '{') {
    json j = json::parse(trimmed, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      return absl::InvalidArgumentError("not a JSON object");
    }
    auto str = [](const json& v) {
      return v.is_string() ? v.get<std::string>() : v.dump();
    };
    for (const auto& [k, v] : j.items()) {
      if ((k == "domain" || k == "message") && v.is_object()) {
        for (const auto& [ik, iv] : v.items()) {
          if (absl::Status s = set(absl::StrCat(k, ".", ik), str(iv));
              !s.ok()) {
            return s;
          }
        }
      } else if (absl::Status s = set(k, str(v)); !s.ok()) {
        return s;
      }
    }
    return rule;
  }
  const std::vector<std::string> pairs =
      absl::StrSplit(trimmed, ',', absl::SkipEmpty());
  for (const std::string& pair : pairs) {
    size_t eq = pair.find('=');
    if (eq == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", pair, "\" is not key=value"));
    }
    if (absl::Status s =
            set(std::string(absl::StripAsciiWhitespace(pair.substr(0, eq))),
                pair.substr(eq + 1));
        !s.ok()) {
      return s;
    }
  }
  return rule;
}

void AddPolicy(CLI::App* wallet, Context& ctx, int* exit_code) {
  CLI::App* policy = wallet->add_subcommand(
      "policy", "What a wallet may sign (opt-in rules per wallet)");
  struct Opts {
    std::string name;
    std::vector<std::string> chain_ids;
    std::vector<std::string> to;
    std::string max_value;
    std::vector<std::string> domain_names;
    std::vector<std::string> verifying_contracts;
    std::vector<std::string> typed_data_rules;
    bool allow_messages = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* set = policy->add_subcommand(
      "set", "Replace the wallet's policy (no rule flags = allow everything)");
  set->add_option("NAME", o->name, "Wallet name or address")->required();
  set->add_option("--chain-id", o->chain_ids,
                  "Allowed chain id (repeat for several)");
  set->add_option("--to", o->to,
                  "Allowed transaction recipient (repeat for several)");
  set->add_option("--max-value", o->max_value,
                  "Largest value per transaction, in wei");
  set->add_option("--domain-name", o->domain_names,
                  "Allowed EIP-712 domain name (repeat for several)");
  set->add_option("--verifying-contract", o->verifying_contracts,
                  "Allowed EIP-712 verifying contract (repeat for several)");
  set->add_option(
      "--typed-data-rule", o->typed_data_rules,
      "EIP-712 data the wallet may sign; once any is given, typed data must "
      "match one (repeat for several). Either JSON "
      "{\"primaryType\":\"Challenge\","
      "\"domain\":{\"name\",\"version\",\"chainId\",\"verifyingContract\"},"
      "\"encodeType\":\"...\",\"message\":{\"field\":\"value\"}} or "
      "primaryType=WorkerpoolOrder,domain.name=iExecODB,domain.chainId=134,"
      "message.workerpool=0x...");
  set->add_flag("--allow-messages", o->allow_messages,
                "Let a wallet with rules sign EIP-191 messages (refused "
                "otherwise)");
  set->callback([&ctx, exit_code, o] {
    wv1::SetPolicyRequest req;
    req.set_wallet(o->name);
    wv1::Policy* p = req.mutable_policy();
    for (const auto& s : o->chain_ids) p->add_allowed_chain_ids(s);
    for (const auto& s : o->to) p->add_allowed_to(s);
    p->set_max_value_wei(o->max_value);
    for (const auto& s : o->domain_names) p->add_allowed_domain_names(s);
    for (const auto& s : o->verifying_contracts) {
      p->add_allowed_verifying_contracts(s);
    }
    for (size_t i = 0; i < o->typed_data_rules.size(); ++i) {
      absl::StatusOr<wv1::TypedDataRule> rule =
          ParseTypedDataRule(o->typed_data_rules[i]);
      if (!rule.ok()) {
        *exit_code = ctx.Fail(absl::InvalidArgumentError(absl::StrCat(
            "--typed-data-rule #", i + 1, ": ", rule.status().message())));
        return;
      }
      *p->add_typed_data_rules() = *std::move(rule);
    }
    p->set_allow_messages(o->allow_messages);
    *exit_code = PrintPolicy(
        ctx, CallVault(ctx, POOLOPS_RPC(wv1::WalletVault, SetPolicy), req));
  });

  auto name = std::make_shared<std::string>();
  CLI::App* show = policy->add_subcommand("show", "A wallet's policy");
  show->add_option("NAME", *name, "Wallet name or address")->required();
  show->callback([&ctx, exit_code, name] {
    wv1::GetPolicyRequest req;
    req.set_wallet(*name);
    *exit_code = PrintPolicy(
        ctx, CallVault(ctx, POOLOPS_RPC(wv1::WalletVault, GetPolicy), req));
  });
}

}  // namespace

void AddWalletCommands(CLI::App& app, Context& ctx, int* exit_code) {
  AddGroup(app, "wallet",
           "Keys in the wallet-vault: create, import, unlock, sign",
           [&ctx, exit_code](CLI::App* wallet) {
             AddCreate(wallet, ctx, exit_code);
             AddImport(wallet, ctx, exit_code);
             AddList(wallet, ctx, exit_code);
             AddUnlockLock(wallet, ctx, exit_code);
             AddExport(wallet, ctx, exit_code);
             AddShow(wallet, ctx, exit_code);
             AddSendRlc(wallet, ctx, exit_code);
             AddSigning(wallet, ctx, exit_code);
             AddPolicy(wallet, ctx, exit_code);
           });
}

}  // namespace poolops::cli
