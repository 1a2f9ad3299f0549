// The market's HTTP face (cpp-httplib): routes of the iExec market API to
// Market, JSON everywhere (the SDK refuses other content types), errors as
// {"ok":false,"error":"..."} with the real API's statuses.
#pragma once

#include <memory>

#include "services/chain/market/market.h"

namespace httplib {
class Server;
}

namespace poolops::market {

std::unique_ptr<httplib::Server> NewMarketHttpServer(Market* market);

}  // namespace poolops::market
