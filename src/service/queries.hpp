#pragma once
// Every named SQL statement the service layer uses. app/ checks at start-up that the catalog of
// the database in use declares all of them (QueryCatalog::RequireAll), so a missing or misspelt
// name fails the boot instead of the first request that needs it.
#include <span>
#include <string_view>

namespace overture::service::q {

inline constexpr std::string_view kUserInsert = "user-insert";
inline constexpr std::string_view kUserGet = "user-get";
inline constexpr std::string_view kUserGetForLogin = "user-get-for-login";
inline constexpr std::string_view kUserList = "user-list";
inline constexpr std::string_view kUserUpdate = "user-update";
inline constexpr std::string_view kUserSetPassword = "user-set-password";
inline constexpr std::string_view kUserCountActiveAdmins = "user-count-active-admins";
inline constexpr std::string_view kUserCount = "user-count";

inline constexpr std::string_view kSessionInsert = "session-insert";
inline constexpr std::string_view kSessionGet = "session-get";
inline constexpr std::string_view kSessionTouch = "session-touch";
inline constexpr std::string_view kSessionDelete = "session-delete";
inline constexpr std::string_view kSessionDeleteForUser = "session-delete-for-user";
inline constexpr std::string_view kSessionDeleteExpired = "session-delete-expired";
inline constexpr std::string_view kLoginFailureInsert = "login-failure-insert";
inline constexpr std::string_view kLoginFailureRecent = "login-failure-recent";
inline constexpr std::string_view kLoginFailureClear = "login-failure-clear";
inline constexpr std::string_view kLoginFailurePrune = "login-failure-prune";

inline constexpr std::string_view kApiKeyInsert = "api-key-insert";
inline constexpr std::string_view kApiKeyGet = "api-key-get";
inline constexpr std::string_view kApiKeyList = "api-key-list";
inline constexpr std::string_view kApiKeyForAuth = "api-key-for-auth";
inline constexpr std::string_view kApiKeyRevoke = "api-key-revoke";
inline constexpr std::string_view kApiKeyTouch = "api-key-touch";

inline constexpr std::string_view kAuditInsert = "audit-insert";
inline constexpr std::string_view kAuditList = "audit-list";

inline constexpr std::string_view kSchemaVersionLatest = "schema-version-latest";
inline constexpr std::string_view kSchemaVersionInsert = "schema-version-insert";
inline constexpr std::string_view kSchemaVersionCurrent = "schema-version-current";

inline constexpr std::string_view kServiceValidity = "service-validity";
inline constexpr std::string_view kProfileExists = "profile-exists";
inline constexpr std::string_view kSubscriptionFind = "subscription-find";
inline constexpr std::string_view kSubscriptionInsert = "subscription-insert";
inline constexpr std::string_view kSubscriptionDelete = "subscription-delete";
inline constexpr std::string_view kSubscriptionHistoryInsert = "subscription-history-insert";

inline constexpr std::string_view kImportInsert = "import-insert";
inline constexpr std::string_view kImportGet = "import-get";
inline constexpr std::string_view kImportList = "import-list";
inline constexpr std::string_view kImportQueue = "import-queue";
inline constexpr std::string_view kImportStart = "import-start";
inline constexpr std::string_view kImportFinish = "import-finish";
inline constexpr std::string_view kImportInterrupted = "import-interrupted";

inline constexpr std::string_view kAudienceInsert = "audience-insert";
inline constexpr std::string_view kAudienceGet = "audience-get";
inline constexpr std::string_view kAudienceList = "audience-list";
inline constexpr std::string_view kAudienceCount = "audience-count";
inline constexpr std::string_view kAudienceUpdate = "audience-update";
inline constexpr std::string_view kAudienceTouch = "audience-touch";
inline constexpr std::string_view kAudienceDelete = "audience-delete";
inline constexpr std::string_view kAudienceMemberInsert = "audience-member-insert";
inline constexpr std::string_view kAudienceMembersClear = "audience-members-clear";
inline constexpr std::string_view kAudienceProfileById = "audience-profile-by-id";
inline constexpr std::string_view kAudienceProfilesByEmail = "audience-profiles-by-email";
inline constexpr std::string_view kAudienceProfileByExternalId = "audience-profile-by-external-id";

inline constexpr std::string_view kRouteInsert = "route-insert";
inline constexpr std::string_view kRouteGet = "route-get";
inline constexpr std::string_view kRouteGetByName = "route-get-by-name";
inline constexpr std::string_view kRouteGetDefault = "route-get-default";
inline constexpr std::string_view kRouteList = "route-list";
inline constexpr std::string_view kRouteCount = "route-count";
inline constexpr std::string_view kRouteUpdate = "route-update";
inline constexpr std::string_view kRouteClearDefault = "route-clear-default";
inline constexpr std::string_view kRouteSetDefault = "route-set-default";
inline constexpr std::string_view kRouteDelete = "route-delete";
inline constexpr std::string_view kRouteInUse = "route-in-use";
inline constexpr std::string_view kDkimKeyInsert = "dkim-key-insert";
inline constexpr std::string_view kDkimKeyGet = "dkim-key-get";
inline constexpr std::string_view kDkimKeyList = "dkim-key-list";
inline constexpr std::string_view kDkimKeyFind = "dkim-key-find";
inline constexpr std::string_view kDkimKeyNewest = "dkim-key-newest";
inline constexpr std::string_view kDkimKeyCount = "dkim-key-count";
inline constexpr std::string_view kDkimKeyDelete = "dkim-key-delete";
inline constexpr std::string_view kBounceRuleInsert = "bounce-rule-insert";
inline constexpr std::string_view kBounceRuleList = "bounce-rule-list";
inline constexpr std::string_view kBounceRuleDelete = "bounce-rule-delete";
inline constexpr std::string_view kBounceEventInsert = "bounce-event-insert";
inline constexpr std::string_view kBounceEventList = "bounce-event-list";
inline constexpr std::string_view kBounceEventCount = "bounce-event-count";

// Deliveries and typologies (issue 7; sql/*/deliveries.sql, sql/*/typologies.sql).
inline constexpr std::string_view kDeliveryInsert = "delivery-insert";
inline constexpr std::string_view kDeliveryByWorkflowTask = "delivery-by-workflow-task";
inline constexpr std::string_view kDeliveryGet = "delivery-get";
inline constexpr std::string_view kDeliveryList = "delivery-list";
inline constexpr std::string_view kDeliveryCount = "delivery-count";
inline constexpr std::string_view kDeliveryUpdate = "delivery-update";
inline constexpr std::string_view kDeliverySetPreparing = "delivery-set-preparing";
inline constexpr std::string_view kDeliverySetConfirmed = "delivery-set-confirmed";
inline constexpr std::string_view kDeliverySetState = "delivery-set-state";
inline constexpr std::string_view kDeliverySetStopped = "delivery-set-stopped";
inline constexpr std::string_view kDeliveryDelete = "delivery-delete";
inline constexpr std::string_view kDeliveryRecipientsClear = "delivery-recipients-clear";
inline constexpr std::string_view kDeliveryCounters = "delivery-counters";
inline constexpr std::string_view kDeliveryLogs = "delivery-logs";
inline constexpr std::string_view kDeliveryProfileHistory = "delivery-profile-history";
inline constexpr std::string_view kDeliveryProofInsert = "delivery-proof-insert";
inline constexpr std::string_view kDeliveryProofList = "delivery-proof-list";
inline constexpr std::string_view kDeliveryProofCountSince = "delivery-proof-count-since";
inline constexpr std::string_view kDeliveryProofBump = "delivery-proof-bump";
inline constexpr std::string_view kDeliveryTestProfileGet = "delivery-test-profile-get";
inline constexpr std::string_view kDeliveryRouteExists = "delivery-route-exists";
inline constexpr std::string_view kTypologyInsert = "typology-insert";
inline constexpr std::string_view kTypologyGet = "typology-get";
inline constexpr std::string_view kTypologyGetByName = "typology-get-by-name";
inline constexpr std::string_view kTypologyList = "typology-list";
inline constexpr std::string_view kTypologyUpdate = "typology-update";
inline constexpr std::string_view kTypologyDelete = "typology-delete";

// The sender, the preparation and the delivery worker (sql/*/sending.sql; used by delivery/,
// service/delivery_prepare.cpp and app/delivery_worker.cpp, which name them as text).
inline constexpr std::string_view kSendClaim = "send-claim";
inline constexpr std::string_view kSendMarkSent = "send-mark-sent";
inline constexpr std::string_view kSendMarkFailed = "send-mark-failed";
inline constexpr std::string_view kSendMarkRetry = "send-mark-retry";
inline constexpr std::string_view kSendRenew = "send-renew";
inline constexpr std::string_view kSendRelease = "send-release";
inline constexpr std::string_view kQuarantineHard = "quarantine-hard";
inline constexpr std::string_view kQuarantineSoft = "quarantine-soft";
inline constexpr std::string_view kWorkerDeliveries = "worker-deliveries";
inline constexpr std::string_view kWorkerClaimPreparation = "worker-claim-preparation";
inline constexpr std::string_view kWorkerPrepareProgress = "worker-prepare-progress";
inline constexpr std::string_view kWorkerPrepareDone = "worker-prepare-done";
inline constexpr std::string_view kWorkerStart = "worker-start";
inline constexpr std::string_view kWorkerFinish = "worker-finish";
inline constexpr std::string_view kWorkerFail = "worker-fail";
inline constexpr std::string_view kPrepareClear = "prepare-clear";
inline constexpr std::string_view kPrepareClearCounters = "prepare-clear-counters";
inline constexpr std::string_view kSendCount = "send-count";
inline constexpr std::string_view kSendDueNow = "send-due-now";
inline constexpr std::string_view kBounceCount = "bounce-count";
inline constexpr std::string_view kPrepareCounts = "prepare-counts";
inline constexpr std::string_view kPrepareLocalTimes = "prepare-local-times";
inline constexpr std::string_view kPrepareSetLocalTime = "prepare-set-local-time";
inline constexpr std::string_view kBounceUnapplied = "bounce-unapplied";
inline constexpr std::string_view kBounceApplied = "bounce-applied";
inline constexpr std::string_view kBounceFailRow = "bounce-fail-row";
inline constexpr std::string_view kBounceRowAddress = "bounce-row-address";
inline constexpr std::string_view kQuarantineDenylist = "quarantine-denylist";

// Content fragments (sql/*/fragments.sql; service/fragments.cpp).
inline constexpr std::string_view kFragmentInsert = "fragment-insert";
inline constexpr std::string_view kFragmentGet = "fragment-get";
inline constexpr std::string_view kFragmentGetByName = "fragment-get-by-name";
inline constexpr std::string_view kFragmentList = "fragment-list";
inline constexpr std::string_view kFragmentCount = "fragment-count";
inline constexpr std::string_view kFragmentSources = "fragment-sources";
inline constexpr std::string_view kFragmentUpdate = "fragment-update";
inline constexpr std::string_view kFragmentDelete = "fragment-delete";

// Workflows (issue 9; sql/*/workflows.sql; service/workflows.cpp).
inline constexpr std::string_view kWorkflowInsert = "workflow-insert";
inline constexpr std::string_view kWorkflowGet = "workflow-get";
inline constexpr std::string_view kWorkflowList = "workflow-list";
inline constexpr std::string_view kWorkflowCount = "workflow-count";
inline constexpr std::string_view kWorkflowUpdate = "workflow-update";
inline constexpr std::string_view kWorkflowDelete = "workflow-delete";
inline constexpr std::string_view kWorkflowRunActive = "workflow-run-active";
inline constexpr std::string_view kWorkflowRunLast = "workflow-run-last";
inline constexpr std::string_view kWorkflowRunGet = "workflow-run-get";
inline constexpr std::string_view kWorkflowRunList = "workflow-run-list";
inline constexpr std::string_view kWorkflowRunTasks = "workflow-run-tasks";
inline constexpr std::string_view kWorkflowRunTransitions = "workflow-run-transitions";
inline constexpr std::string_view kWorkflowRunLogs = "workflow-run-logs";

// In-app notifications (sql/*/notifications.sql; service/notifications.cpp).
inline constexpr std::string_view kNotificationList = "notification-list";
inline constexpr std::string_view kNotificationUnreadCount = "notification-unread-count";
inline constexpr std::string_view kNotificationMarkRead = "notification-mark-read";
inline constexpr std::string_view kNotificationMarkAllRead = "notification-mark-all-read";

// All of the above.
std::span<const std::string_view> All();

}  // namespace overture::service::q
