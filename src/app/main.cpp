// overture: the one binary. Commands: serve, init, migrate, user add, import, export, demo,
// bench segment, bench render, bench smtp (DESIGN.md section 8).
#include <CLI/CLI.hpp>

#include "app/bench_render.hpp"
#include "app/bench_segment.hpp"
#include "app/bench_smtp.hpp"
#include "app/commands.hpp"

namespace {

void AddCommon(CLI::App* cmd, overture::app::CommonOptions& common) {
    cmd->add_option("--config", common.config_file,
                    "TOML configuration file (or OVERTURE_CONFIG); see overture.sample.toml");
    cmd->add_option("--database", common.database,
                    "database URL: sqlite:PATH or postgresql://user@host:port/db "
                    "(or OVERTURE_DATABASE)");
    cmd->add_option("--log-level", common.log_level,
                    "trace, debug, info, warn, error or off (or OVERTURE_LOG_LEVEL)");
}

}  // namespace

int main(int argc, char** argv) {
    using namespace overture::app;
    CLI::App cli{
        "Overture: self-hosted cross-channel campaign orchestration.\n"
        "Settings come from defaults, then --config FILE, then OVERTURE_* environment variables,\n"
        "then flags; docs/configuration.md lists them all.",
        "overture"};
    cli.require_subcommand(1);
    cli.set_version_flag("--version", "overture 0.1.0");

    CommonOptions common;
    ServeOptions serve;
    std::string admin_password;
    UserAddOptions user_add;

    auto* serve_cmd = cli.add_subcommand("serve", "Run the server: API, web UI, tracking");
    AddCommon(serve_cmd, common);
    serve_cmd->add_option("--listen", serve.listen,
                          "HOST:PORT to listen on (or OVERTURE_LISTEN; default 127.0.0.1:8080)");
    serve_cmd->add_option("--web-root", serve.web_root,
                          "folder of the built web UI (default: web/dist beside the binary)");

    auto* init_cmd = cli.add_subcommand(
        "init", "Create the database schema and the 'admin' user (once; later runs do nothing)");
    AddCommon(init_cmd, common);
    init_cmd->add_option("--admin-password", admin_password,
                         "password for 'admin' (default: generate one and print it once)");

    auto* migrate_cmd = cli.add_subcommand("migrate", "Apply pending database migrations");
    AddCommon(migrate_cmd, common);

    auto* tracking_cmd = cli.add_subcommand("tracking", "Tracking keys");
    tracking_cmd->require_subcommand(1);
    auto* rotate_cmd = tracking_cmd->add_subcommand(
        "rotate-key", "Make a new key sign tracked links; older links keep working");
    AddCommon(rotate_cmd, common);

    auto* user_cmd = cli.add_subcommand("user", "Manage users");
    user_cmd->require_subcommand(1);
    auto* user_add_cmd = user_cmd->add_subcommand("add", "Create a user");
    AddCommon(user_add_cmd, common);
    user_add_cmd->add_option("--username", user_add.username, "login name")->required();
    user_add_cmd
        ->add_option("--role", user_add.role,
                     "administrator, data_manager, marketer, supervisor or analyst")
        ->capture_default_str();
    user_add_cmd->add_option("--password", user_add.password,
                             "at least 12 characters (default: generate and print one)");
    user_add_cmd->add_option("--display-name", user_add.display_name, "name shown in the UI");

    WorkflowRunOptions workflow_run;
    auto* workflow_cmd = cli.add_subcommand("workflow", "Workflows (docs/workflows.md)");
    workflow_cmd->require_subcommand(1);
    auto* workflow_run_cmd = workflow_cmd->add_subcommand(
        "run", "Start a run of a workflow and execute it in the foreground, printing its log");
    AddCommon(workflow_run_cmd, common);
    workflow_run_cmd->add_option("id", workflow_run.id, "the workflow's id")->required();
    workflow_run_cmd->add_flag("--dry-run", workflow_run.dry_run,
                               "target on the real data but send and write nothing");

    ImportOptions import;
    auto* import_cmd = cli.add_subcommand(
        "import",
        "Import a CSV or TSV file (optionally gzip) into a resource, with a rejects file");
    AddCommon(import_cmd, common);
    import_cmd
        ->add_option("--resource", import.resource,
                     "profile, testProfile, service, ... or "
                     "a custom resource")
        ->capture_default_str();
    import_cmd->add_option("--file", import.file, "the file to import")->required();
    import_cmd->add_option("--key", import.keys,
                           "reconciliation field (repeat for a composite key), e.g. email");
    import_cmd->add_option("--mode", import.mode, "insert, update, upsert or delete")
        ->capture_default_str();
    import_cmd->add_option("--delimiter", import.delimiter, "field delimiter (default: detected)");
    import_cmd->add_option("--encoding", import.encoding, "utf-8 or latin-1 (default: detected)");
    import_cmd->add_flag("--no-header", import.no_header, "the first line is data, not names");
    import_cmd->add_option("--map", import.mappings,
                           "COLUMN=FIELD (repeat; default: columns matched to fields by name)");
    import_cmd->add_option("--rejects", import.rejects,
                           "where to write rejected lines (default: FILE.rejects.csv)");

    DemoOptions demo;
    auto* demo_cmd = cli.add_subcommand(
        "demo",
        "Load demo data: profiles, purchases, services, subscriptions and test profiles "
        "(once; later runs do nothing)");
    AddCommon(demo_cmd, common);
    demo_cmd->add_option("--profiles", demo.profiles, "how many profiles to generate")
        ->capture_default_str();
    demo_cmd->add_option("--seed", demo.seed, "random seed: the same seed gives the same data")
        ->capture_default_str();

    ExportOptions export_options;
    auto* export_cmd = cli.add_subcommand("export", "Export a resource to CSV");
    AddCommon(export_cmd, common);
    export_cmd->add_option("--resource", export_options.resource, "the resource to export")
        ->capture_default_str();
    export_cmd->add_option("--columns", export_options.columns,
                           "comma-separated fields and links (default: every field)");
    export_cmd->add_option("--q", export_options.search,
                           "only records whose text fields contain this");
    export_cmd->add_option("--file", export_options.file, "output file (default: standard output)");

    BenchSegmentOptions bench_segment;
    auto* bench_cmd = cli.add_subcommand("bench", "Benchmarks (bench/*/run.sh)");
    bench_cmd->require_subcommand(1);
    auto* bench_segment_cmd = bench_cmd->add_subcommand(
        "segment", "Time audience counts against hand-written SQL (docs/benchmarks.md)");
    AddCommon(bench_segment_cmd, common);
    bench_segment_cmd->add_option("--profiles", bench_segment.profiles, "demo profiles to load")
        ->capture_default_str();
    bench_segment_cmd->add_option("--purchases", bench_segment.purchases, "purchases per profile")
        ->capture_default_str();
    bench_segment_cmd->add_option("--rounds", bench_segment.rounds, "warm runs per query")
        ->capture_default_str();
    bench_segment_cmd->add_flag("--cold,!--no-cold", bench_segment.cold, "also time cold runs");
    bench_segment_cmd->add_option("--pgdata", bench_segment.pgdata,
                                  "PostgreSQL data folder to evict from the page cache");
    bench_segment_cmd
        ->add_option("--max-seconds", bench_segment.max_seconds,
                     "stop starting warm rounds after this")
        ->capture_default_str();
    bench_segment_cmd->add_option("--out", bench_segment.out, "append results (TSV) to FILE");
    bench_segment_cmd->add_option("--seed", bench_segment.seed, "random seed")
        ->capture_default_str();
    BenchRenderOptions bench_render;
    auto* bench_render_cmd = bench_cmd->add_subcommand(
        "render", "Time template renders against hand-written C++ (docs/benchmarks.md)");
    bench_render_cmd->add_option("--profiles", bench_render.profiles, "profiles in memory")
        ->capture_default_str();
    bench_render_cmd->add_option("--rounds", bench_render.rounds, "rounds (median)")
        ->capture_default_str();
    bench_render_cmd
        ->add_option("--max-seconds", bench_render.max_seconds, "stop starting rounds after this")
        ->capture_default_str();
    bench_render_cmd->add_option("--out", bench_render.out, "append results (TSV) to FILE");
    bench_render_cmd->add_option("--seed", bench_render.seed, "random seed")->capture_default_str();
    BenchSmtpOptions bench_smtp;
    auto* bench_smtp_cmd = bench_cmd->add_subcommand(
        "smtp", "Send personalized DKIM-signed mail into an SMTP sink (docs/benchmarks.md)");
    bench_smtp_cmd->add_option("--host", bench_smtp.host, "the sink's address")
        ->capture_default_str();
    bench_smtp_cmd->add_option("--port", bench_smtp.port, "the sink's port")->required();
    bench_smtp_cmd->add_option("--messages", bench_smtp.messages, "messages to send")
        ->capture_default_str();
    bench_smtp_cmd->add_option("--connections", bench_smtp.connections, "SMTP connections")
        ->capture_default_str();
    bench_smtp_cmd->add_option("--algorithm", bench_smtp.algorithm, "DKIM: ed25519 or rsa")
        ->capture_default_str();
    bench_smtp_cmd
        ->add_option("--workers", bench_smtp.workers,
                     "threads that render, write and sign (0: one per core)")
        ->capture_default_str();
    bench_smtp_cmd->add_option("--size", bench_smtp.size, "aim for messages of about N bytes")
        ->capture_default_str();
    bench_smtp_cmd->add_option("--max-seconds", bench_smtp.max_seconds, "give up after this")
        ->capture_default_str();
    bench_smtp_cmd->add_option("--out", bench_smtp.out, "append results (TSV) to FILE");

    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = cli.exit(e);
        return code == 0 ? kExitOk : kExitUsage;
    }

    if (serve_cmd->parsed()) return RunServe(common, serve);
    if (init_cmd->parsed()) return RunInit(common, admin_password);
    if (migrate_cmd->parsed()) return RunMigrate(common);
    if (rotate_cmd->parsed()) return RunTrackingRotateKey(common);
    if (user_add_cmd->parsed()) return RunUserAdd(common, user_add);
    if (import_cmd->parsed()) return RunImport(common, import);
    if (workflow_run_cmd->parsed()) return RunWorkflowRun(common, workflow_run);
    if (export_cmd->parsed()) return RunExport(common, export_options);
    if (demo_cmd->parsed()) return RunDemo(common, demo);
    if (bench_segment_cmd->parsed()) return RunBenchSegment(common, bench_segment);
    if (bench_render_cmd->parsed()) return RunBenchRender(bench_render);
    if (bench_smtp_cmd->parsed()) return RunBenchSmtp(bench_smtp);
    return kExitUsage;
}
