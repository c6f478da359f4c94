#pragma once
// Loading a query test data set (test_file.hpp: a custom model and rows, as read from
// tests/query/*.data) into a database of each backend and into memory for the evaluator, and
// selecting the externalIds an expression matches in each.
//
// - Publish/LoadRows/SelectIds: the custom model's DDL (schema::PlanPublish, run directly as
//   SchemaService::Publish does: query/ may not include service/), the rows, and the
//   externalIds a checked expression selects through EmitSql.
// - MemoryDataset: the same rows as MemoryRecords (evaluate.hpp).
// - DatasetTest: a BackendTest with the shop data set's model (tests/query/shop.data)
//   published, for the differential test in evaluate_test.cpp, which loads its own random
//   rows (ProfileRow/PurchaseRow, converted by ToRows).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "query/checked.hpp"
#include "query/evaluate.hpp"
#include "query/parser.hpp"
#include "query/sql_emit.hpp"
#include "query/testing/test_file.hpp"
#include "query/typecheck.hpp"
#include "schema/plan.hpp"
#include "storage/sql_text.hpp"
#include "storage/testing/backend_param.hpp"

namespace overture::query::testing {

using storage::Value;

// Creates the tables of the custom part of `model` in `db`.
inline Status Publish(storage::Database& db, const schema::Model& model) {
    auto builtin = schema::Merge(schema::Model());
    if (!builtin) return Fail(std::move(builtin.error()));
    auto dialect = db.dialect() == storage::Dialect::kSqlite ? schema::SqlDialect::kSqlite
                                                             : schema::SqlDialect::kPostgres;
    auto plan = schema::PlanPublish(*builtin, model, dialect);
    if (!plan) return Fail(std::move(plan.error()));
    auto tx = db.Begin(storage::TxMode::kSchemaChange);
    if (!tx) return Fail(std::move(tx.error()));
    for (const auto& statement : plan->statements) {
        if (auto st = (*tx)->ExecScript(statement); !st) return st;
    }
    return (*tx)->Commit();
}

// Inserts `rows`: profiles first (their links set afterwards, so they may point forward),
// then the rows of other resources, whose links name profiles by externalId.
inline Status LoadRows(storage::Database& db, const schema::Model& model,
                       const std::vector<DataRow>& rows) {
    const storage::Dialect dialect = db.dialect();
    const std::string cast = dialect == storage::Dialect::kPostgres ? "::text" : "";
    auto profile_id = [&](storage::Params& params, const std::string& external_id) {
        return "(SELECT id FROM profiles WHERE external_id = " + params.Add(external_id) + cast +
               ")";
    };
    auto insert = [&](storage::Transaction& tx, const DataRow& row, bool with_links) -> Status {
        const schema::Resource& r = *model.Find(row.resource);
        storage::Params params(dialect);
        std::string columns, values;
        auto add = [&](const std::string& column, const std::string& value) {
            columns += (columns.empty() ? "" : ", ") + storage::QuoteIdent(column);
            values += (values.empty() ? "" : ", ") + value;
        };
        for (const auto& [name, value] : row.fields) {
            const schema::Field& f = *r.FindField(name);
            add(f.column, storage::WriteExpr(f, dialect, params.Add(value)));
        }
        if (with_links) {
            for (const auto& [name, target] : row.links) {
                add(r.FindLink(name)->column, profile_id(params, target));
            }
        }
        std::string sql = "INSERT INTO " + storage::QuoteIdent(r.table) + " (" + columns +
                          ") VALUES (" + values + ")";
        auto done = tx.ExecSql(sql, params.values());
        if (!done) {
            return Fail(Error::Internal(row.where + ": " + sql + ": " + done.error().message + " " +
                                        done.error().detail));
        }
        return {};
    };
    auto tx = db.Begin(storage::TxMode::kWrite);
    if (!tx) return Fail(std::move(tx.error()));
    for (const auto& row : rows) {
        if (row.resource != "profile") continue;
        if (auto st = insert(**tx, row, false); !st) return st;
    }
    const schema::Resource& profile = *model.Find("profile");
    for (const auto& row : rows) {
        if (row.resource != "profile") continue;
        for (const auto& [name, target] : row.links) {
            storage::Params params(dialect);
            std::string sql = "UPDATE profiles SET " +
                              storage::QuoteIdent(profile.FindLink(name)->column) + " = " +
                              profile_id(params, target) +
                              " WHERE external_id = " + params.Add(row.external_id) + cast;
            auto done = (*tx)->ExecSql(sql, params.values());
            if (!done) return Fail(Error::Internal(row.where + ": " + done.error().message));
        }
    }
    for (const auto& row : rows) {
        if (row.resource == "profile") continue;
        if (auto st = insert(**tx, row, true); !st) return st;
    }
    return (*tx)->Commit();
}

// The SELECT of the profiles `checked` matches: "SELECT t.external_id FROM <table> t WHERE
// <condition> ORDER BY 1", with its parameters in `params`.
inline Result<std::string> SelectStatement(const Checked& checked, storage::Dialect dialect,
                                           storage::Params& params, const Clock& clock) {
    auto filter = EmitSql(checked, dialect, params, clock);
    if (!filter) return Fail(std::move(filter.error()));
    return "SELECT t.external_id FROM " + filter->table + " t WHERE " + filter->condition +
           " ORDER BY 1";
}

// The externalIds `checked` selects in `db`; `sql_out` receives the statement.
inline Result<std::set<std::string>> SelectIds(storage::Database& db, const Checked& checked,
                                               const Clock& clock, std::string* sql_out) {
    storage::Params params(db.dialect());
    auto sql = SelectStatement(checked, db.dialect(), params, clock);
    if (!sql) return Fail(std::move(sql.error()));
    if (sql_out) *sql_out = *sql;
    auto rows = storage::WithRead(
        db, [&](storage::Transaction& tx) { return tx.QuerySql(*sql, params.values()); });
    if (!rows) return Fail(std::move(rows.error()));
    std::set<std::string> out;
    for (const auto& row : rows->rows) out.insert(storage::AsString(row[0]));
    return out;
}

// Parses and checks `text` against the profile resource of `model`.
inline Result<Checked> Compile(const std::shared_ptr<const schema::Model>& model,
                               const std::string& text) {
    auto parsed = Parse(text);
    if (!parsed) return Fail(std::move(parsed.error()));
    return Check(*parsed, model, "profile", text);
}

// The same rows as in-memory records for the evaluator (evaluate.hpp).
class MemoryDataset {
  public:
    MemoryDataset(const schema::Model& model, const std::vector<DataRow>& rows) {
        std::map<std::string, MemoryRecord*> by_id;
        std::vector<std::pair<const DataRow*, MemoryRecord*>> made;
        for (const auto& row : rows) {
            auto r = std::make_unique<MemoryRecord>();
            for (const auto& [name, value] : row.fields) r->fields[name] = value;
            if (row.resource == "profile") {
                by_id[row.external_id] = r.get();
                ids_.push_back(row.external_id);
                profiles_.push_back(r.get());
            }
            made.emplace_back(&row, r.get());
            records_.push_back(std::move(r));
        }
        for (const auto& [row, record] : made) {
            const schema::Resource& r = *model.Find(row->resource);
            for (const auto& [name, target] : row->links) {
                MemoryRecord* to = by_id.at(target);
                record->links[name] = to;
                const schema::Link& link = *r.FindLink(name);
                if (!link.reverse_name.empty()) to->many[link.reverse_name].push_back(record);
            }
        }
    }

