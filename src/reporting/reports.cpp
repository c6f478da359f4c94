// Delivery reports: the statements of sql/<dialect>/reports.sql read into plain rows, the rates
// computed from the counts, and one Table per report table from which the JSON and the CSV are
// both written (the key lists below are the only place the column names are spelled).
#include "reporting/reports.hpp"

#include <fmt/format.h>

#include <array>
#include <boost/json.hpp>
#include <cmath>

#include "common/strings.hpp"

namespace overture::reporting {

namespace json = boost::json;
using storage::AsBool;
using storage::AsInt;
using storage::AsString;
using storage::IsNull;
using storage::Transaction;
using storage::Value;

namespace {

constexpr std::string_view kReportDelivery = "report-delivery";
constexpr std::string_view kReportDeliveries = "report-deliveries";
constexpr std::string_view kReportHourly = "report-hourly";
constexpr std::string_view kReportDomains = "report-domains";
constexpr std::string_view kReportDevices = "report-devices";
constexpr std::string_view kReportLinks = "report-links";
constexpr std::string_view kReportBounces = "report-bounces";
constexpr std::string_view kReportProfileTracking = "report-profile-tracking";

constexpr std::array<std::string_view, 16> kCountKeys = {
    "targeted",     "excluded",     "processed",   "sent",        "delivered",    "hardBounces",
    "softBounces",  "ignored",      "opens",       "uniqueOpens", "machineOpens", "clicks",
    "uniqueClicks", "unsubscribes", "mirrorViews", "complaints"};

std::array<std::int64_t, 16> CountValues(const Counts& c) {
    return {c.targeted,      c.excluded,     c.processed,     c.sent,
            c.delivered,     c.hard_bounces, c.soft_bounces,  c.ignored,
            c.opens,         c.unique_opens, c.machine_opens, c.clicks,
            c.unique_clicks, c.unsubscribes, c.mirror_views,  c.complaints};
}

constexpr std::array<std::string_view, 9> kRateKeys = {
    "deliveredRate",    "bounceRate", "hardBounceRate",  "softBounceRate", "openRate",
    "clickThroughRate", "reactivity", "unsubscribeRate", "complaintRate"};

std::array<std::optional<double>, 9> RateValues(const Rates& r) {
    return {r.delivered_rate,   r.bounce_rate,      r.hard_bounce_rate,
            r.soft_bounce_rate, r.open_rate,        r.click_through_rate,
            r.reactivity,       r.unsubscribe_rate, r.complaint_rate};
}

Cell RateCell(const std::optional<double>& r) { return r ? Cell(*r) : Cell(); }
Cell TimeCell(const std::optional<TimePoint>& t) { return t ? Cell(FormatRfc3339(*t)) : Cell(); }
std::optional<TimePoint> OptionalTime(const Value& v) {
    if (IsNull(v)) return std::nullopt;
    return FromUnixMillis(AsInt(v));
}

// The columns of report-delivery and report-deliveries.
DeliverySummary SummaryFromRow(const std::vector<Value>& r) {
    DeliverySummary s;
    s.delivery_id = AsInt(r[0]);
    s.label = AsString(r[1]);
    s.state = AsString(r[2]);
    s.started_at = OptionalTime(r[3]);
    s.finished_at = OptionalTime(r[4]);
    s.preparation = AsString(r[5]);
    const std::int64_t pending = AsInt(r[6]), rows_sent = AsInt(r[7]), failed = AsInt(r[8]),
                       ignored = AsInt(r[9]);
    Counts& c = s.counts;
    c.targeted = pending + rows_sent + failed + ignored;
    c.excluded = ignored;
    // Every row ends sent or failed (hard, soft, ignored at sending). Summing delivery_stats
    // instead would count an asynchronous hard bounce twice: once sent, once bounced.
    c.processed = rows_sent + failed;
    c.delivered = rows_sent;
    c.sent = AsInt(r[10]);
    c.hard_bounces = AsInt(r[11]);
    c.soft_bounces = AsInt(r[12]);
    c.ignored = AsInt(r[13]);
    c.opens = AsInt(r[14]);
    c.unique_opens = AsInt(r[15]);
    c.machine_opens = AsInt(r[16]);
    c.clicks = AsInt(r[17]);
    c.unique_clicks = AsInt(r[18]);
    c.unsubscribes = AsInt(r[19]);
    c.mirror_views = AsInt(r[20]);
    c.complaints = AsInt(r[21]);
    return s;
}

void AppendCounts(std::vector<Cell>& row, const Counts& c) {
    for (auto v : CountValues(c)) row.emplace_back(v);
}
void AppendRates(std::vector<Cell>& row, const Rates& r) {
    for (const auto& v : RateValues(r)) row.push_back(RateCell(v));
}
void AppendKeys(std::vector<std::string>& columns, std::span<const std::string_view> keys) {
    for (auto k : keys) columns.emplace_back(k);
}

json::value CellJson(const Cell& cell) {
    return std::visit(
        [](const auto& v) -> json::value {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                return nullptr;
            } else {
                return json::value(v);
            }
        },
        cell);
}

std::string CellText(const Cell& cell) {
    return std::visit(
        [](const auto& v) -> std::string {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                return {};
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                return std::to_string(v);
            } else if constexpr (std::is_same_v<T, double>) {
                return fmt::format("{:.4f}", v);
            } else {
                return SpreadsheetSafe(v);
            }
        },
        cell);
}

