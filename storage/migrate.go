package storage

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Feature thresholds. 18.16 has neither; both are established by 20.1.
var (
	minLowCardinality = Version{Major: 20, Minor: 1}
	minTTL            = Version{Major: 20, Minor: 1}
)

// retentionTables are the tables whose rows expire after MigrateOptions.Retention.
var retentionTables = []string{"articles", "mentions"}

// MigrateOptions tunes Migrate.
type MigrateOptions struct {
	// Retention drops articles and mentions published longer ago than this, on servers
	// with TTL; 0 keeps everything. Changing it later is applied by the next Migrate.
	Retention time.Duration
	// UpTo stops after the migration of this version; 0 applies them all.
	UpTo int
}

// Migration is one embedded schema migration.
type Migration struct {
	Version int
	Name    string
	sql     string
}

// Migrations returns the embedded migrations in order.
func Migrations() ([]Migration, error) {
	files, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var out []Migration
	for _, f := range files {
		base := strings.TrimSuffix(path.Base(f), ".sql")
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", f)
		}
		b, err := migrationFS.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", f, err)
		}
		out = append(out, Migration{Version: v, Name: name, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", out[i-1].Name, out[i].Name, out[i].Version)
		}
	}
	return out, nil
}

// Columns is the set of columns a database's tables have, keyed "table.column".
type Columns map[string]bool

// Statements renders the migration for a server version and splits it into statements.
// have lists the columns the database already has: the addColumn template call renders
// nothing for a column in it, which makes adding a column idempotent on servers without
// ADD COLUMN IF NOT EXISTS (18.16).
func (m Migration) Statements(v Version, opts MigrateOptions, have Columns) ([]string, error) {
	funcs := template.FuncMap{
		// addColumn adds a column, given as "name type [DEFAULT expr]", to table unless it is there.
		"addColumn": func(table, column string) string {
			name, _, _ := strings.Cut(strings.TrimSpace(column), " ")
			if have[table+"."+name] {
				return ""
			}
			return "ALTER TABLE " + quoteIdent(table) + " ADD COLUMN " + column
		},
		// lc wraps a type in LowCardinality where the server has it.
		"lc": func(typ string) string {
			if v.AtLeast(minLowCardinality.Major, minLowCardinality.Minor) {
				return "LowCardinality(" + typ + ")"
			}
			return typ
		},
		// ttl returns a TTL clause on column where the server has TTL and retention is set.
		"ttl": func(column string) string {
			if secs := int64(opts.Retention / time.Second); secs > 0 && v.AtLeast(minTTL.Major, minTTL.Minor) {
				return "TTL " + column + " + INTERVAL " + strconv.FormatInt(secs, 10) + " SECOND"
			}
			return ""
		},
	}
	tpl, err := template.New(m.Name).Funcs(funcs).Parse(m.sql)
	if err != nil {
		return nil, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
	}
	var buf bytes.Buffer
	if err := tpl.Execute(&buf, nil); err != nil {
		return nil, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
	}
	return splitStatements(buf.String()), nil
}

