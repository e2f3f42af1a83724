package digest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/pantau-id/pantau/config"
)

// Sender delivers digests over one channel to one target.
type Sender interface {
	// Channel is the kind of delivery ("email", "webhook") and Target its configured name;
	// together they key the record of what was sent.
	Channel() string
	Target() string
	// Send delivers d. A nil error means the receiving side took it (the SMTP server
	// accepted the message, the webhook answered 2xx); on error the digest may or may not
	// have arrived, and the scheduler tries again later.
	Send(ctx context.Context, d *Digest) error
}

// Mailer sends digests by e-mail over SMTP as multipart/alternative (plain text and HTML).
type Mailer struct {
	// Addr is the SMTP server, host:port.
	Addr string
	// From is the sender address; To the recipients.
	From string
	To   []string
	// Username and Password authenticate with PLAIN when Username is set; net/smtp sends
	// them only over TLS or to a server on localhost.
	Username, Password string
	// Timeout bounds the whole exchange.
	Timeout time.Duration
	// TLS configures STARTTLS, used whenever the server offers it; nil uses the defaults
	// for the server's host name.
	TLS *tls.Config
}

// MailerFrom returns the Mailer of s sending to the recipients to, bounded by
// config.DeliveryTimeout.
func MailerFrom(s config.SMTP, to []string) *Mailer {
	return &Mailer{Addr: s.Addr, From: s.From, To: to, Username: s.Username, Password: s.Password.Reveal(), Timeout: config.DeliveryTimeout}
}

// Channel returns "email".
func (m *Mailer) Channel() string { return "email" }

// Target returns "email": one record per unit and day for all of a unit's recipients.
func (m *Mailer) Target() string { return "email" }

// Send renders d and sends it to m.To.
func (m *Mailer) Send(ctx context.Context, d *Digest) error {
	msg, err := Message(d, m.From, m.To, time.Now())
	if err != nil {
		return err
	}
	from, _ := mail.ParseAddress(m.From) // parsed by Message
	if err := m.send(ctx, from.Address, msg); err != nil {
		return fmt.Errorf("send digest of %s by e-mail via %s: %w", d.Unit.ID, m.Addr, err)
	}
	return nil
}

func (m *Mailer) send(ctx context.Context, from string, msg []byte) error {
	if m.Timeout <= 0 {
		return errors.New("mailer without a Timeout: build it with MailerFrom")
	}
	ctx, cancel := context.WithTimeout(ctx, m.Timeout)
	defer cancel()
	host, _, err := net.SplitHostPort(m.Addr)
	if err != nil {
		return err
	}
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return err
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := m.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: host}
		}
		if err := c.StartTLS(cfg); err != nil {
			return err
		}
	}
	if m.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, host)); err != nil {
			return err
		}
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	for _, to := range m.To {
		a, err := mail.ParseAddress(to) // parsed by Message
		if err != nil {
			return err
		}
		if err := c.Rcpt(a.Address); err != nil {
			return fmt.Errorf("recipient %s: %w", to, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// Message returns d as an RFC 5322 message from from to to: multipart/alternative with a
// plain-text and an HTML part, both UTF-8 and quoted-printable.
func Message(d *Digest, from string, to []string, now time.Time) ([]byte, error) {
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("from %q: %w", from, err)
	}
	var toList []string
	for _, t := range to {
		a, err := mail.ParseAddress(t)
		if err != nil {
			return nil, fmt.Errorf("recipient %q: %w", t, err)
		}
		toList = append(toList, a.String())
	}
	if len(toList) == 0 {
		return nil, errors.New("no recipients")
	}
	var htmlBody, textBody bytes.Buffer
	if err := Render(&htmlBody, d, FormatHTML); err != nil {
		return nil, err
	}
	if err := Render(&textBody, d, FormatText); err != nil {
		return nil, err
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, part := range []struct {
		typ  string
		data []byte
	}{{"text/plain; charset=utf-8", textBody.Bytes()}, {"text/html; charset=utf-8", htmlBody.Bytes()}} {
		pw, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {part.typ}, "Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return nil, err
		}
		qw := quotedprintable.NewWriter(pw)
		if _, err := qw.Write(part.data); err != nil {
			return nil, err
		}
		if err := qw.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	var id [12]byte
	_, _ = rand.Read(id[:])
	domain := fromAddr.Address[strings.LastIndexByte(fromAddr.Address, '@')+1:]
	var msg bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&msg, "%s: %s\r\n", k, v) }
	header("From", fromAddr.String())
	header("To", strings.Join(toList, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", oneLine(d.Subject())))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", "<pantau-digest-"+hex.EncodeToString(id[:])+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
	msg.WriteString("\r\n")
	msg.Write(body.Bytes())
	return msg.Bytes(), nil
}

// oneLine keeps a header value on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Webhook formats.
const (
	WebhookJSON     = "json"     // the Digest as JSON (see FormatJSON)
	WebhookTelegram = "telegram" // a Telegram Bot API sendMessage request
	WebhookSlack    = "slack"    // a Slack incoming-webhook message
)

// Webhook posts digests to a URL as JSON.
type Webhook struct {
	// Name identifies the webhook in the delivery record and logs (never the URL, which
	// may hold a token).
	Name string
	URL  string
	// Format is WebhookJSON, WebhookTelegram or WebhookSlack.
	Format string
	// ChatID is the Telegram chat the bot writes to (WebhookTelegram).
	ChatID string
	// Client sends the request; its timeout bounds the delivery.
	Client *http.Client
}

// WebhookFrom returns the Webhook w configures, bounded by config.DeliveryTimeout.
func WebhookFrom(w config.Webhook) *Webhook {
	return &Webhook{Name: w.Name, URL: w.URL.Reveal(), Format: w.Format, ChatID: w.ChatID,
		Client: &http.Client{Timeout: config.DeliveryTimeout}}
}

// Channel returns "webhook".
func (h *Webhook) Channel() string { return "webhook" }

// Target returns the webhook's name.
func (h *Webhook) Target() string { return h.Name }

// Payload returns the request body for d in the webhook's format.
func (h *Webhook) Payload(d *Digest) ([]byte, error) {
	switch h.Format {
	case WebhookJSON, "":
		return json.Marshal(d)
	case WebhookTelegram:
		return json.Marshal(map[string]any{"chat_id": h.ChatID, "text": telegramText(d), "parse_mode": "HTML",
			"link_preview_options": map[string]any{"is_disabled": true}})
	case WebhookSlack:
		return json.Marshal(slackPayload(d))
	}
	return nil, fmt.Errorf("webhook %s: format %q: want json, telegram or slack", h.Name, h.Format)
}

// Send posts d and succeeds on a 2xx answer.
func (h *Webhook) Send(ctx context.Context, d *Digest) error {
	body, err := h.Payload(d)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook %s: %w", h.Name, redact(err, h.URL))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Pantau-digest")
	if h.Client == nil {
		return fmt.Errorf("webhook %s without a Client: build it with WebhookFrom", h.Name)
	}
	res, err := h.Client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", h.Name, redact(err, h.URL))
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("webhook %s: status %d: %s", h.Name, res.StatusCode, strings.TrimSpace(string(answer)))
	}
	return nil
}

// redact removes a webhook URL, which may carry a bot token, from an error.
func redact(err error, url string) error {
	return errors.New(strings.ReplaceAll(err.Error(), url, "<webhook url>"))
}
