#include "app/commands.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <iostream>
#include <thread>

#include "app/bounce_poller.hpp"
#include "app/delivery_worker.hpp"
#include "app/open_database.hpp"
#include "common/crypto.hpp"
#include "common/log.hpp"
#include "common/random.hpp"
#include "config/config.hpp"
#include "http/api.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"
#include "service/api_keys.hpp"
#include "service/audit.hpp"
#include "service/deliveries.hpp"
#include "service/delivery_prepare.hpp"
#include "service/email_sending.hpp"
#include "service/exports.hpp"
#include "service/fragments.hpp"
#include "service/imports.hpp"
#include "service/notifications.hpp"
#include "service/records.hpp"
#include "service/reports.hpp"
#include "service/schema_service.hpp"
#include "service/sessions.hpp"
#include "service/subscriptions.hpp"
#include "service/templates.hpp"
#include "service/tracking_pages.hpp"
#include "service/typologies.hpp"
#include "service/users.hpp"
#include "service/workflow_activities.hpp"
#include "service/workflows.hpp"
#include "tracking/ingest.hpp"
#include "tracking/keys.hpp"
#include "tracking/links.hpp"
#include "workflow/activity.hpp"
#include "workflow/engine.hpp"

namespace overture::app {

namespace {}  // namespace

void PrintError(const Error& e) {
    std::cerr << "overture: " << e.message;
    if (!e.detail.empty()) std::cerr << " (" << e.detail << ")";
    std::cerr << "\n";
}

std::optional<config::Config> StartCommand(const CommonOptions& common) {
    auto loaded = LoadConfigFor(common);
    if (!loaded) {
        PrintError(loaded.error());
        return std::nullopt;
    }
    InitLogging(loaded->log.level);
    return std::move(*loaded);
}

Result<config::Config> LoadConfigFor(const CommonOptions& common) {
    config::Config cfg;
    auto env = config::ProcessEnvironment();
    std::string file = common.config_file;
    if (file.empty()) {
        if (auto it = env.find("OVERTURE_CONFIG"); it != env.end()) file = it->second;
    }
    if (!file.empty()) {
        if (auto st = config::ApplyFile(cfg, file); !st) return Fail(st.error());
    }
    if (auto st = config::ApplyEnvironment(cfg, env); !st) return Fail(st.error());
    if (!common.database.empty()) {
        if (auto st = cfg.Set("database.url", common.database); !st) return Fail(st.error());
    }
    if (!common.log_level.empty()) {
        if (auto st = cfg.Set("log.level", common.log_level); !st) return Fail(st.error());
    }
    if (auto st = cfg.Validate(); !st) return Fail(st.error());
    return cfg;
}

namespace {

Result<config::Config> LoadConfig(const CommonOptions& common) { return LoadConfigFor(common); }

// The engine's options from the configuration; the node is named like the delivery worker's
// leases (host:pid).
workflow::EngineOptions WorkflowEngineOptions(const config::WorkflowConfig& c) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    workflow::EngineOptions o;
    o.node = fmt::format("{}:{}", host, getpid());
    o.threads = c.threads;
    o.tick = std::chrono::milliseconds(c.tick_milliseconds);
    o.lease = std::chrono::seconds(c.lease_seconds);
    o.step_delay = std::chrono::milliseconds(c.step_delay_milliseconds);
    return o;
}

// Everything a command needs, built in dependency order.
struct Services {
    Services(storage::Database& db, const config::Config& cfg, SecretBox secret_box)
        : secrets(std::move(secret_box)),
          audit(db, clock),
          users(db, clock, audit),
          auth(db, clock, random,
               service::AuthOptions{std::chrono::minutes(cfg.security.session_ttl_minutes),
                                    cfg.security.login_max_failures,
                                    std::chrono::minutes(cfg.security.login_window_minutes)}),
          api_keys(db, clock, random, audit),
          schema(db, clock, audit),
          records(db, clock, schema),
          subscriptions(db, clock, records),
          imports(db, clock, random, schema, cfg.imports.directory),
          exports(records, schema),
          audiences(db, clock, audit, schema, records, exports),
          templates(records, schema),
          routes(db, clock, audit, secrets, cfg.email.maildir_root),
          dkim_keys(db, clock, audit, secrets),
          bounces(db, clock, audit),
          typologies(db, clock, audit, schema),
          deliveries(db, clock, audit, schema, records, audiences, templates),
          fragments(db, clock, audit),
          notifications(db, clock) {
        templates.SetFragments(&fragments);
    }

