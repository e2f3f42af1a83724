-- Initial schema: articles, mentions, fetches, the hourly mention rollup and the
-- crawler's source state. Runs on ClickHouse 18.16 and later; the lc and ttl template calls add
-- LowCardinality and retention where the server supports them.

-- One row per canonical URL; re-ingesting a URL replaces its row (newest inserted_at wins).
CREATE TABLE IF NOT EXISTS articles (
    url_hash         UInt64,
    url              String,
    canonical_url    String,
    source           {{lc "String"}},
    source_kind      {{lc "String"}},
    title            String,
    text             String,
    lang             {{lc "String"}},
    author           String,
    published_at     DateTime('UTC'),
    discovered_at    DateTime('UTC'),
    fetched_at       DateTime('UTC'),
    simhash          UInt64,
    duplicate_of     UInt64,
    sentiment        {{lc "String"}},
    sentiment_score  Float32,
    analyzer_version {{lc "String"}},
    inserted_at      DateTime('UTC') DEFAULT now()
) ENGINE = ReplacingMergeTree(inserted_at)
ORDER BY url_hash
{{ttl "published_at"}};

-- One row per (article, programme).
CREATE TABLE IF NOT EXISTS mentions (
    url_hash         UInt64,
    programme        {{lc "String"}},
    unit             {{lc "String"}},
    terms            Array(String),
    score            Float32,
    label            {{lc "String"}},
    criticism        UInt8,
    snippet          String,
    published_at     DateTime('UTC'),
    source           {{lc "String"}},
    duplicate_of     UInt64,
    analyzer_version {{lc "String"}},
    inserted_at      DateTime('UTC') DEFAULT now()
) ENGINE = ReplacingMergeTree(inserted_at)
ORDER BY (url_hash, programme)
{{ttl "published_at"}};

-- One row per HTTP fetch, for source-health dashboards.
CREATE TABLE IF NOT EXISTS fetches (
    time             DateTime('UTC'),
    source           {{lc "String"}},
    host             {{lc "String"}},
    kind             {{lc "String"}},
    status           UInt16,
    status_class     {{lc "String"}},
    bytes            UInt64,
    duration_seconds Float64,
    error_class      {{lc "String"}}
) ENGINE = MergeTree
PARTITION BY toYYYYMM(time)
ORDER BY (source, time);

-- Mentions per hour, programme, source and label; summed on merge, so readers sum() too.
CREATE TABLE IF NOT EXISTS mentions_hourly (
    hour       DateTime('UTC'),
    programme  {{lc "String"}},
    source     {{lc "String"}},
    label      {{lc "String"}},
    mentions   UInt64,
    criticism  UInt64
) ENGINE = SummingMergeTree((mentions, criticism))
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, programme, source, label);

CREATE MATERIALIZED VIEW IF NOT EXISTS mentions_hourly_mv TO mentions_hourly AS
SELECT
    toStartOfHour(published_at) AS hour,
    programme,
    source,
    label,
    count() AS mentions,
    sum(toUInt64(criticism)) AS criticism
FROM mentions
GROUP BY hour, programme, source, label;

-- The crawler's persisted state per source; the newest updated_at wins.
CREATE TABLE IF NOT EXISTS source_state (
    source           String,
    etag             String,
    last_modified    String,
    next_poll        DateTime('UTC'),
    interval_seconds UInt32,
    failures         UInt32,
    last_success     DateTime('UTC'),
    last_error_at    DateTime('UTC'),
    last_error       String,
    dead             UInt8,
    updated_at       DateTime('UTC')
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY source;
