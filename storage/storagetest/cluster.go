package storagetest

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pantau-id/pantau/config"
)

// ClusterName is the cluster deploy/cluster defines.
const ClusterName = "pantau"

// ClusterNodes are the test cluster's ClickHouse servers: ch1 and ch2 replicate shard 1,
// ch3 and ch4 shard 2.
var ClusterNodes = []string{"ch1", "ch2", "ch3", "ch4"}

// Cluster is a test cluster of ZooKeeper and four ClickHouse servers on loopback, started
// with deploy/cluster/cluster.sh in a temporary folder.
type Cluster struct {
	tb     testing.TB
	script string
	Dir    string
	base   int
}

// StartCluster starts a test cluster on free loopback ports; it is stopped when the test
// ends. Without clickhouse-server, java or ZooKeeper's jar the test is skipped, or failed
// under CI=true.
func StartCluster(tb testing.TB) *Cluster {
	tb.Helper()
	if _, err := exec.LookPath("clickhouse-server"); err != nil {
		Unavailable(tb, "cluster test needs clickhouse-server on PATH (apt-get install clickhouse-server): %v", err)
	}
	if _, err := exec.LookPath("java"); err != nil {
		Unavailable(tb, "cluster test needs java for ZooKeeper (apt-get install zookeeper): %v", err)
	}
	if os.Getenv("ZOOKEEPER_CLASSPATH") == "" {
		if _, err := os.Stat("/usr/share/java/zookeeper.jar"); err != nil {
			Unavailable(tb, "cluster test needs ZooKeeper (apt-get install zookeeper, or set ZOOKEEPER_CLASSPATH): %v", err)
		}
	}
	// cluster.sh starts a failing node again itself; a cluster that still does not start
	// (ports taken since freeBase found them free) is started afresh on other ports.
	const attempts = 3
	for attempt := 1; ; attempt++ {
		c := &Cluster{tb: tb, script: filepath.Join(moduleRoot(), "deploy", "cluster", "cluster.sh"), Dir: tb.TempDir(), base: freeBase(tb)}
		out, err := c.run("start")
		if err == nil {
			tb.Cleanup(func() {
				if out, err := c.run("stop"); err != nil {
					tb.Errorf("stop cluster: %v\n%s", err, out)
				}
			})
			return c
		}
		if stop, serr := c.run("stop"); serr != nil {
			tb.Errorf("stop cluster: %v\n%s", serr, stop)
		}
		if attempt == attempts {
			tb.Fatalf("start cluster (attempt %d of %d, ports from %d): %v\n%s", attempt, attempts, c.base, err, out)
		}
		tb.Logf("start cluster (attempt %d of %d, ports from %d): %v\n%s", attempt, attempts, c.base, err, out)
	}
}

// run runs cluster.sh with a command and the cluster's folder.
func (c *Cluster) run(cmd string, args ...string) (string, error) {
	x := exec.Command("bash", append([]string{c.script, cmd, c.Dir}, args...)...)
	x.Env = append(os.Environ(), fmt.Sprintf("PANTAU_CLUSTER_PORT=%d", c.base))
	out, err := x.CombinedOutput()
	return string(out), err
}

// Node runs one of cluster.sh's node commands (start-node, stop-node, kill-node) on node
// (zk, ch1 … ch4) and fails the test if it fails.
func (c *Cluster) Node(cmd, node string) {
	c.tb.Helper()
	if out, err := c.run(cmd, node); err != nil {
		c.tb.Fatalf("cluster.sh %s %s: %v\n%s", cmd, node, err, out)
	}
}

// Addr returns node's native protocol address.
func (c *Cluster) Addr(node string) string {
	k := int(node[len(node)-1] - '0')
	return fmt.Sprintf("127.0.0.1:%d", c.base+k)
}

// Config returns the storage configuration of database db on the cluster, reached through node.
func (c *Cluster) Config(node, db string) config.Storage {
	return config.Storage{DSN: "clickhouse://" + c.Addr(node) + "/" + db, Cluster: ClusterName}
}

// freeBase picks a port base whose cluster ports (see cluster.sh) are free, below Linux's
// ephemeral range (32768 and up): a port there may be taken by an outgoing connection while
// the test has its server down, and the server could not start again.
func freeBase(tb testing.TB) int {
	tb.Helper()
	offsets := []int{1, 2, 3, 4, 101, 102, 103, 104, 201, 202, 203, 204, 300}
	for range 50 {
		base := 20000 + 400*rand.IntN(31) // the last range ends at 32300
		free := true
		for _, off := range offsets {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+off))
			if err != nil {
				free = false
				break
			}
			l.Close()
		}
		if free {
			return base
		}
	}
	tb.Fatal("no free port range for the test cluster")
	return 0
}

// moduleRoot returns the folder of go.mod above the working directory.
func moduleRoot() string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "."
		}
		dir = parent
	}
}
