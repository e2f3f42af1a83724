package storage

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// On a cluster (storage.cluster), every table of the schema is two tables on every server:
// NAME_local, a Replicated*MergeTree holding the rows of the server's shard, and NAME, a
// Distributed table over NAME_local that reads the whole cluster and routes inserts to the
// shard the table's sharding key picks. Product SQL, dashboards and `pantau sql` use NAME
// and never see the difference. Materialized views read and write the local tables, so a
// rollup row is made on the shard of the rows it counts and replicated with it.

// localSuffix names the replicated table behind a Distributed one.
const localSuffix = "_local"

// shardingKeys are the Distributed tables' sharding keys. An article and its mentions go
// to the shard of their url_hash, so ReplacingMergeTree deduplication (by url_hash, and by
// programme) and FINAL work within one shard; a source's state goes to one shard. Every key
// is a function of the row, never rand(): a batch sent again is split into the same blocks
// for the same shards, where the replicated tables drop the blocks they already have. A new
// table needs its key here.
var shardingKeys = map[string]string{
	"articles":          "url_hash",
	"mentions":          "url_hash",
	"source_state":      "cityHash64(source)",
	"fetches":           "cityHash64(source, host, time)",
	"mentions_hourly":   "cityHash64(hour, programme, source, label)",
	"digest_deliveries": "cityHash64(unit_id, day, channel, target)",
	"corrections":       "story",
	"article_phrases":   "url_hash", // with its article, which the view reads on the same shard
}

// clustered is implemented by stores whose schema lives on a cluster.
type clustered interface {
	// clusterName returns the cluster and the database the schema lives in; an empty
	// cluster means a single server.
	clusterName() (cluster, database string)
	// clusterServers returns the addresses (host:port) of the cluster's servers, by shard,
	// in replica order.
	clusterServers(ctx context.Context) ([][]string, error)
	// server returns a store on the cluster's server at addr, with this store's user,
	// database and settings. The store that made it closes it: callers do not.
	server(ctx context.Context, addr string) (Store, error)
}

// clusterOf returns the cluster and database of x when it is a store on a cluster.
func clusterOf(x any) (cluster, database string) {
	if c, ok := x.(clustered); ok {
		return c.clusterName()
	}
	return "", ""
}

// unavailableCodes are the ClickHouse error codes by which a server that answers says that
// others it needs are down: a shard none of whose replicas answers, or ZooKeeper.
var unavailableCodes = map[int32]bool{
	159: true, // TIMEOUT_EXCEEDED
	209: true, // SOCKET_TIMEOUT
	210: true, // NETWORK_ERROR
	225: true, // NO_ZOOKEEPER
	242: true, // TABLE_IS_READ_ONLY: a replica without its ZooKeeper session
	279: true, // ALL_CONNECTION_TRIES_FAILED
	319: true, // UNKNOWN_STATUS_OF_INSERT
	999: true, // KEEPER_EXCEPTION
}

// serverUnavailable reports whether err is a server's word that the rows could not be
// written for an outage behind it (a shard down), which is no refusal of the rows.
func serverUnavailable(err error) bool {
	var exc *clickhouse.Exception
	return errors.As(err, &exc) && unavailableCodes[exc.Code]
}

// Shapes of the statements migrations hold. Names may be quoted with backticks.
var (
	reCreateTable = regexp.MustCompile("(?is)^CREATE TABLE IF NOT EXISTS `?(\\w+)`?\\s*\\(")
	reEngine      = regexp.MustCompile(`(?is)^\s*ENGINE\s*=\s*(\w+)`)
	reCreateView  = regexp.MustCompile("(?is)^CREATE MATERIALIZED VIEW IF NOT EXISTS `?(\\w+)`?\\s+TO\\s+`?(\\w+)`?\\s+AS\\s+(SELECT\\s.*?\\sFROM)\\s+`?(\\w+)`?(\\s.*)?$")
	reDropTable   = regexp.MustCompile("(?is)^DROP TABLE IF EXISTS `?(\\w+)`?$")
	reAddColumn   = regexp.MustCompile("(?is)^ALTER TABLE `?(\\w+)`?\\s+ADD COLUMN\\s+(\\w+)\\s.*$")
	reInsert      = regexp.MustCompile(`(?is)^INSERT INTO\s`)
)

// clusterRender turns a migration's single-server statements into their cluster form.
type clusterRender struct {
	cluster, db string
	have        Columns // the columns of the connected server's tables
}

