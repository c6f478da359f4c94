// overture demo: loads generated demo data (demo_data.hpp) into a database in one write
// transaction: profiles with their purchases (a custom resource published here when the model
// lacks it), two services with subscriptions and their history, and three test profiles.
//
// Profiles are generated and written in chunks (demo_load.hpp), so that memory stays flat;
// 10,000 profiles load in well under a second on SQLite (about one on PostgreSQL). A database
// that holds demo profiles (externalId "CRM-...") is left alone.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <iostream>

#include "app/commands.hpp"
#include "app/demo_data.hpp"
#include "app/demo_load.hpp"
#include "app/open_database.hpp"
#include "common/crypto.hpp"
#include "common/log.hpp"
#include "service/audit.hpp"
#include "service/routes.hpp"
#include "service/schema_service.hpp"

namespace overture::app {

namespace {

using storage::Transaction;

constexpr int kMaxProfiles = 1'000'000;
constexpr int kChunk = 5'000;

// 29874 -> "29,874"
std::string Thousands(std::int64_t n) {
    auto digits = std::to_string(n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
        out.push_back(digits[i]);
    }
    return out;
}

// "\r" progress on a terminal, a line every chunk otherwise.
void Progress(std::int64_t done, std::int64_t total) {
    auto line = fmt::format("profiles {} / {}", Thousands(done), Thousands(total));
    if (isatty(STDERR_FILENO) != 0) {
        std::cerr << "\r" << line << "\x1b[K" << (done == total ? "\n" : "") << std::flush;
    } else {
        std::cerr << line << "\n";
    }
}

}  // namespace

int RunDemo(const CommonOptions& common, const DemoOptions& options) {
    auto loaded = StartCommand(common);
    if (!loaded) return kExitUsage;
    config::Config cfg = std::move(*loaded);
    if (options.profiles < 1 || options.profiles > kMaxProfiles) {
        std::cerr << fmt::format("overture: --profiles must be between 1 and {}\n",
                                 Thousands(kMaxProfiles));
        return kExitUsage;
    }
    auto opened = OpenDatabase(cfg.database, /*migrate=*/true);
    if (!opened) {
        PrintError(opened.error());
        return kExitFailure;
    }
    auto& db = *opened->db;
    const auto d = db.dialect();
    SystemClock clock;
    service::AuditLog audit(db, clock);
    service::SchemaService schema(db, clock, audit);
    if (auto st = schema.Load(); !st) {
        PrintError(st.error());
        return kExitFailure;
    }
    // The demo's sending route: a maildir folder under email.maildir_root, so that deliveries
    // "send" with no mail server. Only when there is no route at all.
    {
        auto secrets = SecretBox::LoadOrCreate(cfg.security.secret_key_file);
        if (!secrets) {
            PrintError(secrets.error());
            return kExitFailure;
        }
        service::RouteService routes(db, clock, audit, *secrets, cfg.email.maildir_root);
        if (auto st = routes.EnsureDemoRoute(service::Actor::System()); !st) {
            PrintError(st.error());
            return kExitFailure;
        }
    }
    auto started = std::chrono::steady_clock::now();
    auto already = [](std::int64_t n) {
        std::cout << fmt::format(
            "The demo data is already loaded ({} profiles with an externalId starting with "
            "CRM-); nothing changed.\n",
            Thousands(n));
        return kExitOk;
    };
    auto existing =
        storage::WithRead(db, [&](Transaction& tx) { return CountDemoProfiles(tx, d); });
    if (!existing) {
        PrintError(existing.error());
        return kExitFailure;
    }
    if (*existing > 0) return already(*existing);

    auto model = EnsurePurchase(schema);
    if (!model) {
        PrintError(model.error());
        return model.error().code == ErrorCode::kFailedPrecondition ? kExitUsage : kExitFailure;
    }
    const schema::Resource& purchase = *(*model)->Find("purchase");
    spdlog::debug("demo: data model ready after {} ms",
                  std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count());

    // Event dates end at the start of today (UTC): the same seed on the same day gives the
    // same rows.
    auto now = clock.Now();
    auto anchor = std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::floor<std::chrono::days>(now));
    auto stamp = FormatRfc3339(now);
    DemoGenerator generator(options.seed, anchor);
    std::vector<DemoService> services{
        {"newsletter", "Weekly newsletter",
         "Our best articles, new products and offers, every Tuesday.", "email"},
        {"flashSales", "Flash sales by SMS", "Short-lived offers by text message.", "sms"}};

    DemoTotals totals;
    auto tx = db.Begin(storage::TxMode::kWrite);
    // Returns the number of demo profiles found, 0 when it loaded them.
    auto load = [&](Transaction& tx) -> Result<std::int64_t> {
        auto count = CountDemoProfiles(tx, d);  // again: another demo may have run meanwhile
        if (!count) return Fail(count.error());
        if (*count > 0) return *count;
        if (auto st = EnsureServices(tx, d, stamp, services); !st) return Fail(st.error());
        std::int64_t last_id = 0;
        for (int done = 0; done < options.profiles;) {
            int n = std::min(kChunk, options.profiles - done);
            auto generating = std::chrono::steady_clock::now();
            std::vector<DemoProfile> chunk;
            chunk.reserve(static_cast<std::size_t>(n));
            for (int i = 0; i < n; ++i) {
                chunk.push_back(generator.Next());
                if (auto st = CheckNormalized(chunk.back()); !st) return Fail(st.error());
            }
            spdlog::debug("demo: {} profiles generated in {} ms", n,
                          std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - generating)
                              .count());
            if (auto st = LoadChunk(tx, d, purchase, chunk, services, last_id, totals); !st) {
                return Fail(st.error());
            }
            done += n;
            Progress(done, options.profiles);
        }
        if (auto st = LoadTestProfiles(tx, stamp, totals); !st) return Fail(st.error());
        if (auto st = LoadDemoDeliveries(tx, d, ToUnixMillis(now)); !st) return Fail(st.error());
        if (auto st = audit.Record(tx, service::Actor::System(), "demo.load", "database", "",
                                   {{"profiles", std::to_string(totals.profiles)},
                                    {"purchases", std::to_string(totals.purchases)},
                                    {"subscriptions", std::to_string(totals.subscriptions)},
                                    {"seed", std::to_string(options.seed)}});
            !st) {
            return Fail(st.error());
        }
        return 0;
    };
    Result<std::int64_t> found = Fail(Error::Internal("demo: not run"));
    if (!tx) {
        found = Fail(tx.error());
    } else {
        found = load(**tx);
        if (found && *found == 0) {
            if (auto st = (*tx)->Commit(); !st) found = Fail(st.error());
        }
    }
    if (!found) {
        PrintError(found.error());
        return kExitFailure;
    }
    if (*found > 0) return already(*found);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << fmt::format(
        "{} profiles, {} purchases, {} services, {} subscriptions, {} test profiles in {:.1f} "
        "s\n",
        Thousands(totals.profiles), Thousands(totals.purchases),
        Thousands(static_cast<std::int64_t>(services.size())), Thousands(totals.subscriptions),
        Thousands(totals.test_profiles), secs);
    return kExitOk;
}

}  // namespace overture::app