    SecretBox secrets;
    SystemClock clock;
    SecureRandom random;
    service::AuditLog audit;
    service::UserService users;
    service::AuthService auth;
    service::ApiKeyService api_keys;
    service::SchemaService schema;
    service::RecordService records;
    service::SubscriptionService subscriptions;
    service::ImportService imports;
    service::ExportService exports;
    service::AudienceService audiences;
    service::TemplateService templates;
    service::RouteService routes;
    service::DkimKeyService dkim_keys;
    service::BounceService bounces;
    service::TypologyService typologies;
    service::DeliveryService deliveries;
    service::FragmentService fragments;
    service::NotificationService notifications;
};

std::filesystem::path DefaultWebRoot() {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    std::vector<std::filesystem::path> candidates;
    if (!ec) {
        // build/<config>/overture in a source checkout; share/overture/web in an install.
        candidates.push_back(exe.parent_path() / "../../web/dist");
        candidates.push_back(exe.parent_path() / "../share/overture/web");
    }
    candidates.push_back("web/dist");
    for (const auto& c : candidates) {
        if (std::filesystem::exists(c / "index.html", ec)) {
            return std::filesystem::weakly_canonical(c, ec);
        }
    }
    return candidates.front();
}

std::string GeneratePassword(Random& random) { return RandomToken(random, 15); }  // 20 chars

Result<Services*> Setup(const CommonOptions& common, config::Config& cfg,
                        std::unique_ptr<storage::Database>& db, std::unique_ptr<Services>& services,
                        bool migrate) {
    auto loaded = LoadConfig(common);
    if (!loaded) return Fail(loaded.error());
    cfg = std::move(*loaded);
    InitLogging(cfg.log.level);
    InitCrypto();
    auto opened = OpenDatabase(cfg.database, migrate);
    if (!opened) return Fail(opened.error());
    for (const auto& m : opened->migrations.applied) spdlog::info("applied migration {}", m);
    db = std::move(opened->db);
    auto secrets = SecretBox::LoadOrCreate(cfg.security.secret_key_file);
    if (!secrets) return Fail(secrets.error());
    services = std::make_unique<Services>(*db, cfg, std::move(*secrets));
    if (auto st = services->schema.Load(); !st) return Fail(st.error());
    return services.get();
}

}  // namespace

