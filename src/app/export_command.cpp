// overture export: a resource to a CSV file (or standard output), streamed.
#include <iostream>

#include "app/commands.hpp"
#include "app/open_database.hpp"
#include "common/log.hpp"
#include "common/strings.hpp"
#include "importexport/csv_writer.hpp"
#include "service/audit.hpp"
#include "service/exports.hpp"
#include "service/records.hpp"
#include "service/schema_service.hpp"

namespace overture::app {

int RunExport(const CommonOptions& common, const ExportOptions& options) {
    auto cfg = StartCommand(common);
    if (!cfg) return kExitUsage;
    auto opened = OpenDatabase(cfg->database, /*migrate=*/true);
    if (!opened) {
        std::cerr << "overture: " << opened.error().message << "\n";
        return kExitFailure;
    }
    auto& db = *opened->db;
    SystemClock clock;
    service::AuditLog audit(db, clock);
    service::SchemaService schema(db, clock, audit);
    if (auto st = schema.Load(); !st) {
        std::cerr << "overture: " << st.error().message << "\n";
        return kExitFailure;
    }
    service::RecordService records(db, clock, schema);
    service::ExportService exports(records, schema);

    service::ExportRequest request;
    request.resource = options.resource;
    for (auto c : Split(options.columns, ',')) {
        if (!Trim(c).empty()) request.columns.emplace_back(Trim(c));
    }
    request.filter.search = options.search;
    importexport::CsvWriter writer;
    std::string to_stdout;
    bool use_stdout = options.file.empty() || options.file == "-";
    if (use_stdout) {
        writer.OpenString(&to_stdout);
    } else if (auto st = writer.Open(options.file); !st) {
        std::cerr << "overture: " << st.error().message << "\n";
        return kExitFailure;
    }
    auto n = exports.Export(service::Actor::System(), request, writer);
    if (!n) {
        std::cerr << "overture: " << n.error().message << "\n";
        return n.error().code == ErrorCode::kInvalidArgument ||
                       n.error().code == ErrorCode::kNotFound
                   ? kExitUsage
                   : kExitFailure;
    }
    if (use_stdout) {
        std::cout << to_stdout;
    } else {
        std::cerr << "exported " << *n << " records to " << options.file << "\n";
    }
    return kExitOk;
}

}  // namespace overture::app