void AppendCsvField(std::string& out, std::string_view field) {
    if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
        out += field;
        return;
    }
    out += '"';
    for (char ch : field) {
        if (ch == '"') out += '"';
        out += ch;
    }
    out += '"';
}

Table SummaryTable(const DeliveryReport& r) {
    Table t;
    t.columns = {"deliveryId", "label", "state", "startedAt", "finishedAt", "generatedAt"};
    AppendKeys(t.columns, kCountKeys);
    AppendKeys(t.columns, kRateKeys);
    const auto& s = r.summary;
    std::vector<Cell> row = {s.delivery_id,
                             s.label,
                             s.state,
                             TimeCell(s.started_at),
                             TimeCell(s.finished_at),
                             FormatRfc3339(r.generated_at)};
    AppendCounts(row, s.counts);
    AppendRates(row, r.rates);
    t.rows.push_back(std::move(row));
    return t;
}

Table HourlyTable(std::span<const HourRow> rows) {
    Table t;
    t.columns = {"hour",         "sent",         "hardBounces",  "softBounces",
                 "opens",        "uniqueOpens",  "machineOpens", "clicks",
                 "uniqueClicks", "unsubscribes", "mirrorViews",  "complaints"};
    for (const auto& h : rows) {
        t.rows.push_back({FormatRfc3339(h.hour), h.sent, h.hard_bounces, h.soft_bounces, h.opens,
                          h.unique_opens, h.machine_opens, h.clicks, h.unique_clicks,
                          h.unsubscribes, h.mirror_views, h.complaints});
    }
    return t;
}

Table DomainsTable(std::span<const DomainRow> rows) {
    Table t;
    t.columns = {"domain",      "targeted",    "sent",         "delivered", "hardBounces",
                 "softBounces", "uniqueOpens", "uniqueClicks", "openRate",  "clickThroughRate"};
    for (const auto& d : rows) {
        t.rows.push_back({d.domain, d.targeted, d.sent, d.delivered, d.hard_bounces, d.soft_bounces,
                          d.unique_opens, d.unique_clicks,
                          RateCell(Ratio(d.unique_opens, d.delivered)),
                          RateCell(Ratio(d.unique_clicks, d.delivered))});
    }
    return t;
}

Table DevicesTable(std::span<const DeviceRow> rows) {
    Table t;
    t.columns = {"device", "client", "opens", "machineOpens", "clicks"};
    for (const auto& d : rows) {
        t.rows.push_back({d.device, d.client, d.opens, d.machine_opens, d.clicks});
    }
    return t;
}

Table BouncesTable(std::span<const BounceRow> rows) {
    Table t;
    t.columns = {"failureType", "reason", "count"};
    for (const auto& b : rows) t.rows.push_back({b.failure_type, b.reason, b.count});
    return t;
}

Table ExclusionsTable(std::span<const ExclusionRow> rows) {
    Table t;
    t.columns = {"cause", "count"};
    for (const auto& e : rows) t.rows.push_back({e.cause, e.count});
    return t;
}

}  // namespace

