#!/bin/bash
# Creates the read-only user Grafana queries with. readonly = 2 lets the ClickHouse plugin set
# per-query settings such as max_execution_time while refusing every write.
set -euo pipefail
clickhouse client --user "$CLICKHOUSE_USER" --password "$CLICKHOUSE_PASSWORD" --multiquery <<SQL
CREATE USER IF NOT EXISTS grafana IDENTIFIED WITH sha256_password BY '${GRAFANA_CLICKHOUSE_PASSWORD}'
    SETTINGS readonly = 2;
GRANT SELECT ON ${CLICKHOUSE_DB}.* TO grafana;
SQL
