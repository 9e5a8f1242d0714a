package campaign

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"dxhub/internal/org"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/errs"
	"dxhub/internal/platform/i18n"
	"dxhub/internal/platform/mail"
	"dxhub/internal/platform/sms"
	"dxhub/internal/platform/textfold"
)

// Channels a message goes out on.
const (
	Email  = "email"
	SMS    = "sms"
	Notice = "notice" // on the person's home page and notices page
)

// Channels in the order forms show them.
var Channels = []string{Notice, Email, SMS}

// Topics a person may unsubscribe from, one by one.
var Topics = []string{"campaigns", "contests", "learning", "general"}

// Behaviours narrow a message's audience by what people did.
const (
	EveryOne        = ""
	EnteredRound    = "entered_round"          // finished a try of the round (ref: round id)
	NotEnteredRound = "not_entered_round"      // did not (ref: round id)
	EnteredNotNext  = "entered_not_round"      // entered the first, not the second (ref: "round,round")
	CourseNotBegun  = "assignment_not_started" // assigned courses and begun none (ref: the assignment's id)
)

// Behaviours in the order forms show them.
var Behaviours = []string{EveryOne, EnteredRound, NotEnteredRound, EnteredNotNext, CourseNotBegun}

// States of a message and of a delivery.
const (
	Scheduled = "scheduled"
	Sending   = "sending"
	Sent      = "sent"
	Cancelled = "cancelled"
	Pending   = "pending"
	Failed    = "failed"
	Opened    = "opened"
	Skipped   = "unsubscribed"
	NoAddress = "no_address"
	Unknown   = "unknown" // the node sending it stopped: not sent again
)

const (
	maxSubject = 200
	maxBody    = 4000
	maxSMS     = 480
	// expandBatch people are read and written a transaction at a time;
	// sendBatch deliveries are claimed, sent and recorded at a time.
	expandBatch = 2000
	sendBatch   = 500
	lease       = 2 * time.Minute
)

// Message is a message to a target group.
type Message struct {
	ID           string                    `json:"id"`
	CampaignID   string                    `json:"campaign_id,omitempty"`
	UnitCode     string                    `json:"unit_code"`
	UnitPath     string                    `json:"-"`
	Topic        string                    `json:"topic"`
	SubjectVI    string                    `json:"subject_vi"`
	SubjectEN    string                    `json:"subject_en,omitempty"`
	BodyVI       string                    `json:"body_vi"`
	BodyEN       string                    `json:"body_en,omitempty"`
	TargetCode   string                    `json:"target_code"`
	TargetPath   string                    `json:"-"`
	Groups       []string                  `json:"groups,omitempty"`
	Behaviour    string                    `json:"behaviour,omitempty"`
	BehaviourRef string                    `json:"behaviour_ref,omitempty"`
	Channels     []string                  `json:"channels"`
	SendAt       int64                     `json:"send_at"`
	Status       string                    `json:"status"`
	Recipients   int                       `json:"recipients"`
	FinishedAt   int64                     `json:"finished_at,omitempty"`
	Delivery     map[string]map[string]int `json:"delivery,omitempty"` // channel → state → count
}

// Subject is the subject in lang.
func (m *Message) Subject(lang i18n.Lang) string { return inLang(lang, m.SubjectVI, m.SubjectEN) }

// Body is the text in lang.
func (m *Message) Body(lang i18n.Lang) string { return inLang(lang, m.BodyVI, m.BodyEN) }

// MessageInput is what an office writes of a message.
type MessageInput struct {
	CampaignID   string   `json:"campaign_id"`
	UnitCode     string   `json:"unit_code"`
	Topic        string   `json:"topic"`
	SubjectVI    string   `json:"subject_vi"`
	SubjectEN    string   `json:"subject_en"`
	BodyVI       string   `json:"body_vi"`
	BodyEN       string   `json:"body_en"`
	TargetCode   string   `json:"target_code"`
	Groups       []string `json:"groups"`
	Behaviour    string   `json:"behaviour"`
	BehaviourRef string   `json:"behaviour_ref"`
	Channels     []string `json:"channels"`
	SendAt       int64    `json:"send_at"` // 0: now
}

