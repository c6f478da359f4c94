// The updateData activity (data): writes the inbound population's columns into a resource.
//
// params: {"resource": "profile", "mode": "insert" | "update" | "upsert" | "delete",
//          "keys": ["email"], "mapping": [{"column": "email", "field": "email"}]}
// ports: in -> out (a table of `resource`: the records the inbound rows' keys now match; empty
// for delete).
//
// How: the inbound rows are written, mapped, to a temporary CSV file in the run's folder
// (<files folder>/.runs/<run>/) and imported with importexport::RunImport, so the import's
// validation, normalization, reconciliation on the keys, counters and rejects file apply
// as they do to a file uploaded by hand (all or nothing; rejected lines are kept in
// update-<task>-rejects.csv beside it and counted in the log). The inbound keys, normalized
// like the import normalizes them, go to a working table of their own, joined afterwards with
// the resource to give the output. "column" names an additional column of the inbound table,
// or "id" / "segmentCode". A dry run writes nothing and gives the records the keys match now.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <cstdio>
#include <set>

#include "importexport/csv_writer.hpp"
#include "importexport/importer.hpp"
#include "service/workflow_files.hpp"
#include "storage/field_values.hpp"
#include "storage/sql_text.hpp"

namespace overture::service::wf {

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using importexport::ImportMode;
using storage::Value;
using workflow::Context;
using workflow::Outcome;
using workflow::Problem;

constexpr std::int64_t kPage = 5000;

struct MappingEntry {
    std::string column, field;
};

std::vector<MappingEntry> MappingOf(const json::object& params) {
    std::vector<MappingEntry> out;
    const json::value* v = params.if_contains("mapping");
    if (!v || !v->is_array()) return out;
    for (const auto& e : v->get_array()) {
        if (!e.is_object()) continue;
        out.push_back({StringParam(e.get_object(), "column").value_or(""),
                       StringParam(e.get_object(), "field").value_or("")});
    }
    return out;
}

std::vector<std::string> KeysOf(const json::object& params) {
    std::vector<std::string> out;
    const json::value* v = params.if_contains("keys");
    if (!v || !v->is_array()) return out;
    for (const auto& e : v->get_array()) {
        if (e.is_string()) out.emplace_back(e.get_string());
    }
    return out;
}

// The working-table type that holds a key of this field.
std::string KeyType(const schema::Field* f) {
    if (!f) return "integer";  // a link: the target's id
    switch (f->type) {
        case schema::FieldType::kInteger:
            return "integer";
        case schema::FieldType::kFloat:
            return "float";
        case schema::FieldType::kBoolean:
            return "boolean";
        case schema::FieldType::kDate:
            return "date";
        case schema::FieldType::kDateTime:
            return "datetime";
        default:
            return "string";
    }
}

class UpdateData final : public workflow::ActivityType {
  public:
    explicit UpdateData(const ServiceActivityDeps& deps) : deps_(deps) {}

    std::string_view type() const override { return "updateData"; }
    std::string_view category() const override { return "data"; }
    std::string_view label() const override { return "Update data"; }
    std::vector<std::string> OutputPorts(const json::object&) const override { return {"out"}; }

