-- Delivery reports (reporting/reports.cpp, docs/reports.md), PostgreSQL. They read the
-- roll-ups (delivery_stats, delivery_failure_stats, delivery_link_stats, delivery_agent_stats,
-- tracking_uniques) and the deliveries' counters, never tracking_events, so that a report costs
-- the same after ten events or ten million. Times are Unix milliseconds. Sums of BIGINT are
-- NUMERIC in PostgreSQL: they are cast back to BIGINT.

-- name: report-delivery
-- $1 delivery: the delivery, its sending-log counters and its delivery_stats summed over hours.
SELECT d.id, d.label, d.state, d.started_at, d.finished_at, d.preparation, d.count_pending,
       d.count_sent, d.count_failed, d.count_ignored,
       COALESCE(s.sent, 0), COALESCE(s.hard_bounces, 0), COALESCE(s.soft_bounces, 0),
       COALESCE(s.ignored, 0), COALESCE(s.opens, 0), COALESCE(s.unique_opens, 0),
       COALESCE(s.machine_opens, 0), COALESCE(s.clicks, 0), COALESCE(s.unique_clicks, 0),
       COALESCE(s.unsubscribes, 0), COALESCE(s.mirror_views, 0), COALESCE(s.complaints, 0)
FROM deliveries d
LEFT JOIN (
    SELECT delivery_id, sum(sent)::bigint AS sent, sum(hard_bounces)::bigint AS hard_bounces,
           sum(soft_bounces)::bigint AS soft_bounces, sum(ignored)::bigint AS ignored,
           sum(opens)::bigint AS opens, sum(unique_opens)::bigint AS unique_opens,
           sum(machine_opens)::bigint AS machine_opens, sum(clicks)::bigint AS clicks,
           sum(unique_clicks)::bigint AS unique_clicks, sum(unsubscribes)::bigint AS unsubscribes,
           sum(mirror_views)::bigint AS mirror_views, sum(complaints)::bigint AS complaints
    FROM delivery_stats WHERE delivery_id = $1 GROUP BY delivery_id) s ON s.delivery_id = d.id
WHERE d.id = $1;

-- name: report-deliveries
-- Deliveries (not templates) started in [$1, $2), newest first, at most $3: the columns of
-- report-delivery.
SELECT d.id, d.label, d.state, d.started_at, d.finished_at, d.preparation, d.count_pending,
       d.count_sent, d.count_failed, d.count_ignored,
       COALESCE(s.sent, 0), COALESCE(s.hard_bounces, 0), COALESCE(s.soft_bounces, 0),
       COALESCE(s.ignored, 0), COALESCE(s.opens, 0), COALESCE(s.unique_opens, 0),
       COALESCE(s.machine_opens, 0), COALESCE(s.clicks, 0), COALESCE(s.unique_clicks, 0),
       COALESCE(s.unsubscribes, 0), COALESCE(s.mirror_views, 0), COALESCE(s.complaints, 0)
FROM deliveries d
LEFT JOIN (
    SELECT delivery_id, sum(sent)::bigint AS sent, sum(hard_bounces)::bigint AS hard_bounces,
           sum(soft_bounces)::bigint AS soft_bounces, sum(ignored)::bigint AS ignored,
           sum(opens)::bigint AS opens, sum(unique_opens)::bigint AS unique_opens,
           sum(machine_opens)::bigint AS machine_opens, sum(clicks)::bigint AS clicks,
           sum(unique_clicks)::bigint AS unique_clicks, sum(unsubscribes)::bigint AS unsubscribes,
           sum(mirror_views)::bigint AS mirror_views, sum(complaints)::bigint AS complaints
    FROM delivery_stats
    WHERE delivery_id IN (SELECT id FROM deliveries WHERE started_at >= $1 AND started_at < $2)
    GROUP BY delivery_id) s ON s.delivery_id = d.id
WHERE d.started_at >= $1 AND d.started_at < $2 AND NOT d.is_template
ORDER BY d.started_at DESC, d.id DESC
LIMIT $3;

-- name: report-hourly
-- $1 delivery: the hours with at least one counter the hourly table shows, in time order.
SELECT hour, sent, hard_bounces, soft_bounces, opens, unique_opens, machine_opens, clicks,
       unique_clicks, unsubscribes, mirror_views, complaints
