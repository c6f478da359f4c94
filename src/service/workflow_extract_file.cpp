// The extractFile activity (data): writes the inbound population to a CSV file of the workflow
// files folder.
//
// params: {"path": "out/segment-{date}.csv", "columns": ["email", "segmentCode", ...]}
// ports: in -> out (passes its inbound table).
//
// A column is "id", "segmentCode" (or "segment_code"), an additional column of the population
// (by name), or a field of the population's resource (read from its record). Without
// "columns": id, segmentCode and every additional column. "{run}" and "{date}" in the path are
// replaced; folders are created inside the files folder. The file is written through
// importexport::CsvWriter; text cells that a spreadsheet would run as a formula (starting with
// =, +, -, @, tab or CR) get a leading apostrophe. Rows are read in pages, with a Checkpoint
// between them. A dry run writes no file.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "common/strings.hpp"
#include "importexport/csv_writer.hpp"
#include "service/workflow_files.hpp"
#include "storage/sql_text.hpp"

namespace overture::service::wf {

namespace {

namespace json = boost::json;
using storage::Value;
using workflow::Context;
using workflow::Outcome;
using workflow::Problem;

constexpr std::int64_t kPage = 5000;

std::vector<std::string> ColumnsOf(const json::object& params) {
    std::vector<std::string> out;
    const json::value* v = params.if_contains("columns");
    if (!v || !v->is_array()) return out;
    for (const auto& e : v->get_array()) {
        if (e.is_string()) out.emplace_back(e.get_string());
    }
    return out;
}

class ExtractFile final : public workflow::ActivityType {
  public:
    explicit ExtractFile(const ServiceActivityDeps& deps) : deps_(deps) {}

    std::string_view type() const override { return "extractFile"; }
    std::string_view category() const override { return "data"; }
    std::string_view label() const override { return "Extract file"; }
    std::vector<std::string> OutputPorts(const json::object&) const override { return {"out"}; }

    std::vector<Problem> Check(const json::object& params,
                               const workflow::CheckContext&) const override {
        std::vector<Problem> out;
        if (auto problem = PathParamProblem(params, "path", "choose the file to write")) {
            out.push_back(std::move(*problem));
        }
        if (const json::value* v = params.if_contains("columns"); v && !v->is_null()) {
            if (!v->is_array()) {
                out.push_back(MakeProblem("params.columns", "columns must be a list of names"));
            } else {
                for (std::size_t i = 0; i < v->get_array().size(); ++i) {
                    const auto& e = v->get_array()[i];
                    if (!e.is_string() || e.get_string().empty()) {
                        out.push_back(MakeProblem(fmt::format("params.columns[{}]", i),
                                                  "each column must be a name"));
                    }
                }
            }
        }
        return out;
    }

    Result<Outcome> Execute(Context& ctx) const override {
        auto table = InboundTable(ctx);
        if (!table) return Fail(table.error());
        const auto& params = ctx.activity().params;
        const std::string relative = ExpandPath(StringParam(params, "path").value_or(""), ctx);
        if (ctx.dry_run()) {
            ctx.Log(
                workflow::LogLevel::kInfo,
                fmt::format("dry run: {} rows would be written to '{}'", table->count, relative),
                table->count);
            return Pass(std::move(*table));
        }
        const auto model = ctx.model();
        const schema::Resource* resource = model->Find(table->resource);
        const auto dialect = ctx.db().dialect();

        // What each output column reads, and whether it is text to make safe.
        std::vector<std::string> names = ColumnsOf(params);
        if (names.empty()) {
            names = {"id", "segmentCode"};
            for (const auto& c : table->columns) names.push_back(c.name);
        }
        std::vector<std::string> exprs;
        std::vector<bool> text;
        bool join = false;
        for (const auto& n : names) {
            if (n == "id") {
                exprs.push_back("w.id");
                text.push_back(false);
            } else if (n == "segmentCode" || n == "segment_code") {
                exprs.push_back("w.segment_code");
                text.push_back(true);
            } else if (const auto* c = table->Find(n)) {
                exprs.push_back("w." + c->column);
                text.push_back(c->type == "string");
            } else if (const schema::Field* f = resource ? resource->FindField(n) : nullptr) {
                exprs.push_back(storage::ReadExpr(*f, dialect, "r"));
                text.push_back(f->type == schema::FieldType::kString ||
                               f->type == schema::FieldType::kText ||
                               f->type == schema::FieldType::kEnum);
                join = true;
            } else {
                return Fail(Error::FailedPrecondition(
                    fmt::format("the population has no column '{}' and {} has no such field", n,
                                table->resource)));
            }
        }
        auto path = Resolve(deps_.directory, relative, /*create_parent=*/true);
        if (!path) return Fail(path.error());
        importexport::CsvWriter writer;
        if (auto st = writer.Open(path->string()); !st) return Fail(st.error());
        {
            std::vector<std::string_view> header(names.begin(), names.end());
            if (auto st = writer.Row(header); !st) return Fail(st.error());
        }
        std::string select = "SELECT w.id";
        for (const auto& e : exprs) select += ", " + e;
        std::string from = "FROM " + storage::QuoteIdent(table->name) + " w";
        if (join) {
            from +=
                fmt::format(" LEFT JOIN {} r ON r.id = w.id", storage::QuoteIdent(resource->table));
        }
        std::int64_t after = -1, written = 0;
        while (true) {
            storage::Params p(dialect);
            const std::string sql = fmt::format("{} {} WHERE w.id > {} ORDER BY w.id LIMIT {}",
                                                select, from, p.Add(after), kPage);
            auto rows = storage::WithRead(
                ctx.db(), [&](storage::Transaction& tx) { return tx.QuerySql(sql, p.values()); });
            if (!rows) return Fail(rows.error());
            if (rows->empty()) break;
            for (const auto& r : rows->rows) {
                after = storage::AsInt(r[0]);
                std::vector<std::string> cells;
                cells.reserve(names.size());
                for (std::size_t i = 0; i < names.size(); ++i) {
                    std::string cell = CellText(r[i + 1]);
                    cells.push_back(text[i] ? SpreadsheetSafe(std::move(cell)) : std::move(cell));
                }
                std::vector<std::string_view> views(cells.begin(), cells.end());
                if (auto st = writer.Row(views); !st) return Fail(st.error());
                ++written;
            }
            if (auto st = ctx.Checkpoint(); !st) return Fail(st.error());
        }
        if (auto st = writer.Close(); !st) return Fail(st.error());
        ctx.Log(workflow::LogLevel::kInfo,
                fmt::format("{} rows written to '{}'", written, relative), written);
        return Pass(std::move(*table));
    }

  private:
    ServiceActivityDeps deps_;
};

}  // namespace

std::unique_ptr<workflow::ActivityType> MakeExtractFile(const ServiceActivityDeps& deps) {
    return std::make_unique<ExtractFile>(deps);
}

}  // namespace overture::service::wf