func (in *MessageInput) clean() error {
	in.SubjectVI, in.SubjectEN = textfold.NFC(strings.TrimSpace(in.SubjectVI)), textfold.NFC(strings.TrimSpace(in.SubjectEN))
	in.BodyVI, in.BodyEN = textfold.NFC(strings.TrimSpace(in.BodyVI)), textfold.NFC(strings.TrimSpace(in.BodyEN))
	if in.Topic == "" {
		in.Topic = "campaigns"
	}
	for _, c := range []struct {
		f, v     string
		max      int
		required bool
	}{{"subject_vi", in.SubjectVI, maxSubject, true}, {"subject_en", in.SubjectEN, maxSubject, false}, {"body_vi", in.BodyVI, maxBody, true}, {"body_en", in.BodyEN, maxBody, false}} {
		if err := checkLen(c.f, c.v, c.max, c.required); err != nil {
			return err
		}
	}
	if !slices.Contains(Topics, in.Topic) {
		return errs.Field("topic", "campaign.bad_topic", in.Topic)
	}
	if len(in.Channels) == 0 {
		return errs.Field("channels", "campaign.no_channel")
	}
	for _, c := range in.Channels {
		if !slices.Contains(Channels, c) {
			return errs.Field("channels", "campaign.bad_channel", c)
		}
	}
	slices.Sort(in.Channels)
	in.Channels = slices.Compact(in.Channels)
	if slices.Contains(in.Channels, SMS) && utf8.RuneCountInString(in.BodyVI) > maxSMS {
		return errs.Field("body_vi", "campaign.sms_too_long", maxSMS)
	}
	if !slices.Contains(Behaviours, in.Behaviour) {
		return errs.Field("behaviour", "campaign.bad_behaviour", in.Behaviour)
	}
	return validGroups(in.Groups)
}

// checkBehaviour checks that the rounds a behaviour names exist and are
// of contests of campaigns the caller runs.
func (s *Service) checkBehaviour(ctx context.Context, p *auth.Principal, behaviour, ref string) error {
	if behaviour == EveryOne {
		return nil
	}
	if behaviour == CourseNotBegun {
		if s.Learn == nil {
			return errs.Field("behaviour", "campaign.bad_behaviour", behaviour)
		}
		if _, err := s.Learn.NotStarted(ctx, strings.TrimSpace(ref)); err != nil {
			return errs.Field("behaviour_ref", "campaign.bad_assignment")
		}
		return nil
	}
	ids := strings.Split(ref, ",")
	if want := map[bool]int{true: 2, false: 1}[behaviour == EnteredNotNext]; len(ids) != want {
		return errs.Field("behaviour_ref", "campaign.bad_behaviour_ref")
	}
	for _, id := range ids {
		var path string
		err := s.DB.R.QueryRowContext(ctx, `SELECT c.unit_path FROM cmp_rounds r JOIN cmp_contests k ON k.id = r.contest_id JOIN cmp_campaigns c ON c.id = k.campaign_id WHERE r.id = $1`, strings.TrimSpace(id)).Scan(&path)
		if err != nil || !p.Can(auth.ManageCampaigns, path) {
			return errs.Field("behaviour_ref", "campaign.bad_behaviour_ref")
		}
	}
	return nil
}

