#pragma once
// Exporting a resource to CSV: chosen columns (fields and links, in order; all fields when
// none are chosen), the same search and field filters as the REST lists, a header line, and
// values as the API shows them (dates ISO, booleans true/false, empty for null). Records are
// read in pages of 500 by id, so writing to a file keeps memory flat. Thread-safe.
#include <string>
#include <vector>

#include "common/error.hpp"
#include "importexport/csv_writer.hpp"
#include "service/actor.hpp"
#include "service/records.hpp"

namespace overture::service {

struct ExportRequest {
    std::string resource;
    std::vector<std::string> columns;  // empty: every field, then every link
    ListQuery filter;                  // search and field filters; paging is ignored
};

class ExportService {
  public:
    ExportService(const RecordService& records, const SchemaService& schema)
        : records_(records), schema_(schema) {}

    // Writes the header and every matching record to `out` (already opened), then closes it.
    // Needs kReadData. kNotFound for an unknown resource; kInvalidArgument naming an unknown
    // column. Returns the number of records written.
    Result<std::int64_t> Export(const Actor& actor, const ExportRequest& request,
                                importexport::CsvWriter& out) const;

  private:
    const RecordService& records_;
    const SchemaService& schema_;
};

}  // namespace overture::service
