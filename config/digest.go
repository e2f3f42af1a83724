package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"slices"
	"time"
)

// SMTPPasswordEnv is the environment variable that overrides digest.smtp.password.
const SMTPPasswordEnv = "PANTAU_SMTP_PASSWORD"

// Digest configures the daily clipping of each responsible unit.
type Digest struct {
	// Enabled makes `pantau run` send the digests.
	Enabled bool `yaml:"enabled"`
	// Time is the time of day (WIB, HH:MM) the digests go out; each covers the 24 hours before.
	Time string `yaml:"time"`
	// Units lists the unit ids to send digests for (pantau digest --list); empty: every unit.
	Units []string `yaml:"units"`
	// SendEmpty sends a digest without any story too.
	SendEmpty bool `yaml:"send_empty"`
	// PageURL links each digest to its printable page; {unit} and {date} are replaced,
	// e.g. http://127.0.0.1:9464/digest?unit={unit}&date={date}.
	PageURL string `yaml:"page_url"`
	// Critical and Positive are the most stories per section.
	Critical int `yaml:"critical"`
	Positive int `yaml:"positive"`
	// SMTP sends the digests by e-mail when Addr is set.
	SMTP SMTP `yaml:"smtp"`
	// Webhooks receive the digests as JSON.
	Webhooks []Webhook `yaml:"webhooks"`
}

// SMTP is the mail server digests go through.
type SMTP struct {
	// Addr is host:port of the server; STARTTLS is used when the server offers it.
	Addr string `yaml:"addr"`
	From string `yaml:"from"`
	// Username and Password authenticate (PLAIN, over TLS or to localhost only);
	// PANTAU_SMTP_PASSWORD overrides the password.
	Username string `yaml:"username"`
	Password Secret `yaml:"password"`
	// Recipients maps unit ids to addresses; "*" lists addresses every unit's digest goes to.
	Recipients map[string][]string `yaml:"recipients"`
}

// Webhook is an endpoint that receives digests.
type Webhook struct {
	// Name identifies it in logs and in the record of deliveries.
	Name string `yaml:"name"`
	// URL receives a POST per digest; hidden when printed, as it may hold a bot token.
	URL Secret `yaml:"url"`
	// Format is json (the digest), telegram (Bot API sendMessage) or slack (incoming webhook).
	Format string `yaml:"format"`
	// ChatID is the Telegram chat (format telegram).
	ChatID string `yaml:"chat_id"`
	// Units limits it to these unit ids; empty: every unit.
	Units []string `yaml:"units"`
}

// At returns Time as the offset from midnight; 07:00 when Time is empty or invalid.
func (d Digest) At() time.Duration {
	t, err := time.Parse("15:04", d.Time)
	if err != nil {
		return 7 * time.Hour
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
}

// RecipientsOf returns the addresses a unit's digest goes to.
func (s SMTP) RecipientsOf(unitID string) []string {
	out := slices.Clone(s.Recipients["*"])
	for _, a := range s.Recipients[unitID] {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// validate adds the digest section's problems.
func (d Digest) validate(add func(path, format string, args ...any)) {
	if d.Time != "" {
		if _, err := time.Parse("15:04", d.Time); err != nil {
			add("digest.time", "want HH:MM (WIB), got %q", d.Time)
		}
	}
	if d.Critical < 0 || d.Positive < 0 {
		add("digest.critical", "critical and positive must not be negative")
	}
	if d.PageURL != "" {
		if u, err := url.Parse(d.PageURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("digest.page_url", "want an absolute http(s) URL, got %q", d.PageURL)
		}
	}
	s := d.SMTP
	if s.Addr != "" {
		if _, _, err := net.SplitHostPort(s.Addr); err != nil {
			add("digest.smtp.addr", "want host:port, got %q", s.Addr)
		}
		if _, err := mail.ParseAddress(s.From); err != nil {
			add("digest.smtp.from", "want an e-mail address, got %q", s.From)
		}
		if len(s.Recipients) == 0 {
			add("digest.smtp.recipients", "list the addresses per unit id (or \"*\" for every unit)")
		}
	}
	for unit, addrs := range s.Recipients {
		for i, a := range addrs {
			if _, err := mail.ParseAddress(a); err != nil {
				add(fmt.Sprintf("digest.smtp.recipients.%s[%d]", unit, i), "want an e-mail address, got %q", a)
			}
		}
	}
	names := map[string]bool{}
	for i, w := range d.Webhooks {
		p := fmt.Sprintf("digest.webhooks[%d]", i)
		if w.Name == "" || names[w.Name] {
			add(p+".name", "want a unique name, got %q", w.Name)
		}
		names[w.Name] = true
		if u, err := url.Parse(w.URL.Reveal()); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add(p+".url", "want an absolute http(s) URL")
		}
		switch w.Format {
		case "", "json", "slack":
		case "telegram":
			if w.ChatID == "" {
				add(p+".chat_id", "a telegram webhook needs the chat_id the bot writes to")
			}
		default:
			add(p+".format", "want json, telegram or slack, got %q", w.Format)
		}
	}
	if d.Enabled && d.SMTP.Addr == "" && len(d.Webhooks) == 0 {
		add("digest.enabled", "set digest.smtp.addr or digest.webhooks: nowhere to send the digests")
	}
}