// splitStatements splits SQL at semicolons that end a line, dropping comment lines.
func splitStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			if s := strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"); strings.TrimSpace(s) != "" {
				out = append(out, s)
			}
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    UInt32,
    name       String,
    applied_at DateTime('UTC')
) ENGINE = ReplacingMergeTree(applied_at)
ORDER BY version`

var migrationSchema = newSchema("schema_migrations", "version UInt32", "name String", "applied_at DateTime")

// migrationRow records an applied migration in schema_migrations.
type migrationRow struct {
	version   uint32
	name      string
	appliedAt time.Time
}

func (migrationRow) Table() string   { return "schema_migrations" }
func (migrationRow) schema() *schema { return migrationSchema }

func (m migrationRow) appendTo(r *row) {
	r.u32(m.version)
	r.str(m.name)
	r.time(m.appliedAt)
}

// ErrNotMigrated reports a store whose schema is missing or older than this Pantau's: run
// pantau migrate.
var ErrNotMigrated = errors.New("storage: schema not migrated")

// CheckSchema reports, wrapping ErrNotMigrated, when the store lacks a migration this Pantau
// has; it only reads, with the backend's readonly setting.
func CheckSchema(ctx context.Context, s Store) error {
	migs, err := Migrations()
	if err != nil {
		return err
	}
	done, err := appliedVersions(ctx, s.QueryReadOnly)
	if err != nil {
		return fmt.Errorf("%w: no Pantau schema in this store (run pantau migrate): %v", ErrNotMigrated, err)
	}
	for _, m := range migs {
		if !done[uint64(m.Version)] {
			return fmt.Errorf("%w: migration %04d_%s not applied (run pantau migrate)", ErrNotMigrated, m.Version, m.Name)
		}
	}
	return nil
}

// Migrate brings the schema up to date: it applies, in order, the embedded migrations not
// yet recorded in schema_migrations (those up to opts.UpTo when set), and on servers with
// TTL sets the retention of articles and mentions to opts.Retention. It returns the names
// of the migrations it applied; running it again applies nothing. Statements are
// idempotent (a column is added only when missing), so a migration interrupted half way
// is completed by the next run.
//
// On a cluster (storage.cluster) tables are created and dropped ON CLUSTER, Replicated tables
// behind Distributed ones (see cluster.go); an ALTER of a Replicated table goes to one replica
// of every shard instead (see clusteralter.go). A cluster-wide lock lets one process at a
// time apply migrations: the others wait, then find them applied.
func Migrate(ctx context.Context, s Store, opts MigrateOptions) (applied []string, err error) {
	migs, err := Migrations()
	if err != nil {
		return nil, err
	}
	v, err := s.ServerVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	create := createMigrationsTable
	cluster, db := clusterOf(s)
	if cluster != "" {
		// Up to date: no lock and no ON CLUSTER statement, which would wait for every server.
		if done, err := appliedVersions(ctx, s.Query); err == nil && !pending(migs, done, opts.UpTo) {
			return nil, retentionOf(ctx, s, v, opts.Retention)
		}
		release, err := lockCluster(ctx, s, cluster, db, LockTable)
		if err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
		defer func() {
			if rerr := release(); rerr != nil && err == nil {
				err = fmt.Errorf("migrate: %w", rerr)
			}
		}()
		create = clusterMigrationsTable(cluster, db)
	}
	if err := s.Exec(ctx, create); err != nil {
		return nil, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	if cluster != "" {
		// Another server may have recorded migrations this one has not fetched yet.
		if err := s.Exec(ctx, "SYSTEM SYNC REPLICA "+quoteIdent(db)+".schema_migrations"); err != nil {
			return nil, fmt.Errorf("migrate: sync schema_migrations: %w", err)
		}
	}
	done, err := appliedVersions(ctx, s.Query)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	for _, m := range migs {
		if opts.UpTo > 0 && m.Version > opts.UpTo {
			break
		}
		if done[uint64(m.Version)] {
			continue
		}
		have, err := tableColumns(ctx, s)
		if err != nil {
			return applied, fmt.Errorf("migrate: %w", err)
		}
		stmts, err := m.render(v, opts, have, cluster, db)
		if err != nil {
			return applied, fmt.Errorf("migrate: %w", err)
		}
		for i, st := range stmts {
			if err := execStatement(ctx, s, st); err != nil && !(cluster != "" && ddlInBackground(err)) {
				return applied, fmt.Errorf("migrate: %04d_%s statement %d: %w", m.Version, m.Name, i+1, err)
			}
		}
		err = InsertRows(ctx, s, migrationRow{uint32(m.Version), m.Name, time.Now()})
		if err != nil {
			return applied, fmt.Errorf("migrate: record %04d_%s: %w", m.Version, m.Name, err)
		}
		applied = append(applied, fmt.Sprintf("%04d_%s", m.Version, m.Name))
	}
	return applied, retentionOf(ctx, s, v, opts.Retention)
}

// ddlInBackground reports whether err says that an ON CLUSTER statement was queued for every
// server but some server had not run it within distributed_ddl_task_timeout (a loaded or slow
// replica). The servers run their DDL queue in order, so the statement and those after it still
// take effect there; the migration goes on rather than failing half applied.
func ddlInBackground(err error) bool {
	var exc *clickhouse.Exception
	return errors.As(err, &exc) && exc.Code == 159 && strings.Contains(exc.Message, "in background")
}

// render returns m's statements for the store: as Statements for one server, or in their
// cluster form when cluster is set.
func (m Migration) render(v Version, opts MigrateOptions, have Columns, cluster, db string) ([]string, error) {
	stmts, err := m.Statements(v, opts, have)
	if err != nil || cluster == "" {
		return stmts, err
	}
	r := clusterRender{cluster: cluster, db: db, have: have}
	var out []string
	for i, st := range stmts {
		cs, err := r.statements(st)
		if err != nil {
			return nil, fmt.Errorf("migration %04d_%s statement %d: %w", m.Version, m.Name, i+1, err)
		}
		out = append(out, cs...)
	}
	return out, nil
}

// appliedVersions reads the versions schema_migrations records.
func appliedVersions(ctx context.Context, query func(context.Context, string) (*Result, error)) (map[uint64]bool, error) {
	res, err := query(ctx, "SELECT DISTINCT version FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	done := make(map[uint64]bool, len(res.Rows))
	for _, r := range res.Rows {
		if n, ok := r[0].(uint64); ok {
			done[n] = true
		}
	}
	return done, nil
}

// pending reports whether a migration up to upTo (0: all) is not in done.
func pending(migs []Migration, done map[uint64]bool, upTo int) bool {
	return slices.ContainsFunc(migs, func(m Migration) bool { return (upTo <= 0 || m.Version <= upTo) && !done[uint64(m.Version)] })
}

// retentionOf applies the retention on servers with TTL.
func retentionOf(ctx context.Context, s Store, v Version, retention time.Duration) error {
	if !v.AtLeast(minTTL.Major, minTTL.Minor) {
		return nil
	}
	if err := applyRetention(ctx, s, retention); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// tableColumns returns the columns of the current database's tables.
func tableColumns(ctx context.Context, q Querier) (Columns, error) {
	res, err := q.Query(ctx, "SELECT table, name FROM system.columns WHERE database = currentDatabase()")
	if err != nil {
		return nil, fmt.Errorf("read columns: %w", err)
	}
	have := make(Columns, len(res.Rows))
	for _, r := range res.Rows {
		table, _ := r[0].(string)
		name, _ := r[1].(string)
		have[table+"."+name] = true
	}
	return have, nil
}

// applyRetention makes the TTL of the retention tables match retention, altering only
// tables whose TTL differs.
func applyRetention(ctx context.Context, s Store, retention time.Duration) error {
	secs := int64(retention / time.Second)
	want := "toIntervalSecond(" + strconv.FormatInt(secs, 10) + ")"
	cluster, _ := clusterOf(s)
	for _, t := range retentionTables {
		target := mutationTarget(s, t)
		if cluster != "" {
			t += localSuffix
		}
		res, err := s.Query(ctx, "SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = '"+t+"'")
		if err != nil {
			return fmt.Errorf("read ttl of %s: %w", t, err)
		}
		if len(res.Rows) != 1 {
			return fmt.Errorf("read ttl of %s: table missing", t)
		}
		engine, _ := res.Rows[0][0].(string)
		has := strings.Contains(engine, " TTL ")
		var stmt string
		switch {
		case secs > 0 && !strings.Contains(engine, want):
			stmt = "ALTER TABLE " + target + " MODIFY TTL published_at + INTERVAL " + strconv.FormatInt(secs, 10) + " SECOND"
		case secs <= 0 && has:
			stmt = "ALTER TABLE " + target + " REMOVE TTL"
		default:
			continue
		}
		if err := execStatement(ctx, s, stmt); err != nil {
			return fmt.Errorf("set ttl of %s: %w", t, err)
		}
	}
	return nil
}
