#include "importexport/csv_reader.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "importexport/csv_text.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// Approach: the buffer holds the input from the start of the current record on. ParseRecord scans
// one record in place; when it runs off the end of the buffer before the record ends, Next()
// compacts the buffer (the record moves to the front, growing the buffer if needed), reads more
// and parses the record again from its start. Records are small next to a 1 MiB chunk, so the
// re-scan costs nothing in practice, and it keeps the parser a plain loop without saved state.

namespace overture::importexport {
namespace {

std::string_view Utf8Bom() { return "\xEF\xBB\xBF"; }

// First position in [p, end) holding a, b or c; `end` if none.
const char* FindAny(const char* p, const char* end, char a, char b, char c) {
#if defined(__SSE2__)
    const __m128i va = _mm_set1_epi8(a);
    const __m128i vb = _mm_set1_epi8(b);
    const __m128i vc = _mm_set1_epi8(c);
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)),
                                         _mm_cmpeq_epi8(v, vc));
        const int mask = _mm_movemask_epi8(hit);
        if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
        p += 16;
    }
#endif
    while (p < end && *p != a && *p != b && *p != c) ++p;
    return p;
}

std::string DescribeByte(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F) return std::string("character '") + c + "'";
    static constexpr char kHex[] = "0123456789ABCDEF";
    return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 0xF];
}

std::string Field(std::size_t index) { return "field " + std::to_string(index + 1); }

const char* ValidateOptions(const CsvOptions& o) {
    const auto ascii = [](char c) { return static_cast<unsigned char>(c) < 0x80 && c != '\0'; };
    if (!ascii(o.delimiter) || !ascii(o.quote)) return "delimiter and quote must be ASCII";
    if (o.delimiter == o.quote) return "delimiter and quote must differ";
    if (o.delimiter == '\n' || o.delimiter == '\r' || o.quote == '\n' || o.quote == '\r') {
        return "delimiter and quote cannot be line ends";
    }
    if (o.read_chunk_bytes == 0) return "read_chunk_bytes must be positive";
    return nullptr;
}

}  // namespace

CsvReader::CsvReader(std::unique_ptr<ByteSource> source, std::string name, CsvOptions options)
    : source_(std::move(source)), name_(std::move(name)), options_(options) {
    const std::size_t chunk = options_.read_chunk_bytes;
    capacity_ = (options_.encoding == Encoding::kLatin1 ? 4 : 2) * chunk;
    buf_ = std::make_unique_for_overwrite<char[]>(capacity_);
    if (options_.encoding == Encoding::kLatin1) raw_.resize(chunk);
}

CsvReader::~CsvReader() = default;

Result<std::unique_ptr<CsvReader>> CsvReader::Open(const std::string& path, CsvOptions options) {
    if (const char* bad = ValidateOptions(options)) {
        return Fail(Error::InvalidArgument(std::string("cannot read ") + path + ": " + bad));
    }
    bool gzip = false;
    auto source = OpenFileSource(path, &gzip);
    if (!source) return Fail(std::move(source.error()));
    std::unique_ptr<CsvReader> reader(new CsvReader(std::move(*source), path, options));
    if (auto st = reader->Refill(); !st) return Fail(std::move(st.error()));
    return reader;
}

std::unique_ptr<CsvReader> CsvReader::FromString(std::string data, CsvOptions options) {
    if (const char* bad = ValidateOptions(options)) throw std::invalid_argument(bad);
    return std::unique_ptr<CsvReader>(
        new CsvReader(MakeStringSource(std::move(data)), "<string>", options));
}

std::uint64_t CsvReader::bytes_consumed() const { return source_->bytes_consumed(); }
std::uint64_t CsvReader::file_size() const { return source_->total_size(); }

Result<std::size_t> CsvReader::ReadDecoded(char* dst, std::size_t n) {
    if (!bom_checked_) {
        bom_checked_ = true;
        while (head_.size() < Utf8Bom().size()) {
            char tmp[3];
            auto got = source_->Read(tmp, Utf8Bom().size() - head_.size());
            if (!got) return Fail(std::move(got.error()));
            if (*got == 0) break;
            head_.append(tmp, *got);
        }
        if (head_ == Utf8Bom()) head_.clear();
    }
    const bool latin1 = options_.encoding == Encoding::kLatin1;
    const std::size_t raw_want = latin1 ? std::max<std::size_t>(1, n / 2) : n;
    if (!head_.empty()) {
        const std::size_t take = std::min(raw_want, head_.size());
        const std::string_view part(head_.data(), take);
        const std::size_t out = latin1 ? Latin1ToUtf8(part, dst) : (part.copy(dst, take), take);
        head_.erase(0, take);
        return out;
    }
    if (!latin1) return source_->Read(dst, n);
    auto got = source_->Read(raw_.data(), std::min(raw_want, raw_.size()));
    if (!got) return Fail(std::move(got.error()));
    return Latin1ToUtf8(std::string_view(raw_.data(), *got), dst);
}

