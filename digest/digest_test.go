package digest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/internal/trendtest"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// digestAt makes the digest of trendtest.Now's day end at trendtest.Now (16:30 WIB).
const digestAt = 16*time.Hour + 30*time.Minute

// storeFixture stores two weeks of quiet coverage, an 8-story e-KTP burst (each story
// syndicated twice), a positive e-KTP story, a critical family-card story and a critical
// bansos story outside the digest's window.
func storeFixture(t *testing.T, s storage.Store) {
	t.Helper()
	cs := append(trendtest.QuietHistory(trendtest.Now), trendtest.Burst("ektp", 8, trendtest.Now)...)
	trendtest.Store(t, s, cs)
	unit := taxonomy.Default().UnitOf("ektp")
	var arts []storage.Article
	var ments []storage.Mention
	add := func(url, source, programme, label, title, snippet string, published time.Time) {
		arts = append(arts, storage.Article{URL: url, CanonicalURL: url, Source: source, Title: title, Text: snippet, Lang: "id",
			PublishedAt: published, FetchedAt: published})
		ments = append(ments, storage.Mention{URLHash: storage.URLHash(url), Programme: programme, Unit: unit, Label: label,
			Criticism: label == "negative", Snippet: snippet, PublishedAt: published, Source: source})
	}
	add("https://antara.example.id/berita/ikd-sehari-jadi", "antara", "ektp", "positive", "Urus IKD kini sehari jadi",
		"Kepala Disdukcapil mengatakan aktivasi IKD kini selesai dalam sehari.", trendtest.Now.Add(-3*time.Hour))
	add("https://langgam.example.id/berita/akta-lambat", "langgam", "kk_akta", "negative", "Akta kelahiran lambat terbit",
		"Warga mengeluhkan akta kelahiran yang tak kunjung terbit.", trendtest.Now.Add(-5*time.Hour))
	add("https://langgam.example.id/berita/bansos-lama", "langgam", "bansos", "negative", "Bansos telat dua hari lalu",
		"Penyaluran bansos terlambat.", trendtest.Now.Add(-30*time.Hour))
	ctx := context.Background()
	if err := storage.InsertRows(ctx, s, arts...); err != nil {
		t.Fatal(err)
	}
	if err := storage.InsertRows(ctx, s, ments...); err != nil {
		t.Fatal(err)
	}
}

func options() Options {
	tax := taxonomy.Default()
	names := map[string]string{}
	for _, p := range tax.Programmes() {
		names[p.ID] = p.Name
	}
	def := config.Default()
	o := OptionsFrom(def.Digest, def.Trends)
	o.At, o.Reach = digestAt, map[string]float64{"tempo-nasional": 2.5, "antara": 3, "republika": 2}
	o.Names, o.PageURL = names, "http://127.0.0.1:9464/digest?unit={unit}&date={date}"
	return o
}

func unitOf(t *testing.T, programme string) Unit {
	t.Helper()
	p, _ := taxonomy.Default().Programme(programme)
	u, err := FindUnit(Units(taxonomy.Default()), UnitID(p))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestUnits(t *testing.T) {
	units := Units(taxonomy.Default())
	seen := map[string]bool{}
	programmes := 0
	for _, u := range units {
		if seen[u.ID] {
			t.Errorf("unit id %s twice", u.ID)
		}
		seen[u.ID] = true
		programmes += len(u.Programmes)
		if u.ID != strings.ToLower(u.ID) || strings.ContainsAny(u.ID, " ;()") {
			t.Errorf("unit id %q is not a slug", u.ID)
		}
	}
	if programmes != taxonomy.Default().Len() {
		t.Errorf("units hold %d programmes, taxonomy %d", programmes, taxonomy.Default().Len())
	}
	u := unitOf(t, "ektp")
	if u.ID != "disdukcapil" || len(u.Programmes) != 2 {
		t.Errorf("e-KTP's unit %+v: want disdukcapil with ektp and kk_akta", u)
	}
	if got, err := FindUnit(units, "dinas sosial"); err != nil || got.Programmes[0] != "bansos" {
		t.Errorf("find by name: %+v %v", got, err)
	}
	if _, err := FindUnit(units, "dinas"); err == nil {
		t.Error("an ambiguous name found a unit")
	}
}

func TestCompose(t *testing.T) {
	s := storagetest.Embedded(t)
	storeFixture(t, s)
	d, err := Compose(context.Background(), s, unitOf(t, "ektp"), trendtest.Now, options())
	if err != nil {
		t.Fatal(err)
	}
	if d.Date != "2026-05-04" || !d.To.Equal(trendtest.Now) {
		t.Errorf("date %s to %s", d.Date, d.To)
	}
	if len(d.Critical) != 10 {
		t.Fatalf("critical stories %d, want the 10 best", len(d.Critical))
	}
	top := d.Critical[0]
	// A burst story: tempo-nasional 2.5 + antara 3 + republika 2.
	if top.Source != "tempo-nasional" || top.Reach != 7.5 || len(top.Outlets) != 3 || !strings.Contains(top.URL, "tempo-nasional") || top.Title == "" {
		t.Errorf("top critical story %+v", top)
	}
	if len(d.Positive) != 1 || d.Positive[0].Title != "Urus IKD kini sehari jadi" {
		t.Errorf("positive %+v", d.Positive)
	}
	if len(d.Trending) == 0 || d.Trending[0].Programme != "ektp" || !d.Trending[0].Trending {
		t.Errorf("trending %+v: want e-KTP first", d.Trending)
	}
	for _, st := range d.Critical {
		if strings.Contains(st.Title, "Bansos") {
			t.Errorf("another unit's story listed: %s", st.Title)
		}
	}
	for _, f := range []string{FormatHTML, FormatMarkdown, FormatText, FormatJSON} {
		var b bytes.Buffer
		if err := Render(&b, d, f); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Urus IKD kini sehari jadi", "Warga keluhkan layanan ektp", "tempo-nasional.example.id"} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("%s lacks %q", f, want)
			}
		}
	}
	if err := Render(io.Discard, d, "pdf"); err == nil {
		t.Error("format pdf accepted")
	}
}