    std::vector<Problem> Check(const json::object& params,
                               const workflow::CheckContext& ctx) const override {
        std::vector<Problem> out;
        auto resource_name = StringParam(params, "resource");
        const schema::Resource* resource = nullptr;
        if (!resource_name || resource_name->empty()) {
            out.push_back(MakeProblem("params.resource", "choose the resource to update"));
        } else if (ctx.model) {
            resource = ctx.model->Find(*resource_name);
            if (!resource) {
                out.push_back(MakeProblem(
                    "params.resource",
                    fmt::format("the data model has no resource '{}'", *resource_name)));
            }
        }
        auto mode_name = StringParam(params, "mode").value_or("");
        auto mode = importexport::ParseImportMode(mode_name);
        if (!mode) {
            out.push_back(
                MakeProblem("params.mode", "mode must be insert, update, upsert or delete"));
        }
        const auto mapping = MappingOf(params);
        const json::value* mv = params.if_contains("mapping");
        if (!mv || !mv->is_array() || mapping.empty()) {
            out.push_back(MakeProblem("params.mapping",
                                      "map at least one column of the population to a field"));
        }
        std::set<std::string> fields;
        for (std::size_t i = 0; i < mapping.size(); ++i) {
            const auto& m = mapping[i];
            const std::string at = fmt::format("params.mapping[{}]", i);
            if (m.column.empty()) {
                out.push_back(MakeProblem(at + ".column", "choose a column of the population"));
            }
            if (m.field.empty()) {
                out.push_back(MakeProblem(at + ".field", "choose a field"));
                continue;
            }
            if (!fields.insert(m.field).second) {
                out.push_back(MakeProblem(at + ".field",
                                          fmt::format("the field '{}' is mapped twice", m.field)));
            }
            if (resource) {
                const schema::Field* f = resource->FindField(m.field);
                if (!f && !resource->FindLink(m.field)) {
                    out.push_back(MakeProblem(at + ".field", fmt::format("'{}' has no field '{}'",
                                                                         resource->name, m.field)));
                } else if (f && f->read_only) {
                    out.push_back(MakeProblem(at + ".field",
                                              fmt::format("the field '{}' is read-only", m.field)));
                }
            }
        }
        const auto keys = KeysOf(params);
        if (mode && *mode != ImportMode::kInsert && keys.empty()) {
            out.push_back(MakeProblem(
                "params.keys",
                fmt::format("mode {} needs keys: the fields that find the record", mode_name)));
        }
        for (const auto& k : keys) {
            if (!fields.contains(k)) {
                out.push_back(MakeProblem(
                    "params.keys", fmt::format("the key '{}' must be mapped to a column", k)));
            }
        }
        return out;
    }

