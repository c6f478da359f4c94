#include "service/queries.hpp"

#include <array>

namespace overture::service::q {

std::span<const std::string_view> All() {
    static constexpr std::array kAll = {
        kUserInsert,
        kUserGet,
        kUserGetForLogin,
        kUserList,
        kUserUpdate,
        kUserSetPassword,
        kUserCountActiveAdmins,
        kSessionInsert,
        kSessionGet,
        kSessionTouch,
        kSessionDelete,
        kSessionDeleteForUser,
        kSessionDeleteExpired,
        kLoginFailureInsert,
        kLoginFailureRecent,
        kLoginFailureClear,
        kLoginFailurePrune,
        kApiKeyInsert,
        kApiKeyGet,
        kApiKeyList,
        kApiKeyForAuth,
        kApiKeyRevoke,
        kApiKeyTouch,
        kAuditInsert,
        kAuditList,
        kUserCount,
        kSchemaVersionLatest,
        kSchemaVersionInsert,
        kSchemaVersionCurrent,
        kServiceValidity,
        kProfileExists,
        kSubscriptionFind,
        kSubscriptionInsert,
        kSubscriptionDelete,
        kSubscriptionHistoryInsert,
        kImportInsert,
        kImportGet,
        kImportList,
        kImportQueue,
        kImportStart,
        kImportFinish,
        kImportInterrupted,
        kAudienceInsert,
        kAudienceGet,
        kAudienceList,
        kAudienceCount,
        kAudienceUpdate,
        kAudienceTouch,
        kAudienceDelete,
        kAudienceMemberInsert,
        kAudienceMembersClear,
        kAudienceProfileById,
        kAudienceProfilesByEmail,
        kAudienceProfileByExternalId,
    };
    return kAll;
}

}  // namespace overture::service::q
