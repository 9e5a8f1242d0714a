// Package loop runs the periodic work of a server (reminders, sweeps) in
// the background, one way for every room.
package loop

import (
	"context"
	"log/slog"
	"time"

	"dxhub/internal/platform/db"
)

// Every calls fn every interval until ctx ends; an error is logged under
// name and the loop goes on.
func Every(ctx context.Context, every time.Duration, log *slog.Logger, name string, fn func(context.Context) error) {
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := fn(ctx); err != nil && ctx.Err() == nil {
					log.Error(name, "err", err)
				}
			}
		}
	}()
}

// EveryOnce is Every for work that must run on one node at a time: each
// turn runs only if no other node is running the same work (db.Alone).
func EveryOnce(ctx context.Context, d *db.DB, every time.Duration, log *slog.Logger, name string, fn func(context.Context) error) {
	Every(ctx, every, log, name, func(ctx context.Context) error {
		_, err := d.Alone(ctx, name, fn)
		return err
	})
}
