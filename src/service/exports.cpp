#include "service/exports.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "common/strings.hpp"

namespace overture::service {

namespace json = boost::json;

namespace {

std::string Cell(const json::value& v) {
    if (v.is_null()) return {};
    // Text a spreadsheet would run as a formula gets an apostrophe (common/strings.hpp).
    if (v.is_string()) return SpreadsheetSafe(std::string(v.as_string()));
    if (v.is_bool()) return v.as_bool() ? "true" : "false";
    return json::serialize(v);
}

}  // namespace

Result<std::int64_t> ExportService::Export(const Actor& actor, const ExportRequest& request,
                                           importexport::CsvWriter& out) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    auto model = schema_.Current();
    const schema::Resource* r = model->Find(request.resource);
    if (!r) {
        return Fail(
            Error::NotFound(fmt::format("there is no resource named '{}'", request.resource)));
    }
    std::vector<std::string> columns = request.columns;
    if (columns.empty()) {
        for (const auto& f : r->fields) columns.push_back(f.name);
        for (const auto& l : r->links) columns.push_back(l.name);
    }
    for (const auto& c : columns) {
        if (!r->FindField(c) && !r->FindLink(c) &&
            !(r->name == "service" && c == "subscriberCount")) {
            return Fail(Error::InvalidArgument(
                            fmt::format("{} has no field or link named '{}' to export", r->name, c))
                            .With("field", "columns"));
        }
    }
    std::vector<std::string_view> header(columns.begin(), columns.end());
    if (auto st = out.Row(header); !st) return Fail(st.error());

    ListQuery query = request.filter;
    query.sort.clear();  // keyset paging by id
    query.descending = false;
    query.page = PageRequest{kMaxPageSize, ""};
    std::int64_t written = 0;
    std::vector<std::string> cells(columns.size());
    std::vector<std::string_view> views(columns.size());
    while (true) {
        auto page = records_.List(actor, request.resource, query);
        if (!page) return Fail(page.error());
        for (const auto& item : page->items) {
            for (std::size_t i = 0; i < columns.size(); ++i) {
                auto it = item.find(columns[i]);
                cells[i] = it == item.end() ? std::string() : Cell(it->value());
                views[i] = cells[i];
            }
            if (auto st = out.Row(views); !st) return Fail(st.error());
            ++written;
        }
        if (!page->next) break;
        query.page.cursor = *page->next;
    }
    if (auto st = out.Close(); !st) return Fail(st.error());
    return written;
}

}  // namespace overture::service
