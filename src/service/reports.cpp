// ReportService: permissions and the parts of a report that need the service layer (the
// delivery's preparation, its content rendered for the hot-clicks view) around reporting/.
#include "service/reports.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <limits>

#include "delivery/sender.hpp"
#include "render/template.hpp"
#include "render/value.hpp"
#include "service/queries.hpp"

namespace overture::service {

namespace json = boost::json;
using storage::Transaction;

namespace {

constexpr auto kDefaultRange = std::chrono::days(90);

Error NoSuchDelivery(std::int64_t id) {
    return Error::NotFound(fmt::format("there is no delivery with id {}", id));
}

// The exclusion causes of the delivery's last preparation, in the order they were applied.
std::vector<reporting::ExclusionRow> Exclusions(std::string_view preparation) {
    std::vector<reporting::ExclusionRow> out;
    if (preparation.empty()) return out;
    auto p = PreparationFromJson(preparation);
    if (!p) return out;
    for (const auto& [cause, count] : p->excluded) out.push_back({cause, count});
    return out;
}

// The first test profile of the delivery's settings as the data a message for it renders
// with (its linked profile when it has one); an empty object when there is none.
json::object SampleProfile(const Actor& actor, const RecordService& records,
                           const json::object& settings) {
    const auto* ids = settings.if_contains("testProfileIds");
    if (!ids || !ids->is_array() || ids->as_array().empty() || !ids->as_array()[0].is_int64()) {
        return {};
    }
    auto tp = records.Get(actor, "testProfile", ids->as_array()[0].as_int64());
    if (!tp) return {};
    if (const auto* link = tp->if_contains("profile"); link && link->is_int64()) {
        if (auto p = records.Get(actor, "profile", link->as_int64())) return *p;
    }
    return *tp;
}

}  // namespace

Result<reporting::DeliveryReport> ReportService::DeliveryReport(const Actor& actor,
                                                                std::int64_t delivery_id) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    auto report = storage::WithRead(
        db_, [&](Transaction& tx) { return reporting::LoadReport(tx, delivery_id, clock_.Now()); });
    if (!report) return Fail(report.error());
    if (!*report) return Fail(NoSuchDelivery(delivery_id));
    (*report)->exclusions = Exclusions((*report)->summary.preparation);
    return std::move(**report);
}

Result<std::string> ReportService::DeliveryReportCsv(const Actor& actor, std::int64_t delivery_id,
                                                     std::string_view table) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (std::ranges::find(reporting::kReportTables, table) == std::end(reporting::kReportTables)) {
        return Fail(Error::NotFound(fmt::format("there is no report table '{}'", table))
                        .With("field", "table"));
    }
    auto report = DeliveryReport(actor, delivery_id);
    if (!report) return Fail(report.error());
    return reporting::ToCsv(*reporting::ReportTable(*report, table));
}

Result<HotClicks> ReportService::HotClicksView(const Actor& actor, std::int64_t delivery_id) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    // The delivery (kNotFound when there is none), then its links.
    auto d = deliveries_.Load(DeliveryId(delivery_id));
    if (!d) return Fail(d.error());
    auto links = storage::WithRead(
        db_, [&](Transaction& tx) { return reporting::LoadLinks(tx, delivery_id); });
    if (!links) return Fail(links.error());
    // Only the HTML part: compiled as the sender compiles it (same fragments, so the same link
    // ids), and without the checks of the other parts that sending needed.
    delivery::Content content;
    if (const auto* html = d->content.if_contains("html"); html && html->is_string()) {
        content.html = std::string(html->as_string());
    }
    if (content.html.empty()) {
        return Fail(Error::FailedPrecondition(
            fmt::format("the delivery '{}' has no HTML part to show clicks on", d->label)));
    }
    auto provider = fragments_.Provider();
    if (!provider) return Fail(provider.error());
    auto compiled = delivery::CompileContent(content, /*strict=*/false, *provider);
    if (!compiled) return Fail(compiled.error());

    render::Context ctx;
    ctx.profile = render::FromJson(json::value(SampleProfile(actor, records_, d->settings)));
    ctx.delivery =
        render::FromJson(json::value(json::object{{"id", delivery_id}, {"label", d->label}}));
    ctx.unsubscribe_url = render::Value(std::string("#"));
    ctx.mirror_url = render::Value(std::string("#"));
    render::RenderOptions options;
    options.rewrite_link = [](const render::LinkInfo& link, std::string_view, std::string& out) {
        out = fmt::format("#ov-link-{}", link.id);
    };
    HotClicks out;
    if (auto st = compiled->html->Render(ctx, options, out.html); !st) return Fail(st.error());
    out.links = std::move(*links);
    return out;
}

Result<std::vector<reporting::DeliverySummary>> ReportService::LoadRange(
    const DeliveryRange& range) const {
    if (range.limit < 1 || range.limit > kMaxPageSize) {
        return Fail(Error::InvalidField(
            "limit", fmt::format("limit must be between 1 and {}", kMaxPageSize)));
    }
    const TimePoint to = range.to.value_or(clock_.Now());
    const TimePoint from = range.from.value_or(to - kDefaultRange);
    if (from >= to) return Fail(Error::InvalidField("from", "from must be before to"));
    return storage::WithRead(
        db_, [&](Transaction& tx) { return reporting::LoadDeliveries(tx, from, to, range.limit); });
}

Result<DeliveryList> ReportService::Deliveries(const Actor& actor,
                                               const DeliveryRange& range) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    auto items = LoadRange(range);
    if (!items) return Fail(items.error());
    DeliveryList out;
    out.totals = reporting::SumCounts(*items);
    out.items = std::move(*items);
    return out;
}

Result<std::string> ReportService::DeliveriesCsv(const Actor& actor,
                                                 const DeliveryRange& range) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    auto items = LoadRange(range);
    if (!items) return Fail(items.error());
    return reporting::ToCsv(reporting::DeliveryListTable(*items, /*total_row=*/true));
}

Result<Page<reporting::TrackingEntry>> ReportService::ProfileTracking(
    const Actor& actor, std::int64_t profile_id, const PageRequest& page) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (auto st = CheckLimit(page.limit); !st) return Fail(st.error());
    auto before = DecodeCursor(page.cursor, std::numeric_limits<std::int64_t>::max());
    if (!before) return Fail(before.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<Page<reporting::TrackingEntry>> {
        auto exists = tx.Query(q::kProfileExists, {profile_id});
        if (!exists) return Fail(exists.error());
        if (exists->empty()) {
            return Fail(Error::NotFound(fmt::format("there is no profile with id {}", profile_id)));
        }
        // One row more than asked says whether there is a next page.
        auto rows = reporting::LoadProfileTracking(tx, profile_id, *before, page.limit + 1);
        if (!rows) return Fail(rows.error());
        Page<reporting::TrackingEntry> out;
        if (static_cast<int>(rows->size()) > page.limit) {
            rows->resize(static_cast<std::size_t>(page.limit));
            out.next = EncodeCursor(rows->back().id);
        }
        out.items = std::move(*rows);
        return out;
    });
}

}  // namespace overture::service
