#pragma once
// Delivery reports (docs/reports.md): the counts, rates and breakdowns of one delivery, and the
// same counts across deliveries, read from the roll-ups that the sender, the bounce handling and
// the tracking ingestion keep (delivery_stats, delivery_failure_stats, delivery_link_stats,
// delivery_agent_stats, tracking_uniques) and from the deliveries' sending-log counters. No
// statement here reads tracking_events for a delivery, so a report's cost does not grow with
// the number of events; the domain breakdown reads the delivery's sending log (one row per
// recipient) with an indexed lookup of tracking_uniques per row.
//
// Every table of a report becomes a Table (named columns, typed cells), and both the JSON of
// the API and the CSV files are written from it, so their keys and columns always agree.
//
// The Load* functions run the named statements of sql/<dialect>/reports.sql in the caller's
// transaction and fail as Transaction::Query does. No permission checks here: that is
// service/ReportService's job. Pure functions and plain values; thread-safe.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "storage/database.hpp"

namespace overture::reporting {

// The counts of one delivery, or of several summed. docs/reports.md gives each formula.
struct Counts {
    std::int64_t targeted = 0;   // rows in the sending log
    std::int64_t excluded = 0;   // rows ignored at preparation
    std::int64_t processed = 0;  // rows with a final outcome: sent or failed (hard, soft, ignored)
    std::int64_t sent = 0;       // accepted by the next hop (delivery_stats.sent)
    std::int64_t delivered = 0;  // rows still sent: minus the asynchronous hard bounces
    std::int64_t hard_bounces = 0, soft_bounces = 0, ignored = 0;
    std::int64_t opens = 0, unique_opens = 0, machine_opens = 0;
    std::int64_t clicks = 0, unique_clicks = 0;
    std::int64_t unsubscribes = 0, mirror_views = 0, complaints = 0;

