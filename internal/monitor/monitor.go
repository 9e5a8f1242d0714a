// Package monitor is the steering board's system (theo dõi, đánh giá):
// data elements, indicators computed when read from their formulas,
// targets per unit and year, periodic reports entered by units and approved
// up the tree, values computed from dxhub's own records, roll-up along the
// tree (merged units count in their successor), status against the
// straight path to each target, dashboards, rankings and composite indices.
package monitor

import (
	"context"
	"dxhub/internal/platform/loop"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"dxhub/internal/assessment"
	"dxhub/internal/campaign"
	"dxhub/internal/experts"
	"dxhub/internal/learning"
	"dxhub/internal/network"
	"dxhub/internal/org"
	"dxhub/internal/platform/audit"
	"dxhub/internal/platform/auth"
	"dxhub/internal/platform/db"
	"dxhub/internal/platform/files"
	"dxhub/internal/platform/mail"
)

// Aggregation types: how a unit's values over the periods of a year
// combine. Across units values always add up.
const (
	AggSum     = "sum"     // flows: enrolments, trainings held
	AggLast    = "last"    // stocks: number of experts at the end of the year
	AggAverage = "average" // stocks averaged over the year's periods
)

// Value types of data elements.
const (
	TypeInteger = "integer"
	TypeNumber  = "number"
	TypePercent = "percent"
)

// Sources of computed elements: dxhub's own records, read through the
// services that own them.
const (
	SourceReported  = "reported"
	SourcePeople    = "tree.people"         // people per unit and group (stock)
	SourceTrained   = "learning.trained"    // people with a course completed in the year
	SourceAssessed  = "assessment.assessed" // people who finished an exam in the year
	SourcePassed    = "assessment.passed"   // people who passed an exam in the year
	baselineYear    = 2022                  // Decision 146 was signed in January 2022
	firstYear       = 2020
	lastYear        = 2035
	defaultDueDays  = 10
	atRiskShare     = 0.85
	maxCategories   = 20
	maxDatasetElems = 100
)

// Sources lists the computed sources in display order.
var Sources = slices.Concat([]string{SourcePeople, SourceTrained, SourceAssessed, SourcePassed}, networkSources, expertSources, campaignSources)

// networkSources are the DX network's and expertSources the expert
// network's: counted per unit without categories, read at a full
// recompute through the rooms' MonitorCounts.
var (
	networkSources = []string{network.SourceCommittees, network.SourceTeams, network.SourceMembers, network.SourceVillages, network.SourceVillagesCovered, network.SourcePopulation,
		network.SourceActivities, network.SourceHelped}
	expertSources = []string{experts.SourceVerified, experts.SourceNational, experts.SourceProvincial, experts.SourceEngaged}
	// campaignSources are campaigns' participation figures, all flows.
	campaignSources = []string{campaign.SourceEntries, campaign.SourceRegistrations, campaign.SourceAttendance, campaign.SourceVisits}
)

// roomFlows are those sources counted over the year (the rest are
// stocks).
var roomFlows = slices.Concat([]string{network.SourceActivities, network.SourceHelped, experts.SourceEngaged}, campaignSources)

// RoomCounts is what monitoring asks of a room that gives computed
// sources (the DX network, the expert network).
type RoomCounts interface {
	MonitorCounts(ctx context.Context, year int) (map[string][]org.UnitCount, error)
}

var codeRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)

// Element is a data element (phần tử dữ liệu): a named quantity.
type Element struct {
	ID          string   `json:"-"`
	Code        string   `json:"code"`
	NameVI      string   `json:"name_vi"`
	NameEN      string   `json:"name_en"`
	Aggregation string   `json:"aggregation"`
	ValueType   string   `json:"value_type"`
	Categories  []string `json:"categories,omitempty"`
	Source      string   `json:"source"`
	// UnitVI and UnitEN name what the element counts ("người", "people").
	UnitVI string `json:"unit_vi,omitempty"`
	UnitEN string `json:"unit_en,omitempty"`
}

// Unit names what e counts in the reader's language.
func (e *Element) Unit(en bool) string {
	if en && e.UnitEN != "" {
		return e.UnitEN
	}
	return e.UnitVI
}

