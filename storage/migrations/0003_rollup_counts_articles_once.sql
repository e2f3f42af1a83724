-- mentions_hourly counted every inserted mention row, so rows inserted twice (a replayed spool
-- file, an article fetched again after a crash) were counted twice until merges that never come
-- for a SummingMergeTree. It now keeps, per hour, programme, source and label, the set of
-- articles (url_hash) as an aggregate state: a row inserted again adds nothing. Read it with
-- uniqExactMerge(mentions) and uniqExactIfMerge(criticism). The old rollup is dropped and
-- rebuilt from the deduplicated mentions.
DROP TABLE IF EXISTS mentions_hourly_mv;

DROP TABLE IF EXISTS mentions_hourly;

CREATE TABLE IF NOT EXISTS mentions_hourly (
    hour       DateTime('UTC'),
    programme  {{lc "String"}},
    source     {{lc "String"}},
    label      {{lc "String"}},
    mentions   AggregateFunction(uniqExact, UInt64),
    criticism  AggregateFunction(uniqExactIf, UInt64, UInt8)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, programme, source, label);

CREATE MATERIALIZED VIEW IF NOT EXISTS mentions_hourly_mv TO mentions_hourly AS
SELECT
    toStartOfHour(published_at) AS hour,
    programme,
    source,
    label,
    uniqExactState(url_hash) AS mentions,
    uniqExactIfState(url_hash, criticism) AS criticism
FROM mentions
GROUP BY hour, programme, source, label;

INSERT INTO mentions_hourly (hour, programme, source, label, mentions, criticism)
SELECT toStartOfHour(published_at) AS hour, programme, source, label,
       uniqExactState(url_hash), uniqExactIfState(url_hash, criticism)
FROM mentions FINAL
GROUP BY hour, programme, source, label;
