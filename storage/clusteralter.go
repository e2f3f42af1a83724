package storage

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// An ALTER of a replicated local table is never sent ON CLUSTER. ClickHouse 18.16's DDL
// worker runs such an ALTER on one replica of each shard, picked through a lock in
// ZooKeeper; under load both replicas of a shard can run it, and the second one's ZooKeeper
// error ("Node exists") ends that server's DDL worker for good: every later ON CLUSTER
// statement then waits distributed_ddl_task_timeout for a server that never runs it.
// Replication carries an ALTER of a Replicated table (its columns, its TTL, its mutations)
// to the other replicas of the shard, so Pantau sends it, without ON CLUSTER, to one live
// replica of every shard itself. CREATE and DROP stay ON CLUSTER.

// alterWait bounds how long a replica may take to show a column added on its shard.
const alterWait = 2 * time.Minute

// reLocalAlter matches what follows "ALTER TABLE `db`." in an ALTER of a local table.
var reLocalAlter = regexp.MustCompile("(?s)^`(\\w+" + localSuffix + ")`\\s+(.+)$")

// reAddedColumn matches an ADD COLUMN clause and names its column.
var reAddedColumn = regexp.MustCompile("(?is)^ADD COLUMN\\s+`?(\\w+)`?\\s")

// execStatement runs sql through e. On a cluster, an ALTER of a replicated local table
// (ALTER TABLE `db`.`name_local` ...) goes to one replica of every shard (alterShards).
func execStatement(ctx context.Context, e Execer, sql string) error {
	c, ok := e.(clustered)
	if !ok {
		return e.Exec(ctx, sql)
	}
	cluster, db := c.clusterName()
	prefix := "ALTER TABLE " + quoteIdent(db) + "."
	if cluster == "" || !strings.HasPrefix(sql, prefix) {
		return e.Exec(ctx, sql)
	}
	m := reLocalAlter.FindStringSubmatch(sql[len(prefix):])
	if m == nil || strings.HasPrefix(strings.ToUpper(m[2]), "ON CLUSTER") {
		return fmt.Errorf("alter on cluster %s: not an ALTER of a replicated local table: %.80s", cluster, sql)
	}
	return alterShards(ctx, c, m[1], m[2])
}

// alterShards runs ALTER TABLE table clause on one replica of every shard, trying a shard's
// replicas in order until one answers. An ADD COLUMN is skipped on a replica that has the
// column, and returns once every server that answers shows it: the Distributed table
// rebuilt next takes its columns from each server's local table. A server that does not
// answer is left out of that wait; it takes the column from ZooKeeper when it starts.
func alterShards(ctx context.Context, c clustered, table, clause string) error {
	cluster, db := c.clusterName()
	sql := "ALTER TABLE " + quoteIdent(db) + "." + quoteIdent(table) + " " + clause
	column := ""
	if m := reAddedColumn.FindStringSubmatch(clause); m != nil {
		column = m[1]
	}
	shards, err := c.clusterServers(ctx)
	if err != nil {
		return fmt.Errorf("alter %s: %w", table, err)
	}
	for i, replicas := range shards {
		if err := alterShard(ctx, c, replicas, table, column, sql); err != nil {
			return fmt.Errorf("alter %s on shard %d of cluster %s: %w", table, i+1, cluster, err)
		}
	}
	if column == "" {
		return nil
	}
	for _, replicas := range shards {
		for _, addr := range replicas {
			if err := awaitColumn(ctx, c, addr, table, column); err != nil {
				return fmt.Errorf("alter %s: %w", table, err)
			}
		}
	}
	return nil
}

// alterShard runs sql on the first of a shard's replicas that answers.
func alterShard(ctx context.Context, c clustered, replicas []string, table, column, sql string) error {
	var errs []error
	for _, addr := range replicas {
		err := alterOn(ctx, c, addr, table, column, sql)
		if err == nil {
			return nil
		}
		if !unreachable(err) || ctx.Err() != nil {
			return fmt.Errorf("server %s: %w", addr, err)
		}
		errs = append(errs, fmt.Errorf("server %s: %w", addr, err))
	}
	return fmt.Errorf("no replica answered: %w", errors.Join(errs...))
}

// alterOn runs sql on the server at addr, unless column is set and its table has it.
func alterOn(ctx context.Context, c clustered, addr, table, column, sql string) error {
	s, err := c.server(ctx, addr)
	if err != nil {
		return err
	}
	if column != "" {
		if has, err := hasColumn(ctx, s, table, column); err != nil || has {
			return err
		}
	}
	return s.Exec(ctx, sql)
}

// awaitColumn waits until table on the server at addr has column, for at most alterWait; a
// server that does not answer is not waited for.
func awaitColumn(ctx context.Context, c clustered, addr, table, column string) error {
	deadline := time.Now().Add(alterWait)
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		s, err := c.server(ctx, addr)
		has := false
		if err == nil {
			has, err = hasColumn(ctx, s, table, column)
		}
		switch {
		case err != nil && unreachable(err) && ctx.Err() == nil:
			return nil // down
		case err != nil:
			return fmt.Errorf("server %s: %w", addr, err)
		case has:
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("server %s: column %s of %s still missing %v after it was added on its shard "+
				"(see system.replicas and server.err.log on %s)", addr, column, table, alterWait, addr)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// hasColumn reports whether table of the current database has column.
func hasColumn(ctx context.Context, q Querier, table, column string) (bool, error) {
	res, err := q.Query(ctx, "SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = "+
		quoteString(table)+" AND name = "+quoteString(column))
	if err != nil {
		return false, fmt.Errorf("read columns of %s: %w", table, err)
	}
	return asUint(res.Rows[0][0]) > 0, nil
}