FROM delivery_stats
WHERE delivery_id = $1
  AND sent + hard_bounces + soft_bounces + opens + unique_opens + machine_opens + clicks +
      unique_clicks + unsubscribes + mirror_views + complaints > 0
ORDER BY hour;

-- name: report-domains
-- $1 delivery, $2 how many domains to keep: the sending log grouped by the address's domain
-- (lower case, '' without an '@'), with who opened (tracking_uniques link -1) and who clicked
-- (-2), the $2 domains with the most recipients first (then by name), and everything else
-- summed in one last row whose domain is NULL.
WITH per_domain AS (
    SELECT CASE WHEN strpos(r.address, '@') > 0
                THEN lower(substr(r.address, strpos(r.address, '@') + 1)) ELSE '' END AS domain,
           count(*) AS targeted,
           sum(CASE WHEN r.sent_at IS NOT NULL THEN 1 ELSE 0 END) AS sent,
           sum(CASE WHEN r.status = 'sent' THEN 1 ELSE 0 END) AS delivered,
           sum(CASE WHEN r.status = 'failed' AND r.failure_type = 'hard' THEN 1 ELSE 0 END)
               AS hard_bounces,
           sum(CASE WHEN r.status = 'failed' AND r.failure_type = 'soft' THEN 1 ELSE 0 END)
               AS soft_bounces,
           count(uo.profile_id) AS unique_opens,
           count(uc.profile_id) AS unique_clicks
    FROM delivery_recipients r
    LEFT JOIN tracking_uniques uo
        ON uo.delivery_id = r.delivery_id AND uo.profile_id = r.profile_id AND uo.link_id = -1
    LEFT JOIN tracking_uniques uc
        ON uc.delivery_id = r.delivery_id AND uc.profile_id = r.profile_id AND uc.link_id = -2
    WHERE r.delivery_id = $1
    GROUP BY 1),
ranked AS (
    SELECT per_domain.*, row_number() OVER (ORDER BY targeted DESC, domain) AS n
    FROM per_domain)
SELECT CASE WHEN min(n) <= $2 THEN min(domain) END, sum(targeted)::bigint, sum(sent)::bigint,
       sum(delivered)::bigint, sum(hard_bounces)::bigint, sum(soft_bounces)::bigint,
       sum(unique_opens)::bigint, sum(unique_clicks)::bigint
FROM ranked
GROUP BY CASE WHEN n <= $2 THEN n ELSE $2 + 1 END
ORDER BY min(n);

-- name: report-devices
-- $1 delivery: opens and clicks per device and client family, the busiest first.
SELECT device, client, opens, machine_opens, clicks
FROM delivery_agent_stats
WHERE delivery_id = $1
ORDER BY opens + machine_opens + clicks DESC, device, client;

-- name: report-links
-- $1 delivery: every tracked link, clicked or not, in link order, with its clicks summed over
-- hours.
SELECT l.link_id, l.label, l.category, l.url, COALESCE(s.clicks, 0), COALESCE(s.unique_clicks, 0)
FROM tracking_links l
LEFT JOIN (
    SELECT link_id, sum(clicks)::bigint AS clicks, sum(unique_clicks)::bigint AS unique_clicks
    FROM delivery_link_stats WHERE delivery_id = $1 GROUP BY link_id) s ON s.link_id = l.link_id
WHERE l.delivery_id = $1
ORDER BY l.link_id;

-- name: report-bounces
-- $1 delivery: final failures by type and reason, summed over hours, the most frequent first.
SELECT failure_type, reason, sum(count)::bigint AS n
FROM delivery_failure_stats
WHERE delivery_id = $1
GROUP BY failure_type, reason
HAVING sum(count) > 0
ORDER BY n DESC, failure_type, reason;

-- name: report-profile-tracking
-- $1 profile, events with an id below $2, at most $3: the profile's tracking log, newest first,
-- with the delivery's label and the link's label and URL.
SELECT e.id, e.delivery_id, COALESCE(d.label, ''), e.kind, e.link_id, l.label, l.url, e.machine,
       e.device, e.client, e.at
FROM tracking_events e
LEFT JOIN deliveries d ON d.id = e.delivery_id
LEFT JOIN tracking_links l ON l.delivery_id = e.delivery_id AND l.link_id = e.link_id
WHERE e.profile_id = $1 AND e.id < $2
ORDER BY e.id DESC
LIMIT $3;