    Result<Outcome> Execute(Context& ctx) const override {
        const auto& params = ctx.activity().params;
        auto inbound = InboundTable(ctx);
        if (!inbound) return Fail(inbound.error());
        const auto model = ctx.model();
        const std::string resource_name = StringParam(params, "resource").value_or("");
        const schema::Resource* resource = model->Find(resource_name);
        if (!resource) {
            return Fail(Error::FailedPrecondition(
                fmt::format("the data model has no resource '{}'", resource_name)));
        }
        const auto mode = importexport::ParseImportMode(StringParam(params, "mode").value_or(""))
                              .value_or(ImportMode::kUpsert);
        const auto mapping = MappingOf(params);
        const auto keys = KeysOf(params);
        const Actor actor = RunActor(ctx);
        if (!ctx.dry_run()) {
            if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
        }

        // The inbound expression of each mapped column.
        std::vector<std::string> exprs;
        for (const auto& m : mapping) {
            if (m.column == "id") {
                exprs.push_back("w.id");
            } else if (m.column == "segmentCode" || m.column == "segment_code") {
                exprs.push_back("w.segment_code");
            } else if (const auto* c = inbound->Find(m.column)) {
                exprs.push_back("w." + c->column);
            } else {
                return Fail(Error::FailedPrecondition(
                    fmt::format("the population has no column '{}'", m.column)));
            }
        }
        // The key columns: their mapping index and field.
        std::vector<workflow::Column> key_columns;
        std::vector<std::size_t> key_index;
        std::vector<const schema::Field*> key_fields;
        int country_index = -1;
        for (std::size_t i = 0; i < mapping.size(); ++i) {
            if (mapping[i].field == "country") country_index = static_cast<int>(i);
        }
        for (const auto& k : keys) {
            for (std::size_t i = 0; i < mapping.size(); ++i) {
                if (mapping[i].field != k) continue;
                key_index.push_back(i);
                key_fields.push_back(resource->FindField(k));
                key_columns.push_back({k, KeyType(key_fields.back()), ""});
            }
        }
        std::optional<workflow::Table> key_table;
        if (!key_columns.empty() && mode != ImportMode::kDelete) {
            auto t = ctx.CreateTable("file", key_columns);
            if (!t) return Fail(t.error());
            key_table = std::move(*t);
        }

        // The temporary CSV file and the keys, page by page.
        const std::string folder = fmt::format(".runs/{}", ctx.run_id());
        const std::string csv_relative = fmt::format("{}/update-{}.csv", folder, ctx.task_id());
        std::optional<fs::path> csv_path;
        importexport::CsvWriter writer;
        if (!ctx.dry_run()) {
            auto p = Resolve(deps_.directory, csv_relative, /*create_parent=*/true);
            if (!p) return Fail(p.error());
            csv_path = *p;
            if (auto st = writer.Open(p->string()); !st) return Fail(st.error());
            std::vector<std::string_view> header;
            for (const auto& m : mapping) header.push_back(m.field);
            if (auto st = writer.Row(header); !st) return Fail(st.error());
        }
        auto cleanup = [&] {
            if (csv_path) {
                std::error_code ec;
                fs::remove(*csv_path, ec);
            }
        };
        std::string select = "SELECT w.id";
        for (const auto& e : exprs) select += ", " + e;
        std::int64_t after = -1, rows_read = 0;
        while (true) {
            storage::Params p(ctx.db().dialect());
            const std::string sql =
                fmt::format("{} FROM {} w WHERE w.id > {} ORDER BY w.id LIMIT {}", select,
                            storage::QuoteIdent(inbound->name), p.Add(after), kPage);
            auto rows = storage::WithRead(
                ctx.db(), [&](storage::Transaction& tx) { return tx.QuerySql(sql, p.values()); });
            if (!rows) {
                cleanup();
                return Fail(rows.error());
            }
            if (rows->empty()) break;
            std::vector<std::vector<Value>> key_rows;
            for (const auto& r : rows->rows) {
                after = storage::AsInt(r[0]);
                ++rows_read;
                std::vector<std::string> cells;
                for (std::size_t i = 1; i < r.size(); ++i) cells.push_back(CellText(r[i]));
                if (csv_path) {
                    std::vector<std::string_view> views(cells.begin(), cells.end());
                    if (auto st = writer.Row(views); !st) {
                        cleanup();
                        return Fail(st.error());
                    }
                }
                if (!key_table) continue;
                std::vector<Value> key_row{Value(after)};
                const std::string country =
                    country_index >= 0 ? cells[static_cast<std::size_t>(country_index)] : "";
                bool usable = true;
                for (std::size_t k = 0; k < key_index.size(); ++k) {
                    const std::string& cell = cells[key_index[k]];
                    if (cell.empty()) {
                        usable = false;
                        break;
                    }
                    if (!key_fields[k]) {
                        key_row.emplace_back(storage::AsInt(r[key_index[k] + 1]));
                        continue;
                    }
                    auto v = storage::TextToStored(*key_fields[k], cell, country);
                    if (!v || storage::IsNull(*v)) {
                        usable = false;
                        break;
                    }
                    key_row.push_back(std::move(*v));
                }
                if (usable) key_rows.push_back(std::move(key_row));
            }
            if (key_table && !key_rows.empty()) {
                std::vector<std::string> cols{"id"};
                for (const auto& c : key_table->columns) cols.push_back(c.column);
                auto n = storage::WithWrite(ctx.db(), [&](storage::Transaction& tx) {
                    return tx.BulkInsert(key_table->name, cols, key_rows);
                });
                if (!n) {
                    cleanup();
                    return Fail(n.error());
                }
            }
            if (auto st = ctx.Checkpoint(); !st) {
                cleanup();
                return Fail(st.error());
            }
        }

        if (csv_path) {
            if (auto st = writer.Close(); !st) {
                cleanup();
                return Fail(st.error());
            }
            if (rows_read > 0) {
                auto result =
                    Import(ctx, *model, *resource, mode, mapping, keys, *csv_path, folder);
                cleanup();
                if (!result) return Fail(result.error());
            } else {
                cleanup();
                ctx.Log(workflow::LogLevel::kInfo, "the population is empty: nothing to write", 0);
            }
        } else {
            ctx.Log(workflow::LogLevel::kInfo,
                    fmt::format("dry run: {} rows would be written to {} ({})", rows_read,
                                resource->name, importexport::ImportModeName(mode)),
                    rows_read);
        }

        // The output: the records the keys match now.
        auto out = ctx.CreateTable(resource->name, {});
        if (!out) return Fail(out.error());
        if (key_table) {
            std::string on;
            for (std::size_t k = 0; k < key_table->columns.size(); ++k) {
                const std::string column =
                    key_fields[k] ? key_fields[k]->column : resource->FindLink(keys[k])->column;
                if (!on.empty()) on += " AND ";
                on += fmt::format("r.{} = k.{}", storage::QuoteIdent(column),
                                  key_table->columns[k].column);
            }
            const std::string sql =
                fmt::format("INSERT INTO {} (id) SELECT DISTINCT r.id FROM {} r JOIN {} k ON {}",
                            storage::QuoteIdent(out->name), storage::QuoteIdent(resource->table),
                            storage::QuoteIdent(key_table->name), on);
            auto n = storage::WithWrite(
                ctx.db(), [&](storage::Transaction& tx) { return tx.ExecSql(sql, {}); });
            if (!n) return Fail(n.error());
        } else if (mode != ImportMode::kDelete) {
            ctx.Log(workflow::LogLevel::kWarning,
                    "no keys: the records written cannot be given on (the output is empty)");
        }
        if (auto st = ctx.Count(*out); !st) return Fail(st.error());
        return Pass(std::move(*out));
    }