Status CsvReader::Refill() {
    if (pos_ > 0) {
        std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
        end_ -= pos_;
        pos_ = 0;
    }
    // Ask for at least as much as is already held so that a long record is re-scanned only
    // O(log n) times.
    const std::size_t factor = options_.encoding == Encoding::kLatin1 ? 2 : 1;
    const std::size_t want = factor * std::max(options_.read_chunk_bytes, end_);
    if (capacity_ - end_ < want) {
        const std::size_t capacity = std::max(2 * capacity_, end_ + want);
        auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
        std::memcpy(bigger.get(), buf_.get(), end_);
        buf_ = std::move(bigger);
        capacity_ = capacity;
    }
    auto got = ReadDecoded(buf_.get() + end_, want);
    if (!got) {
        failed_ = std::make_unique<Error>(got.error());
        return Fail(std::move(got.error()));
    }
    if (*got == 0) eof_ = true;
    end_ += *got;
    return {};
}

bool CsvReader::SkipRestOfLine() {
    const char* const base = buf_.get();
    const char* p = FindAny(base + pos_, base + end_, '\n', '\r', '\n');
    if (p == base + end_) {
        pos_ = end_;
        return eof_;  // at the end of the input there is nothing left to skip
    }
    ++line_;
    if (*p == '\r') {
        if (p + 1 < base + end_) {
            if (p[1] == '\n') ++p;
        } else {
            pending_cr_ = true;
        }
    }
    pos_ = static_cast<std::size_t>(p + 1 - base);
    return true;
}

Result<bool> CsvReader::Next(CsvRecord& out) {
    if (failed_) return Fail(*failed_);
    for (;;) {
        out.fields.clear();
        out.error.clear();
        scratch_.clear();
        fixups_.clear();
        if (pos_ == end_ && !eof_) {
            if (auto st = Refill(); !st) return Fail(std::move(st.error()));
            continue;
        }
        if (skip_to_eol_) {
            if (!SkipRestOfLine()) continue;  // needs more input
            skip_to_eol_ = false;
            continue;
        }
        if (pos_ == end_) return false;  // and eof_
        char* const base = buf_.get();
        if (pending_cr_) {
            pending_cr_ = false;
            if (base[pos_] == '\n') ++pos_;
            continue;
        }
        if (base[pos_] == '\n' || base[pos_] == '\r') {  // an empty line
            ++line_;
            if (base[pos_] == '\r') {
                if (pos_ + 1 == end_) {
                    pending_cr_ = true;
                } else if (base[pos_ + 1] == '\n') {
                    ++pos_;
                }
            }
            ++pos_;
            continue;
        }
        if (ParseRecord(out) == Outcome::kRecord) return true;
        if (auto st = Refill(); !st) return Fail(std::move(st.error()));
    }
}

