// Package sms sends text messages: through an HTTP gateway in production
// (the operators' and aggregators' gateways take a JSON POST), to the log
// in the demo and in tests.
package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"dxhub/internal/platform/recent"
)

// Message is one text message to a mobile number.
type Message struct {
	To   string `json:"to"`
	Text string `json:"text"`
}

// Sender sends messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// LogSender writes messages to the log instead of sending them, and keeps
// the last hundred so that tests can read the codes.
type LogSender struct {
	Log  *slog.Logger
	sent recent.Last[Message]
}

func (s *LogSender) Send(ctx context.Context, m Message) error {
	s.Log.Info("sms (not sent: log sender)", "to", m.To, "text", m.Text)
	s.sent.Add(m)
	return nil
}

// Sent returns the messages sent so far.
func (s *LogSender) Sent() []Message {
	return s.sent.All()
}

// Gateway posts each message as JSON ({"to": "0912345678", "text": "..."})
// to URL with the token as a bearer credential; any answer but 2xx is an
// error.
type Gateway struct {
	URL    string
	Token  string
	Client *http.Client
}

func (g *Gateway) Send(ctx context.Context, m Message) error {
	body, _ := json.Marshal(m)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if g.Token != "" {
		req.Header.Set("Authorization", "Bearer "+g.Token)
	}
	c := g.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("sms gateway: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("sms gateway: status %d", resp.StatusCode)
	}
	return nil
}
