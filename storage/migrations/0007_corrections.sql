-- Analysts' corrections of mentions, an append-only log with who and when. A correction is
-- about a story (story = the original's url_hash; its syndicated copies follow it) and one
-- programme: kind 'stance' sets the right label and criticism flag, kind 'programme' says the
-- mention is not about programme (new_programme = '') or is about new_programme instead. The
-- latest correction (highest version) per story, programme and kind is in force; storage
-- writes it into mentions, and re-analysis applies it again.
CREATE TABLE IF NOT EXISTS corrections (
    story          UInt64,
    url_hash       UInt64,
    programme      String,
    kind           String,
    label          String,
    criticism      UInt8,
    new_programme  String,
    was_label      String,
    was_criticism  UInt8,
    analyst        String,
    note           String,
    corrected_at   DateTime('UTC'),
    version        UInt64
) ENGINE = MergeTree
PARTITION BY toYYYYMM(corrected_at)
ORDER BY (story, programme, kind, version);
