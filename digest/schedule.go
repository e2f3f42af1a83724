package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/pantau-id/pantau/storage"
)

// SchedulerOptions tunes a Scheduler.
type SchedulerOptions struct {
	// Digest composes each unit's digest; its At is the delivery time of day (WIB).
	Digest Options
	// Units are the units to send digests for.
	Units []Unit
	// Senders returns the channels a unit's digest goes to.
	Senders func(Unit) []Sender
	// SendEmpty sends a digest without any story too; by default it is skipped (and
	// recorded as nothing, so it is not composed again).
	SendEmpty bool
	// Now returns the current time.
	Now func() time.Time
	// Logger receives deliveries and failures.
	Logger *slog.Logger
	// Registerer receives the scheduler's metrics; nil registers none.
	Registerer prometheus.Registerer
}

// Scheduler sends each unit's digest once a day at the configured time, recording every
// delivery in the store: a digest already recorded for a unit, day and target is never
// sent again, also by a later process. A failed delivery is tried again on later checks
// (with a backoff) until the day is over.
type Scheduler struct {
	st   storage.Store
	opts SchedulerOptions

	sent, failed *prometheus.CounterVec

	mu    sync.Mutex
	retry map[string]retryState // by unit/day/channel/target
}

type retryState struct {
	at    time.Time
	delay time.Duration
}

// NewScheduler returns a scheduler over the store st; it refuses options without a clock
// or a logger.
func NewScheduler(st storage.Store, opts SchedulerOptions) (*Scheduler, error) {
	if opts.Now == nil || opts.Logger == nil {
		return nil, errors.New("digest: scheduler needs a clock and a logger")
	}
	reg := opts.Registerer
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	f := promauto.With(reg)
	return &Scheduler{
		st:    st,
		opts:  opts,
		retry: map[string]retryState{},
		sent: f.NewCounterVec(prometheus.CounterOpts{
			Name: "pantau_digest_sent_total",
			Help: "Daily digests delivered, by channel.",
		}, []string{"channel"}),
		failed: f.NewCounterVec(prometheus.CounterOpts{
			Name: "pantau_digest_failures_total",
			Help: "Daily digest deliveries that failed (tried again later), by channel.",
		}, []string{"channel"}),
	}, nil
}

// Run checks every interval (0 means a minute) until ctx is done, sending what is due. A
// failed check is logged and tried again at the next; Run returns nil when ctx is done.
func (s *Scheduler) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.RunDue(ctx); err != nil && ctx.Err() == nil {
			s.opts.Logger.Warn("digest check failed; trying again at the next check", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunDue sends today's digests (WIB) that are due and not yet recorded: once the delivery
// time of day has passed, every unit's digest goes to each of its senders that has no
// record for that unit and day. It returns the number of deliveries made; a failed
// delivery is logged, counted and left for a later call, and does not stop the others.
func (s *Scheduler) RunDue(ctx context.Context) (int, error) {
	now := s.opts.Now()
	day, err := ParseDay(Day(now))
	if err != nil {
		return 0, err
	}
	if _, due := Window(day, s.opts.Digest.At); now.Before(due) {
		return 0, nil
	}
	sent := 0
	for _, u := range s.opts.Units {
		if err := ctx.Err(); err != nil {
			return sent, err
		}
		n, err := s.sendUnit(ctx, u, day, now)
		sent += n
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// emptyChannel is the record of a digest that had nothing to send.
const emptyChannel = "none"

// sendUnit delivers unit's digest of day to each sender without a record. An error is
// returned only when the store does not answer.
func (s *Scheduler) sendUnit(ctx context.Context, u Unit, day, now time.Time) (int, error) {
	var pending []Sender
	for _, snd := range s.opts.Senders(u) {
		done, err := storage.DigestDelivered(ctx, s.st, u.ID, day, snd.Channel(), snd.Target())
		if err != nil {
			return 0, err
		}
		if !done && s.retryDue(key(u, day, snd), now) {
			pending = append(pending, snd)
		}
	}
	if len(pending) == 0 {
		return 0, nil
	}
	if !s.opts.SendEmpty {
		done, err := storage.DigestDelivered(ctx, s.st, u.ID, day, emptyChannel, emptyChannel)
		if err != nil || done {
			return 0, err
		}
	}
	d, err := Compose(ctx, s.st, u, day, s.opts.Digest)
	if err != nil {
		return 0, err
	}
	if d.Empty() && !s.opts.SendEmpty {
		s.opts.Logger.Info("digest empty, not sent", "unit", u.ID, "date", d.Date)
		return 0, storage.RecordDigestDelivery(ctx, s.st, storage.DigestDelivery{UnitID: u.ID, Day: day, Channel: emptyChannel, Target: emptyChannel, SentAt: now})
	}
	sent := 0
	for _, snd := range pending {
		if err := snd.Send(ctx, d); err != nil {
			s.failed.WithLabelValues(snd.Channel()).Inc()
			delay := s.backoff(key(u, day, snd), now)
			s.opts.Logger.Warn("digest not delivered; trying again later", "unit", u.ID, "date", d.Date,
				"channel", snd.Channel(), "target", snd.Target(), "retry_in", delay, "err", err)
			continue
		}
		// Recorded after the channel confirmed: a crash between the two sends it again.
		err := storage.RecordDigestDelivery(ctx, s.st, storage.DigestDelivery{UnitID: u.ID, Day: day, Channel: snd.Channel(),
			Target: snd.Target(), Stories: d.Stories(), SentAt: now})
		if err != nil {
			return sent, fmt.Errorf("digest of %s sent to %s but not recorded: %w", u.ID, snd.Target(), err)
		}
		s.sent.WithLabelValues(snd.Channel()).Inc()
		sent++
		s.opts.Logger.Info("digest delivered", "unit", u.ID, "date", d.Date, "channel", snd.Channel(), "target", snd.Target(),
			"critical", len(d.Critical), "positive", len(d.Positive))
	}
	return sent, nil
}

func key(u Unit, day time.Time, snd Sender) string {
	return u.ID + "/" + Day(day) + "/" + snd.Channel() + "/" + snd.Target()
}

// retryDue reports whether a delivery that failed before may be tried again at now.
func (s *Scheduler) retryDue(k string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.retry[k]
	return !ok || !now.Before(r.at)
}

// backoff records a failure and returns the wait before the next try: 1 minute, doubling
// up to an hour.
func (s *Scheduler) backoff(k string, now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.retry[k]
	r.delay = min(max(2*r.delay, time.Minute), time.Hour)
	r.at = now.Add(r.delay)
	s.retry[k] = r
	return r.delay
}
