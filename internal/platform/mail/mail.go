// Package mail sends e-mail: through an SMTP server in production, to the
// log in the demo and in tests.
package mail

import (
	"context"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/smtp"
	"strings"
	"time"

	"dxhub/internal/platform/recent"
)

// Message is one e-mail.
type Message struct {
	To      string
	Subject string
	Body    string
	// Unsubscribe is a one-click unsubscribe address (RFC 8058) for mail
	// sent to many, empty for mail a person asked for.
	Unsubscribe string
}

// Sender sends messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// LogSender writes messages to the log instead of sending them, and keeps
// the last ones so that tests can read them.
type LogSender struct {
	Log  *slog.Logger
	sent recent.Last[Message]
}

func (s *LogSender) Send(ctx context.Context, m Message) error {
	s.Log.Info("mail (not sent: log sender)", "to", m.To, "subject", m.Subject, "body", m.Body)
	s.sent.Add(m)
	return nil
}

// Sent returns a copy of the messages sent so far.
func (s *LogSender) Sent() []Message {
	return s.sent.All()
}

// SMTP sends through an SMTP server with optional PLAIN authentication
// (STARTTLS is used when the server offers it).
type SMTP struct {
	Addr     string // host:port
	From     string
	User     string
	Password string
}

func (s *SMTP) Send(ctx context.Context, m Message) error {
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("smtp address %q: %w", s.Addr, err)
	}
	var auth smtp.Auth
	if s.User != "" {
		auth = smtp.PlainAuth("", s.User, s.Password, host)
	}
	var b strings.Builder
	if m.Unsubscribe != "" && !strings.ContainsAny(m.Unsubscribe, "\r\n<>") {
		fmt.Fprintf(&b, "List-Unsubscribe: <%s>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", m.Unsubscribe)
	}
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s",
		s.From, m.To, mime.QEncoding.Encode("utf-8", m.Subject), time.Now().Format(time.RFC1123Z), strings.ReplaceAll(m.Body, "\n", "\r\n"))
	if err := smtp.SendMail(s.Addr, auth, s.From, []string{m.To}, []byte(b.String())); err != nil {
		return fmt.Errorf("send mail to %s: %w", m.To, err)
	}
	return nil
}