// qualified returns db.name, quoted.
func (r clusterRender) qualified(name string) string {
	return quoteIdent(r.db) + "." + quoteIdent(name)
}

// onCluster is the ON CLUSTER clause.
func (r clusterRender) onCluster() string { return " ON CLUSTER " + quoteIdent(r.cluster) }

// distributed creates the Distributed table name over name_local.
func (r clusterRender) distributed(name string) (string, error) {
	key, ok := shardingKeys[name]
	if !ok {
		return "", fmt.Errorf("table %s has no sharding key for a cluster (storage.shardingKeys)", name)
	}
	return "CREATE TABLE IF NOT EXISTS " + r.qualified(name) + r.onCluster() + " AS " + r.qualified(name+localSuffix) +
		" ENGINE = Distributed(" + quoteIdent(r.cluster) + ", " + quoteIdent(r.db) + ", " + quoteIdent(name+localSuffix) + ", " + key + ")", nil
}

// replicaPath is the ZooKeeper path of a replicated table's shard.
func (r clusterRender) replicaPath(table string) string {
	return quoteString("/clickhouse/tables/{shard}/" + r.db + "/" + table)
}

// statements renders one statement for the cluster.
func (r clusterRender) statements(stmt string) ([]string, error) {
	stmt = strings.TrimSpace(stmt)
	if m := reCreateTable.FindStringSubmatch(stmt); m != nil {
		return r.createTable(m[1], stmt[len(m[0]):])
	}
	if m := reCreateView.FindStringSubmatch(stmt); m != nil {
		return []string{"CREATE MATERIALIZED VIEW IF NOT EXISTS " + r.qualified(m[1]) + r.onCluster() +
			" TO " + r.qualified(m[2]+localSuffix) + " AS " + m[3] + " " + r.qualified(m[4]+localSuffix) + m[5]}, nil
	}
	if m := reDropTable.FindStringSubmatch(stmt); m != nil {
		// A view has no local table: dropping the missing name is a no-op.
		return []string{
			"DROP TABLE IF EXISTS " + r.qualified(m[1]) + r.onCluster(),
			"DROP TABLE IF EXISTS " + r.qualified(m[1]+localSuffix) + r.onCluster(),
		}, nil
	}
	if m := reAddColumn.FindStringSubmatch(stmt); m != nil {
		return r.addColumn(m[1], m[2], stmt[strings.Index(strings.ToUpper(stmt), "ADD COLUMN"):])
	}
	if reInsert.MatchString(stmt) {
		// Run once, on the connected server, through the Distributed tables.
		return []string{stmt}, nil
	}
	return nil, fmt.Errorf("cannot render for a cluster (want CREATE TABLE, CREATE MATERIALIZED VIEW ... TO, DROP TABLE, ALTER TABLE ADD COLUMN or INSERT): %.60s", stmt)
}

// createTable renders CREATE TABLE name (rest as the local replicated table and the
// Distributed table in front of it.
func (r clusterRender) createTable(name, rest string) ([]string, error) {
	cols, after, ok := balanced(rest)
	if !ok {
		return nil, fmt.Errorf("create table %s: unbalanced parentheses", name)
	}
	m := reEngine.FindStringSubmatch(after)
	if m == nil || !strings.HasSuffix(m[1], "MergeTree") {
		return nil, fmt.Errorf("create table %s: want a MergeTree-family engine to replicate", name)
	}
	engine, tail := m[1], after[len(m[0]):]
	args := []string{r.replicaPath(name + localSuffix), "'{replica}'"}
	if t := strings.TrimLeft(tail, " \t\n"); strings.HasPrefix(t, "(") {
		inner, rest, ok := balanced(t[1:])
		if !ok {
			return nil, fmt.Errorf("create table %s: unbalanced engine arguments", name)
		}
		if strings.TrimSpace(inner) != "" {
			args = append(args, inner)
		}
		tail = rest
	}
	local := "CREATE TABLE IF NOT EXISTS " + r.qualified(name+localSuffix) + r.onCluster() + " (" + cols + ")" +
		" ENGINE = Replicated" + engine + "(" + strings.Join(args, ", ") + ")" + tail
	dist, err := r.distributed(name)
	if err != nil {
		return nil, err
	}
	return []string{local, dist}, nil
}

