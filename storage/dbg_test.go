package storage

import ("context";"os";"os/exec";"testing";"time"
"github.com/pantau-id/pantau/config")

func TestDbgTwoProcs(t *testing.T) {
	if d := os.Getenv("DBG_DIR"); d != "" {
		s, err := Open(context.Background(), config.Storage{DataDir: d, ChDBLibrary: testLibrary()}, nil)
		t.Logf("child open: %v", err)
		if err == nil { err = s.Exec(context.Background(), "CREATE TABLE IF NOT EXISTS x (a UInt8) ENGINE=MergeTree ORDER BY a"); t.Logf("child exec: %v", err); s.Close() }
		return
	}
	dir := t.TempDir()
	s := openEmbeddedAt(t, dir)
	_ = s.Exec(context.Background(), "SELECT 1")
	cmd := exec.Command(os.Args[0], "-test.run", "TestDbgTwoProcs", "-test.v")
	cmd.Env = append(os.Environ(), "DBG_DIR="+dir)
	out, err := cmd.CombinedOutput()
	t.Logf("child: %v\n%s", err, out)
	time.Sleep(10*time.Millisecond)
}
