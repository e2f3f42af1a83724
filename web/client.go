package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/pantau-id/pantau/storage"
)

// Client reads through the local API of a running `pantau run` (see LocalAPI).
type Client struct {
	base  string // http://host:port
	token string
	http  *http.Client
}

// NewClient returns a client of the local API at ep. It refuses an endpoint that is not on
// loopback, so that the token never leaves the machine.
func NewClient(ep Endpoint) (*Client, error) {
	addr := dialAddr(ep.Addr)
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("local API address %q: %w", ep.Addr, err)
	}
	if ip, err := netip.ParseAddr(host); host != "localhost" && (err != nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("the running pantau run listens on %s, not on loopback, and its local API answers loopback clients only (set http.listen to 127.0.0.1:PORT or 0.0.0.0:PORT)", ep.Addr)
	}
	return &Client{base: "http://" + addr, token: ep.Token, http: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}, nil
}

// Report fetches the "needs a response" report over window, of one region's sources when
// region is not empty.
func (c *Client) Report(ctx context.Context, window time.Duration, region string) (*storage.Report, error) {
	v := url.Values{"window": {window.String()}}
	if region != "" {
		v.Set("region", region)
	}
	body, err := c.do(ctx, http.MethodGet, "/api/report?"+v.Encode(), nil)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	var rep storage.Report
	if err := json.NewDecoder(body).Decode(&rep); err != nil {
		return nil, fmt.Errorf("read report from %s: %w", c.base, err)
	}
	rep.Window = time.Duration(rep.WindowSeconds) * time.Second
	return &rep, nil
}

// Sources fetches the status of the running process's sources over window.
func (c *Client) Sources(ctx context.Context, window time.Duration) ([]storage.SourceStatus, error) {
	body, err := c.do(ctx, http.MethodGet, "/api/sources?"+url.Values{"window": {window.String()}}.Encode(), nil)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	var st []storage.SourceStatus
	if err := json.NewDecoder(body).Decode(&st); err != nil {
		return nil, fmt.Errorf("read sources from %s: %w", c.base, err)
	}
	return st, nil
}

// SQL runs a read-only query and copies its rows to w as TSV (with a header line when
// header is set) or, when asJSON, JSON lines: what `pantau sql` prints.
func (c *Client) SQL(ctx context.Context, query string, asJSON, header bool, w io.Writer) error {
	v := url.Values{"format": {"tsv"}}
	if asJSON {
		v.Set("format", "json")
	}
	if header {
		v.Set("header", "1")
	}
	body, err := c.do(ctx, http.MethodPost, "/api/sql?"+v.Encode(), strings.NewReader(query))
	if err != nil {
		return err
	}
	defer body.Close()
	if _, err := io.Copy(w, body); err != nil {
		return fmt.Errorf("read rows from %s: %w", c.base, err)
	}
	return nil
}

// ErrAPIRefused reports an answer of the local API other than 200; its text follows.
var ErrAPIRefused = errors.New("refused")

// do sends one request and returns the body of a 200 answer; any other answer becomes an
// error carrying the server's one-line message.
func (c *Client) do(ctx context.Context, method, path string, body io.Reader) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("local API at %s: %w", c.base, err)
	}
	if res.StatusCode == http.StatusOK {
		return res.Body, nil
	}
	defer res.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	text := strings.TrimSpace(string(msg))
	if res.StatusCode == http.StatusBadRequest {
		return nil, errors.New(text) // the request's own mistake, told as a direct read tells it
	}
	return nil, fmt.Errorf("local API at %s %w: %s: %s", c.base, ErrAPIRefused, res.Status, text)
}

// Ping checks that the server answers.
func (c *Client) Ping(ctx context.Context) error {
	body, err := c.do(ctx, http.MethodGet, "/healthz", nil)
	if err != nil {
		return err
	}
	return body.Close()
}
