// overture bench segment: loads the demo data set once (demo_data.hpp, demo_load.hpp), then
// times five audience counts through our query layer against hand-written SQL.
//
// Approach: "ours" is RecordService::Count with the audience as `?filter=` text, the same call
// the REST `/_count` and the query count route make, so every run parses, checks, normalizes,
// emits and executes. "hand" is the SQL a person would write for the same audience (computed
// bounds, derived columns, EXISTS), run through the same storage layer (QuerySql in a read
// transaction). Cold: a new Database (new connection), the database files dropped from the OS
// page cache with posix_fadvise(DONTNEED) (SQLite: the database and WAL files; PostgreSQL: the
// files under --pgdata when given; PostgreSQL's shared_buffers are not cleared), then one run.
// Warm: one unmeasured run each, then `rounds` alternating runs; medians.
#include "app/bench_segment.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <vector>

#include "app/bench_util.hpp"
#include "app/demo_data.hpp"
#include "app/demo_load.hpp"
#include "app/open_database.hpp"
#include "common/log.hpp"
#include "query/normalize.hpp"
#include "query/parser.hpp"
#include "query/sql_emit.hpp"
#include "query/typecheck.hpp"
#include "service/audit.hpp"
#include "service/records.hpp"
#include "service/schema_service.hpp"
#include "storage/sql_text.hpp"