// Compose schedules a message from a unit the caller runs campaigns on
// to people of its subtree; a background job sends it at its time.
func (s *Service) Compose(ctx context.Context, in MessageInput) (*Message, error) {
	if err := in.clean(); err != nil {
		return nil, err
	}
	p, u, t, err := s.placement(ctx, in.UnitCode, in.TargetCode)
	if err != nil {
		return nil, err
	}
	// A message may promote any campaign its sender can see: a province
	// invites its civil servants to the national month.
	if in.CampaignID != "" {
		if _, err := s.Campaign(ctx, in.CampaignID); err != nil {
			return nil, errs.Field("campaign_id", "error.not_found")
		}
	}
	if err := s.checkBehaviour(ctx, p, in.Behaviour, in.BehaviourRef); err != nil {
		return nil, err
	}
	now := s.clock().UnixMilli()
	if in.SendAt < now {
		in.SendAt = now
	}
	m := &Message{ID: db.NewID(), CampaignID: in.CampaignID, UnitCode: u.Code, UnitPath: u.Path, Topic: in.Topic, SubjectVI: in.SubjectVI, SubjectEN: in.SubjectEN,
		BodyVI: in.BodyVI, BodyEN: in.BodyEN, TargetCode: t.Code, TargetPath: t.Path, Groups: in.Groups, Behaviour: in.Behaviour, BehaviourRef: in.BehaviourRef,
		Channels: in.Channels, SendAt: in.SendAt, Status: Scheduled}
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO cmp_messages (id, campaign_id, unit_id, unit_path, topic, subject_vi, subject_en, body_vi, body_en, target_path, groups, behaviour, behaviour_ref, channels, send_at, status, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		m.ID, m.CampaignID, u.ID, u.Path, m.Topic, m.SubjectVI, m.SubjectEN, m.BodyVI, m.BodyEN, t.Path, strings.Join(m.Groups, ","), m.Behaviour, m.BehaviourRef,
		strings.Join(m.Channels, ","), m.SendAt, Scheduled, p.AccountID, db.Now()); err != nil {
		return nil, err
	}
	return m, s.audit(ctx, p, "message.compose", "message", m.ID, u.Path, fmt.Sprintf("%s → %s %s [%s]", m.SubjectVI, t.Code, strings.Join(m.Groups, ","), strings.Join(m.Channels, ",")))
}

const messageCols = `m.id, m.campaign_id, m.unit_id, m.unit_path, m.topic, m.subject_vi, m.subject_en, m.body_vi, m.body_en, m.target_path, m.groups, m.behaviour, m.behaviour_ref, m.channels, m.send_at, m.status, m.recipients, m.finished_at`

func scanMessage(r db.Scanner) (*Message, error) {
	m := &Message{}
	var groups, channels string
	err := r.Scan(&m.ID, &m.CampaignID, &m.UnitCode, &m.UnitPath, &m.Topic, &m.SubjectVI, &m.SubjectEN, &m.BodyVI, &m.BodyEN, &m.TargetPath, &groups, &m.Behaviour, &m.BehaviourRef, &channels, &m.SendAt, &m.Status, &m.Recipients, &m.FinishedAt)
	m.Groups, m.Channels = splitList(groups), splitList(channels)
	return m, err
}

// messageUnits turns the units' ids into codes.
func (s *Service) messageUnits(ctx context.Context, ms []*Message) error {
	ids := []string{}
	for _, m := range ms {
		ids = append(ids, m.UnitCode, org.LeafID(m.TargetPath))
	}
	us, err := s.Org.UnitsByID(ctx, ids)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if u := us[m.UnitCode]; u != nil {
			m.UnitCode = u.Code
		}
		if u := us[org.LeafID(m.TargetPath)]; u != nil {
			m.TargetCode = u.Code
		}
	}
	return nil
}

// Messages lists the messages of the caller's scopes, newest first.
func (s *Service) Messages(ctx context.Context) ([]*Message, error) {
	_, scopes, err := auth.RequireScopes(ctx, auth.ManageCampaigns)
	if err != nil {
		return nil, err
	}
	var conds []string
	var args []any
	for _, sc := range scopes {
		args = append(args, s.DB.Dialect.PrefixPattern(sc))
		conds = append(conds, s.DB.Dialect.PrefixMatch("m.unit_path", len(args)))
	}
	ms, err := db.Query(ctx, s.DB.R, scanMessage, `SELECT `+messageCols+` FROM cmp_messages m WHERE (`+strings.Join(conds, ` OR `)+`) ORDER BY m.send_at DESC, m.id DESC LIMIT 200`, args...)
	if err != nil {
		return nil, err
	}
	return append([]*Message{}, ms...), s.messageUnits(ctx, ms)
}

