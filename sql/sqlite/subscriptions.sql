-- Subscriptions of profiles to services, and their history.

-- name: service-validity
SELECT validity_days FROM services WHERE id = ?1;

-- name: profile-exists
SELECT 1 FROM profiles WHERE id = ?1;

-- name: subscription-find
SELECT id FROM subscriptions WHERE service_id = ?1 AND profile_id = ?2;

-- name: subscription-insert
-- ?1 now, ?2 origin, ?3 expiry or NULL, ?4 service, ?5 profile
INSERT INTO subscriptions (created_at, modified_at, origin, expires_at, service_id, profile_id)
VALUES (?1, ?1, ?2, ?3, ?4, ?5)
RETURNING id;

-- name: subscription-delete
DELETE FROM subscriptions WHERE service_id = ?1 AND profile_id = ?2 RETURNING id;

-- name: subscription-history-insert
-- ?1 now, ?2 action, ?3 origin, ?4 service, ?5 profile
INSERT INTO subscription_history (created_at, modified_at, action, origin, service_id, profile_id)
VALUES (?1, ?1, ?2, ?3, ?4, ?5);