    // The externalIds of the profiles `checked` selects, or the first evaluation error.
    Result<std::set<std::string>> Select(const Checked& checked, const Clock& clock) const {
        std::set<std::string> out;
        for (std::size_t i = 0; i < profiles_.size(); ++i) {
            auto match = Evaluate(checked, *profiles_[i], clock);
            if (!match) return Fail(std::move(match.error()));
            if (*match) out.insert(ids_[i]);
        }
        return out;
    }

  private:
    std::vector<std::string> ids_;
    std::vector<const MemoryRecord*> profiles_;
    std::vector<std::unique_ptr<MemoryRecord>> records_;
};

inline std::string JoinIds(const std::set<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) out += (out.empty() ? "" : " ") + id;
    return out;
}

// The shop data set (tests/query/shop.data): the custom model (a purchase resource, an enum
// and a self link on profile) and the rows of most .test files.
inline Result<std::shared_ptr<const Dataset>> ShopDataset() {
    return ReadDataset(TestDir() / "shop.data");
}

// Rows of the shop model in C++, for generated data sets (the differential test).
struct ProfileRow {
    std::string id;
    Value first, last, email, country, birth;
    Value block;
    Value tier, score;
    std::string created;
    std::string referrer;  // externalId or ""
};

struct PurchaseRow {
    std::string profile;
    Value sku, amount, quantity, at, paid, category;
};

inline std::vector<DataRow> ToRows(const std::vector<ProfileRow>& profiles,
                                   const std::vector<PurchaseRow>& purchases) {
    std::vector<DataRow> rows;
    for (const auto& p : profiles) {
        DataRow r;
        r.where = p.id;
        r.resource = "profile";
        r.external_id = p.id;
        r.fields = {{"externalId", p.id},    {"createdAt", p.created}, {"modifiedAt", p.created},
                    {"firstName", p.first},  {"lastName", p.last},     {"email", p.email},
                    {"country", p.country},  {"birthDate", p.birth},   {"blockEmail", p.block},
                    {"loyaltyTier", p.tier}, {"score", p.score}};
        if (!p.referrer.empty()) r.links.emplace_back("referrer", p.referrer);
        rows.push_back(std::move(r));
    }
    for (const auto& b : purchases) {
        DataRow r;
        r.where = "purchase of " + b.profile;
        r.resource = "purchase";
        r.fields = {{"createdAt", std::string("2026-01-01T00:00:00.000Z")},
                    {"modifiedAt", std::string("2026-01-01T00:00:00.000Z")},
                    {"sku", b.sku},
                    {"amount", b.amount},
                    {"quantity", b.quantity},
                    {"purchasedAt", b.at},
                    {"paid", b.paid},
                    {"category", b.category}};
        r.links.emplace_back("profile", b.profile);
        rows.push_back(std::move(r));
    }
    return rows;
}

// A fresh database of the backend with the shop model published; rows are the test's.
class DatasetTest : public storage::testing::BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (HasFatalFailure()) return;
        auto shop = ShopDataset();
        ASSERT_TRUE(shop) << shop.error().message;
        model_ = (*shop)->model;
        auto st = Publish(db(), *model_);
        ASSERT_TRUE(st) << st.error().message << " " << st.error().detail;
    }

    void Load(const std::vector<ProfileRow>& profiles, const std::vector<PurchaseRow>& purchases) {
        auto st = LoadRows(db(), *model_, ToRows(profiles, purchases));
        ASSERT_TRUE(st) << st.error().message << " " << st.error().detail;
    }

    Result<Checked> Compile(const std::string& text) const {
        return testing::Compile(model_, text);
    }

    Result<std::set<std::string>> SelectSql(const Checked& checked, std::string* sql_out) {
        return SelectIds(db(), checked, clock_, sql_out);
    }

    FakeClock clock_{FromUnixMillis(1773576000000)};  // 2026-03-15T12:00:00.000Z
    std::shared_ptr<const schema::Model> model_;
};

}  // namespace overture::query::testing