  private:
    Status Import(Context& ctx, const schema::Model& model, const schema::Resource& resource,
                  ImportMode mode, const std::vector<MappingEntry>& mapping,
                  const std::vector<std::string>& keys, const fs::path& csv,
                  const std::string& folder) const {
        importexport::ImportSpec spec;
        spec.resource = resource.name;
        spec.path = csv.string();
        spec.has_header = true;
        spec.mode = mode;
        spec.keys = keys;
        spec.actor = ctx.run_as();
        for (std::size_t i = 0; i < mapping.size(); ++i) {
            importexport::ColumnMapping m;
            m.source = static_cast<int>(i);
            m.target = mapping[i].field;
            spec.columns.push_back(std::move(m));
        }
        const std::string rejects_relative =
            fmt::format("{}/update-{}-rejects.csv", folder, ctx.task_id());
        auto rejects = Resolve(deps_.directory, rejects_relative, /*create_parent=*/true);
        if (!rejects) return Fail(rejects.error());
        spec.rejects_path = rejects->string();
        auto result = importexport::RunImport(ctx.db(), model, spec, ctx.clock());
        if (!result) return Fail(result.error());
        const auto level =
            result->rejected > 0 ? workflow::LogLevel::kWarning : workflow::LogLevel::kInfo;
        ctx.Log(
            level,
            fmt::format(
                "{} ({}): {} read, {} inserted, {} updated, {} unchanged, {} deleted, "
                "{} rejected{}",
                resource.name, importexport::ImportModeName(mode), result->read, result->inserted,
                result->updated, result->unchanged, result->deleted, result->rejected,
                result->rejected > 0
                    ? fmt::format(" (see {} in the workflow files folder)", rejects_relative)
                    : std::string()),
            static_cast<std::int64_t>(result->inserted + result->updated + result->deleted));
        return {};
    }

    ServiceActivityDeps deps_;
};

}  // namespace

std::unique_ptr<workflow::ActivityType> MakeUpdateData(const ServiceActivityDeps& deps) {
    return std::make_unique<UpdateData>(deps);
}

}  // namespace overture::service::wf
