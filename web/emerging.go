package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/pantau-id/pantau/storage"
)

// WriteEmergingText prints emerging issues outside the taxonomy for a terminal.
func WriteEmergingText(w io.Writer, issues []storage.EmergingIssue) error {
	ew := &errWriter{w: w}
	ew.printf("Emerging issues outside the taxonomy: phrases rising in critical coverage that no programme matched\n")
	if len(issues) == 0 {
		ew.printf("\nNone: no phrase rises above the trend threshold.\n")
		return ew.err
	}
	for i, is := range issues {
		ew.printf("\n%2d. %q\n", i+1, is.Phrase)
		ew.printf("    %d critical stories in the %s window (expected %.1f, baseline %d) · %d outlets · score %.1f\n",
			is.Critical, is.Window, is.Expected, is.BaselineCritical, is.Sources, is.Score)
		if len(is.Related) > 0 {
			ew.printf("    Also: %s\n", strings.Join(is.Related, ", "))
		}
		for _, a := range is.Articles {
			title := a.Title
			if title == "" {
				title = "(untitled)"
			}
			ew.printf("    - %s [%s, %s]\n      %s\n", title, a.Source, a.Published.UTC().Format("02 Jan 15:04"), a.URL)
		}
	}
	return ew.err
}

// Emerging fetches the emerging issues outside the taxonomy that the running process lists
// with its report.
func (c *Client) Emerging(ctx context.Context) ([]storage.EmergingIssue, error) {
	body, err := c.do(ctx, http.MethodGet, "/api/report", nil)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	var rep struct {
		Emerging []storage.EmergingIssue `json:"emerging"`
	}
	if err := json.NewDecoder(body).Decode(&rep); err != nil {
		return nil, fmt.Errorf("read emerging issues from %s: %w", c.base, err)
	}
	if rep.Emerging == nil {
		rep.Emerging = []storage.EmergingIssue{}
	}
	return rep.Emerging, nil
}