// addColumn adds a column to the local tables and rebuilds the Distributed table over them
// (18.16 cannot ALTER a Distributed table ON CLUSTER; a Distributed table holds no rows).
// Nothing is left to do when the connected server's Distributed table has the column. The
// ALTER names no cluster: execStatement sends it to one replica of every shard.
func (r clusterRender) addColumn(table, column, addClause string) ([]string, error) {
	if r.have[table+"."+column] {
		return nil, nil
	}
	dist, err := r.distributed(table)
	if err != nil {
		return nil, err
	}
	// The ALTER goes to every shard, which skips it where the column is (see alterShards):
	// the connected server's local table having it does not say that the other shards have.
	return []string{
		"ALTER TABLE " + r.qualified(table+localSuffix) + " " + addClause,
		"DROP TABLE IF EXISTS " + r.qualified(table) + r.onCluster(), dist,
	}, nil
}

// balanced splits s, which follows an opening parenthesis, at its matching closing one,
// skipping parentheses in quoted strings.
func balanced(s string) (inner, rest string, ok bool) {
	depth := 1
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '`' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return s[:i], s[i+1:], true
			}
		}
	}
	return "", "", false
}

// clusterMigrationsTable is schema_migrations on a cluster: one replicated table on every
// server (one ZooKeeper path for all shards), so any server tells what was applied.
func clusterMigrationsTable(cluster, db string) string {
	return "CREATE TABLE IF NOT EXISTS " + quoteIdent(db) + ".schema_migrations ON CLUSTER " + quoteIdent(cluster) + ` (
    version    UInt32,
    name       String,
    applied_at DateTime('UTC')
) ENGINE = ReplicatedReplacingMergeTree(` + quoteString("/clickhouse/tables/all/"+db+"/schema_migrations") + `, '{replica}', applied_at)
ORDER BY version`
}

// LockTable is the table whose existence on one server of a cluster is the lock
// `pantau migrate` holds while it changes the schema; rollupLockTable is the lock of a
// rollup rebuild.
const (
	LockTable       = "pantau_migrate_lock"
	rollupLockTable = "pantau_rollup_lock"
)

// lockWait bounds how long a process waits for a lock another holds.
const lockWait = 10 * time.Minute

// lockCluster takes the cluster-wide lock named by table, waiting while another process
// holds it, and returns its release. The lock is a replicated table with a fixed ZooKeeper
// path and replica name, created on the connected server: ZooKeeper lets only one server
// register that replica. Each server also keeps an anchor replica (its {replica}) at the
// same path, so that releasing the lock never removes the path while another server creates
// the lock on it. A process killed while holding the lock leaves it held; the error after
// lockWait says how to release it.
func lockCluster(ctx context.Context, s Store, cluster, db, table string) (release func() error, err error) {
	path := quoteString("/clickhouse/pantau/" + db + "/" + table)
	name := quoteIdent(db) + "." + quoteIdent(table)
	anchor := "CREATE TABLE IF NOT EXISTS " + quoteIdent(db) + "." + quoteIdent(table+"_anchor") +
		" (holder String) ENGINE = ReplicatedMergeTree(" + path + ", '{replica}') ORDER BY holder"
	create := "CREATE TABLE " + name + " (holder String) ENGINE = ReplicatedMergeTree(" + path + ", 'lock') ORDER BY holder"
	deadline := time.Now().Add(lockWait)
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		err := s.Exec(ctx, anchor)
		if err == nil {
			err = s.Exec(ctx, create)
		}
		if err == nil {
			return func() error {
				// A fresh context: the lock must go even when the work was cancelled.
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
				defer cancel()
				if err := s.Exec(ctx, "DROP TABLE IF EXISTS "+name); err != nil {
					return fmt.Errorf("release lock %s: %w", table, err)
				}
				return nil
			}, nil
		}
		var exc *clickhouse.Exception
		if !errors.As(err, &exc) || !lockBusyCodes[exc.Code] {
			return nil, fmt.Errorf("take lock %s: %w", table, err)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("take lock %s: another pantau has held it for over %v (ZooKeeper %s); "+
				"if none runs, release it with: DROP TABLE %s ON CLUSTER %s", table, lockWait, path, name, quoteIdent(cluster))
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// lockBusyCodes are the answers to creating a lock table that another process holds or is
// taking or releasing at the same moment.
var lockBusyCodes = map[int32]bool{
	57:  true, // TABLE_ALREADY_EXISTS: held through this server
	253: true, // REPLICA_IS_ALREADY_EXIST: held through another server
	999: true, // KEEPER_EXCEPTION: ZooKeeper nodes created or removed by another server meanwhile
}