// smtpBackend is a real SMTP server (github.com/emersion/go-smtp) on loopback that keeps the
// messages it received.
type smtpBackend struct {
	mu   sync.Mutex
	msgs []smtpMessage
}

type smtpMessage struct {
	from string
	to   []string
	data []byte
}

func (b *smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{b: b}, nil }

type smtpSession struct {
	b   *smtpBackend
	msg smtpMessage
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error { s.msg.from = from; return nil }
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.to = append(s.msg.to, to)
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.data = data
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, s.msg)
	s.b.mu.Unlock()
	return nil
}
func (s *smtpSession) Reset()        { s.msg = smtpMessage{} }
func (s *smtpSession) Logout() error { return nil }

func (b *smtpBackend) messages() []smtpMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]smtpMessage(nil), b.msgs...)
}

func startSMTP(t *testing.T) (*smtpBackend, string) {
	t.Helper()
	be := &smtpBackend{}
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return be, ln.Addr().String()
}

// receiver is a webhook endpoint on loopback that keeps the bodies posted to it.
type receiver struct {
	mu     sync.Mutex
	bodies [][]byte
	fail   atomic.Bool
	url    string
}

func startReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if r.fail.Load() {
			http.Error(w, "temporarily down", http.StatusBadGateway)
			return
		}
		body, _ := io.ReadAll(req.Body)
		if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "want a JSON POST", http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.bodies = append(r.bodies, body)
		r.mu.Unlock()
		fmt.Fprint(w, `{"ok":true}`)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/hook/secret-token"
	return r
}

func (r *receiver) received() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...)
}

