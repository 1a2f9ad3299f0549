#include "services/orchestrator/owner_policy.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"

namespace poolops::orchestrator {
namespace {

namespace wv1 = ::poolops::wallet::v1;

// PoCo 5.x's EIP-712 WorkerpoolOrder, as chain-gateway signs it.
constexpr char kWorkerpoolOrderType[] =
    "WorkerpoolOrder(address workerpool,uint256 workerpoolprice,uint256 "
    "volume,bytes32 tag,uint256 category,uint256 trust,address apprestrict,"
    "address datasetrestrict,address requesterrestrict,bytes32 salt)";
// The market API's login challenge.
constexpr char kChallengeType[] = "Challenge(string challenge)";

std::string Lower(const std::string& s) { return absl::AsciiStrToLower(s); }

template <typename Field>
void AddMissing(const Field& from, Field* to, bool any_case) {
  for (const std::string& v : from) {
    bool present =
        std::any_of(to->begin(), to->end(), [&](const std::string& e) {
          return any_case ? Lower(e) == Lower(v) : e == v;
        });
    if (!present) to->Add(std::string(v));
  }
}

bool SameRule(const wv1::TypedDataRule& a, const wv1::TypedDataRule& b) {
  std::map<std::string, std::string> am(a.message().begin(), a.message().end());
  std::map<std::string, std::string> bm(b.message().begin(), b.message().end());
  for (auto* m : {&am, &bm}) {
    for (auto& [k, v] : *m) v = Lower(v);
  }
  return a.primary_type() == b.primary_type() &&
         a.domain_name() == b.domain_name() &&
         a.domain_version() == b.domain_version() &&
         a.domain_chain_id() == b.domain_chain_id() &&
         Lower(a.domain_verifying_contract()) ==
             Lower(b.domain_verifying_contract()) &&
         a.encode_type() == b.encode_type() && am == bm;
}

}  // namespace

wv1::Policy PublishingOwnerPolicy(const ChainInfo& chain,
                                  const std::string& workerpool) {
  wv1::Policy p;
  p.add_allowed_chain_ids(chain.chain_id);
  // Staking goes to the hub where RLC is native; elsewhere through the RLC
  // token (approveAndCall), which a recipient rule would refuse.
  if (chain.sidechain) p.add_allowed_to(chain.hub);
  wv1::TypedDataRule* order = p.add_typed_data_rules();
  order->set_primary_type("WorkerpoolOrder");
  order->set_domain_name("iExecODB");
  order->set_domain_version("5.0.0");
  order->set_domain_chain_id(chain.chain_id);
  order->set_domain_verifying_contract(chain.hub);
  order->set_encode_type(kWorkerpoolOrderType);
  (*order->mutable_message())["workerpool"] = workerpool;
  wv1::TypedDataRule* challenge = p.add_typed_data_rules();
  challenge->set_primary_type("Challenge");
  challenge->set_domain_name("iExec Gateway");
  challenge->set_domain_version("1");
  challenge->set_domain_chain_id(chain.chain_id);
  challenge->set_encode_type(kChallengeType);
  return p;
}

wv1::Policy MergePolicy(const wv1::Policy& current, const wv1::Policy& add) {
  wv1::Policy out = current;
  AddMissing(add.allowed_chain_ids(), out.mutable_allowed_chain_ids(), false);
  AddMissing(add.allowed_to(), out.mutable_allowed_to(), true);
  AddMissing(add.allowed_domain_names(), out.mutable_allowed_domain_names(),
             false);
  AddMissing(add.allowed_verifying_contracts(),
             out.mutable_allowed_verifying_contracts(), true);
  for (const wv1::TypedDataRule& rule : add.typed_data_rules()) {
    bool present = std::any_of(
        out.typed_data_rules().begin(), out.typed_data_rules().end(),
        [&](const wv1::TypedDataRule& r) { return SameRule(r, rule); });
    if (!present) *out.add_typed_data_rules() = rule;
  }
  return out;
}

}  // namespace poolops::orchestrator