// Name is e's name in the reader's language.
func (e *Element) Name(en bool) string {
	if en && e.NameEN != "" {
		return e.NameEN
	}
	return e.NameVI
}

// Indicator is numerator / denominator × factor over elements.
type Indicator struct {
	ID          string  `json:"-"`
	Code        string  `json:"code"`
	NameVI      string  `json:"name_vi"`
	NameEN      string  `json:"name_en"`
	Measure     string  `json:"measure"` // percent, count, number
	Numerator   string  `json:"numerator"`
	Denominator string  `json:"denominator,omitempty"`
	Factor      float64 `json:"factor"`
	Seq         int     `json:"seq"`
	Public      bool    `json:"public"`

	num, den *Expr
}

// Name returns the indicator's name in lang ("en" or "vi").
func (i *Indicator) Name(en bool) string {
	if en && i.NameEN != "" {
		return i.NameEN
	}
	return i.NameVI
}

// Service is the monitoring system.
type Service struct {
	DB    *db.DB
	Log   *slog.Logger
	Audit *audit.Log
	Org   *org.Service
	Auth  *auth.Service
	Learn *learning.Service
	Exams *assessment.Exams
	// Net and Experts give the DX network's and the expert network's
	// figures (nil: none).
	Net, Experts, Campaigns RoomCounts
	Mail                    mail.Sender
	Files                   files.Store
	// BaseURL makes links in reminders absolute.
	BaseURL string
	// Now is the clock; tests set it.
	Now func() time.Time

	gen   atomic.Int64 // bumped by every change of definitions or targets
	ygen  sync.Map     // year → *atomic.Int64, bumped by every change of that year's values
	mu    sync.Mutex
	snaps map[snapKey]*snapshot
	cat   atomic.Pointer[catalog]
	// layers are each year's own values by source, before roll-up.
	layers layers
	// recomputing lets one recompute run at a time: two incremental ones
	// would both add what came after the same watermark.
	recomputing sync.Mutex
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// changed drops every cached roll-up on every node; the next read
// rebuilds what it needs.
func (s *Service) changed() {
	s.dropAll()
	s.DB.Announce(context.Background(), topicDefinitions, "")
}

func (s *Service) dropAll() {
	s.gen.Add(1)
	s.cat.Store(nil)
}

// changedYear drops the cached roll-ups of one year: values changed, and
// the other years' roll-ups stay valid.
func (s *Service) changedYear(year int) { s.yearGen(year).Add(1) }

// Topics of the news other nodes hear (db.Announce): definitions or
// targets changed; reports of a year changed ("year" or "year unit,unit");
// a recompute stored new counts of a year.
const (
	topicDefinitions = "monitor.definitions"
	topicReports     = "monitor.reports"
	topicComputed    = "monitor.computed"
)

// WatchChanges makes this node's roll-ups follow what other nodes change.
func (s *Service) WatchChanges() {
	s.DB.Subscribe(topicDefinitions, func(string) { s.dropAll() })
	s.DB.Subscribe(topicReports, func(key string) {
		if key == "" {
			s.dropAll()
			s.layers.drop()
			return
		}
		y, units, _ := strings.Cut(key, " ")
		year, err := strconv.Atoi(y)
		if err != nil {
			return
		}
		var ids []string
		if units != "" {
			ids = strings.Split(units, ",")
		}
		s.markReports(year, ids...)
	})
	s.DB.Subscribe(topicComputed, func(key string) {
		year, err := strconv.Atoi(key)
		if key == "" || err != nil {
			s.dropAll()
			s.layers.drop()
			return
		}
		s.layers.dropComputed(year)
		s.changedYear(year)
	})
}

func (s *Service) yearGen(year int) *atomic.Int64 {
	g, _ := s.ygen.LoadOrStore(year, new(atomic.Int64))
	return g.(*atomic.Int64)
}

// Start runs the reminders once an hour until ctx ends.
func (s *Service) Start(ctx context.Context, every time.Duration) {
	loop.EveryOnce(ctx, s.DB, every, s.Log, "monitoring reminders", func(ctx context.Context) error {
		_, err := s.Remind(ctx, s.now())
		return err
	})
}
