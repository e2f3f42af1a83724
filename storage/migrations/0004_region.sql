-- The region of the source an article came from (sources[].region in the configuration), on
-- articles and mentions, for region filters in reports and dashboards; empty for rows written
-- before this migration and for sources without a region. addColumn skips a column that is
-- already there (18.16 has no ADD COLUMN IF NOT EXISTS).
{{addColumn "articles" (printf "region %s DEFAULT ''" (lc "String"))}};
{{addColumn "mentions" (printf "region %s DEFAULT ''" (lc "String"))}};
