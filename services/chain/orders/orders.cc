#include "services/chain/orders/orders.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/eth/abi.h"
#include "libs/eth/eip712.h"
#include "libs/eth/hex.h"
#include "libs/eth/units.h"
#include "libs/iexec/rlc.h"

namespace poolops::chain {
namespace {

namespace abi = eth::abi;

// keccak256("ClosedWorkerpoolOrder(bytes32)"); the hash is not indexed.
constexpr char kClosedWorkerpoolOrderTopic[] =
    "0x145ad51e4496173bca15e24e7eb46f9ab3a10eea0497e2801a3a6806c06113a3";
constexpr uint8_t kOperationClose = 1;

std::string Rlc(const eth::U256& nrlc) { return iexec::NRlc(nrlc).ToString(); }

absl::StatusOr<eth::Hash32> ParseHash(std::string_view text,
                                      std::string_view what) {
  absl::StatusOr<eth::Bytes> b = eth::FromHexFixed(text, 32, what);
  if (!b.ok()) return b.status();
  eth::Hash32 h;
  std::copy(b->begin(), b->end(), h.begin());
  return h;
}

abi::Value Bytes32(std::string_view hex) {
  absl::StatusOr<eth::Bytes> b = eth::FromHexFixed(hex, 32, "bytes32");
  return abi::Value::Blob(b.ok() ? *b : eth::Bytes(32, 0));
}

absl::Status CheckTagInSession(ChainSession& session,
                               const iexec::WorkerpoolOrder& order) {
  if (!TagHasTeeBits(order.tag)) return absl::OkStatus();
  absl::StatusOr<PocoGeneration> generation = session.poco().Generation();
  if (!generation.ok()) return generation.status();
  return CheckTagOnChain(order.tag, order.trust, *generation,
                         session.config().hub);
}

}  // namespace

Orders::Orders(Gateway* gateway, OrdersOptions options)
    : gateway_(gateway),
      http_(options.http ? options.http
                         : std::shared_ptr<http::Client>(http::NewCurlClient(
                               {.max_idle_per_origin = 4}))),
      random_(options.random ? options.random : Random::Secure()),
      max_open_orders_(options.max_open_orders_per_wallet) {}

absl::StatusOr<std::unique_ptr<Orders>> Orders::Create(
    Gateway* gateway, const std::filesystem::path& /*home*/,
    OrdersOptions options) {
  if (gateway == nullptr) return absl::InvalidArgumentError("no gateway");
  return std::unique_ptr<Orders>(new Orders(gateway, std::move(options)));
}

absl::StatusOr<iexec::OrderDomain> Orders::DomainOf(ChainSession& session) {
  absl::StatusOr<OrderDomainInfo> d = session.poco().Domain();
  if (!d.ok()) return d.status();
  // WorkerpoolOrderTypedData writes iExecODB 5.0.0, as PoCo 5.x answers.
  if (d->name != "iExecODB" || d->version != "5.0.0")
    return absl::FailedPreconditionError(absl::StrCat(
        "hub ", session.config().hub.ToChecksum(), " has EIP-712 domain ",
        d->name, " ", d->version, ", not iExecODB 5.0.0 (PoCo 5.x)"));
  return iexec::OrderDomain{d->chain_id, d->verifying_contract};
}

absl::StatusOr<std::string> Orders::OrderHash(
    std::string_view chain, const iexec::WorkerpoolOrder& order) {
  absl::StatusOr<ChainSession*> session = gateway_->Session(chain);
  if (!session.ok()) return session.status();
  absl::StatusOr<iexec::OrderDomain> domain = DomainOf(**session);
  if (!domain.ok()) return domain.status();
  absl::StatusOr<eth::Hash32> h = iexec::WorkerpoolOrderHash(order, *domain);
  if (!h.ok()) return h.status();
  return eth::ToHex(*h);
}

absl::Status Orders::CheckTagForChain(std::string_view chain,
                                      const iexec::WorkerpoolOrder& order) {
  absl::StatusOr<ChainSession*> session = gateway_->Session(chain);
  if (!session.ok()) return session.status();
  return CheckTagInSession(**session, order);
}

absl::StatusOr<MarketClient> Orders::Market(std::string_view chain) {
  absl::StatusOr<ChainSession*> session = gateway_->Session(chain);
  if (!session.ok()) return session.status();
  const ChainConfig& c = (*session)->config();
  if (c.market.empty())
    return absl::FailedPreconditionError(
        absl::StrCat("chain ", c.name,
                     " has no market API URL (poolctl chain add ... "
                     "--market URL)"));
  return MarketClient(c.market, c.chain_id, http_.get(), &gateway_->signer());
}

absl::StatusOr<SignedWorkerpoolOrder> Orders::Sign(std::string_view chain,
                                                   std::string_view wallet,
                                                   const OrderTermsInput& terms,
                                                   std::string_view purpose) {
  absl::StatusOr<iexec::WorkerpoolOrder> order =
      BuildWorkerpoolOrder(terms, random_);
  if (!order.ok()) return order.status();
  absl::StatusOr<ChainSession*> session = gateway_->Session(chain);
  if (!session.ok()) return session.status();
  if (absl::Status s = CheckTagInSession(**session, *order); !s.ok()) return s;
  absl::StatusOr<eth::Address> signer = gateway_->signer().Resolve(wallet);
  if (!signer.ok()) return signer.status();
  absl::StatusOr<WorkerpoolInfo> pool =
      (*session)->poco().GetWorkerpool(order->workerpool);
  if (!pool.ok()) return pool.status();
  if (pool->owner != *signer)
    return absl::FailedPreconditionError(absl::StrCat(
        "Invalid order signer, must be the resource owner: workerpool ",
        order->workerpool.ToChecksum(), " is owned by ",
        pool->owner.ToChecksum(), ", not by wallet ", std::string(wallet), " (",
        signer->ToChecksum(), ")"));
  absl::StatusOr<iexec::OrderDomain> domain = DomainOf(**session);
  if (!domain.ok()) return domain.status();
  absl::StatusOr<TypedDataSignature> sig = gateway_->signer().SignTypedData(
      wallet, iexec::WorkerpoolOrderTypedData(*order, *domain),
      absl::StrCat(std::string(purpose), " ", order->workerpool.ToChecksum()));
  if (!sig.ok()) return sig.status();
  absl::StatusOr<eth::Hash32> hash =
      iexec::WorkerpoolOrderHash(*order, *domain);
  if (!hash.ok()) return hash.status();
  if (*hash != sig->digest)
    return absl::InternalError(
        "the signer hashed the order differently from chain-gateway");
  order->sign = eth::ToHex(sig->signature);
  return SignedWorkerpoolOrder{*std::move(order), eth::ToHex(*hash)};
}

absl::StatusOr<PublishCheck> Orders::CheckPublish(
    std::string_view chain, std::string_view wallet,
    const iexec::WorkerpoolOrder& order) {
  absl::StatusOr<ChainSession*> session = gateway_->Session(chain);
  if (!session.ok()) return session.status();
  PocoClient& poco = (*session)->poco();
  if (order.volume == 0)
    return absl::InvalidArgumentError("volume must be at least 1");
  absl::StatusOr<eth::Bytes> sign = eth::FromHex(order.sign, "sign");
  if (!sign.ok()) return sign.status();
  if (sign->size() != 65 && sign->size() != 64)
    return absl::InvalidArgumentError(absl::StrCat(
        "sign is ", sign->size(), " bytes, not a 65-byte r||s||v signature"));
  if (absl::Status s = CheckTagInSession(**session, order); !s.ok()) return s;
  absl::StatusOr<eth::Address> signer = gateway_->signer().Resolve(wallet);
  if (!signer.ok()) return signer.status();
  absl::StatusOr<iexec::OrderDomain> domain = DomainOf(**session);
  if (!domain.ok()) return domain.status();
  absl::StatusOr<eth::Hash32> hash = iexec::WorkerpoolOrderHash(order, *domain);
  if (!hash.ok()) return hash.status();

  PublishCheck check;
  check.order_hash = eth::ToHex(*hash);
  // Every on-chain rule in one JSON-RPC batch; the results are judged in the
  // market's order so the first broken rule is the one reported.
  absl::StatusOr<PublishReads> reads =
      poco.ReadForPublish(order.workerpool, *signer, *hash, *sign);
  if (!reads.ok()) return reads.status();
  if (!reads->registered.ok()) return reads->registered.status();
  if (!*reads->registered)
    return absl::NotFoundError(absl::StrCat("no workerpool registered at ",
                                            order.workerpool.ToChecksum()));
  if (!reads->owner.ok()) return reads->owner.status();
  const eth::Address& owner = *reads->owner;
  check.owner = owner;
  if (owner != *signer)
    return absl::FailedPreconditionError(absl::StrCat(
        "only order signer ", owner.ToChecksum(), " (the owner of workerpool ",
        order.workerpool.ToChecksum(), ") can publish this order; wallet ",
        std::string(wallet), " is ", signer->ToChecksum()));
  // From here the signer is the owner: the reads made for the signer are
  // the owner's.
  if (!reads->valid.ok()) return reads->valid.status();
  if (!*reads->valid)
    return absl::FailedPreconditionError(
        absl::StrCat("invalid sign: hub.verifySignature(", owner.ToChecksum(),
                     ", ", check.order_hash,
                     ") is false (the order was changed after signing, "
                     "or signed by another key or for another chain)"));
  if (!reads->consumed.ok()) return reads->consumed.status();
  const eth::U256& consumed = *reads->consumed;
  eth::U256 volume(order.volume);
  if (consumed >= volume)
    return absl::FailedPreconditionError(absl::StrCat(
        "order ", check.order_hash,
        " already consumed: viewConsumed = ", consumed.ToDecimal(),
        " of volume ", order.volume, " (matched or cancelled on-chain)"));
  check.remaining = (volume - consumed).low64();
  if (!reads->account.ok()) return reads->account.status();
  check.stake = reads->account->stake;
  check.required =
      StakePerTask(order.workerpoolprice) * eth::U256(check.remaining);
  if (check.stake < check.required)
    return absl::FailedPreconditionError(absl::StrCat(
        "workerpool owner's stake is too low to cover required workerpool "
        "lock: ",
        owner.ToChecksum(), " has ", Rlc(check.stake),
        " staked, the order needs ", Rlc(check.required), " (30% of price ",
        order.workerpoolprice, " nRLC × remaining ", check.remaining,
        "); poolctl account deposit ",
        (check.required - check.stake).ToDecimal(), " --wallet ",
        std::string(wallet)));
  // The market's per-wallet cap, counted in its own book.
  absl::StatusOr<MarketClient> market = Market(chain);
  if (!market.ok()) return market.status();
  MarketOrderbookQuery q;
  q.workerpool_owner = owner;
  q.page_size = 10;
  absl::StatusOr<MarketOrderbookPage> open = market->Orderbook(q);
  if (!open.ok()) return open.status();
  check.open_orders_of_signer = open->count;
  if (open->count >= max_open_orders_)
    return absl::ResourceExhaustedError(absl::StrCat(
        "maximum of ", max_open_orders_,
        " published open workerpoolorder has been reached for wallet ",
        owner.ToChecksum(), " (unpublish some first)"));
  return check;
}

absl::StatusOr<std::string> Orders::Publish(
    std::string_view chain, std::string_view wallet,
    const iexec::WorkerpoolOrder& order) {
  // A signed order carries its workerpool: its owner logs in to the market
  // unless the caller names a wallet.
  std::string owner;
  if (wallet.empty()) {
    absl::StatusOr<ChainSession*> session = gateway_->Session(chain);
    if (!session.ok()) return session.status();
    absl::StatusOr<WorkerpoolInfo> pool =
        (*session)->poco().GetWorkerpool(order.workerpool);
    if (!pool.ok()) return pool.status();
    owner = pool->owner.ToChecksum();
    wallet = owner;
  }
  absl::StatusOr<PublishCheck> check = CheckPublish(chain, wallet, order);
  if (!check.ok()) return check.status();
  absl::StatusOr<MarketClient> market = Market(chain);
  if (!market.ok()) return market.status();
  absl::StatusOr<std::string> hash = market->Publish(wallet, order);
  if (!hash.ok()) return hash.status();
  if (absl::AsciiStrToLower(*hash) != check->order_hash)
    return absl::InternalError(absl::StrCat(
        "market ", market->url(), " published the order as ", *hash,
        " but its hash under the hub's domain is ", check->order_hash));
  return *hash;
}

absl::StatusOr<SignedWorkerpoolOrder> Orders::SignAndPublish(
    std::string_view chain, std::string_view wallet,
    const OrderTermsInput& terms) {
  absl::StatusOr<SignedWorkerpoolOrder> signed_order =
      Sign(chain, wallet, terms, "order publish");
  if (!signed_order.ok()) return signed_order.status();
  absl::StatusOr<std::string> hash =
      Publish(chain, wallet, signed_order->order);
  if (!hash.ok()) return hash.status();
  return signed_order;
}

absl::StatusOr<std::vector<std::string>> Orders::Unpublish(
    std::string_view chain, std::string_view wallet, UnpublishTarget target,
    std::string_view workerpool, std::string_view order_hash) {
  eth::Address pool;
  std::string hash;
  if (target == UnpublishTarget::kOrderHash) {
    absl::StatusOr<eth::Hash32> h = ParseHash(order_hash, "orderHash");
    if (!h.ok()) return h.status();
    hash = eth::ToHex(*h);
  } else {
    if (workerpool.empty())
      return absl::InvalidArgumentError(
          "workerpool is required to unpublish its last or all orders");
    absl::StatusOr<eth::Address> a =
        eth::Address::Parse(workerpool, "workerpool");
    if (!a.ok()) return a.status();
    pool = *a;
  }
  absl::StatusOr<MarketClient> market = Market(chain);
  if (!market.ok()) return market.status();
  return market->Unpublish(wallet, target, pool, hash);
}

absl::StatusOr<OrderbookView> Orders::Orderbook(std::string_view chain,
                                                const OrderbookFilter& filter) {
  absl::StatusOr<MarketClient> market = Market(chain);
  if (!market.ok()) return market.status();
  MarketOrderbookQuery q;
  q.workerpool = filter.workerpool;
  q.category = filter.category;
  q.min_tag = filter.min_tag;
  q.max_tag = filter.max_tag;
  q.page_size = std::clamp<uint64_t>(filter.page_size, 10, 1000);
  absl::StatusOr<MarketOrderbookPage> page = market->OrderbookAll(q);
  if (!page.ok()) return page.status();
  OrderbookView view;
  view.count = page->count;
  for (MarketOrder& o : page->orders) {
    view.open_volume = view.open_volume + eth::U256(o.remaining);
    view.orders.push_back(std::move(o));
  }
  return view;
}

absl::StatusOr<eth::Bytes> Orders::ManageWorkerpoolOrderCall(
    const iexec::WorkerpoolOrder& o, uint8_t operation) {
  absl::StatusOr<eth::Bytes> sign = eth::FromHex(o.sign, "sign");
  if (!sign.ok()) return sign.status();
  abi::Value order = abi::Value::List(
      {abi::Value::Addr(o.workerpool), abi::Value::Uint(o.workerpoolprice),
       abi::Value::Uint(o.volume), Bytes32(o.tag), abi::Value::Uint(o.category),
       abi::Value::Uint(o.trust), abi::Value::Addr(o.apprestrict),
       abi::Value::Addr(o.datasetrestrict),
       abi::Value::Addr(o.requesterrestrict), Bytes32(o.salt),
       abi::Value::Blob(*sign)});
  return abi::EncodeCall(
      "manageWorkerpoolOrder(((address,uint256,uint256,bytes32,uint256,"
      "uint256,address,address,address,bytes32,bytes),uint8,bytes))",
      {abi::Value::List(
          {order, abi::Value::Uint(operation), abi::Value::Blob({})})});
}

absl::StatusOr<TxOutcome> Orders::Cancel(std::string_view chain,
                                         std::string_view wallet,
                                         const iexec::WorkerpoolOrder& order,
                                         const ProgressFn& progress) {
  absl::StatusOr<ChainSession*> session = gateway_->Session(chain);
  if (!session.ok()) return session.status();
  PocoClient& poco = (*session)->poco();
  absl::StatusOr<iexec::OrderDomain> domain = DomainOf(**session);
  if (!domain.ok()) return domain.status();
  absl::StatusOr<eth::Hash32> hash = iexec::WorkerpoolOrderHash(order, *domain);
  if (!hash.ok()) return hash.status();
  std::string hash_hex = eth::ToHex(*hash);
  if (progress)
    progress({TxProgress::Stage::kChecking,
              absl::StrCat("checking order ", hash_hex), std::nullopt, 0, 0});
  absl::StatusOr<eth::U256> consumed = poco.ViewConsumed(*hash);
  if (!consumed.ok()) return consumed.status();
  if (*consumed >= eth::U256(order.volume))
    return absl::FailedPreconditionError(
        absl::StrCat("workerpoolorder already canceled: ", hash_hex,
                     " has nothing remaining (viewConsumed ",
                     consumed->ToDecimal(), " of volume ", order.volume, ")"));
  absl::StatusOr<eth::Address> signer = gateway_->signer().Resolve(wallet);
  if (!signer.ok()) return signer.status();
  absl::StatusOr<WorkerpoolInfo> pool = poco.GetWorkerpool(order.workerpool);
  if (!pool.ok()) return pool.status();
  if (pool->owner != *signer)
    return absl::FailedPreconditionError(absl::StrCat(
        "only the owner of workerpool ", order.workerpool.ToChecksum(), " (",
        pool->owner.ToChecksum(), ") can cancel its orders; wallet ",
        std::string(wallet), " is ", signer->ToChecksum()));
  absl::StatusOr<eth::Bytes> data =
      ManageWorkerpoolOrderCall(order, kOperationClose);
  if (!data.ok()) return data.status();
  TxIntent intent;
  intent.wallet = std::string(wallet);
  intent.to = (*session)->config().hub;
  intent.data = *std::move(data);
  intent.label = absl::StrCat("cancel workerpoolorder ", hash_hex);
  absl::StatusOr<TxOutcome> out = (*session)->tx().Send(intent, progress);
  if (!out.ok()) return out.status();
  eth::Bytes want(hash->begin(), hash->end());
  absl::StatusOr<eth::Bytes> topic =
      eth::FromHexFixed(kClosedWorkerpoolOrderTopic, 32, "topic");
  for (const Log& log : out->receipt.logs) {
    if (log.address == (*session)->config().hub && !log.topics.empty() &&
        eth::Bytes(log.topics[0].begin(), log.topics[0].end()) == *topic &&
        log.data == want)
      return out;
  }
  return absl::InternalError(absl::StrCat(
      "transaction ", eth::ToHex(out->tx_hash),
      " was mined without a ClosedWorkerpoolOrder(", hash_hex, ") log"));
}

}  // namespace poolops::chain
