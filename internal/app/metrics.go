package app

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// appMetrics are the figures an operator watches on exam day that the
// rooms read from the database: attempts in progress, how late the sweeper is in closing
// attempts past their time, the work queued for the background (events
// not yet handled, message deliveries not yet made), and how many changes
// made on other nodes this node has heard of. Read at most every ten
// seconds whatever the scrape rate, bounded by a second.
type appMetrics struct {
	a *App

	mu   sync.Mutex
	at   time.Time
	vals map[*prometheus.Desc]float64
}

var (
	descInProgress = prometheus.NewDesc("dxhub_exam_attempts_in_progress", "Attempts in progress (all sessions).", nil, nil)
	descSweepLag   = prometheus.NewDesc("dxhub_exam_sweeper_lag_seconds", "How long the oldest attempt past its time and grace has waited to be closed (0: none).", nil, nil)
	descEvents     = prometheus.NewDesc("dxhub_events_behind", "Events recorded that the slowest background consumer has not handled yet.", nil, nil)
	descDeliveries = prometheus.NewDesc("dxhub_message_deliveries_pending", "Deliveries of campaign messages being sent that are not made yet.", nil, nil)
	descChanges    = prometheus.NewDesc("dxhub_cache_invalidations_total", "Changes made on other nodes that this node dropped from its caches.", nil, nil)
)

var registerMetrics sync.Once

// RegisterMetrics adds this node's database-side figures to /metrics
// (once per process: the server's one App).
func (a *App) RegisterMetrics() {
	registerMetrics.Do(func() { prometheus.MustRegister(&appMetrics{a: a}) })
}

func (m *appMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descInProgress, descSweepLag, descEvents, descDeliveries, descChanges} {
		ch <- d
	}
}

func (m *appMetrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	if time.Since(m.at) > 10*time.Second {
		m.vals, m.at = m.read(), time.Now()
	}
	vals := m.vals
	m.mu.Unlock()
	for d, v := range vals {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	ch <- prometheus.MustNewConstMetric(descChanges, prometheus.CounterValue, float64(m.a.DB.ChangesReceived()))
}

// read asks the rooms; a figure whose room fails to answer is left out
// of the scrape (the metric's absence is what an alert on it sees).
func (m *appMetrics) read() map[*prometheus.Desc]float64 {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	vals := map[*prometheus.Desc]float64{}
	if n, lag, err := m.a.Exams.InProgress(ctx); err == nil {
		vals[descInProgress], vals[descSweepLag] = float64(n), lag.Seconds()
	}
	if n, err := m.a.Events.Behind(ctx); err == nil {
		vals[descEvents] = float64(n)
	}
	if n, err := m.a.Camp.DeliveriesPending(ctx); err == nil {
		vals[descDeliveries] = float64(n)
	}
	return vals
}
