package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progressBar draws a one-line progress bar on a terminal:
//
//	importing  [############............]  48%  12.3 MiB / 25.6 MiB
//
// Without a known total it shows the count alone. It redraws at most ten
// times a second and is safe for concurrent use. A nil *progressBar does
// nothing, so callers need not check whether progress is on.
type progressBar struct {
	mu    sync.Mutex // guards the fields below
	w     io.Writer
	label string
	unit  string // "bytes" or "rows"
	total int64  // <= 0: unknown
	done  int64
	last  time.Time
	drawn bool
	now   func() time.Time
}

const barWidth = 30

// newProgress returns a bar writing to w, or nil when off.
func newProgress(on bool, w io.Writer, label, unit string, total int64) *progressBar {
	if !on {
		return nil
	}
	return &progressBar{w: w, label: label, unit: unit, total: total, now: time.Now}
}

// set records progress and redraws if enough time has passed.
func (p *progressBar) set(done, total int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = done
	if total > 0 {
		p.total = total
	}
	if now := p.now(); now.Sub(p.last) >= 100*time.Millisecond {
		p.last = now
		p.drawLocked()
	}
}

// add adds n to the progress.
func (p *progressBar) add(n int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	done, total := p.done+n, p.total
	p.mu.Unlock()
	p.set(done, total)
}

// finish draws the final state and ends the line.
func (p *progressBar) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drawLocked()
	fmt.Fprintln(p.w)
}

func (p *progressBar) drawLocked() {
	p.drawn = true
	var b strings.Builder
	fmt.Fprintf(&b, "\r%-10s ", p.label)
	if p.total > 0 {
		frac := float64(p.done) / float64(p.total)
		frac = min(max(frac, 0), 1)
		n := int(frac * barWidth)
		fmt.Fprintf(&b, "[%s%s] %3d%%  %s / %s", strings.Repeat("#", n), strings.Repeat(".", barWidth-n),
			int(frac*100), p.amount(p.done), p.amount(p.total))
	} else {
		b.WriteString(p.amount(p.done))
	}
	b.WriteString("\x1b[K") // clear what a longer previous line left
	_, _ = io.WriteString(p.w, b.String())
}

// amount formats n in the bar's unit.
func (p *progressBar) amount(n int64) string {
	if p.unit != "bytes" {
		return fmt.Sprintf("%d %s", n, p.unit)
	}
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// countingReader reports the bytes read through it to a progress bar.
type countingReader struct {
	r    io.Reader
	n    int64
	p    *progressBar
	size int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	c.p.set(c.n, c.size)
	return n, err
}

// countingWriter reports the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
	p *progressBar
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	c.p.set(c.n, 0)
	return n, err
}