Counts& Counts::operator+=(const Counts& o) {
    targeted += o.targeted;
    excluded += o.excluded;
    processed += o.processed;
    sent += o.sent;
    delivered += o.delivered;
    hard_bounces += o.hard_bounces;
    soft_bounces += o.soft_bounces;
    ignored += o.ignored;
    opens += o.opens;
    unique_opens += o.unique_opens;
    machine_opens += o.machine_opens;
    clicks += o.clicks;
    unique_clicks += o.unique_clicks;
    unsubscribes += o.unsubscribes;
    mirror_views += o.mirror_views;
    complaints += o.complaints;
    return *this;
}

std::optional<double> Ratio(std::int64_t n, std::int64_t d) {
    if (d == 0) return std::nullopt;
    return std::round(static_cast<double>(n) / static_cast<double>(d) * 10000.0) / 10000.0;
}

Rates ComputeRates(const Counts& c) {
    Rates r;
    r.delivered_rate = Ratio(c.delivered, c.processed);
    r.bounce_rate = Ratio(c.hard_bounces + c.soft_bounces, c.processed);
    r.hard_bounce_rate = Ratio(c.hard_bounces, c.processed);
    r.soft_bounce_rate = Ratio(c.soft_bounces, c.processed);
    r.open_rate = Ratio(c.unique_opens, c.delivered);
    r.click_through_rate = Ratio(c.unique_clicks, c.delivered);
    r.reactivity = Ratio(c.unique_clicks, c.unique_opens);
    r.unsubscribe_rate = Ratio(c.unsubscribes, c.delivered);
    r.complaint_rate = Ratio(c.complaints, c.delivered);
    return r;
}

Result<std::optional<DeliverySummary>> LoadSummary(Transaction& tx, std::int64_t delivery_id) {
    auto rows = tx.Query(kReportDelivery, {delivery_id});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<DeliverySummary>();
    return std::optional<DeliverySummary>(SummaryFromRow(rows->rows[0]));
}

Result<std::vector<HourRow>> LoadHourly(Transaction& tx, std::int64_t delivery_id) {
    auto rows = tx.Query(kReportHourly, {delivery_id});
    if (!rows) return Fail(rows.error());
    std::vector<HourRow> out;
    out.reserve(rows->size());
    for (const auto& r : rows->rows) {
        out.push_back({.hour = FromUnixMillis(AsInt(r[0])),
                       .sent = AsInt(r[1]),
                       .hard_bounces = AsInt(r[2]),
                       .soft_bounces = AsInt(r[3]),
                       .opens = AsInt(r[4]),
                       .unique_opens = AsInt(r[5]),
                       .machine_opens = AsInt(r[6]),
                       .clicks = AsInt(r[7]),
                       .unique_clicks = AsInt(r[8]),
                       .unsubscribes = AsInt(r[9]),
                       .mirror_views = AsInt(r[10]),
                       .complaints = AsInt(r[11])});
    }
    return out;
}

Result<std::vector<DomainRow>> LoadDomains(Transaction& tx, std::int64_t delivery_id, int top) {
    auto rows = tx.Query(kReportDomains, {delivery_id, std::int64_t{top}});
    if (!rows) return Fail(rows.error());
    std::vector<DomainRow> out;
    out.reserve(rows->size());
    for (const auto& r : rows->rows) {
        DomainRow d;
        if (IsNull(r[0])) {
            d.domain = kOtherDomain;
        } else {
            d.domain = AsString(r[0]);
            if (d.domain.empty()) d.domain = kNoDomain;
        }
        d.targeted = AsInt(r[1]);
        d.sent = AsInt(r[2]);
        d.delivered = AsInt(r[3]);
        d.hard_bounces = AsInt(r[4]);
        d.soft_bounces = AsInt(r[5]);
        d.unique_opens = AsInt(r[6]);
        d.unique_clicks = AsInt(r[7]);
        out.push_back(std::move(d));
    }
    return out;
}

Result<std::vector<DeviceRow>> LoadDevices(Transaction& tx, std::int64_t delivery_id) {
    auto rows = tx.Query(kReportDevices, {delivery_id});
    if (!rows) return Fail(rows.error());
    std::vector<DeviceRow> out;
    out.reserve(rows->size());
    for (const auto& r : rows->rows) {
        out.push_back({AsString(r[0]), AsString(r[1]), AsInt(r[2]), AsInt(r[3]), AsInt(r[4])});
    }
    return out;
}

