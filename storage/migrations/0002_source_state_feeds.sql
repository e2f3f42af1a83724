-- The feeds a portal's pages advertised, with their validators, as the crawler's JSON;
-- empty for other sources and in rows written before this migration. addColumn skips a
-- column that is already there (18.16 has no ADD COLUMN IF NOT EXISTS).
{{addColumn "source_state" "feeds String DEFAULT ''"}};
