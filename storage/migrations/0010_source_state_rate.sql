-- Each source's learned publication rate: the weighted mean gap between its new items (in
-- milliseconds) and when the newest one seen arrived, so that a restart keeps polling at the
-- rate the crawler learned. 0 in both (rows written before this migration) reads as unknown.
{{addColumn "source_state" "mean_gap_ms UInt64 DEFAULT 0"}};
{{addColumn "source_state" "last_item DateTime('UTC') DEFAULT toDateTime(0)"}};