Result<std::vector<LinkRow>> LoadLinks(Transaction& tx, std::int64_t delivery_id) {
    auto rows = tx.Query(kReportLinks, {delivery_id});
    if (!rows) return Fail(rows.error());
    std::vector<LinkRow> out;
    out.reserve(rows->size());
    std::int64_t total = 0;
    for (const auto& r : rows->rows) {
        LinkRow l;
        l.link_id = AsInt(r[0]);
        l.label = AsString(r[1]);
        l.category = AsString(r[2]);
        l.url = AsString(r[3]);
        if (l.url.empty()) l.url = kPersonalizedUrl;
        l.clicks = AsInt(r[4]);
        l.unique_clicks = AsInt(r[5]);
        total += l.clicks;
        out.push_back(std::move(l));
    }
    for (auto& l : out) l.share = Ratio(l.clicks, total);
    return out;
}

Result<std::vector<BounceRow>> LoadBounces(Transaction& tx, std::int64_t delivery_id) {
    auto rows = tx.Query(kReportBounces, {delivery_id});
    if (!rows) return Fail(rows.error());
    std::vector<BounceRow> out;
    out.reserve(rows->size());
    for (const auto& r : rows->rows) out.push_back({AsString(r[0]), AsString(r[1]), AsInt(r[2])});
    return out;
}

Result<std::optional<DeliveryReport>> LoadReport(Transaction& tx, std::int64_t delivery_id,
                                                 TimePoint now) {
    auto summary = LoadSummary(tx, delivery_id);
    if (!summary) return Fail(summary.error());
    if (!*summary) return std::optional<DeliveryReport>();
    DeliveryReport report;
    report.summary = std::move(**summary);
    report.rates = ComputeRates(report.summary.counts);
    report.generated_at = now;
    auto hourly = LoadHourly(tx, delivery_id);
    if (!hourly) return Fail(hourly.error());
    report.hourly = std::move(*hourly);
    auto domains = LoadDomains(tx, delivery_id);
    if (!domains) return Fail(domains.error());
    report.domains = std::move(*domains);
    auto devices = LoadDevices(tx, delivery_id);
    if (!devices) return Fail(devices.error());
    report.devices = std::move(*devices);
    auto links = LoadLinks(tx, delivery_id);
    if (!links) return Fail(links.error());
    report.links = std::move(*links);
    auto bounces = LoadBounces(tx, delivery_id);
    if (!bounces) return Fail(bounces.error());
    report.bounces = std::move(*bounces);
    return std::optional<DeliveryReport>(std::move(report));
}

Result<std::vector<DeliverySummary>> LoadDeliveries(Transaction& tx, TimePoint from, TimePoint to,
                                                    int limit) {
    auto rows =
        tx.Query(kReportDeliveries, {ToUnixMillis(from), ToUnixMillis(to), std::int64_t{limit}});
    if (!rows) return Fail(rows.error());
    std::vector<DeliverySummary> out;
    out.reserve(rows->size());
    for (const auto& r : rows->rows) out.push_back(SummaryFromRow(r));
    return out;
}

Result<std::vector<TrackingEntry>> LoadProfileTracking(Transaction& tx, std::int64_t profile_id,
                                                       std::int64_t before_id, int limit) {
    auto rows = tx.Query(kReportProfileTracking, {profile_id, before_id, std::int64_t{limit}});
    if (!rows) return Fail(rows.error());
    std::vector<TrackingEntry> out;
    out.reserve(rows->size());
    for (const auto& r : rows->rows) {
        TrackingEntry e;
        e.id = AsInt(r[0]);
        e.delivery_id = AsInt(r[1]);
        e.delivery_label = AsString(r[2]);
        e.kind = AsString(r[3]);
        if (!IsNull(r[4])) e.link_id = AsInt(r[4]);
        if (!IsNull(r[5])) e.link_label = AsString(r[5]);
        if (!IsNull(r[6])) {
            std::string url = AsString(r[6]);
            e.url = url.empty() ? std::string(kPersonalizedUrl) : std::move(url);
        }
        e.machine = AsBool(r[7]);
        e.device = AsString(r[8]);
        e.client = AsString(r[9]);
        e.at = FromUnixMillis(AsInt(r[10]));
        out.push_back(std::move(e));
    }
    return out;
}

