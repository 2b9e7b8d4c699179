package pgstore

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cassauth/cassauth/store"
)

// Timing of the change feed's connection.
const (
	// feedPingInterval: after this long without a notification the feed
	// pings the server, so that a connection that died silently (a
	// partition, a server killed without a FIN) is noticed.
	feedPingInterval = 15 * time.Second
	// feedPingTimeout bounds that ping.
	feedPingTimeout = 5 * time.Second
	// feedBackoffMin and feedBackoffMax bound the wait between reconnection
	// attempts, which doubles from the first to the second.
	feedBackoffMin = 50 * time.Millisecond
	feedBackoffMax = 5 * time.Second
)

// listener is the change feed's side that hears other processes: a
// dedicated connection (outside the pool) that LISTENs on the channel, and
// a goroutine that turns notifications into deliveries.
type listener struct {
	s      *Store
	cfg    *pgx.ConnConfig
	ctx    context.Context // cancelled by stop
	cancel context.CancelFunc
	done   chan struct{} // closed when the goroutine returns
	// pid is the server process of the current connection, 0 while the
	// feed is down.
	pid atomic.Uint32
	// pingEvery is feedPingInterval unless tests shorten it.
	pingEvery time.Duration
}

// startListener connects and LISTENs before it returns, so that every
// change committed afterwards is heard, then starts the goroutine.
func startListener(ctx context.Context, cfg *pgx.ConnConfig, s *Store, pingEvery time.Duration) (*listener, error) {
	if pingEvery <= 0 {
		pingEvery = feedPingInterval
	}
	l := &listener{s: s, cfg: cfg, done: make(chan struct{}), pingEvery: pingEvery}
	conn, err := l.connect(ctx)
	if err != nil {
		return nil, err
	}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	go l.run(conn)
	return l, nil
}

// stop ends the goroutine and waits for it; it closes the connection.
func (l *listener) stop() {
	l.cancel()
	<-l.done
}

// connected reports whether the feed is listening right now.
func (l *listener) connected() bool { return l.pid.Load() != 0 }

// connect opens the feed's connection and LISTENs on the channel.
func (l *listener) connect(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, l.cfg.Copy())
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{l.s.channel}.Sanitize()); err != nil {
		closeConn(conn)
		return nil, err
	}
	l.pid.Store(conn.PgConn().PID())
	return conn, nil
}

// run listens until stop: when the connection fails it delivers a
// ChangeReset, reconnects with backoff, and delivers another ChangeReset
// once it listens again, for the changes that committed in between.
func (l *listener) run(conn *pgx.Conn) {
	defer close(l.done)
	log := l.s.log.With(slog.String("channel", l.s.channel))
	for {
		err := l.listen(conn)
		l.pid.Store(0)
		closeConn(conn)
		if l.ctx.Err() != nil {
			return
		}
		log.Warn("pgstore: change feed lost its connection; invalidating everything and reconnecting",
			slog.String("error", err.Error()))
		l.s.deliver(store.Change{Kind: store.ChangeReset})
		conn = l.reconnect(log)
		if conn == nil {
			return
		}
		log.Info("pgstore: change feed listening again")
		l.s.deliver(store.Change{Kind: store.ChangeReset})
	}
}

// listen waits for notifications on conn and delivers them, pinging the
// server when it has been quiet for a while, until the connection fails
// or stop is called.
func (l *listener) listen(conn *pgx.Conn) error {
	for {
		wctx, cancel := context.WithTimeout(l.ctx, l.pingEvery)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			l.handle(n)
			continue
		case l.ctx.Err() != nil:
			return err
		case errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed():
			pctx, cancel := context.WithTimeout(l.ctx, feedPingTimeout)
			err = conn.Ping(pctx)
			cancel()
			if err == nil {
				continue
			}
		}
		return err
	}
}

// handle delivers a notification, unless it comes from this Store (whose
// subscribers had it before the write returned) or from another schema.
func (l *listener) handle(n *pgconn.Notification) {
	origin, schema, ch, err := decodePayload(n.Payload)
	if err != nil {
		l.s.log.Warn("pgstore: undecodable notification; invalidating everything",
			slog.String("channel", l.s.channel), slog.String("error", err.Error()))
		l.s.deliver(store.Change{Kind: store.ChangeReset})
		return
	}
	if schema != l.s.schema || origin == l.s.origin {
		return
	}
	l.s.deliver(ch)
}

// reconnect connects again, waiting between attempts from feedBackoffMin,
// doubling up to feedBackoffMax. It returns nil when stop is called.
func (l *listener) reconnect(log *slog.Logger) *pgx.Conn {
	wait := feedBackoffMin
	for attempt := 1; ; attempt++ {
		t := time.NewTimer(wait)
		select {
		case <-l.ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		conn, err := l.connect(l.ctx)
		if err == nil {
			return conn
		}
		if l.ctx.Err() != nil {
			return nil
		}
		log.Warn("pgstore: change feed cannot reconnect", slog.Int("attempt", attempt),
			slog.Duration("next_in", min(2*wait, feedBackoffMax)), slog.String("error", err.Error()))
		wait = min(2*wait, feedBackoffMax)
	}
}

// closeConn closes a connection, giving the server a moment to hear the
// goodbye.
func closeConn(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = conn.Close(ctx)
}