// TestSchedulerDeliversOncePerUnitAndDay sends the digests over a real SMTP server and three
// webhook receivers on loopback, then runs a second scheduler on the store reopened, as after
// a restart: nothing is sent twice. A receiver that fails gets its digest on a later check.
func TestSchedulerDeliversOncePerUnitAndDay(t *testing.T) {
	for _, b := range storagetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			cfg := b.Config(t)
			st := storagetest.Open(t, cfg)
			storeFixture(t, st)

			mailbox, smtpAddr := startSMTP(t)
			hooks := map[string]*receiver{WebhookJSON: startReceiver(t), WebhookTelegram: startReceiver(t), WebhookSlack: startReceiver(t)}
			hooks[WebhookSlack].fail.Store(true)
			senders := func(u Unit) []Sender {
				out := []Sender{MailerFrom(config.SMTP{Addr: smtpAddr, From: "Pantau <pantau@humas.example.go.id>"}, []string{"humas-" + u.ID + "@example.go.id"})}
				for _, f := range []string{WebhookJSON, WebhookTelegram, WebhookSlack} {
					out = append(out, WebhookFrom(config.Webhook{Name: "hook-" + f, URL: config.Secret(hooks[f].url), Format: f, ChatID: "-1001234"}))
				}
				return out
			}
			now := trendtest.Now.Add(time.Minute)
			newScheduler := func(st storage.Store) *Scheduler {
				return scheduler(t, st, SchedulerOptions{Digest: options(), Units: Units(taxonomy.Default()), Senders: senders,
					Now: func() time.Time { return now }})
			}

			// Before 16:30 WIB nothing is due.
			early := scheduler(t, st, SchedulerOptions{Digest: options(), Units: Units(taxonomy.Default()), Senders: senders,
				Now: func() time.Time { return trendtest.Now.Add(-time.Minute) }})
			if n, err := early.RunDue(ctx); err != nil || n != 0 {
				t.Fatalf("before the time: %d sent, %v", n, err)
			}

			// The units with stories in the window: Disdukcapil (e-KTP, family cards) and DLH
			// (the quiet history's waste-site stories); Dinas Sosial's quiet bansos stories too.
			n, err := newScheduler(st).RunDue(ctx)
			if err != nil {
				t.Fatal(err)
			}
			msgs := mailbox.messages()
			units := len(msgs)
			if units != 3 || n != 3*units {
				t.Fatalf("%d deliveries, %d e-mails: want 3 units by e-mail, JSON and Telegram", n, units)
			}
			checkMail(t, msgs, unitOf(t, "ektp"))
			if got := len(hooks[WebhookJSON].received()); got != units {
				t.Errorf("JSON webhook got %d posts, want %d", got, units)
			}
			checkTelegram(t, hooks[WebhookTelegram].received())

			// Restart: a new process on the same store sends nothing again, but the webhook
			// that failed gets its digests once it answers, after the backoff.
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			st2 := storagetest.Open(t, cfg)
			hooks[WebhookSlack].fail.Store(false)
			sched := newScheduler(st2)
			if n, err := sched.RunDue(ctx); err != nil || n != units {
				t.Fatalf("after the restart: %d sent, %v: want only the %d Slack posts", n, err, units)
			}
			checkSlack(t, hooks[WebhookSlack].received())
			now = now.Add(2 * time.Hour)
			if n, err := sched.RunDue(ctx); err != nil || n != 0 {
				t.Fatalf("third check: %d sent, %v", n, err)
			}
			if got := len(mailbox.messages()); got != units {
				t.Errorf("%d e-mails after the restart, want %d", got, units)
			}
			for f, r := range hooks {
				if got := len(r.received()); got != units {
					t.Errorf("%s webhook: %d posts, want %d", f, got, units)
				}
			}
		})
	}
}

func TestSchedulerRetriesAFailedWebhook(t *testing.T) {
	st := storagetest.Embedded(t)
	storeFixture(t, st)
	r := startReceiver(t)
	r.fail.Store(true)
	now := trendtest.Now.Add(time.Minute)
	u := unitOf(t, "ektp")
	sched := scheduler(t, st, SchedulerOptions{Digest: options(), Units: []Unit{u},
		Senders: func(Unit) []Sender {
			return []Sender{WebhookFrom(config.Webhook{Name: "json", URL: config.Secret(r.url)})}
		},
		Now: func() time.Time { return now }})
	ctx := context.Background()
	for i, step := range []struct {
		advance time.Duration
		fail    bool
		want    int
	}{{0, true, 0}, {30 * time.Second, false, 0}, {time.Minute, false, 1}, {time.Hour, false, 0}} {
		now = now.Add(step.advance)
		r.fail.Store(step.fail)
		n, err := sched.RunDue(ctx)
		if err != nil || n != step.want {
			t.Errorf("check %d: %d sent, %v; want %d", i, n, err, step.want)
		}
	}
	if got := len(r.received()); got != 1 {
		t.Errorf("%d posts, want 1", got)
	}
}

func checkMail(t *testing.T, msgs []smtpMessage, u Unit) {
	t.Helper()
	var found bool
	for _, m := range msgs {
		msg, err := mail.ReadMessage(bytes.NewReader(m.data))
		if err != nil {
			t.Fatal(err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			t.Fatal(err)
		}
		if m.from != "pantau@humas.example.go.id" || len(m.to) != 1 || !strings.HasPrefix(subject, "Kliping Pantau 2026-05-04") {
			t.Errorf("envelope %s → %v, subject %q", m.from, m.to, subject)
		}
		if m.to[0] != "humas-"+u.ID+"@example.go.id" {
			continue
		}
		found = true
		mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/alternative" {
			t.Fatalf("content type %q: %v", msg.Header.Get("Content-Type"), err)
		}
		parts := map[string]string{}
		mr := multipart.NewReader(msg.Body, params["boundary"])
		for {
			p, err := mr.NextPart() // decodes quoted-printable
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(p)
			ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			parts[ct] = string(body)
		}
		for _, ct := range []string{"text/plain", "text/html"} {
			for _, want := range []string{"Urus IKD kini sehari jadi", "Warga keluhkan layanan ektp", "https://tempo-nasional.example.id/berita/ektp-", "Akta kelahiran lambat terbit"} {
				if !strings.Contains(parts[ct], want) {
					t.Errorf("%s part lacks %q", ct, want)
				}
			}
		}
		if !strings.Contains(parts["text/html"], "<h2>Sedang tren</h2>") || strings.Contains(parts["text/plain"], "<h2>") {
			t.Error("the HTML part is not HTML or the text part is")
		}
	}
	if !found {
		t.Errorf("no e-mail to %s's recipients", u.ID)
	}
}

