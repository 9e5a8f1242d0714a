// Package recent keeps the last few things of a kind that went by, for
// the senders that only log (mail and text messages in the demo and the
// tests), whose readers want what was "sent".
package recent

import "sync"

// Last keeps the latest Max values added (100 when Max is 0): a demo runs
// for days. Its zero value is ready to use.
type Last[T any] struct {
	Max int
	mu  sync.Mutex
	all []T
}

// Add keeps v, dropping the oldest past Max.
func (l *Last[T]) Add(v T) {
	max := l.Max
	if max == 0 {
		max = 100
	}
	l.mu.Lock()
	l.all = append(l.all, v)
	if len(l.all) > max {
		l.all = l.all[len(l.all)-max:]
	}
	l.mu.Unlock()
}

// All returns a copy of what is kept, oldest first.
func (l *Last[T]) All() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]T(nil), l.all...)
}