int RunServe(const CommonOptions& common, const ServeOptions& serve) {
    config::Config cfg;
    auto loaded = LoadConfig(common);
    if (!loaded) {
        PrintError(loaded.error());
        return kExitUsage;
    }
    cfg = std::move(*loaded);
    if (!serve.listen.empty()) {
        if (auto st = cfg.Set("http.listen", serve.listen); !st) {
            PrintError(st.error());
            return kExitUsage;
        }
    }
    if (!serve.web_root.empty()) cfg.http.web_root = serve.web_root;
    auto listen = config::ParseListen(cfg.http.listen);
    if (!listen) {
        PrintError(listen.error());
        return kExitUsage;
    }
    InitLogging(cfg.log.level);
    InitCrypto();
    auto opened = OpenDatabase(cfg.database, /*migrate=*/true);
    if (!opened) {
        PrintError(opened.error());
        return kExitFailure;
    }
    for (const auto& m : opened->migrations.applied) spdlog::info("applied migration {}", m);
    auto db = std::move(opened->db);
    auto secrets = SecretBox::LoadOrCreate(cfg.security.secret_key_file);
    if (!secrets) {
        PrintError(secrets.error());
        return kExitFailure;
    }
    Services services(*db, cfg, std::move(*secrets));
    if (auto st = services.schema.Load(); !st) {
        PrintError(st.error());
        return kExitFailure;
    }
    if (auto st = services.imports.Recover(); !st) {
        PrintError(st.error());
        return kExitFailure;
    }
    // The folder of the workflows' files (Load file, Extract file, Transfer file).
    std::error_code dir_error;
    std::filesystem::create_directories(cfg.workflow.directory, dir_error);
    if (dir_error) {
        PrintError(
            Error::InvalidArgument(fmt::format("cannot create workflow.directory {}: {}",
                                               cfg.workflow.directory, dir_error.message())));
        return kExitFailure;
    }

    // Tracking (docs/tracking.md): the signing keys, the tracked links and the event writer.
    tracking::KeyStore tracking_keys(*db, services.clock, services.secrets);
    if (auto st = tracking_keys.Load(); !st) {
        PrintError(st.error());
        return kExitFailure;
    }
    tracking::LinkRegistry tracking_links(*db);
    // The writer also rereads the keys, so that a key rotated on another node signs here too.
    tracking::Ingestor ingestor(
        *db, services.clock,
        tracking::IngestOptions{
            .flush_interval = std::chrono::milliseconds(cfg.tracking.flush_milliseconds),
            // About a second of events per transaction under load (docs/tracking.md,
            // "Ingestion"); SQLite has one writer, so its transactions stay under ~0.3 s.
            .max_batch = db->dialect() == storage::Dialect::kSqlite ? 100'000u : 200'000u,
            .machine_open_seconds = cfg.tracking.machine_open_seconds,
            .key_store = &tracking_keys,
            .key_reload = std::chrono::seconds(cfg.tracking.key_reload_seconds),
            .max_queued = static_cast<std::size_t>(cfg.tracking.max_queued_events)});
    ingestor.Start();

    http::Metrics metrics;
    http::Router router;
    http::ApiContext ctx{*db,
                         cfg,
                         metrics,
                         services.audit,
                         services.users,
                         services.auth,
                         services.api_keys,
                         services.schema,
                         services.records,
                         services.subscriptions,
                         services.imports,
                         services.exports,
                         services.audiences,
                         services.templates,
                         services.routes,
                         services.dkim_keys,
                         services.bounces};
    ctx.deliveries = &services.deliveries;
    ctx.typologies = &services.typologies;
    ctx.fragments = &services.fragments;
    ctx.notifications = &services.notifications;
    ctx.tracking_keys = &tracking_keys;
    ctx.tracking_links = &tracking_links;
    ctx.ingestor = &ingestor;
    service::ReportService reports(*db, services.clock, services.deliveries, services.records,
                                   services.fragments);
    ctx.reports = &reports;
    service::TrackingPages tracking_pages(*db, services.clock, services.audit, services.schema,
                                          services.records, services.subscriptions,
                                          services.deliveries, &services.fragments, tracking_keys,
                                          tracking_links, ingestor, cfg.delivery.public_url);
    ctx.tracking_pages = &tracking_pages;
    // Workflows (docs/workflows.md): the activity types, the engine (its threads start below,
    // on a node with workflow.engine) and the service the API uses.
    workflow::Registry workflow_registry;
    workflow::RegisterCoreActivities(workflow_registry);
    service::RegisterServiceActivities(
        workflow_registry,
        service::ServiceActivityDeps{*db, services.clock, services.schema, services.records,
                                     services.deliveries, services.subscriptions, services.audit,
                                     cfg.workflow.directory});
    workflow::Engine workflow_engine(
        *db, services.clock, workflow_registry, [&services] { return services.schema.Current(); },
        WorkflowEngineOptions(cfg.workflow));
    service::WorkflowService workflows(*db, services.clock, services.audit, workflow_engine);
    ctx.workflows = &workflows;
    http::RegisterApi(router, ctx);
    std::filesystem::path web_root =
        cfg.http.web_root.empty() ? DefaultWebRoot() : std::filesystem::path(cfg.http.web_root);
    http::StaticFiles static_files(web_root);
    router.SetFallback([&static_files](http::Request& req) { return static_files.Serve(req); });

    http::ServerOptions options;
    options.host = listen->first;
    options.port = listen->second;
    options.io_threads =
        config::ResolveIoThreads(cfg.http.io_threads, std::thread::hardware_concurrency());
    options.worker_threads = cfg.http.worker_threads;
    options.max_header_bytes = static_cast<std::size_t>(cfg.http.max_header_bytes);
    options.max_body_bytes = static_cast<std::size_t>(cfg.http.max_body_bytes);
    options.idle_timeout = std::chrono::milliseconds(cfg.http.idle_timeout_ms);
    options.read_timeout = std::chrono::milliseconds(cfg.http.read_timeout_ms);
    options.shutdown_grace = std::chrono::milliseconds(cfg.http.shutdown_grace_ms);
    options.fast_path = http::MakeTrackingFastPath(ctx);
    http::Server server(options, router, metrics);
    server.StopOnSignals();
    if (auto st = server.Start(); !st) {
        PrintError(st.error());
        return kExitFailure;
    }
    spdlog::info(
        "overture serving http://{}:{} (database {}, web UI from {}, threads: {} network, {} "
        "handlers)",
        options.host, server.port(), storage::DialectName(db->dialect()), web_root.string(),
        options.io_threads, options.worker_threads);
    std::optional<BouncePoller> bounce_poller;
    if (!cfg.bounces.imap_url.empty()) bounce_poller.emplace(cfg.bounces, services.bounces);
    // Deliveries: the email channel on its own I/O thread, proofs, and the worker that prepares
    // and sends (docs/deliveries.md). A node with delivery.worker = false only sends proofs.
    boost::asio::io_context email_io;
    auto email_work = boost::asio::make_work_guard(email_io);
    std::thread email_thread([&email_io] {
        SetThreadName("ov-email-io");
        email_io.run();
    });
    service::EmailChannels channels(*db, services.clock, services.routes, services.dkim_keys,
                                    services.bounces, services.deliveries, services.records,
                                    tracking_keys, tracking_links, email_io.get_executor(),
                                    cfg.delivery.public_url);
    services.deliveries.SetProofSender(&channels);
    delivery::FragmentSource fragments = [&services] { return services.fragments.Provider(); };
    channels.SetFragments(fragments);
    service::DeliveryPreparer preparer(*db, services.clock, services.schema, services.deliveries,
                                       services.routes, services.dkim_keys);
    preparer.SetFragments(fragments);
    DeliveryWorker worker(*db, services.clock, cfg.delivery, services.deliveries, preparer,
                          channels, services.schema, services.audit);
    if (cfg.delivery.worker) {
        services.deliveries.SetWake([&worker] { worker.Wake(); });
        worker.Start();
    }
    if (cfg.workflow.engine) workflow_engine.Start();
    server.Wait();
    if (bounce_poller) bounce_poller->Stop();
    // Running workflow tasks reach their next checkpoint (or their end) before the services
    // they use stop; an interrupted task runs again from its start on the next node.
    workflow_engine.Stop();
    // The batches in flight finish and write their outcomes before the routes close.
    worker.Stop();
    services.deliveries.SetWake({});
    channels.Shutdown();
    email_work.reset();
    email_thread.join();
    // Every tracking event accepted before the server stopped reaches the database.
    ingestor.Stop();
    const auto tracked = ingestor.stats();
    spdlog::info("tracking: {} events accepted, {} written", tracked.accepted, tracked.written);
    spdlog::info("overture stopped");
    return kExitOk;
}