func checkTelegram(t *testing.T, bodies [][]byte) {
	t.Helper()
	for _, b := range bodies {
		var msg struct {
			ChatID    string `json:"chat_id"`
			Text      string `json:"text"`
			ParseMode string `json:"parse_mode"`
		}
		if err := json.Unmarshal(b, &msg); err != nil {
			t.Fatal(err)
		}
		if msg.ChatID != "-1001234" || msg.ParseMode != "HTML" || !strings.HasPrefix(msg.Text, "<b>Kliping Pantau 2026-05-04</b>") || len([]rune(msg.Text)) > telegramLimit {
			t.Errorf("telegram message %+v", msg)
		}
	}
}

func checkSlack(t *testing.T, bodies [][]byte) {
	t.Helper()
	for _, b := range bodies {
		var msg struct {
			Text   string           `json:"text"`
			Blocks []map[string]any `json:"blocks"`
		}
		if err := json.Unmarshal(b, &msg); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(msg.Text, "Kliping Pantau") || len(msg.Blocks) < 3 || msg.Blocks[0]["type"] != "header" {
			t.Errorf("slack message %s", b)
		}
	}
}

func TestUnitIDWithoutTaxonomyID(t *testing.T) {
	tests := []struct{ unit, prefix string }{
		{"Dinas Kependudukan dan Pencatatan Sipil (Disdukcapil); nasional Ditjen Dukcapil", "disdukcapil-"},
		{"PT PLN (Persero) unit setempat (UP3/UID); nasional Kementerian ESDM", "pt-pln-"},
		{"BPJS Kesehatan; Dinas Kesehatan", "bpjs-kesehatan-"},
	}
	for _, tt := range tests {
		id := UnitID(taxonomy.Programme{Unit: tt.unit})
		if !strings.HasPrefix(id, tt.prefix) || len(id) != len(tt.prefix)+4 || id != UnitID(taxonomy.Programme{Unit: tt.unit}) {
			t.Errorf("UnitID(%q) = %q, want %s and a stable 4-hex hash", tt.unit, id, tt.prefix)
		}
	}
	if a, b := UnitID(taxonomy.Programme{Unit: "Dinas PUPR (PUPR); jalan"}), UnitID(taxonomy.Programme{Unit: "Dinas PUPR (PUPR); drainase"}); a == b {
		t.Errorf("two units share the id %s", a)
	}
	if got := UnitID(taxonomy.Programme{Unit: "x", UnitID: "pupr"}); got != "pupr" {
		t.Errorf("the taxonomy's unit_id is not used: %s", got)
	}
}

func TestDigestPage(t *testing.T) {
	s := storagetest.Embedded(t)
	storeFixture(t, s)
	h, err := Handler(s, Units(taxonomy.Default()), HandlerOptions{Digest: options(), Now: func() time.Time { return trendtest.Now },
		Timeout: config.RequestTimeout, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	id := unitOf(t, "ektp").ID
	tests := []struct {
		path, want string
		status     int
	}{
		{"/digest?unit=" + id + "&date=2026-05-04", "Kliping harian Pantau — 2026-05-04", 200},
		{"/digest?unit=" + id, "Warga keluhkan layanan ektp", 200},
		{"/digest?unit=" + id + "&format=json", `"date": "2026-05-04"`, 200},
		{"/digest?unit=" + id + "&format=md", "## Berita kritis", 200},
		{"/digest", "?unit=" + id, 200},
		{"/digest?unit=" + id + "&date=kemarin", "want YYYY-MM-DD", 400},
		{"/digest?unit=nope", "no such unit", 404},
		{"/digest?unit=" + id + "&format=pdf", "want html", 400},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("status %d, want %d with %q:\n%.400s", rec.Code, tt.status, tt.want, rec.Body.String())
			}
		})
	}
}

// scheduler returns NewScheduler's scheduler, with a logger that discards.
func scheduler(t testing.TB, st storage.Store, opts SchedulerOptions) *Scheduler {
	t.Helper()
	opts.Logger = slog.New(slog.DiscardHandler)
	s, err := NewScheduler(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSendersRefuseZeroTimeouts(t *testing.T) {
	d := &Digest{Unit: Unit{ID: "ektp"}}
	for _, tc := range []struct {
		s    Sender
		want string
	}{
		{&Mailer{Addr: "127.0.0.1:1", From: "pantau@example.go.id", To: []string{"humas@example.go.id"}}, "Timeout"},
		{&Webhook{Name: "json", URL: "http://127.0.0.1:1/"}, "Client"},
	} {
		if err := tc.s.Send(context.Background(), d); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s sender without %s: err = %v, want one naming it", tc.s.Channel(), tc.want, err)
		}
	}
}