Table LinksTable(std::span<const LinkRow> rows) {
    Table t;
    t.columns = {"linkId", "label", "category", "url", "clicks", "uniqueClicks", "share"};
    for (const auto& l : rows) {
        t.rows.push_back(
            {l.link_id, l.label, l.category, l.url, l.clicks, l.unique_clicks, RateCell(l.share)});
    }
    return t;
}

std::optional<Table> ReportTable(const DeliveryReport& report, std::string_view name) {
    if (name == "summary") return SummaryTable(report);
    if (name == "hourly") return HourlyTable(report.hourly);
    if (name == "domains") return DomainsTable(report.domains);
    if (name == "devices") return DevicesTable(report.devices);
    if (name == "links") return LinksTable(report.links);
    if (name == "bounces") return BouncesTable(report.bounces);
    if (name == "exclusions") return ExclusionsTable(report.exclusions);
    return std::nullopt;
}

Counts SumCounts(std::span<const DeliverySummary> items) {
    Counts total;
    for (const auto& d : items) total += d.counts;
    return total;
}

Table DeliveryListTable(std::span<const DeliverySummary> items, bool total_row) {
    Table t;
    t.columns = {"deliveryId", "label", "state", "startedAt"};
    AppendKeys(t.columns, kCountKeys);
    AppendKeys(t.columns, kRateKeys);
    for (const auto& d : items) {
        std::vector<Cell> row = {d.delivery_id, d.label, d.state, TimeCell(d.started_at)};
        AppendCounts(row, d.counts);
        AppendRates(row, ComputeRates(d.counts));
        t.rows.push_back(std::move(row));
    }
    if (total_row) {
        const Counts total = SumCounts(items);
        std::vector<Cell> row = {Cell(), std::string("Total"), Cell(), Cell()};
        AppendCounts(row, total);
        AppendRates(row, ComputeRates(total));
        t.rows.push_back(std::move(row));
    }
    return t;
}

json::object CountsJson(const Counts& c) {
    json::object o;
    const auto values = CountValues(c);
    for (std::size_t i = 0; i < kCountKeys.size(); ++i) o[kCountKeys[i]] = values[i];
    return o;
}

json::object RatesJson(const Rates& r) {
    json::object o;
    const auto values = RateValues(r);
    for (std::size_t i = 0; i < kRateKeys.size(); ++i) {
        o[kRateKeys[i]] = values[i] ? json::value(*values[i]) : json::value(nullptr);
    }
    return o;
}

json::array TableJson(const Table& table) {
    json::array out;
    out.reserve(table.rows.size());
    for (const auto& row : table.rows) {
        json::object o;
        for (std::size_t i = 0; i < table.columns.size() && i < row.size(); ++i) {
            o[table.columns[i]] = CellJson(row[i]);
        }
        out.push_back(std::move(o));
    }
    return out;
}

json::object ReportJson(const DeliveryReport& report) {
    const auto& s = report.summary;
    auto time = [](const std::optional<TimePoint>& t) {
        return t ? json::value(FormatRfc3339(*t)) : json::value(nullptr);
    };
    json::object o;
    o["deliveryId"] = s.delivery_id;
    o["label"] = s.label;
    o["state"] = s.state;
    o["startedAt"] = time(s.started_at);
    o["finishedAt"] = time(s.finished_at);
    o["generatedAt"] = FormatRfc3339(report.generated_at);
    o["counts"] = CountsJson(s.counts);
    o["rates"] = RatesJson(report.rates);
    for (std::string_view name : kReportTables) {
        if (name == "summary") continue;
        o[name] = TableJson(*ReportTable(report, name));
    }
    return o;
}

std::string ToCsv(const Table& table) {
    std::string out;
    auto write_row = [&out](const auto& fields, auto text_of) {
        bool first = true;
        for (const auto& f : fields) {
            if (!first) out += ',';
            first = false;
            AppendCsvField(out, text_of(f));
        }
        out += "\r\n";
    };
    write_row(table.columns, [](const std::string& s) -> std::string_view { return s; });
    for (const auto& row : table.rows) write_row(row, [](const Cell& c) { return CellText(c); });
    return out;
}

}  // namespace overture::reporting