int RunWorkflowRun(const CommonOptions& common, const WorkflowRunOptions& options) {
    config::Config cfg;
    std::unique_ptr<storage::Database> db;
    std::unique_ptr<Services> services;
    auto s = Setup(common, cfg, db, services, /*migrate=*/true);
    if (!s) {
        PrintError(s.error());
        return s.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    std::error_code dir_error;
    std::filesystem::create_directories(cfg.workflow.directory, dir_error);
    workflow::Registry registry;
    workflow::RegisterCoreActivities(registry);
    service::RegisterServiceActivities(
        registry, service::ServiceActivityDeps{*db, (*s)->clock, (*s)->schema, (*s)->records,
                                               (*s)->deliveries, (*s)->subscriptions, (*s)->audit,
                                               cfg.workflow.directory});
    // No engine threads: this thread executes the due tasks.
    workflow::Engine engine(
        *db, (*s)->clock, registry, [s] { return (*s)->schema.Current(); },
        WorkflowEngineOptions(cfg.workflow));
    service::WorkflowService workflows(*db, (*s)->clock, (*s)->audit, engine);
    const auto actor = service::Actor::System();
    const service::WorkflowId id(options.id);
    auto started = workflows.Start(actor, id, {.dry_run = options.dry_run, .variables = {}});
    if (!started) {
        PrintError(started.error());
        return started.error().code == ErrorCode::kInvalidArgument ||
                       started.error().code == ErrorCode::kNotFound ||
                       started.error().code == ErrorCode::kFailedPrecondition
                   ? kExitUsage
                   : kExitFailure;
    }
    const auto run = started->run.id;
    std::cout << "Run #" << started->run.number << " (id " << run.value() << ") of workflow "
              << options.id << (options.dry_run ? ", dry run" : "") << "\n";
    std::int64_t after = 0;
    std::string status = started->run.status;
    for (;;) {
        engine.RunDue();
        auto logs = workflows.Logs(actor, id, run, after, service::kMaxPageSize);
        if (!logs) {
            PrintError(logs.error());
            return kExitFailure;
        }
        for (const auto& e : logs->items) {
            after = e.id;
            std::cout << FormatRfc3339(e.at) << " " << (e.activity.empty() ? "-" : e.activity)
                      << " " << e.level << ": " << e.message;
            if (e.rows) std::cout << " (" << *e.rows << " rows)";
            std::cout << "\n";
        }
        if (logs->next) continue;
        auto now = workflows.Run(actor, id, run);
        if (!now) {
            PrintError(now.error());
            return kExitFailure;
        }
        status = now->run.status;
        if (status != "running" && status != "paused" && status != "stopping") {
            if (!now->run.error.empty()) std::cout << "error: " << now->run.error << "\n";
            break;
        }
        // A Wait, a Scheduler or an email delivery's preparation: look again shortly.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    std::cout << "Run #" << started->run.number << " " << status << "\n";
    return status == "finished" ? kExitOk : kExitFailure;
}

int RunInit(const CommonOptions& common, const std::string& admin_password) {
    config::Config cfg;
    std::unique_ptr<storage::Database> db;
    std::unique_ptr<Services> services;
    auto s = Setup(common, cfg, db, services, /*migrate=*/true);
    if (!s) {
        PrintError(s.error());
        return s.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    auto count = (*s)->users.Count();
    if (!count) {
        PrintError(count.error());
        return kExitFailure;
    }
    if (*count > 0) {
        std::cout << "The database at " << cfg.database.url
                  << " is already initialised (it has users); nothing to do.\n";
        return kExitOk;
    }
    std::string password = admin_password.empty() ? GeneratePassword((*s)->random) : admin_password;
    service::NewUser admin{"admin", "Administrator", password, service::Role::kAdministrator};
    auto user = (*s)->users.Create(service::Actor::System(), admin);
    if (!user) {
        PrintError(user.error());
        return user.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    std::cout << "Initialised " << cfg.database.url << ".\n";
    if (admin_password.empty()) {
        std::cout << "\n  Log in as 'admin' with the password: " << password
                  << "\n  It is shown only this once; keep it somewhere safe.\n\n";
    } else {
        std::cout << "Created the user 'admin' with the password you gave.\n";
    }
    return kExitOk;
}

int RunMigrate(const CommonOptions& common) {
    auto cfg = StartCommand(common);
    if (!cfg) return kExitUsage;
    auto opened = OpenDatabase(cfg->database, /*migrate=*/true);
    if (!opened) {
        PrintError(opened.error());
        return kExitFailure;
    }
    const auto& r = opened->migrations;
    if (r.applied.empty()) {
        std::cout << "The database is up to date (schema version " << r.to_version << ").\n";
    } else {
        for (const auto& m : r.applied) std::cout << "applied " << m << "\n";
        std::cout << "Schema version " << r.from_version << " -> " << r.to_version << ".\n";
    }
    return kExitOk;
}

int RunTrackingRotateKey(const CommonOptions& common) {
    config::Config cfg;
    std::unique_ptr<storage::Database> db;
    std::unique_ptr<Services> services;
    auto ready = Setup(common, cfg, db, services, /*migrate=*/true);
    if (!ready) {
        PrintError(ready.error());
        return kExitFailure;
    }
    tracking::KeyStore keys(*db, (*ready)->clock, (*ready)->secrets);
    if (auto st = keys.Load(); !st) {
        PrintError(st.error());
        return kExitFailure;
    }
    auto id = keys.Rotate();
    if (!id) {
        PrintError(id.error());
        return kExitFailure;
    }
    std::cout << "Tracking key " << *id
              << " signs new links from now on (other nodes within tracking.key_reload_seconds); "
                 "links signed with older keys keep working.\n";
    return kExitOk;
}

int RunUserAdd(const CommonOptions& common, const UserAddOptions& options) {
    auto role = service::ParseRole(options.role);
    if (!role) {
        std::cerr << "overture: role '" << options.role
                  << "' is not one of administrator, data_manager, marketer, supervisor, "
                     "analyst\n";
        return kExitUsage;
    }
    config::Config cfg;
    std::unique_ptr<storage::Database> db;
    std::unique_ptr<Services> services;
    auto s = Setup(common, cfg, db, services, /*migrate=*/true);
    if (!s) {
        PrintError(s.error());
        return s.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    std::string password =
        options.password.empty() ? GeneratePassword((*s)->random) : options.password;
    service::NewUser in{options.username, options.display_name, password, *role};
    auto user = (*s)->users.Create(service::Actor::System(), in);
    if (!user) {
        PrintError(user.error());
        return user.error().code == ErrorCode::kInvalidArgument ||
                       user.error().code == ErrorCode::kAlreadyExists
                   ? kExitUsage
                   : kExitFailure;
    }
    std::cout << "Created user '" << user->username << "' (id " << user->id.value() << ", role "
              << service::RoleName(user->role) << ").\n";
    if (options.password.empty()) {
        std::cout << "Password: " << password << "\n(shown only this once)\n";
    }
    return kExitOk;
}

}  // namespace overture::app
