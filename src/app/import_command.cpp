// overture import: a CSV or TSV file (optionally gzip) into a resource, with a progress bar.
#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "app/commands.hpp"
#include "app/open_database.hpp"
#include "common/log.hpp"
#include "importexport/csv_detect.hpp"
#include "importexport/importer.hpp"
#include "service/audit.hpp"
#include "service/schema_service.hpp"

namespace overture::app {

namespace {

// "[#########.........]  45%  123,456 lines  12,345 lines/s  ETA 0:12"
class ProgressBar {
  public:
    ProgressBar() : tty_(isatty(STDERR_FILENO) != 0), start_(std::chrono::steady_clock::now()) {}

    void Update(const importexport::ImportProgress& p) {
        auto now = std::chrono::steady_clock::now();
        double secs = std::chrono::duration<double>(now - start_).count();
        double share = p.bytes_total ? static_cast<double>(p.bytes_done) / p.bytes_total : 0;
        if (p.phase != "reading") share = 1;
        int filled = static_cast<int>(share * 30);
        double rate = secs > 0 ? p.lines / secs : 0;
        std::string eta = "-";
        if (share > 0.01 && share < 1) {
            int left = static_cast<int>(secs / share - secs);
            eta = fmt::format("{}:{:02d}", left / 60, left % 60);
        }
        auto line =
            fmt::format("[{}{}] {:3.0f}%  {} lines  {} rejected  {:.0f} lines/s  ETA {}  {}",
                        std::string(filled, '#'), std::string(30 - filled, '.'), share * 100,
                        p.lines, p.rejected, rate, eta, p.phase);
        if (tty_) {
            std::cerr << "\r" << line << "\x1b[K" << std::flush;
        } else if (now - last_ >= std::chrono::seconds(2) || p.phase != "reading") {
            std::cerr << line << "\n";
            last_ = now;
        }
    }

    void Done() {
        if (tty_) std::cerr << "\n";
    }

  private:
    bool tty_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_{};
};

}  // namespace

int RunImport(const CommonOptions& common, const ImportOptions& options) {
    config::Config cfg;
    auto started = StartCommand(common);
    if (!started) return kExitUsage;
    cfg = std::move(*started);
    auto mode = importexport::ParseImportMode(options.mode);
    if (!mode) {
        std::cerr << "overture: --mode must be insert, update, upsert or delete\n";
        return kExitUsage;
    }
    auto sniff = importexport::Sniff(options.file);
    if (!sniff) {
        PrintError(sniff.error());
        return kExitUsage;
    }
    auto opened = OpenDatabase(cfg.database, /*migrate=*/true);
    if (!opened) {
        PrintError(opened.error());
        return kExitFailure;
    }
    auto& db = *opened->db;
    SystemClock clock;
    service::AuditLog audit(db, clock);
    service::SchemaService schema(db, clock, audit);
    if (auto st = schema.Load(); !st) {
        PrintError(st.error());
        return kExitFailure;
    }
    auto model = schema.Current();
    const schema::Resource* resource = model->Find(options.resource);
    if (!resource) {
        std::cerr << "overture: there is no resource named '" << options.resource << "'\n";
        return kExitUsage;
    }

    importexport::ImportSpec spec;
    spec.resource = options.resource;
    spec.path = options.file;
    spec.csv.delimiter = options.delimiter.empty() ? sniff->delimiter : options.delimiter[0];
    if (options.delimiter == "\\t" || options.delimiter == "tab") spec.csv.delimiter = '\t';
    spec.csv.encoding = sniff->encoding;
    if (!options.encoding.empty() && options.encoding != "latin-1" &&
        options.encoding != "latin1" && options.encoding != "utf-8" && options.encoding != "utf8") {
        std::cerr << "overture: --encoding must be utf-8 or latin-1\n";
        return kExitUsage;
    }
    if (options.encoding == "latin-1" || options.encoding == "latin1") {
        spec.csv.encoding = importexport::Encoding::kLatin1;
    } else if (options.encoding == "utf-8" || options.encoding == "utf8") {
        spec.csv.encoding = importexport::Encoding::kUtf8;
    }
    spec.has_header = !options.no_header;
    spec.mode = *mode;
    spec.actor = "cli";
    for (const auto& k : options.keys) spec.keys.push_back(k);
    spec.rejects_path = options.rejects.empty() ? options.file + ".rejects.csv" : options.rejects;

    std::vector<std::string> header;
    if (!sniff->preview.empty()) header = sniff->preview.front();
    if (options.mappings.empty()) {
        if (!spec.has_header) {
            std::cerr << "overture: without a header line, give the mapping with --map "
                         "COLUMN=FIELD (columns numbered from 1)\n";
            return kExitUsage;
        }
        spec.columns = importexport::AutoMap(*resource, header);
    } else {
        for (const auto& m : options.mappings) {
            auto eq = m.find('=');
            if (eq == std::string::npos) {
                std::cerr << "overture: --map takes COLUMN=FIELD, e.g. --map E-mail=email\n";
                return kExitUsage;
            }
            auto col = m.substr(0, eq);
            importexport::ColumnMapping mapping;
            mapping.target = m.substr(eq + 1);
            for (std::size_t i = 0; i < header.size(); ++i) {
                if (header[i] == col) mapping.source = static_cast<int>(i);
            }
            if (mapping.source < 0) {
                int n = 0;
                auto [p, ec] = std::from_chars(col.data(), col.data() + col.size(), n);
                if (ec == std::errc() && p == col.data() + col.size()) mapping.source = n - 1;
            }
            spec.columns.push_back(std::move(mapping));
        }
    }
    std::cerr << "Importing " << options.file << " into " << resource->plural_label << " ("
              << importexport::ImportModeName(spec.mode) << "), columns:";
    for (const auto& m : spec.columns) {
        std::cerr << " "
                  << (m.source < static_cast<int>(header.size()) && m.source >= 0
                          ? header[m.source]
                          : std::to_string(m.source + 1))
                  << "->" << m.target;
    }
    std::cerr << "\n";

    ProgressBar bar;
    auto result =
        importexport::RunImport(db, *model, spec, clock, [&](const auto& p) { bar.Update(p); });
    bar.Done();
    if (!result) {
        PrintError(result.error());
        return result.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    std::cout << fmt::format(
        "read {}, inserted {}, updated {}, unchanged {}, deleted {}, rejected {}\n", result->read,
        result->inserted, result->updated, result->unchanged, result->deleted, result->rejected);
    if (result->inserted + result->updated + result->deleted == 0) {
        std::cout << "No record changed: the accepted lines match what the database holds.\n";
    }
    if (result->rejected > 0) std::cout << "Rejected lines are in " << spec.rejects_path << "\n";
    return kExitOk;
}

}  // namespace overture::app
