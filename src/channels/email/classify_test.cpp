// Tests of the SMTP reply and bounce classifier with reply texts as real servers write them
// (Gmail, Outlook/Exchange Online, Yahoo, Postfix, Exim).
#include "channels/email/classify.hpp"

#include <gtest/gtest.h>

namespace overture::email {
namespace {

struct Case {
    const char* reply;
    Outcome outcome;
    const char* reason;
};

Classification ClassifyReply(const Classifier& c, std::string_view reply) {
    int code = 0;
    std::string status, text;
    Classifier::SplitReply(reply, code, status, text);
    return c.Classify(code, status, text);
}

TEST(Classifier, RealWorldReplies) {
    const auto classifier = Classifier::Create();
    ASSERT_TRUE(classifier.has_value()) << classifier.error().message;
    const Case cases[] = {
        {"250 2.0.0 OK  1700000000 a1-20020a170906c0b100b00a1b2c3d4e5fsi123456ejb.42 - gsmtp",
         Outcome::kSent, "sent"},
        {"250 2.0.0 Ok: queued as 4SgZ1x0Wq2z9sCk", Outcome::kSent, "sent"},
        {"250 OK id=1r2s3t-000ABC-4D", Outcome::kSent, "sent"},
        // Gmail
        {"550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n"
         "550-5.1.1 double-checking the recipient's email address for typos or\r\n"
         "550-5.1.1 unnecessary spaces. For more information, go to\r\n"
         "550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si2 - gsmtp",
         Outcome::kHardFailure, "user_unknown"},
        {"552-5.2.2 The email account that you tried to reach is over quota. Please direct\r\n"
         "552 5.2.2 the recipient to https://support.google.com/mail/?p=OverQuotaPerm - gsmtp",
         Outcome::kSoftFailure, "mailbox_full"},
        {"550-5.7.1 [192.0.2.1] Our system has detected that this message is likely\r\n"
         "550-5.7.1 unsolicited mail. To reduce the amount of spam sent to Gmail, this message\r\n"
         "550 5.7.1 has been blocked. - gsmtp",
         Outcome::kSoftFailure, "spam_rejected"},
        {"550-5.7.26 This mail is unauthenticated, which poses a security risk to the\r\n"
         "550 5.7.26 sender and Gmail users, and has been blocked. DMARC policy - gsmtp",
         Outcome::kIgnored, "policy"},
        {"550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's "
         "DMARC policy.",
         Outcome::kIgnored, "policy"},
        {"421-4.7.0 [192.0.2.1] Our system has detected an unusual rate of\r\n"
         "421 4.7.0 unsolicited mail originating from your IP address. - gsmtp",
         Outcome::kSoftFailure, "spam_rejected"},
        {"450-4.2.1 The user you are trying to contact is receiving mail at a rate that\r\n"
         "450 4.2.1 prevents additional messages from being delivered. - gsmtp",
         Outcome::kSoftFailure, "throttled"},
        {"552-5.3.4 Your message exceeded Google's message size limits. - gsmtp", Outcome::kIgnored,
         "message_too_large"},
        // Outlook / Exchange Online
        {"550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302). "
         "[BN1NAM02FT012.eop-nam02.prod.protection.outlook.com]",
         Outcome::kHardFailure, "user_unknown"},
        {"550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
         Outcome::kHardFailure, "user_unknown"},
        {"550 5.7.1 Service unavailable, Client host [192.0.2.1] blocked using Spamhaus.",
         Outcome::kSoftFailure, "spam_rejected"},
        {"550 5.7.606 Access denied, banned sending IP [192.0.2.1].", Outcome::kSoftFailure,
         "spam_rejected"},
        {"451 4.7.500 Server busy. Please try again later from [192.0.2.1]. (S77714)",
         Outcome::kSoftFailure, "throttled"},
        // Yahoo
        {"554 delivery error: dd This user doesn't have a yahoo.com account (x@yahoo.com) [0] - "
         "mta1000.mail.gq1.yahoo.com",
         Outcome::kHardFailure, "user_unknown"},
        {"421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected "
         "volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
         Outcome::kSoftFailure, "throttled"},
        {"553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.1, because the ip is in "
         "Spamhaus's list; see https://postmaster.yahooinc.com/error-codes",
         Outcome::kSoftFailure, "spam_rejected"},
        // Postfix
        {"550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in virtual "
         "mailbox table",
         Outcome::kHardFailure, "user_unknown"},
        {"450 4.1.2 <x@nonexistent.invalid>: Recipient address rejected: Domain not found",
         Outcome::kSoftFailure, "unknown"},
        {"550 5.1.2 <x@nonexistent.invalid>: Recipient address rejected: Domain not found",
         Outcome::kHardFailure, "invalid_domain"},
        {"554 5.7.1 <x@example.org>: Relay access denied", Outcome::kRouteFailure, "refused"},
        {"552 5.3.4 Message size exceeds fixed limit", Outcome::kIgnored, "message_too_large"},
        {"452 4.2.2 Mailbox full", Outcome::kSoftFailure, "mailbox_full"},
        {"450 4.2.0 <x@example.org>: Recipient address rejected: Greylisted, see "
         "http://postgrey.schweikert.ch/help/example.org.html",
         Outcome::kSoftFailure, "throttled"},
        {"421 4.3.2 Service shutting down, closing transmission channel", Outcome::kSoftFailure,
         "throttled"},
        {"535 5.7.8 Error: authentication failed: authentication failure", Outcome::kRouteFailure,
         "auth"},
        {"530 5.7.0 Must issue a STARTTLS command first", Outcome::kRouteFailure, "tls"},
        // Exim and others, without enhanced status codes
        {"550 Unrouteable address", Outcome::kHardFailure, "user_unknown"},
        {"550 No such user here", Outcome::kHardFailure, "user_unknown"},
        {"552 Message size exceeds maximum permitted", Outcome::kIgnored, "message_too_large"},
        {"452 Too many recipients", Outcome::kSoftFailure, "throttled"},
        {"554 Transaction failed", Outcome::kHardFailure, "unknown"},
        {"451 Temporary local problem - please try later", Outcome::kSoftFailure, "throttled"},
        {"451 4.3.0 Error: queue file write error", Outcome::kSoftFailure, "unknown"},
    };
    for (const auto& c : cases) {
        const auto got = ClassifyReply(*classifier, c.reply);
        EXPECT_EQ(OutcomeName(got.outcome), OutcomeName(c.outcome)) << c.reply;
        EXPECT_EQ(got.reason, c.reason) << c.reply;
    }
}

TEST(Classifier, BounceStatusWithoutCode) {
    const auto classifier = Classifier::Create();
    ASSERT_TRUE(classifier.has_value());
    // A DSN gives the Status field and the Diagnostic-Code text; the class comes from the status.
    auto r = classifier->Classify(0, "5.1.1", "smtp; 550 user unknown");
    EXPECT_EQ(r.outcome, Outcome::kHardFailure);
    EXPECT_EQ(r.reason, "user_unknown");
    r = classifier->Classify(0, "4.4.7", "delivery time expired");
    EXPECT_EQ(r.outcome, Outcome::kSoftFailure);
    EXPECT_EQ(r.reason, "unreachable");
    r = classifier->Classify(0, "5.0.0", "some unexplained failure");
    EXPECT_EQ(r.outcome, Outcome::kHardFailure);
    EXPECT_EQ(r.reason, "unknown");
    r = classifier->Classify(0, "2.0.0", "");
    EXPECT_EQ(r.outcome, Outcome::kSent);
    r = classifier->Classify(0, "", "");
    EXPECT_EQ(r.outcome, Outcome::kSoftFailure);
    EXPECT_EQ(r.reason, "unknown");
}

TEST(Classifier, StatusPrefixIsComponentWise) {
    const auto classifier = Classifier::Create({{.name = "exact",
                                                 .status_prefix = "5.1.1",
                                                 .outcome = Outcome::kIgnored,
                                                 .reason = "exact"}});
    ASSERT_TRUE(classifier.has_value());
    EXPECT_EQ(classifier->Classify(550, "5.1.1", "x").reason, "exact");
    EXPECT_NE(classifier->Classify(550, "5.1.10", "x").reason, "exact");
}

TEST(Classifier, AdministratorRulesComeFirst) {
    const auto classifier = Classifier::Create({{.name = "acme_quota",
                                                 .code = 550,
                                                 .text_pattern = "acme.*quota",
                                                 .outcome = Outcome::kHardFailure,
                                                 .reason = "mailbox_full"}});
    ASSERT_TRUE(classifier.has_value());
    auto r = classifier->Classify(550, "", "ACME says: quota gone");
    EXPECT_EQ(r.outcome, Outcome::kHardFailure);
    EXPECT_EQ(r.reason, "mailbox_full");
    r = classifier->Classify(552, "", "mailbox full");
    EXPECT_EQ(r.outcome, Outcome::kSoftFailure);  // the default still applies elsewhere
}

TEST(Classifier, BadRulesAreRefusedWithTheirName) {
    auto r = Classifier::Create({{.name = "broken", .text_pattern = "(unclosed"}});
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("broken"), std::string::npos);
    r = Classifier::Create({{.name = "badcode", .code = 42}});
    ASSERT_FALSE(r.has_value());
    r = Classifier::Create({{.name = "badstatus", .status_prefix = "5.x"}});
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("badstatus"), std::string::npos);
}

TEST(Classifier, SplitReply) {
    int code = 0;
    std::string status, text;
    Classifier::SplitReply("550 5.1.1 <x@y>: user unknown", code, status, text);
    EXPECT_EQ(code, 550);
    EXPECT_EQ(status, "5.1.1");
    EXPECT_EQ(text, "<x@y>: user unknown");

    Classifier::SplitReply("250-first line\r\n250-5.0.0 second\r\n250 third\r\n", code, status,
                           text);
    EXPECT_EQ(code, 250);
    EXPECT_EQ(status, "");
    EXPECT_EQ(text, "first line second third");

    Classifier::SplitReply("421", code, status, text);
    EXPECT_EQ(code, 421);
    EXPECT_EQ(text, "");

    Classifier::SplitReply("  connection reset by peer ", code, status, text);
    EXPECT_EQ(code, 0);
    EXPECT_EQ(text, "connection reset by peer");

    Classifier::SplitReply("550 5.1.10x not a status", code, status, text);
    EXPECT_EQ(status, "");
    EXPECT_EQ(text, "5.1.10x not a status");
}

}  // namespace
}  // namespace overture::email
