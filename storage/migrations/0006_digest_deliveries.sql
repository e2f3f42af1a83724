-- The daily clipping's deliveries: one row per unit, day (WIB), channel and target once the
-- channel confirmed it (the SMTP server took the message, the webhook answered 2xx). The
-- scheduler sends a unit's digest of a day to a target only when no row is here, so a digest
-- goes out once per unit and day, also across restarts. day is the date in WIB as YYYY-MM-DD.
CREATE TABLE IF NOT EXISTS digest_deliveries (
    unit_id  String,
    day      String,
    channel  String,
    target   String,
    stories  UInt32,
    sent_at  DateTime('UTC')
) ENGINE = ReplacingMergeTree(sent_at)
ORDER BY (unit_id, day, channel, target);