// Message reads a message the caller's unit sent, with its delivery
// figures per channel.
func (s *Service) Message(ctx context.Context, id string) (*Message, error) {
	ms, err := db.Query(ctx, s.DB.R, scanMessage, `SELECT `+messageCols+` FROM cmp_messages m WHERE m.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, errs.E(errs.NotFound, "error.not_found")
	}
	m := ms[0]
	if _, err := auth.Authorize(ctx, auth.ManageCampaigns, m.UnitPath); err != nil {
		return nil, err
	}
	m.Delivery = map[string]map[string]int{}
	err = db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var ch, st string
		var n int
		if err := r.Scan(&ch, &st, &n); err != nil {
			return err
		}
		if m.Delivery[ch] == nil {
			m.Delivery[ch] = map[string]int{}
		}
		m.Delivery[ch][st] = n
		return nil
	}, `SELECT channel, status, COUNT(*) FROM cmp_deliveries WHERE message_id = $1 GROUP BY channel, status`, id)
	if err != nil {
		return nil, err
	}
	return m, s.messageUnits(ctx, ms)
}

// Cancel stops a message not yet begun.
func (s *Service) Cancel(ctx context.Context, id string) error {
	m, err := s.Message(ctx, id)
	if err != nil {
		return err
	}
	res, err := s.DB.W.ExecContext(ctx, `UPDATE cmp_messages SET status = $1 WHERE id = $2 AND status = $3`, Cancelled, id, Scheduled)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "campaign.already_sending")
	}
	return s.audit(ctx, auth.FromContext(ctx), "message.cancel", "message", id, m.UnitPath, m.SubjectVI)
}

// ---- sending

// SendDue sends the messages whose time has come, each by one node only:
// a node takes a message by a lease it renews; a message whose node
// stopped is taken over when the lease runs out. It returns how many
// deliveries it made.
func (s *Service) SendDue(ctx context.Context) (int, error) {
	now := s.clock().UnixMilli()
	ids, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, `SELECT id FROM cmp_messages WHERE (status = $1 AND send_at <= $2) OR (status = $3 AND lease_until < $2) ORDER BY send_at LIMIT 10`, Scheduled, now, Sending)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, id := range ids {
		res, err := s.DB.W.ExecContext(ctx, `UPDATE cmp_messages SET status = $1, lease_until = $2 WHERE id = $3 AND ((status = $4 AND send_at <= $5) OR (status = $1 AND lease_until < $5))`,
			Sending, now+lease.Milliseconds(), id, Scheduled, now)
		if err != nil {
			return total, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // another node took it
		}
		n, err := s.send(ctx, id)
		total += n
		if err != nil {
			return total, fmt.Errorf("message %s: %w", id, err)
		}
	}
	return total, nil
}

func (s *Service) renew(ctx context.Context, id string) error {
	_, err := s.DB.W.ExecContext(ctx, `UPDATE cmp_messages SET lease_until = $1 WHERE id = $2`, s.clock().Add(lease).UnixMilli(), id)
	return err
}

// send works a message this node holds: recipients first (once), then the
// deliveries still pending, a batch at a time, each batch claimed before
// it is sent so that no delivery goes out twice.
func (s *Service) send(ctx context.Context, id string) (int, error) {
	ms, err := db.Query(ctx, s.DB.R, scanMessage, `SELECT `+messageCols+` FROM cmp_messages m WHERE m.id = $1`, id)
	if err != nil || len(ms) == 0 {
		return 0, err
	}
	m := ms[0]
	var expanded int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT expanded FROM cmp_messages WHERE id = $1`, id).Scan(&expanded); err != nil {
		return 0, err
	}
	// Deliveries a stopped node had claimed are not sent again.
	if _, err := s.DB.W.ExecContext(ctx, `UPDATE cmp_deliveries SET status = $1 WHERE message_id = $2 AND status = $3`, Unknown, id, Sending); err != nil {
		return 0, err
	}
	if expanded == 0 {
		if err := s.expand(ctx, m); err != nil {
			return 0, err
		}
	}
	total := 0
	for _, ch := range m.Channels {
		for {
			n, err := s.sendBatch(ctx, m, ch)
			total += n
			if err != nil {
				return total, err
			}
			if n == 0 {
				break
			}
			if err := s.renew(ctx, id); err != nil {
				return total, err
			}
		}
	}
	_, err = s.DB.W.ExecContext(ctx, `UPDATE cmp_messages SET status = $1, finished_at = $2 WHERE id = $3`, Sent, db.Now(), id)
	return total, err
}

