#pragma once
// Reports (docs/reports.md): a delivery's report and its CSV files, the hot-clicks view, the
// report across deliveries, and a profile's tracking history. The numbers come from
// reporting/ (the roll-ups); this adds the permission check (kReadData), the delivery's
// exclusion causes from its preparation, and the rendering of the hot-clicks HTML.
//
// Errors: kPermissionDenied without kReadData (an API key without the read scope); kNotFound for
// a delivery or profile that does not exist and for an unknown CSV table; kInvalidArgument for a
// bad range, limit or cursor; storage errors as they come.
//
// Thread-safe (holds only references).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "reporting/reports.hpp"
#include "service/actor.hpp"
#include "service/deliveries.hpp"
#include "service/fragments.hpp"
#include "service/page.hpp"
#include "service/records.hpp"
#include "storage/database.hpp"

namespace overture::service {

// The hot-clicks view: the delivery's HTML with every tracked link's href replaced by
// "#ov-link-<linkId>" (the UI draws each link's share over it), and the links' clicks.
struct HotClicks {
    std::string html;
    std::vector<reporting::LinkRow> links;
};

struct DeliveryRange {
    std::optional<TimePoint> from;  // default: `to` minus 90 days
    std::optional<TimePoint> to;    // default: now
    int limit = 100;                // 1..kMaxPageSize
};

struct DeliveryList {
    std::vector<reporting::DeliverySummary> items;  // newest first
    reporting::Counts totals;                       // summed over `items`
};

class ReportService {
  public:
    ReportService(storage::Database& db, const Clock& clock, const DeliveryService& deliveries,
                  const RecordService& records, const FragmentService& fragments)
        : db_(db),
          clock_(clock),
          deliveries_(deliveries),
          records_(records),
          fragments_(fragments) {}

    // The whole report of a delivery, exclusions included.
    Result<reporting::DeliveryReport> DeliveryReport(const Actor& actor,
                                                     std::int64_t delivery_id) const;
    // One table of it as CSV (reporting::kReportTables names them); kNotFound for another name.
    Result<std::string> DeliveryReportCsv(const Actor& actor, std::int64_t delivery_id,
                                          std::string_view table) const;

    // The delivery's HTML rendered for its first test profile (settings.testProfileIds; the
    // test profile's linked profile when it has one), or with an empty profile when it has none
    // or that test profile is gone. Special URLs (unsubscribe, mirror) render as "#".
    // kFailedPrecondition when the delivery has no HTML part; kInvalidArgument when it does not
    // compile or render.
    Result<HotClicks> HotClicksView(const Actor& actor, std::int64_t delivery_id) const;

    // Deliveries started in [from, to), newest first. kInvalidArgument when from >= to or the
    // limit is out of range.
    Result<DeliveryList> Deliveries(const Actor& actor, const DeliveryRange& range) const;
    // The same as CSV, with a "Total" row.
    Result<std::string> DeliveriesCsv(const Actor& actor, const DeliveryRange& range) const;

    // A profile's tracking log, newest first. kNotFound for a profile that does not exist.
    Result<Page<reporting::TrackingEntry>> ProfileTracking(const Actor& actor,
                                                           std::int64_t profile_id,
                                                           const PageRequest& page) const;

  private:
    Result<std::vector<reporting::DeliverySummary>> LoadRange(const DeliveryRange& range) const;

    storage::Database& db_;
    const Clock& clock_;
    const DeliveryService& deliveries_;
    const RecordService& records_;
    const FragmentService& fragments_;
};

}  // namespace overture::service