namespace overture::app {
namespace {

using storage::Dialect;
using storage::Params;
using storage::QuoteIdent;
using Steady = std::chrono::steady_clock;

constexpr int kChunk = 5'000;
constexpr std::int64_t kCommitEvery = 100'000;

double Since(Steady::time_point t) {
    return std::chrono::duration<double>(Steady::now() - t).count();
}

// Drops `path` (a file, or every file under a folder) from the OS page cache. Best effort:
// files we may not open are skipped.
void Evict(const std::filesystem::path& path) {
    std::error_code ec;
    auto drop = [](const std::filesystem::path& p) {
        int fd = ::open(p.c_str(), O_RDONLY);
        if (fd < 0) return;
        ::fdatasync(fd);
        ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        ::close(fd);
    };
    if (std::filesystem::is_directory(path, ec)) {
        for (auto it = std::filesystem::recursive_directory_iterator(
                 path, std::filesystem::directory_options::skip_permission_denied, ec);
             !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
            if (it->is_regular_file(ec)) drop(it->path());
        }
    } else if (std::filesystem::exists(path, ec)) {
        drop(path);
    }
}

// Names of the data model the hand-written SQL uses.
struct Names {
    std::string profiles, country, birth_date, block_email, email_domain, gender;
    std::string purchases, purchase_profile, purchased_at, amount;
};

Names NamesOf(const schema::Model& model) {
    const schema::Resource& p = *model.Find("profile");
    const schema::Resource& b = *model.Find("purchase");
    auto col = [](const schema::Resource& r, std::string_view f) {
        return "t." + QuoteIdent(r.FindField(f)->column);
    };
    auto ucol = [](const schema::Resource& r, std::string_view f) {
        return "u." + QuoteIdent(r.FindField(f)->column);
    };
    return Names{QuoteIdent(p.table),    col(p, "country"),
                 col(p, "birthDate"),    col(p, "blockEmail"),
                 col(p, "emailDomain"),  col(p, "gender"),
                 QuoteIdent(b.table),    "u." + QuoteIdent(b.FindLink("profile")->column),
                 ucol(b, "purchasedAt"), ucol(b, "amount")};
}

std::string Day(std::chrono::sys_days d) {
    std::chrono::year_month_day ymd(d);
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

// `today` minus `years` years, Feb 29 becoming Feb 28.
std::chrono::sys_days YearsBefore(std::chrono::sys_days today, int years) {
    std::chrono::year_month_day t(today);
    std::chrono::year_month_day d{t.year() - std::chrono::years(years), t.month(), t.day()};
    if (!d.ok()) d = d.year() / d.month() / std::chrono::last;
    return std::chrono::sys_days(d);
}

struct Audience {
    std::string name;
    std::string text;  // ours
    // The hand-written WHERE condition over `t`, its values added to the params.
    std::function<std::string(const Names&, Params&)> hand;
};

std::vector<Audience> Audiences(Dialect d, TimePoint now) {
    bool pg = d == Dialect::kPostgres;
    auto cast = [pg](std::string p, std::string_view type) {
        return pg ? p + "::" + std::string(type) : p;
    };
    auto today = std::chrono::floor<std::chrono::days>(now);
    // Age 25 to 40 on `today`: born after the day 41 years ago, at the latest 25 years ago.
    std::string born_from = Day(YearsBefore(today, 41) + std::chrono::days(1));
    std::string born_to = Day(YearsBefore(today, 25));
    std::string since = FormatRfc3339(now - std::chrono::days(90));
    std::string year_ago = FormatRfc3339(now - std::chrono::days(365));
    return {
        {"country+age+optin",
         R"(country in ("FR", "DE", "IT") and age(birthDate) between 25 and 40 and not blockEmail)",
         [=](const Names& n, Params& p) {
             return fmt::format(
                 "{} IN ({}, {}, {}) AND {} BETWEEN {} AND {} AND NOT {}", n.country,
                 cast(p.Add(std::string("FR")), "text"), cast(p.Add(std::string("DE")), "text"),
                 cast(p.Add(std::string("IT")), "text"), n.birth_date,
                 cast(p.Add(born_from), "date"), cast(p.Add(born_to), "date"), n.block_email);
         }},
        {"purchase 90 days", "exists purchases where (purchasedAt > daysAgo(90))",
         [=](const Names& n, Params& p) {
             return fmt::format("EXISTS (SELECT 1 FROM {} u WHERE {} = t.id AND {} > {})",
                                n.purchases, n.purchase_profile, n.purchased_at,
                                cast(p.Add(since), "timestamptz"));
         }},
        {"3+ purchases in a year", "count(purchases where purchasedAt > daysAgo(365)) >= 3",
         [=](const Names& n, Params& p) {
             return fmt::format("(SELECT count(*) FROM {} u WHERE {} = t.id AND {} > {}) >= {}",
                                n.purchases, n.purchase_profile, n.purchased_at,
                                cast(p.Add(year_ago), "timestamptz"),
                                cast(p.Add(static_cast<std::int64_t>(3)), "bigint"));
         }},
        {"email domain like", R"(emailDomain(email) like "%.org")",
         [=](const Names& n, Params& p) {
             return fmt::format("{} LIKE {}", n.email_domain,
                                cast(p.Add(std::string("%.org")), "text"));
         }},
        {"two-group or",
         R"((country = "FR" and gender = "female") or (country = "US" and exists purchases where (amount > 500)))",
         [=](const Names& n, Params& p) {
             return fmt::format(
                 "({0} = {2} AND {1} = {3}) OR ({0} = {4} AND EXISTS (SELECT 1 FROM {5} u WHERE "
                 "{6} = t.id AND {7} > {8}))",
                 n.country, n.gender, cast(p.Add(std::string("FR")), "text"),
                 cast(p.Add(std::string("female")), "text"), cast(p.Add(std::string("US")), "text"),
                 n.purchases, n.purchase_profile, n.amount, cast(p.Add(500.0), "double precision"));
         }},
    };
}

// Everything one measurement needs: a database (a new one per cold run) and the services.
struct Session {
    OpenedDatabase opened;
    std::unique_ptr<service::AuditLog> audit;
    std::unique_ptr<service::SchemaService> schema;
    std::unique_ptr<service::RecordService> records;
};

Result<std::unique_ptr<Session>> OpenSession(const config::Config& cfg, const Clock& clock,
                                             bool migrate) {
    auto s = std::make_unique<Session>();
    auto opened = OpenDatabase(cfg.database, migrate);
    if (!opened) return Fail(opened.error());
    s->opened = std::move(*opened);
    auto& db = *s->opened.db;
    s->audit = std::make_unique<service::AuditLog>(db, clock);
    s->schema = std::make_unique<service::SchemaService>(db, clock, *s->audit);
    if (auto st = s->schema->Load(); !st) return Fail(st.error());
    s->records = std::make_unique<service::RecordService>(db, clock, *s->schema);
    return s;
}

// Loads `options.profiles` demo profiles with exactly `options.purchases` purchases each.
Status Load(Session& s, const BenchSegmentOptions& options, const Clock& clock,
            const schema::Resource& purchase) {
    auto& db = *s.opened.db;
    const Dialect d = db.dialect();
    auto now = clock.Now();
    auto anchor = std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::floor<std::chrono::days>(now));
    DemoGenerator generator(options.seed, anchor);
    std::vector<DemoService> services{
        {"newsletter", "Weekly newsletter", "Articles and offers.", "email"},
        {"flashSales", "Flash sales by SMS", "Short-lived offers.", "sms"}};
    DemoTotals totals;
    std::int64_t last_id = 0;
    std::vector<DemoPurchase> template_purchases;
    double generating = 0, writing = 0;
    auto started = Steady::now();
    for (std::int64_t done = 0; done < options.profiles;) {
        auto tx = db.Begin(storage::TxMode::kWrite);
        if (!tx) return Fail(tx.error());
        if (done == 0) {
            if (auto st = EnsureServices(**tx, d, FormatRfc3339(now), services); !st) return st;
        }
        std::int64_t end = std::min(options.profiles, done + kCommitEvery);
        while (done < end) {
            auto t0 = Steady::now();
            std::int64_t n = std::min<std::int64_t>(kChunk, end - done);
            std::vector<DemoProfile> chunk;
            chunk.reserve(static_cast<std::size_t>(n));
            for (std::int64_t i = 0; i < n; ++i) {
                DemoProfile p = generator.Next();
                if (!p.purchases.empty()) template_purchases = p.purchases;
                p.purchases.clear();
                for (int k = 0; k < options.purchases && !template_purchases.empty(); ++k) {
                    p.purchases.push_back(template_purchases[static_cast<std::size_t>(k) %
                                                             template_purchases.size()]);
                }
                chunk.push_back(std::move(p));
            }
            auto t1 = Steady::now();
            if (auto st = LoadChunk(**tx, d, purchase, chunk, services, last_id, totals); !st) {
                return st;
            }
            generating += std::chrono::duration<double>(t1 - t0).count();
            writing += Since(t1);
            done += n;
        }
        auto t2 = Steady::now();
        if (auto st = (*tx)->Commit(); !st) return st;
        writing += Since(t2);
        std::cerr << fmt::format("bench: {} profiles loaded ({:.0f} s)\n", done, Since(started));
    }
    auto t3 = Steady::now();
    {
        auto tx = db.Begin(storage::TxMode::kWrite);
        if (!tx) return Fail(tx.error());
        if (auto st = (*tx)->ExecScript("ANALYZE"); !st) return st;
        if (auto st = (*tx)->Commit(); !st) return st;
    }
    std::cout << fmt::format(
        "load\tprofiles={}\tpurchases={}\tgenerate_s={:.1f}\twrite_s={:.1f}\tanalyze_s={:.1f}\t"
        "total_s={:.1f}\n",
        totals.profiles, totals.purchases, generating, writing, Since(t3), Since(started));
    return {};
}

Result<std::int64_t> Ours(Session& s, const Audience& a) {
    service::ListQuery q;
    q.filter = a.text;
    return s.records->Count(service::Actor::System(), "profile", q);
}

Result<std::int64_t> Hand(Session& s, const Audience& a, const Names& names) {
    auto& db = *s.opened.db;
    Params params(db.dialect());
    std::string sql =
        fmt::format("SELECT count(*) FROM {} t WHERE {}", names.profiles, a.hand(names, params));
    return storage::WithRead(db, [&](storage::Transaction& tx) -> Result<std::int64_t> {
        auto rows = tx.QuerySql(sql, params.values());
        if (!rows) return Fail(rows.error());
        return storage::AsInt(rows->rows.at(0).at(0));
    });
}

// The SQL our layer runs for `a`, for the report.
std::string OurSql(const Session& s, const Audience& a, const Clock& clock) {
    auto model = s.schema->Current();
    auto expr = query::Parse(a.text);
    if (!expr) return expr.error().message;
    auto checked = query::Check(*expr, model, "profile", a.text);
    if (!checked) return checked.error().message;
    Params params(s.opened.db->dialect());
    auto sql = query::EmitSql(query::Normalize(*checked, clock), params.dialect(), params, clock);
    if (!sql) return sql.error().message;
    return sql->condition;
}

}  // namespace

int RunBenchSegment(const CommonOptions& common, const BenchSegmentOptions& options) {
    auto loaded = StartCommand(common);
    if (!loaded) return kExitUsage;
    config::Config cfg = std::move(*loaded);
    if (options.profiles < 1 || options.rounds < 1 || options.purchases < 0) {
        std::cerr
            << "overture: --profiles and --rounds must be at least 1, --purchases 0 or more\n";
        return kExitUsage;
    }
    // One instant for the whole run: ours and the hand-written bounds agree on today.
    const FakeClock clock(SystemClock().Now());
    auto session = OpenSession(cfg, clock, /*migrate=*/true);
    if (!session) {
        PrintError(session.error());
        return kExitFailure;
    }
    auto& s = **session;
    const Dialect dialect = s.opened.db->dialect();
    auto model = EnsurePurchase(*s.schema);
    if (!model) {
        PrintError(model.error());
        return kExitFailure;
    }
    auto existing = storage::WithRead(
        *s.opened.db, [&](storage::Transaction& tx) { return CountDemoProfiles(tx, dialect); });
    if (!existing) {
        PrintError(existing.error());
        return kExitFailure;
    }
    if (*existing == 0) {
        if (auto st = Load(s, options, clock, *(*model)->Find("purchase")); !st) {
            PrintError(st.error());
            return kExitFailure;
        }
    } else if (*existing != options.profiles) {
        std::cerr << fmt::format(
            "overture: the database holds {} demo profiles, not {}; use a fresh database\n",
            *existing, options.profiles);
        return kExitUsage;
    } else {
        std::cout << fmt::format("load\treused {} profiles\n", *existing);
    }
    const Names names = NamesOf(**model);
    const auto audiences = Audiences(dialect, clock.Now());
    std::string url = cfg.database.url;
    std::vector<std::filesystem::path> files;
    if (url.starts_with("sqlite:")) {
        std::string path = url.substr(7);
        files = {path, path + "-wal"};
    } else if (!options.pgdata.empty()) {
        files = {options.pgdata};
    }
    for (const auto& a : audiences) {
        std::cout << "sql\t" << a.name << "\t" << OurSql(s, a, clock) << "\n";
    }

    struct Row {
        std::string name;
        std::int64_t count = 0;
        double ours_cold = 0, hand_cold = 0;
        std::vector<double> ours, hand;
    };
    std::vector<Row> rows;
    bool mismatch = false;
    auto started = Steady::now();
    auto check = [&](const Audience& a, const Result<std::int64_t>& ours,
                     const Result<std::int64_t>& hand) {
        if (!ours || !hand) {
            PrintError(!ours ? ours.error() : hand.error());
            mismatch = true;
            return std::int64_t{-1};
        }
        if (*ours != *hand) {
            std::cerr << fmt::format("overture: MISMATCH on {}: ours {}, hand-written {}\n", a.name,
                                     *ours, *hand);
            mismatch = true;
        }
        return *ours;
    };
    auto timed = [](auto&& f, double& ms) {
        auto t = Steady::now();
        auto r = f();
        ms = Since(t) * 1000;
        return r;
    };
    for (const auto& a : audiences) {
        Row row;
        row.name = a.name;
        if (options.cold) {
            // Ours first for odd audiences, hand first for even ones.
            Result<std::int64_t> ours = 0, hand = 0;
            for (int side = 0; side < 2; ++side) {
                bool run_ours = (side == 0) == (rows.size() % 2 == 0);
                auto fresh = OpenSession(cfg, clock, /*migrate=*/false);
                if (!fresh) {
                    PrintError(fresh.error());
                    return kExitFailure;
                }
                for (const auto& f : files) Evict(f);
                (void)(*fresh)->opened.db->Ping();
                if (run_ours) {
                    ours = timed([&] { return Ours(**fresh, a); }, row.ours_cold);
                } else {
                    hand = timed([&] { return Hand(**fresh, a, names); }, row.hand_cold);
                }
            }
            check(a, ours, hand);
        }
        // Warm-up, then alternating rounds.
        row.count = check(a, Ours(s, a), Hand(s, a, names));
        for (int r = 0; r < options.rounds; ++r) {
            if (r > 0 && Since(started) > options.max_seconds) break;
            double t1 = 0, t2 = 0;
            Result<std::int64_t> ours = 0, hand = 0;
            if (r % 2 == 0) {
                ours = timed([&] { return Ours(s, a); }, t1);
                hand = timed([&] { return Hand(s, a, names); }, t2);
            } else {
                hand = timed([&] { return Hand(s, a, names); }, t2);
                ours = timed([&] { return Ours(s, a); }, t1);
            }
            check(a, ours, hand);
            row.ours.push_back(t1);
            row.hand.push_back(t2);
        }
        rows.push_back(std::move(row));
    }

    std::string engine = dialect == Dialect::kPostgres ? "postgres" : "sqlite";
    std::cout << fmt::format("\n{} profiles, {} purchases each, {} ({} warm rounds)\n\n",
                             options.profiles, options.purchases, engine, options.rounds);
    std::cout << "| audience | count | ours cold ms | hand cold ms | cold ratio | ours warm ms | "
                 "hand warm ms | warm ratio |\n|---|---:|---:|---:|---:|---:|---:|---:|\n";
    std::ofstream out;
    if (!options.out.empty()) out.open(options.out, std::ios::app);
    for (const auto& r : rows) {
        double ow = Median(r.ours), hw = Median(r.hand);
        auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
        std::cout << fmt::format(
            "| {} | {} | {} | {} | {} | {:.2f} | {:.2f} | {:.2f}x |\n", r.name, r.count,
            options.cold ? fmt::format("{:.1f}", r.ours_cold) : "-",
            options.cold ? fmt::format("{:.1f}", r.hand_cold) : "-",
            options.cold ? fmt::format("{:.2f}x", ratio(r.ours_cold, r.hand_cold)) : "-", ow, hw,
            ratio(ow, hw));
        if (out) {
            out << fmt::format("{}\t{}\t{}\t{}\t{:.3f}\t{:.3f}\t{:.3f}\t{:.3f}\t{}\n", engine,
                               options.profiles, r.name, r.count, r.ours_cold, r.hand_cold, ow, hw,
                               r.ours.size());
        }
    }
    if (mismatch) {
        std::cerr << "overture: bench segment FAILED: counts differ or a query failed\n";
        return kExitFailure;
    }
    return kExitOk;
}

}  // namespace overture::app
