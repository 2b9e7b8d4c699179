package cache

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestFakeClock(t *testing.T) {
	start := time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC)
	t.Run("now moves only on Advance", func(t *testing.T) {
		c := NewFakeClock(start)
		assert.Equal(t, start, c.Now())
		c.Advance(time.Second)
		c.Advance(-time.Hour) // ignored
		assert.Equal(t, start.Add(time.Second), c.Now())
		assert.False(t, NewFakeClock(time.Time{}).Now().IsZero())
	})
	t.Run("callbacks run in order at their due time", func(t *testing.T) {
		c := NewFakeClock(start)
		var got []string
		at := func(name string) func() {
			return func() { got = append(got, name+"@"+c.Now().Sub(start).String()) }
		}
		c.AfterFunc(3*time.Second, at("c"))
		c.AfterFunc(time.Second, at("a"))
		c.AfterFunc(time.Second, at("b")) // same time: registration order
		c.AfterFunc(-time.Second, at("now"))
		stopped := c.AfterFunc(2*time.Second, at("stopped"))
		assert.True(t, stopped.Stop())
		assert.False(t, stopped.Stop())
		assert.Equal(t, 4, c.Pending())

		c.Advance(2 * time.Second)
		assert.Equal(t, []string{"now@0s", "a@1s", "b@1s"}, got)
		assert.Equal(t, start.Add(2*time.Second), c.Now())
		c.Advance(time.Hour)
		assert.Equal(t, []string{"now@0s", "a@1s", "b@1s", "c@3s"}, got)
		assert.Zero(t, c.Pending())
	})
	t.Run("callbacks may reschedule within the same Advance", func(t *testing.T) {
		c := NewFakeClock(start)
		var ticks []time.Duration
		var tick func()
		tick = func() {
			ticks = append(ticks, c.Now().Sub(start))
			c.AfterFunc(time.Second, tick)
		}
		c.AfterFunc(time.Second, tick)
		c.Advance(3500 * time.Millisecond)
		assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}, ticks)
		assert.Equal(t, 1, c.Pending())
	})
}

func TestSystemClock(t *testing.T) {
	var c Clock = SystemClock{}
	before := time.Now()
	assert.False(t, c.Now().Before(before))
	done := make(chan struct{})
	tm := c.AfterFunc(0, func() { close(done) })
	<-done
	assert.False(t, tm.Stop())
	assert.True(t, c.AfterFunc(time.Hour, func() {}).Stop())
}
