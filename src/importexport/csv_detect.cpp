#include "importexport/csv_detect.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <utility>

#include "importexport/csv_source.hpp"
#include "importexport/csv_text.hpp"

// Approach: take the first 64 KiB, cut it after its last line end (the last line may be cut off),
// decide the encoding from UTF-8 validity, then parse the sample once per candidate delimiter
// with the real reader (so quotes are respected) and keep the delimiter whose field counts agree
// most. The header test compares the first record with the ones after it.

namespace overture::importexport {
namespace {

constexpr std::size_t kSampleRecords = 100;
constexpr char kCandidates[] = {',', ';', '\t', '|'};

struct Sample {
    std::string data;
    bool complete = false;  // the whole input fits in the sample
};

Result<Sample> ReadSample(ByteSource& source) {
    Sample sample;
    sample.data.resize(kSniffBytes);
    std::size_t have = 0;
    while (have < kSniffBytes) {
        auto got = source.Read(sample.data.data() + have, kSniffBytes - have);
        if (!got) return Fail(std::move(got.error()));
        if (*got == 0) {
            sample.complete = true;
            break;
        }
        have += *got;
    }
    sample.data.resize(have);
    if (!sample.complete) {
        char probe;
        auto got = source.Read(&probe, 1);
        if (!got) return Fail(std::move(got.error()));
        sample.complete = *got == 0;
    }
    return sample;
}

// Records with owned fields (the reader's views do not outlive a Next() call).
using Rows = std::vector<std::pair<std::vector<std::string>, bool>>;  // fields, malformed

Rows ReadRows(const std::string& data, CsvOptions options, std::size_t max_records) {
    Rows rows;
    auto reader = CsvReader::FromString(data, options);
    CsvRecord record;
    while (rows.size() < max_records) {
        auto more = reader->Next(record);
        if (!more || !*more) break;
        rows.emplace_back(std::vector<std::string>(record.fields.begin(), record.fields.end()),
                          !record.error.empty());
    }
    return rows;
}

// The most common field count among well-formed rows, and how many rows have it.
std::pair<std::size_t, std::size_t> ModeCount(const Rows& rows) {
    std::map<std::size_t, std::size_t> counts;
    for (const auto& [fields, malformed] : rows) {
        if (!malformed) ++counts[fields.size()];
    }
    std::pair<std::size_t, std::size_t> best{0, 0};
    for (const auto& [count, rows_with_it] : counts) {
        if (rows_with_it > best.second || (rows_with_it == best.second && count > best.first)) {
            best = {count, rows_with_it};
        }
    }
    return best;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool LooksNumeric(std::string_view s) {
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t digits = 0;
    bool separator = false;
    for (; i < s.size(); ++i) {
        if (IsDigit(s[i])) {
            ++digits;
        } else if ((s[i] == '.' || s[i] == ',') && !separator) {
            separator = true;
        } else if ((s[i] == 'e' || s[i] == 'E') && digits > 0) {
            ++i;
            if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
            if (i == s.size()) return false;
            for (; i < s.size(); ++i) {
                if (!IsDigit(s[i])) return false;
            }
            break;
        } else {
            return false;
        }
    }
    return digits > 0;
}

// 2024-05-01, 2024-05-01T10:00..., 01/05/2024, 1.5.24
bool LooksLikeDate(std::string_view s) {
    std::vector<std::size_t> parts;
    std::size_t run = 0;
    std::size_t i = 0;
    for (; i < s.size() && parts.size() < 3; ++i) {
        if (IsDigit(s[i])) {
            ++run;
        } else if ((s[i] == '-' || s[i] == '/' || s[i] == '.') && run > 0 && parts.size() < 2) {
            parts.push_back(run);
            run = 0;
        } else {
            break;
        }
    }
    if (run > 0) parts.push_back(run);
    if (parts.size() != 3) return false;
    if (i < s.size() && s[i] != 'T' && s[i] != ' ') return false;
    const bool iso = parts[0] == 4 && parts[1] <= 2 && parts[2] <= 2;
    const bool dmy = parts[0] <= 2 && parts[1] <= 2 && (parts[2] == 2 || parts[2] == 4);
    return iso || dmy;
}

bool LooksLikeEmail(std::string_view s) {
    const std::size_t at = s.find('@');
    if (at == 0 || at == std::string_view::npos || s.find(' ') != std::string_view::npos) {
        return false;
    }
    const std::size_t dot = s.find('.', at);
    return dot != std::string_view::npos && dot > at + 1 && dot + 1 < s.size();
}

bool LooksTyped(std::string_view s) {
    return LooksNumeric(s) || LooksLikeDate(s) || LooksLikeEmail(s);
}

// snake_case, lowercase, or camelCase names such as first_name, email, zipCode.
bool LooksLikeIdentifier(std::string_view s) {
    if (s.empty() || !(std::islower(static_cast<unsigned char>(s[0])) || s[0] == '_')) {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    });
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

bool LooksLikeHeader(const Rows& rows) {
    if (rows.empty() || rows[0].second) return false;
    const auto& first = rows[0].first;
    std::set<std::string_view> seen;
    for (const std::string& name : first) {
        const std::string_view n = Trim(name);
        if (n.empty() || LooksTyped(n) || !seen.insert(n).second) return false;
    }
    // A column whose values below look like numbers, dates or emails while its name does not.
    for (std::size_t c = 0; c < first.size(); ++c) {
        std::size_t non_empty = 0;
        std::size_t typed = 0;
        for (std::size_t r = 1; r < rows.size(); ++r) {
            if (rows[r].second || c >= rows[r].first.size()) continue;
            const std::string_view v = Trim(rows[r].first[c]);
            if (v.empty()) continue;
            ++non_empty;
            if (LooksTyped(v)) ++typed;
        }
        if (non_empty > 0 && typed * 2 > non_empty) return true;
    }
    return std::all_of(first.begin(), first.end(),
                       [](const std::string& n) { return LooksLikeIdentifier(Trim(n)); });
}

CsvSniff Analyze(Sample sample, bool gzip) {
    CsvSniff sniff;
    sniff.gzip = gzip;
    std::string& data = sample.data;
    if (data.starts_with("\xEF\xBB\xBF")) {
        sniff.bom = true;
        data.erase(0, 3);
    }
    if (!sample.complete) {
        const std::size_t last = data.find_last_of("\r\n");
        if (last != std::string::npos) data.resize(last + 1);
    }
    sniff.encoding = IsValidUtf8(data, !sample.complete) ? Encoding::kUtf8 : Encoding::kLatin1;

    CsvOptions options;
    options.encoding = sniff.encoding;
    // Best: most rows agreeing on a field count above 1, then more fields, then list order.
    std::size_t best_agree = 0;
    std::size_t best_count = 1;
    for (char candidate : kCandidates) {
        options.delimiter = candidate;
        const auto [count, agree] = ModeCount(ReadRows(data, options, kSampleRecords));
        if (count <= 1) continue;
        if (agree > best_agree || (agree == best_agree && count > best_count)) {
            best_agree = agree;
            best_count = count;
            sniff.delimiter = candidate;
        }
    }
    options.delimiter = sniff.delimiter;
    Rows rows = ReadRows(data, options, kSampleRecords);
    sniff.column_count = ModeCount(rows).first;
    sniff.has_header = LooksLikeHeader(rows);
    const std::size_t shown = std::min(rows.size(), kSniffPreviewRecords);
    for (std::size_t i = 0; i < shown; ++i) sniff.preview.push_back(std::move(rows[i].first));
    return sniff;
}

}  // namespace

Result<CsvSniff> Sniff(const std::string& path) {
    bool gzip = false;
    auto source = OpenFileSource(path, &gzip);
    if (!source) return Fail(std::move(source.error()));
    auto sample = ReadSample(**source);
    if (!sample) return Fail(std::move(sample.error()));
    return Analyze(std::move(*sample), gzip);
}

Result<CsvSniff> SniffString(std::string_view data) {
    bool gzip = false;
    // Plain text: copy no more than the sample. Gzip: the whole string, decompressed only as far
    // as the sample needs.
    const std::size_t copy = LooksLikeGzip(data) ? data.size() : kSniffBytes + 1;
    auto source = MakeStringSource(std::string(data.substr(0, copy)), &gzip);
    auto sample = ReadSample(*source);
    if (!sample) return Fail(std::move(sample.error()));
    return Analyze(std::move(*sample), gzip);
}

}  // namespace overture::importexport
