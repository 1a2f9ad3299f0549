// The gRPC adapter of chain-gateway (proto/poolops/chain/v1): translates
// messages to the domain classes and absl::Status to gRPC codes. Chain,
// balance, transfer, stake and workerpool methods live in
// gateway_service.cc; order, orderbook and publisher methods in
// gateway_service_orders.cc; devnet funding in gateway_service_devnet.cc.
#pragma once

#include "absl/status/statusor.h"
#include "libs/eth/uint256.h"
#include "libs/eth/units.h"
#include "poolops/chain/v1/chain.grpc.pb.h"
#include "services/chain/chains/chain_ops.h"
#include "services/chain/chains/gateway.h"

namespace poolops::chain {

// The order half, built in orders.h / publisher.h. main.cc creates them as
//   absl::StatusOr<std::unique_ptr<Orders>> Orders::Create(Gateway*, home);
//   absl::StatusOr<std::unique_ptr<Publishers>> Publishers::Create(
//       Gateway*, Orders*, home);
class Orders;
class Publishers;

namespace v1 = ::poolops::chain::v1;

class GatewayService final : public v1::ChainGateway::Service {
 public:
  // Everything must outlive the service.
  GatewayService(Gateway* gateway, ChainOps* ops, Orders* orders,
                 Publishers* publishers)
      : gateway_(gateway),
        ops_(ops),
        orders_(orders),
        publishers_(publishers) {}

  grpc::Status ListChains(grpc::ServerContext*, const v1::ListChainsRequest*,
                          v1::ListChainsResponse*) override;
  grpc::Status GetChain(grpc::ServerContext*, const v1::GetChainRequest*,
                        v1::Chain*) override;
  grpc::Status AddChain(grpc::ServerContext*, const v1::AddChainRequest*,
                        v1::Chain*) override;
  grpc::Status ImportChains(grpc::ServerContext*,
                            const v1::ImportChainsRequest*,
                            v1::ListChainsResponse*) override;
  grpc::Status GetBalances(grpc::ServerContext*, const v1::GetBalancesRequest*,
                           v1::Balances*) override;
  grpc::Status GetAccount(grpc::ServerContext*, const v1::GetAccountRequest*,
                          v1::Account*) override;
  grpc::Status SendRlc(grpc::ServerContext*, const v1::SendRlcRequest*,
                       grpc::ServerWriter<v1::SendRlcEvent>*) override;
  grpc::Status Deposit(grpc::ServerContext*, const v1::DepositRequest*,
                       grpc::ServerWriter<v1::StakeEvent>*) override;
  grpc::Status Withdraw(grpc::ServerContext*, const v1::WithdrawRequest*,
                        grpc::ServerWriter<v1::StakeEvent>*) override;
  grpc::Status DeployWorkerpool(
      grpc::ServerContext*, const v1::DeployWorkerpoolRequest*,
      grpc::ServerWriter<v1::DeployWorkerpoolEvent>*) override;
  grpc::Status GetWorkerpool(grpc::ServerContext*,
                             const v1::GetWorkerpoolRequest*,
                             v1::Workerpool*) override;
  grpc::Status ListWorkerpools(grpc::ServerContext*,
                               const v1::ListWorkerpoolsRequest*,
                               v1::ListWorkerpoolsResponse*) override;

  // gateway_service_orders.cc
  grpc::Status SignOrder(grpc::ServerContext*, const v1::SignOrderRequest*,
                         v1::SignedOrder*) override;
  grpc::Status PublishOrder(grpc::ServerContext*,
                            const v1::PublishOrderRequest*,
                            v1::PublishOrderResponse*) override;
  grpc::Status UnpublishOrders(grpc::ServerContext*,
                               const v1::UnpublishOrdersRequest*,
                               v1::UnpublishOrdersResponse*) override;
  grpc::Status CancelOrder(grpc::ServerContext*, const v1::CancelOrderRequest*,
                           grpc::ServerWriter<v1::CancelOrderEvent>*) override;
  grpc::Status GetOrderbook(grpc::ServerContext*,
                            const v1::GetOrderbookRequest*,
                            v1::Orderbook*) override;
  grpc::Status SetPublisherPolicy(grpc::ServerContext*,
                                  const v1::SetPublisherPolicyRequest*,
                                  v1::PublisherStatus*) override;
  grpc::Status GetPublisherStatus(grpc::ServerContext*,
                                  const v1::GetPublisherStatusRequest*,
                                  v1::PublisherStatus*) override;

  // gateway_service_devnet.cc
  grpc::Status FundFromDevnet(
      grpc::ServerContext*, const v1::FundFromDevnetRequest*,
      grpc::ServerWriter<v1::FundFromDevnetEvent>*) override;

 private:
  Gateway* const gateway_;
  ChainOps* const ops_;
  Orders* const orders_;
  Publishers* const publishers_;
};

// Shared by both halves of the adapter: the progress event of a transaction
// step, and amounts with their units.
v1::Progress ToProto(const TxProgress& progress);
v1::TxResult ToProto(const TxOutcome& outcome);
// An operator amount in `base` (kNRlc or kWei); UNIT_UNSPECIFIED takes
// `default_unit` (CLI.md: nRLC for account and order, RLC for send-rlc).
absl::StatusOr<eth::U256> AmountIn(const v1::Amount& amount,
                                   eth::Unit default_unit, eth::Unit base);

}  // namespace poolops::chain
