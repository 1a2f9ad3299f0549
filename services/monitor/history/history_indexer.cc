#include "services/monitor/history/history_indexer.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/eth/abi.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"
#include "libs/iexec/poco_events.h"

namespace poolops::monitor {
namespace {

using iexec::PocoEvent;
using iexec::PocoEventKind;

std::string Hex(const eth::Hash32& h) { return eth::ToHex(h); }
std::string Lower(const eth::Address& a) { return a.ToLowerHex(); }

bool IsTaskEvent(PocoEventKind k) {
  switch (k) {
    case PocoEventKind::kTaskInitialize:
    case PocoEventKind::kTaskContribute:
    case PocoEventKind::kTaskConsensus:
    case PocoEventKind::kTaskReveal:
    case PocoEventKind::kTaskReopen:
    case PocoEventKind::kTaskFinalize:
    case PocoEventKind::kTaskClaimed:
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::StatusOr<uint64_t> HistoryIndexer::CreationBlock(
    const eth::Address& hub, const eth::Address& contract, uint64_t head) {
  // The first block where the contract has code: a binary search of
  // eth_getCode (log2(head) calls). It needs the state of old blocks.
  uint64_t lo = 0, hi = head;
  absl::Status failed;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    absl::StatusOr<eth::Bytes> code =
        api_->GetCode(contract, chain::BlockTag::Number(mid));
    if (!code.ok()) {
      failed = code.status();
      break;
    }
    if (code->empty())
      lo = mid + 1;
    else
      hi = mid;
  }
  if (failed.ok()) return lo;
  if (absl::IsUnavailable(failed) || absl::IsDeadlineExceeded(failed))
    return failed;
  // A node without old state (not an archive node, or an anvil past its
  // kept states): the registry minted the workerpool's NFT when it was
  // created, Transfer(0, owner, tokenId = the workerpool's address).
  absl::StatusOr<eth::abi::Value> registry =
      api_->CallFunction(hub, "workerpoolregistry()", {}, "address");
  if (!registry.ok()) return registry.status();
  eth::Hash32 token{};
  std::copy(contract.bytes().begin(), contract.bytes().end(), token.begin() + 12);
  chain::LogFilter mint;
  mint.addresses = {std::get<eth::Address>(registry->v)};
  mint.topics = {{eth::Keccak(std::string_view("Transfer(address,address,uint256)"))},
                 {eth::Hash32{}},
                 {},
                 {token}};
  // Newest first, in ranges the node accepts, a bounded number of queries.
  uint64_t span = head + 1, to = head;
  for (int queries = 0; queries < kMaxCreationQueries; ++queries) {
    mint.to_block = to;
    mint.from_block = to + 1 >= span ? to + 1 - span : 0;
    absl::StatusOr<std::vector<chain::Log>> logs = api_->GetLogs(mint);
    if (!logs.ok()) {
      if (!chain::IsLogQueryTooLarge(logs.status()) || span == 1)
        return logs.status();
      span = std::max<uint64_t>(1, span / 2);
      continue;
    }
    if (!logs->empty()) return logs->front().block_number;
    if (mint.from_block == 0) break;
    to = mint.from_block - 1;
  }
  return absl::NotFoundError(absl::StrCat(
      "no creation of workerpool ", contract.ToChecksum(), " found"));
}

absl::StatusOr<HistoryCursor> HistoryIndexer::Prepare(
    const HistorySource& source, uint64_t head, SyncReport* report) {
  absl::StatusOr<std::optional<HistoryCursor>> stored =
      store_->Cursor(source.pool);
  if (!stored.ok()) return stored.status();
  if (stored->has_value() && (*stored)->chain_id == source.chain_id &&
      (*stored)->hub == Lower(source.hub) &&
      (*stored)->workerpool == Lower(source.workerpool))
    return **stored;

  // A pool seen for the first time, or now on another chain, hub or
  // workerpool: its history starts where its workerpool was created.
  absl::StatusOr<eth::Bytes> code = api_->GetCode(source.workerpool);
  if (!code.ok()) return code.status();
  if (code->empty())
    return absl::FailedPreconditionError(absl::StrCat(
        "workerpool ", source.workerpool.ToChecksum(),
        " has no contract on chain ", source.chain_id));
  absl::StatusOr<eth::abi::Value> owner = api_->CallFunction(
      source.workerpool, "owner()", {}, "address");
  if (!owner.ok()) return owner.status();
  // When neither old state nor the registry's logs say when the workerpool
  // was created, its history is read from now on (the stats' fromBlock
  // shows it).
  absl::StatusOr<uint64_t> start =
      CreationBlock(source.hub, source.workerpool, head);
  if (!start.ok()) {
    if (absl::IsUnavailable(start.status()) ||
        absl::IsDeadlineExceeded(start.status()))
      return start.status();
    start = head;
  }
  HistoryCursor cursor{source.chain_id,
                       Lower(source.hub),
                       Lower(source.workerpool),
                       Lower(std::get<eth::Address>(owner->v)),
                       *start,
                       *start};
  absl::Status s = store_->Reset(source.pool, cursor);
  if (!s.ok()) return s;
  report->reset = true;
  return cursor;
}

absl::Status HistoryIndexer::UndoReorg(const std::string& pool,
                                       const HistoryCursor& cursor,
                                       SyncReport* report) {
  absl::StatusOr<std::vector<Checkpoint>> checkpoints =
      store_->Checkpoints(pool);
  if (!checkpoints.ok()) return checkpoints.status();
  if (checkpoints->empty()) return absl::OkStatus();
  // The newest checkpoint the chain still has; what came after it is read
  // again.
  std::optional<uint64_t> keep_to;
  for (const Checkpoint& cp : *checkpoints) {
    absl::StatusOr<chain::BlockHeader> h = api_->GetBlockHeader(cp.block);
    if (!h.ok() && !absl::IsNotFound(h.status())) return h.status();
    if (h.ok() && Hex(h->hash) == cp.hash) {
      keep_to = cp.block;
      break;
    }
  }
  if (keep_to && *keep_to + 1 == cursor.next_block) return absl::OkStatus();
  const uint64_t from = keep_to ? *keep_to + 1 : cursor.start_block;
  report->rewound_to = from;
  return store_->Rewind(pool, from);
}

absl::StatusOr<HistoryIndexer::PoolSet> HistoryIndexer::LoadSet(
    const std::string& pool, const std::string& scheduler) {
  absl::StatusOr<std::vector<StoredEvent>> events = store_->Events(pool);
  if (!events.ok()) return events.status();
  PoolSet set;
  set.scheduler = scheduler;
  for (const StoredEvent& e : *events) {
    if (e.kind == PocoEventKind::kSchedulerNotice) set.deals.insert(e.id);
    if (e.kind == PocoEventKind::kTaskInitialize) set.tasks.insert(e.id);
    if (e.kind == PocoEventKind::kTaskContribute) set.workers.insert(e.account);
  }
  return set;
}

absl::StatusOr<std::vector<chain::Log>> HistoryIndexer::Logs(
    const eth::Address& hub, uint64_t from, uint64_t to, SyncReport* report,
    uint64_t* read_to) {
  uint64_t& span = span_[hub.ToLowerHex()];
  if (span == 0) span = options_.initial_span;
  while (true) {
    const uint64_t end = std::min(to, from + span - 1);
    chain::LogFilter filter;
    filter.from_block = from;
    filter.to_block = end;
    filter.addresses = {hub};
    filter.topics = {iexec::PocoEventTopics()};
    absl::StatusOr<std::vector<chain::Log>> logs = api_->GetLogs(filter);
    if (logs.ok()) {
      ++report->ranges;
      *read_to = end;
      span = std::min(options_.max_span, span * 2);
      return logs;
    }
    if (!chain::IsLogQueryTooLarge(logs.status()) || span == 1)
      return absl::Status(
          logs.status().code(),
          absl::StrCat("eth_getLogs of blocks ", from, "-", end, ": ",
                       logs.status().message()));
    ++report->splits;
    span = std::max<uint64_t>(1, span / 2);
  }
}

absl::Status HistoryIndexer::Index(const HistorySource& source, PoolSet& set,
                                   const std::vector<chain::Log>& logs,
                                   uint64_t from, uint64_t to,
                                   SyncReport* report) {
  const std::string workerpool = Lower(source.workerpool);
  struct Decoded {
    const chain::Log* log;
    PocoEvent event;
  };
  std::vector<Decoded> decoded;
  for (const chain::Log& log : logs) {
    if (log.removed || log.address != source.hub) continue;
    if (log.block_number < from || log.block_number > to)
      return absl::DataLossError(absl::StrCat(
          "eth_getLogs of blocks ", from, "-", to, " answered a log of block ",
          log.block_number));
    absl::StatusOr<std::optional<PocoEvent>> e =
        iexec::DecodePocoEvent(log.topics, log.data);
    if (!e.ok())
      return absl::DataLossError(absl::StrCat(
          "hub log in transaction ", Hex(log.transaction_hash), ": ",
          e.status().message()));
    if (e->has_value()) decoded.push_back({&log, **e});
  }

  // Pass 1: which deals, tasks and workers are the pool's, and which
  // transactions carry its work.
  std::set<std::string> pool_txs;
  for (const Decoded& d : decoded) {
    const PocoEvent& e = d.event;
    const std::string id = Hex(e.id);
    bool ours = false;
    if (e.kind == PocoEventKind::kSchedulerNotice && Lower(e.account) == workerpool) {
      set.deals.insert(id);
      ours = true;
    } else if (e.kind == PocoEventKind::kTaskInitialize &&
               Lower(e.account) == workerpool) {
      set.tasks.insert(id);
      ours = true;
    } else if (IsTaskEvent(e.kind) && set.tasks.count(id)) {
      if (e.kind == PocoEventKind::kTaskContribute) set.workers.insert(Lower(e.account));
      ours = true;
    }
    if (ours) pool_txs.insert(Hex(d.log->transaction_hash));
  }

  // Pass 2: the pool's events.
  std::vector<StoredEvent> events;
  std::set<uint64_t> blocks;
  for (const Decoded& d : decoded) {
    const PocoEvent& e = d.event;
    const std::string id = Hex(e.id);
    const std::string tx = Hex(d.log->transaction_hash);
    const std::string account = e.account.IsZero() ? "" : Lower(e.account);
    bool keep = false;
    switch (e.kind) {
      case PocoEventKind::kSchedulerNotice:
      case PocoEventKind::kOrdersMatched:
        keep = set.deals.count(id) > 0;
        break;
      case PocoEventKind::kReward:
      case PocoEventKind::kSeize:
        keep = set.tasks.count(Hex(e.ref)) > 0;
        break;
      case PocoEventKind::kLock:
      case PocoEventKind::kUnlock:
        keep = pool_txs.count(tx) > 0 &&
               (account == set.scheduler || set.workers.count(account) > 0);
        break;
      default:
        keep = set.tasks.count(id) > 0;
    }
    if (!keep) continue;
    StoredEvent s;
    s.block = d.log->block_number;
    s.log_index = d.log->log_index;
    s.tx = tx;
    s.kind = e.kind;
    s.id = id;
    s.account = account;
    s.amount = e.amount.ToDecimal();
    s.ref = e.kind == PocoEventKind::kReward || e.kind == PocoEventKind::kSeize
                ? Hex(e.ref)
                : "";
    events.push_back(std::move(s));
    blocks.insert(d.log->block_number);
  }
  report->logs += logs.size();
  report->events += events.size();

  // Block times (and the range's last block, the checkpoint), in batches.
  blocks.insert(to);
  std::map<uint64_t, chain::BlockHeader> headers;
  std::vector<uint64_t> wanted(blocks.begin(), blocks.end());
  for (size_t i = 0; i < wanted.size(); i += options_.header_batch) {
    std::vector<uint64_t> chunk(
        wanted.begin() + i,
        wanted.begin() + std::min(wanted.size(), i + options_.header_batch));
    absl::StatusOr<std::vector<chain::BlockHeader>> got =
        api_->GetBlockHeaders(chunk);
    if (!got.ok()) return got.status();
    for (const chain::BlockHeader& h : *got) headers[h.number] = h;
  }
  for (StoredEvent& e : events) e.time = headers[e.block].timestamp;

  // Gas of the pool's transactions its scheduler and workers sent.
  std::vector<StoredGas> gas;
  for (const std::string& tx : pool_txs) {
    absl::StatusOr<eth::Bytes> hash = eth::FromHexFixed(tx, 32, "tx");
    if (!hash.ok()) return hash.status();
    eth::Hash32 h{};
    std::copy(hash->begin(), hash->end(), h.begin());
    absl::StatusOr<std::optional<chain::Receipt>> r =
        api_->GetTransactionReceipt(h);
    if (!r.ok()) return r.status();
    if (!r->has_value())
      return absl::DataLossError(absl::StrCat("no receipt for transaction ", tx,
                                              " of a final block"));
    const std::string sender = Lower((*r)->from);
    if (sender != set.scheduler && !set.workers.count(sender)) continue;
    const eth::U256 price = (*r)->effective_gas_price.value_or(eth::U256(0));
    gas.push_back({tx, (*r)->block_number, headers.count((*r)->block_number)
                                               ? headers[(*r)->block_number].timestamp
                                               : 0,
                   sender, (eth::U256((*r)->gas_used) * price).ToDecimal()});
  }
  return store_->Commit(source.pool, events, gas, to + 1,
                        {to, Hex(headers[to].hash)});
}

absl::StatusOr<SyncReport> HistoryIndexer::Sync(
    const HistorySource& source, const std::function<void(uint64_t)>& progress) {
  SyncReport report;
  absl::StatusOr<uint64_t> head = api_->BlockNumber();
  if (!head.ok()) return head.status();
  absl::StatusOr<HistoryCursor> cursor = Prepare(source, *head, &report);
  if (!cursor.ok()) return cursor.status();
  absl::Status undone = UndoReorg(source.pool, *cursor, &report);
  if (!undone.ok()) return undone;
  if (report.rewound_to) cursor->next_block = *report.rewound_to;
  auto known = sets_.find(source.pool);
  if (known == sets_.end() || report.reset || report.rewound_to ||
      known->second.scheduler != cursor->scheduler ||
      known->second.next_block != cursor->next_block) {
    absl::StatusOr<PoolSet> loaded = LoadSet(source.pool, cursor->scheduler);
    if (!loaded.ok()) return loaded.status();
    loaded->next_block = cursor->next_block;
    known = sets_.insert_or_assign(source.pool, *std::move(loaded)).first;
  }
  PoolSet* set = &known->second;

  // A block with N confirmations counting itself is final (0 and 1 both
  // mean mined, as the gateway's receipts count them).
  const uint64_t deep = std::max<uint64_t>(source.confirmations, 1) - 1;
  if (*head < deep) return report;
  const uint64_t final_block = *head - deep;
  report.from_block = cursor->next_block;
  report.to_block = cursor->next_block == 0 ? 0 : cursor->next_block - 1;
  uint64_t from = cursor->next_block;
  while (from <= final_block) {
    uint64_t read_to = from;
    absl::StatusOr<std::vector<chain::Log>> logs =
        Logs(source.hub, from, final_block, &report, &read_to);
    if (!logs.ok()) return logs.status();
    absl::Status s = Index(source, *set, *logs, from, read_to, &report);
    if (!s.ok()) {
      sets_.erase(source.pool);  // may hold what was not committed
      return s;
    }
    set->next_block = read_to + 1;
    report.to_block = read_to;
    if (progress) progress(read_to);
    from = read_to + 1;
  }
  return report;
}

}  // namespace poolops::monitor