// expand writes one delivery per person and channel of the audience,
// idempotently (a second expansion after a stop adds nothing).
func (s *Service) expand(ctx context.Context, m *Message) error {
	keep, err := s.behaviourFilter(ctx, m)
	if err != nil {
		return err
	}
	count := 0
	err = s.Org.EachPersonIn(ctx, m.TargetPath, m.Groups, expandBatch, func(cs []org.Contact) error {
		cs = slices.DeleteFunc(cs, func(c org.Contact) bool { return keep != nil && !keep(c.ID) })
		if len(cs) == 0 {
			return nil
		}
		ids := make([]string, len(cs))
		for i, c := range cs {
			ids[i] = c.ID
		}
		off, err := s.unsubscribed(ctx, ids, m.Topic)
		if err != nil {
			return err
		}
		rows := make([][]any, 0, len(cs)*len(m.Channels))
		for _, c := range cs {
			for _, ch := range m.Channels {
				st := Pending
				switch {
				case off[c.ID] && ch != Notice:
					st = Skipped
				case ch == Email && c.Email == "", ch == SMS && c.Phone == "":
					st = NoAddress
				}
				rows = append(rows, []any{m.ID, c.ID, ch, st})
			}
		}
		count += len(cs)
		return s.DB.Tx(ctx, func(tx *sql.Tx) error {
			return db.InsertRows(ctx, tx, `INSERT INTO cmp_deliveries (message_id, person_id, channel, status) VALUES `, ` ON CONFLICT DO NOTHING`, rows)
		})
	})
	if err != nil {
		return err
	}
	_, err = s.DB.W.ExecContext(ctx, `UPDATE cmp_messages SET expanded = 1, recipients = (SELECT COUNT(DISTINCT person_id) FROM cmp_deliveries WHERE message_id = $1) WHERE id = $1`, m.ID)
	return err
}

// behaviourFilter is the test a person must pass for a behaviour (nil:
// everyone in the subtree and groups).
func (s *Service) behaviourFilter(ctx context.Context, m *Message) (func(string) bool, error) {
	if m.Behaviour == EveryOne {
		return nil, nil
	}
	if m.Behaviour == CourseNotBegun {
		ids, err := s.Learn.NotStarted(ctx, strings.TrimSpace(m.BehaviourRef))
		if err != nil {
			return nil, err
		}
		set := make(map[string]bool, len(ids))
		for _, id := range ids {
			set[id] = true
		}
		return func(id string) bool { return set[id] }, nil
	}
	rounds := strings.Split(m.BehaviourRef, ",")
	sets := make([]map[string]bool, len(rounds))
	for i, r := range rounds {
		accounts, err := s.enteredAccounts(ctx, strings.TrimSpace(r))
		if err != nil {
			return nil, err
		}
		ids := make([]string, 0, len(accounts))
		for a := range accounts {
			ids = append(ids, a)
		}
		persons, err := s.Auth.PersonsOf(ctx, ids)
		if err != nil {
			return nil, err
		}
		sets[i] = map[string]bool{}
		for _, p := range persons {
			sets[i][p] = true
		}
	}
	switch m.Behaviour {
	case EnteredRound:
		return func(id string) bool { return sets[0][id] }, nil
	case NotEnteredRound:
		return func(id string) bool { return !sets[0][id] }, nil
	}
	return func(id string) bool { return sets[0][id] && !sets[1][id] }, nil
}

