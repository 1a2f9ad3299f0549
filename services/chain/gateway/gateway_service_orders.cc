// Order, orderbook and publisher methods of the gRPC adapter. Being built:
// they answer UNIMPLEMENTED until the order layer lands.
#include "services/chain/gateway/gateway_service.h"

namespace poolops::chain {

grpc::Status GatewayService::SignOrder(grpc::ServerContext*,
                                       const v1::SignOrderRequest*,
                                       v1::SignedOrder*) {
  return {grpc::StatusCode::UNIMPLEMENTED, "SignOrder is being built"};
}
grpc::Status GatewayService::PublishOrder(grpc::ServerContext*,
                                          const v1::PublishOrderRequest*,
                                          v1::PublishOrderResponse*) {
  return {grpc::StatusCode::UNIMPLEMENTED, "PublishOrder is being built"};
}
grpc::Status GatewayService::UnpublishOrders(grpc::ServerContext*,
                                             const v1::UnpublishOrdersRequest*,
                                             v1::UnpublishOrdersResponse*) {
  return {grpc::StatusCode::UNIMPLEMENTED, "UnpublishOrders is being built"};
}
grpc::Status GatewayService::CancelOrder(
    grpc::ServerContext*, const v1::CancelOrderRequest*,
    grpc::ServerWriter<v1::CancelOrderEvent>*) {
  return {grpc::StatusCode::UNIMPLEMENTED, "CancelOrder is being built"};
}
grpc::Status GatewayService::GetOrderbook(grpc::ServerContext*,
                                          const v1::GetOrderbookRequest*,
                                          v1::Orderbook*) {
  return {grpc::StatusCode::UNIMPLEMENTED, "GetOrderbook is being built"};
}
grpc::Status GatewayService::SetPublisherPolicy(
    grpc::ServerContext*, const v1::SetPublisherPolicyRequest*,
    v1::PublisherStatus*) {
  return {grpc::StatusCode::UNIMPLEMENTED, "SetPublisherPolicy is being built"};
}
grpc::Status GatewayService::GetPublisherStatus(
    grpc::ServerContext*, const v1::GetPublisherStatusRequest*,
    v1::PublisherStatus*) {
  return {grpc::StatusCode::UNIMPLEMENTED, "GetPublisherStatus is being built"};
}

}  // namespace poolops::chain