CsvReader::Outcome CsvReader::ParseRecord(CsvRecord& out) {
    const char delim = options_.delimiter;
    const char quote = options_.quote;
    const char* const record_start = buf_.get() + pos_;
    const char* const end = buf_.get() + end_;
    const char* p = record_start;
    std::uint64_t line = line_;
    out.line = line_;
    for (;;) {  // one field per iteration; p is at its first byte
        if (out.fields.size() == kCsvMaxFields) {
            FailRecord(out, record_start, out.line,
                       "the record has more than " + std::to_string(kCsvMaxFields) +
                           " fields (is a quote never closed?)");
            return Outcome::kRecord;
        }
        const char* const field_start = p;
        std::size_t length;
        if (p < end && *p == quote) {
            const std::uint64_t field_line = line;
            const char* segment = ++p;  // unescaped content not yet copied to scratch_
            std::size_t scratch_offset = std::string::npos;
            for (;;) {
                p = FindAny(p, end, quote, '\n', '\r');
                if (p == end || (*p == quote && p + 1 == end && !eof_)) {
                    if (!eof_) return NeedMore(out, field_start, true, record_start);
                    FailRecord(out, record_start, out.line,
                               "a quoted field starting on line " + std::to_string(field_line) +
                                   " is never closed");
                    return Outcome::kRecord;
                }
                if (*p == quote) {
                    if (p + 1 < end && p[1] == quote) {  // "" stands for one quote
                        if (scratch_offset == std::string::npos) scratch_offset = scratch_.size();
                        scratch_.append(segment, p + 1);
                        p += 2;
                        segment = p;
                        continue;
                    }
                    break;
                }
                ++line;
                if (*p == '\r' && p + 1 < end && p[1] == '\n') ++p;
                ++p;
            }
            if (scratch_offset == std::string::npos) {
                length = static_cast<std::size_t>(p - segment);
                out.fields.emplace_back(segment, length);
            } else {
                scratch_.append(segment, p);
                length = scratch_.size() - scratch_offset;
                fixups_.push_back({out.fields.size(), scratch_offset, length});
                out.fields.emplace_back();
            }
            ++p;  // the closing quote
        } else {
            p = FindAny(p, end, delim, '\n', '\r');
            if (p == end && !eof_) return NeedMore(out, field_start, false, record_start);
            length = static_cast<std::size_t>(p - field_start);
            out.fields.emplace_back(field_start, length);
        }
        if (length > kCsvMaxFieldBytes) {
            FailRecord(out, record_start, out.line,
                       Field(out.fields.size() - 1) + " is longer than " +
                           std::to_string(kCsvMaxFieldBytes) + " bytes (is a quote never closed?)");
            return Outcome::kRecord;
        }
        if (p == end) {
            if (!eof_) return NeedMore(out, p, false, record_start);
            EndRecord(out, p, line);
            return Outcome::kRecord;
        }
        if (*p == delim) {
            ++p;
            continue;
        }
        if (*p == '\n' || *p == '\r') {
            EndRecord(out, p, line);
            return Outcome::kRecord;
        }
        FailRecord(out, p, line,
                   "unexpected " + DescribeByte(*p) + " after a closing quote in " +
                       Field(out.fields.size() - 1));
        return Outcome::kRecord;
    }
}

CsvReader::Outcome CsvReader::NeedMore(CsvRecord& out, const char* field_start, bool quoted,
                                       const char* record_start) {
    const char* const end = buf_.get() + end_;
    // A quoted field's raw bytes may be twice its content ("" escapes) plus the two quotes.
    const std::size_t raw_limit = quoted ? 2 * kCsvMaxFieldBytes + 2 : kCsvMaxFieldBytes;
    if (static_cast<std::size_t>(end - field_start) > raw_limit) {
        FailRecord(out, record_start, out.line,
                   Field(out.fields.size()) + " is longer than " +
                       std::to_string(kCsvMaxFieldBytes) + " bytes (is a quote never closed?)");
        return Outcome::kRecord;
    }
    if (static_cast<std::size_t>(end - record_start) > kCsvMaxRecordBytes) {
        FailRecord(out, record_start, out.line,
                   "the record is longer than " + std::to_string(kCsvMaxRecordBytes) +
                       " bytes (is a quote never closed?)");
        return Outcome::kRecord;
    }
    return Outcome::kNeedMore;
}

void CsvReader::EndRecord(CsvRecord& out, const char* p, std::uint64_t line) {
    const char* const base = buf_.get();
    const char* const end = base + end_;
    const char* const record_start = base + pos_;
    const char* const record_end = p;
    if (p < end) {  // at a line end
        ++line;
        if (*p == '\r') {
            if (p + 1 == end) {
                pending_cr_ = true;
            } else if (p[1] == '\n') {
                ++p;
            }
        }
        ++p;
    }
    pos_ = static_cast<std::size_t>(p - base);
    line_ = line;
    MaterializeFixups(out);
    // Delimiters, quotes and line ends are ASCII and cannot split a UTF-8 sequence, so the record
    // is valid exactly when all its fields are: check it in one pass, and field by field only to
    // name the culprit.
    if (options_.encoding == Encoding::kUtf8 &&
        !IsValidUtf8(std::string_view(record_start, record_end))) {
        for (std::size_t i = 0; i < out.fields.size(); ++i) {
            if (!IsValidUtf8(out.fields[i])) {
                out.error = "invalid UTF-8 in " + Field(i);
                break;
            }
        }
    }
}

void CsvReader::FailRecord(CsvRecord& out, const char* resume_at, std::uint64_t line,
                           std::string error) {
    pos_ = static_cast<std::size_t>(resume_at - buf_.get());
    line_ = line;
    skip_to_eol_ = true;
    MaterializeFixups(out);
    out.error = std::move(error);
}

void CsvReader::MaterializeFixups(CsvRecord& out) {
    for (const Fixup& f : fixups_) {
        out.fields[f.index] = std::string_view(scratch_).substr(f.offset, f.length);
    }
}

}  // namespace overture::importexport