func (s *Service) unsubscribed(ctx context.Context, ids []string, topic string) (map[string]bool, error) {
	args := []any{topic}
	for _, id := range ids {
		args = append(args, id)
	}
	out := map[string]bool{}
	err := db.Each(ctx, s.DB.R, func(r db.Scanner) error {
		var id string
		if err := r.Scan(&id); err != nil {
			return err
		}
		out[id] = true
		return nil
	}, `SELECT person_id FROM cmp_unsubscribes WHERE topic = $1 AND person_id IN (`+db.Numbered(2, len(ids))+`)`, args...)
	return out, err
}

// sendBatch claims up to sendBatch pending deliveries of a channel, sends
// them and records each result; it returns how many it claimed.
func (s *Service) sendBatch(ctx context.Context, m *Message, ch string) (int, error) {
	var ids []string
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		ids, err = db.Query(ctx, tx, func(r db.Scanner) (string, error) {
			var id string
			return id, r.Scan(&id)
		}, `SELECT person_id FROM cmp_deliveries WHERE message_id = $1 AND channel = $2 AND status = $3 ORDER BY person_id LIMIT `+fmt.Sprint(sendBatch), m.ID, ch, Pending)
		if err != nil || len(ids) == 0 {
			return err
		}
		args := []any{Sending, m.ID, ch}
		for _, id := range ids {
			args = append(args, id)
		}
		_, err = tx.ExecContext(ctx, `UPDATE cmp_deliveries SET status = $1 WHERE message_id = $2 AND channel = $3 AND person_id IN (`+db.Numbered(4, len(ids))+`)`, args...)
		return err
	})
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	results := make(map[string]string, len(ids)) // person → error ("" sent)
	if ch == Notice {
		for _, id := range ids {
			results[id] = ""
		}
	} else {
		contacts, err := s.contacts(ctx, ids)
		if err != nil {
			return 0, err
		}
		pace := s.pacer(ch)
		for _, id := range ids {
			pace()
			results[id] = s.deliver(ctx, m, ch, id, contacts[id])
		}
	}
	now := db.Now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		// One statement for those sent, one a failure.
		args := []any{Sent, now, m.ID, ch}
		for _, id := range ids {
			if results[id] == "" {
				args = append(args, id)
			}
		}
		if len(args) > 4 {
			if _, err := tx.ExecContext(ctx, `UPDATE cmp_deliveries SET status = $1, at = $2 WHERE message_id = $3 AND channel = $4 AND person_id IN (`+db.Numbered(5, len(args)-4)+`)`, args...); err != nil {
				return err
			}
		}
		for _, id := range ids {
			if e := results[id]; e != "" {
				if _, err := tx.ExecContext(ctx, `UPDATE cmp_deliveries SET status = $1, error = $2, at = $3 WHERE message_id = $4 AND channel = $5 AND person_id = $6`, Failed, e, now, m.ID, ch, id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return len(ids), err
}

// pacer waits between sends so that a channel's rate is kept.
func (s *Service) pacer(ch string) func() {
	rate := s.Rates[ch]
	if rate <= 0 {
		return func() {}
	}
	gap := time.Second / time.Duration(rate)
	next := time.Now()
	return func() {
		if d := time.Until(next); d > 0 {
			time.Sleep(d)
		}
		next = time.Now().Add(gap)
	}
}

func (s *Service) contacts(ctx context.Context, ids []string) (map[string]org.Contact, error) {
	out := map[string]org.Contact{}
	for i := 0; i < len(ids); i += 900 {
		cs, err := s.Org.Contacts(ctx, ids[i:min(len(ids), i+900)])
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			out[c.ID] = c
		}
	}
	return out, nil
}

// deliver sends one message to one person on one channel; it returns the
// error's text, empty when sent.
func (s *Service) deliver(ctx context.Context, m *Message, ch, personID string, c org.Contact) string {
	var err error
	switch ch {
	case Email:
		if c.Email == "" {
			return "no address"
		}
		link := s.UnsubscribeURL(ctx, personID, m.Topic)
		body := m.BodyVI + "\n\n" + i18n.T(i18n.VI, "campaign.mail_footer", link)
		if m.BodyEN != "" {
			body += "\n\n---\n\n" + m.BodyEN + "\n\n" + i18n.T(i18n.EN, "campaign.mail_footer", link)
		}
		subject := m.SubjectVI
		if m.SubjectEN != "" {
			subject += " / " + m.SubjectEN
		}
		err = s.Mail.Send(ctx, mail.Message{To: c.Email, Subject: subject, Body: body, Unsubscribe: link})
	case SMS:
		if c.Phone == "" {
			return "no phone"
		}
		err = s.SMS.Send(ctx, sms.Message{To: c.Phone, Text: m.BodyVI})
	}
	if err != nil {
		if s.Log != nil {
			s.Log.Warn("campaign: delivery failed", "message", m.ID, "channel", ch, "err", err)
		}
		msg := err.Error()
		if len(msg) > 200 {
			msg = msg[:200]
		}
		return msg
	}
	return ""
}

// Run sends due messages and stores page views until ctx ends.
func (s *Service) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.SendDue(ctx); err != nil && ctx.Err() == nil && s.Log != nil {
			s.Log.Error("campaign: sending", "err", err)
		}
		if err := s.FlushVisits(ctx); err != nil && ctx.Err() == nil && s.Log != nil {
			s.Log.Error("campaign: visits", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ---- unsubscribing

// signingKey is the key of unsubscribe links, made once for the
// installation and kept in the database so every node shares it.
func (s *Service) signingKey(ctx context.Context) ([]byte, error) {
	if k := s.key.Load(); k != nil {
		return *k, nil
	}
	b := make([]byte, 32)
	rand.Read(b)
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO cmp_keys (name, value) VALUES ('unsubscribe', $1) ON CONFLICT DO NOTHING`, hex.EncodeToString(b)); err != nil {
		return nil, err
	}
	var v string
	if err := s.DB.W.QueryRowContext(ctx, `SELECT value FROM cmp_keys WHERE name = 'unsubscribe'`).Scan(&v); err != nil {
		return nil, err
	}
	k, err := hex.DecodeString(v)
	if err != nil {
		return nil, err
	}
	s.key.Store(&k)
	return k, nil
}

func (s *Service) sign(ctx context.Context, personID, topic string) (string, error) {
	k, err := s.signingKey(ctx)
	if err != nil {
		return "", err
	}
	h := hmac.New(sha256.New, k)
	h.Write([]byte(personID + "\x00" + topic))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18]), nil
}

// UnsubscribeURL is the one-click address that stops a topic's messages
// to a person.
func (s *Service) UnsubscribeURL(ctx context.Context, personID, topic string) string {
	sig, err := s.sign(ctx, personID, topic)
	if err != nil {
		return s.BaseURL + "/notices"
	}
	return s.BaseURL + "/unsubscribe?" + url.Values{"p": {personID}, "t": {topic}, "s": {sig}}.Encode()
}

// CheckUnsubscribe says whether a link's signature is right.
func (s *Service) CheckUnsubscribe(ctx context.Context, personID, topic, sig string) error {
	want, err := s.sign(ctx, personID, topic)
	if err != nil {
		return err
	}
	if !slices.Contains(Topics, topic) || !hmac.Equal([]byte(want), []byte(sig)) {
		return errs.E(errs.Invalid, "campaign.bad_unsubscribe")
	}
	return nil
}

// Unsubscribe stops (or, with on, restarts) a topic's messages to a
// person: from a signed link, or the signed-in person's own choice.
func (s *Service) Unsubscribe(ctx context.Context, personID, topic, sig string, on bool) error {
	if sig != "" {
		if err := s.CheckUnsubscribe(ctx, personID, topic, sig); err != nil {
			return err
		}
	} else {
		p, err := auth.RequireUser(ctx)
		if err != nil {
			return err
		}
		if p.PersonID == "" || p.PersonID != personID || !slices.Contains(Topics, topic) {
			return errs.E(errs.Forbidden, "error.forbidden")
		}
	}
	var err error
	if on {
		_, err = s.DB.W.ExecContext(ctx, `DELETE FROM cmp_unsubscribes WHERE person_id = $1 AND topic = $2`, personID, topic)
	} else {
		_, err = s.DB.W.ExecContext(ctx, `INSERT INTO cmp_unsubscribes (person_id, topic, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, personID, topic, db.Now())
	}
	return err
}

// Subscriptions are the topics the signed-in person still receives.
func (s *Service) Subscriptions(ctx context.Context) (map[string]bool, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, t := range Topics {
		out[t] = true
	}
	if p.PersonID == "" {
		return out, nil
	}
	off, err := s.unsubscribedTopics(ctx, p.PersonID)
	for _, t := range off {
		out[t] = false
	}
	return out, err
}

func (s *Service) unsubscribedTopics(ctx context.Context, personID string) ([]string, error) {
	return db.Query(ctx, s.DB.R, func(r db.Scanner) (string, error) {
		var t string
		return t, r.Scan(&t)
	}, `SELECT topic FROM cmp_unsubscribes WHERE person_id = $1`, personID)
}

// ---- notices

// NoticeItem is a message as its recipient reads it.
type NoticeItem struct {
	MessageID string `json:"message_id"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	At        int64  `json:"at"`
	Read      bool   `json:"read"`
}

// Notices are the signed-in person's notices, newest first; reading them
// marks them opened.
func (s *Service) Notices(ctx context.Context, lang i18n.Lang) ([]*NoticeItem, error) {
	p, err := auth.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	if p.PersonID == "" {
		return []*NoticeItem{}, nil
	}
	ns, err := db.Query(ctx, s.DB.R, func(r db.Scanner) (*NoticeItem, error) {
		var m Message
		n := &NoticeItem{}
		var st string
		err := r.Scan(&n.MessageID, &m.SubjectVI, &m.SubjectEN, &m.BodyVI, &m.BodyEN, &n.At, &st)
		n.Subject, n.Body, n.Read = m.Subject(lang), m.Body(lang), st == Opened
		return n, err
	}, `SELECT m.id, m.subject_vi, m.subject_en, m.body_vi, m.body_en, d.at, d.status FROM cmp_deliveries d JOIN cmp_messages m ON m.id = d.message_id
		WHERE d.person_id = $1 AND d.channel = $2 AND d.status IN ($3, $4) ORDER BY d.at DESC LIMIT 50`, p.PersonID, Notice, Sent, Opened)
	if err != nil {
		return nil, err
	}
	ns = append([]*NoticeItem{}, ns...)
	if slices.ContainsFunc(ns, func(n *NoticeItem) bool { return !n.Read }) {
		if _, err := s.DB.W.ExecContext(ctx, `UPDATE cmp_deliveries SET status = $1 WHERE person_id = $2 AND channel = $3 AND status = $4`, Opened, p.PersonID, Notice, Sent); err != nil {
			return nil, err
		}
	}
	return ns, nil
}

// Unread counts the signed-in person's notices not yet opened.
func (s *Service) Unread(ctx context.Context) (int, error) {
	p := auth.FromContext(ctx)
	if p == nil || p.PersonID == "" {
		return 0, nil
	}
	var n int
	err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cmp_deliveries WHERE person_id = $1 AND channel = $2 AND status = $3`, p.PersonID, Notice, Sent).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return n, err
}

// DeliveriesPending counts the deliveries of messages being sent that are
// not made yet (for the operators' metrics).
func (s *Service) DeliveriesPending(ctx context.Context) (int, error) {
	var n int
	err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cmp_deliveries d JOIN cmp_messages m ON m.id = d.message_id WHERE m.status = $1 AND d.status = $2`, Sending, Pending).Scan(&n)
	return n, err
}
