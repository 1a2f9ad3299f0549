// The status page's files (assets/), compiled into the binary so the page
// needs nothing from outside: no CDN, works offline.
#pragma once

#include <string_view>

namespace poolops::monitor {

struct DashboardAsset {
  std::string_view name;  // "index.html", "app.js", "style.css"
  std::string_view content_type;
  std::string_view body;
};

// nullptr when there is no such file.
const DashboardAsset* FindDashboardAsset(std::string_view name);

}  // namespace poolops::monitor