    Counts& operator+=(const Counts& o);
};

// Fractions 0..1 rounded to 4 decimals; nullopt when the denominator is 0.
struct Rates {
    std::optional<double> delivered_rate;      // delivered / processed
    std::optional<double> bounce_rate;         // (hard + soft) / processed
    std::optional<double> hard_bounce_rate;    // hard / processed
    std::optional<double> soft_bounce_rate;    // soft / processed
    std::optional<double> open_rate;           // unique opens / delivered
    std::optional<double> click_through_rate;  // unique clicks / delivered
    std::optional<double> reactivity;          // unique clicks / unique opens
    std::optional<double> unsubscribe_rate;    // unsubscribes / delivered
    std::optional<double> complaint_rate;      // complaints / delivered
};
Rates ComputeRates(const Counts& c);
// n / d rounded to 4 decimals; nullopt when d is 0.
std::optional<double> Ratio(std::int64_t n, std::int64_t d);

// A delivery as the reports show it, with its counts.
struct DeliverySummary {
    std::int64_t delivery_id = 0;
    std::string label;
    std::string state;
    std::optional<TimePoint> started_at, finished_at;
    std::string preparation;  // deliveries.preparation (JSON text; '' when none)
    Counts counts;
};

struct HourRow {
    TimePoint hour;
    std::int64_t sent = 0, hard_bounces = 0, soft_bounces = 0;
    std::int64_t opens = 0, unique_opens = 0, machine_opens = 0;
    std::int64_t clicks = 0, unique_clicks = 0;
    std::int64_t unsubscribes = 0, mirror_views = 0, complaints = 0;
};

// The domains with the most recipients (kTopDomains), then one row "other" for the rest.
inline constexpr int kTopDomains = 50;
inline constexpr std::string_view kOtherDomain = "other";
inline constexpr std::string_view kNoDomain = "(none)";  // addresses without an '@'
struct DomainRow {
    std::string domain;
    std::int64_t targeted = 0, sent = 0, delivered = 0, hard_bounces = 0, soft_bounces = 0;
    std::int64_t unique_opens = 0, unique_clicks = 0;
};

struct DeviceRow {
    std::string device, client;
    std::int64_t opens = 0, machine_opens = 0, clicks = 0;
};

inline constexpr std::string_view kPersonalizedUrl = "(personalized)";
struct LinkRow {
    std::int64_t link_id = 0;
    std::string label, category;
    std::string url;  // kPersonalizedUrl when each recipient got their own
    std::int64_t clicks = 0, unique_clicks = 0;
    std::optional<double> share;  // clicks / all links' clicks; nullopt without any click
};

struct BounceRow {
    std::string failure_type;  // hard, soft, ignored
    std::string reason;
    std::int64_t count = 0;
};

struct ExclusionRow {
    std::string cause;
    std::int64_t count = 0;
};

// The whole report of one delivery. `exclusions` come from the preparation (the service reads
// it); the rest from the Load* functions below.
struct DeliveryReport {
    DeliverySummary summary;
    Rates rates;
    TimePoint generated_at;
    std::vector<HourRow> hourly;
    std::vector<DomainRow> domains;
    std::vector<DeviceRow> devices;
    std::vector<LinkRow> links;
    std::vector<BounceRow> bounces;
    std::vector<ExclusionRow> exclusions;
};

// The delivery with its counts, or nullopt when there is no delivery with that id.
Result<std::optional<DeliverySummary>> LoadSummary(storage::Transaction& tx,
                                                   std::int64_t delivery_id);
Result<std::vector<HourRow>> LoadHourly(storage::Transaction& tx, std::int64_t delivery_id);
Result<std::vector<DomainRow>> LoadDomains(storage::Transaction& tx, std::int64_t delivery_id,
                                           int top = kTopDomains);
Result<std::vector<DeviceRow>> LoadDevices(storage::Transaction& tx, std::int64_t delivery_id);
// Shares computed over the links returned.
Result<std::vector<LinkRow>> LoadLinks(storage::Transaction& tx, std::int64_t delivery_id);
Result<std::vector<BounceRow>> LoadBounces(storage::Transaction& tx, std::int64_t delivery_id);
// Everything but `exclusions`, or nullopt when there is no delivery with that id.
Result<std::optional<DeliveryReport>> LoadReport(storage::Transaction& tx, std::int64_t delivery_id,
                                                 TimePoint now);

// Deliveries (not templates) started in [from, to), newest first, at most `limit`.
Result<std::vector<DeliverySummary>> LoadDeliveries(storage::Transaction& tx, TimePoint from,
                                                    TimePoint to, int limit);

// One event of a profile's tracking log.
struct TrackingEntry {
    std::int64_t id = 0;
    std::int64_t delivery_id = 0;
    std::string delivery_label;  // '' when the delivery is gone
    std::string kind;            // open, click, unsubscribe, mirror
    std::optional<std::int64_t> link_id;
    std::optional<std::string> link_label, url;  // clicks on a known link
    bool machine = false;
    std::string device, client;
    TimePoint at;
};
// The events of `profile_id` with an id below `before_id`, newest first, at most `limit`.
Result<std::vector<TrackingEntry>> LoadProfileTracking(storage::Transaction& tx,
                                                       std::int64_t profile_id,
                                                       std::int64_t before_id, int limit);

// ---- Tables: what both the JSON and the CSV files are written from. ----

// null, a count, a rate (4 decimals) or text (times are RFC 3339 text).
using Cell = std::variant<std::monostate, std::int64_t, double, std::string>;
struct Table {
    std::vector<std::string> columns;  // the JSON keys and the CSV header
    std::vector<std::vector<Cell>> rows;
};

// The tables of a delivery report, by the names of the CSV files.
inline constexpr std::string_view kReportTables[] = {"summary", "hourly",  "domains",   "devices",
                                                     "links",   "bounces", "exclusions"};
// The table `name` of `report`; nullopt for a name not in kReportTables.
std::optional<Table> ReportTable(const DeliveryReport& report, std::string_view name);
// The links table alone (the hot-clicks view lists the links as the report does).
Table LinksTable(std::span<const LinkRow> rows);

// The cross-delivery list: one row per delivery (deliveryId, label, state, startedAt, then the
// counts and the rates) and, with `total_row`, a last row "Total" with the summed counts and
// their rates.
Table DeliveryListTable(std::span<const DeliverySummary> items, bool total_row);
Counts SumCounts(std::span<const DeliverySummary> items);

// {"targeted": ..., ...} and {"deliveredRate": ..., ...}: the counts and rates objects of the
// JSON, with the same keys as the tables.
boost::json::object CountsJson(const Counts& c);
boost::json::object RatesJson(const Rates& r);
// The table as an array of objects keyed by its columns.
boost::json::array TableJson(const Table& table);
// The GET /api/v1/deliveries/{id}/report body (docs/reports.md).
boost::json::object ReportJson(const DeliveryReport& report);

// RFC 4180 CSV with a header row of the column names and CRLF line ends. A text cell that starts
// with = + - @, a tab or a carriage return gets a leading ' so that spreadsheets do not run it as
// a formula; a cell with a comma, a quote, CR or LF is quoted with quotes doubled; null is an
// empty cell; rates have 4 decimals.
std::string ToCsv(const Table& table);

}  // namespace overture::reporting
