package storage

import (
	"fmt"
	"time"
)

// The window of the "needs a response" report, the same in every front: the /report page,
// /api/report and `pantau report`.
// Its default is config.ReportWindow.
const (
	MinReportWindow = time.Hour
	MaxReportWindow = 365 * 24 * time.Hour
)

// CheckReportWindow refuses a report window outside MinReportWindow to MaxReportWindow.
func CheckReportWindow(d time.Duration) error {
	if d < MinReportWindow || d > MaxReportWindow {
		return fmt.Errorf("report window %s: want a duration from %s to %s (365 days)", d, "1h", "8760h")
	}
	return nil
}
