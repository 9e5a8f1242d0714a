package lrs

import (
	"strings"
	"testing"
	"time"
)

var goodStatement = `{"actor":{"objectType":"Agent","name":"Mai","mbox":"mailto:mai@example.vn"},
"verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"vi-VN":"đã hoàn thành"}},
"object":{"id":"https://dxhub.gov.vn/courses/KNS","definition":{"name":{"vi":"Kỹ năng số"},"interactionType":"choice","choices":[{"id":"a"},{"id":"b"}]}},
"result":{"score":{"scaled":0.8,"raw":8,"min":0,"max":10},"success":true,"duration":"PT1H30M"},
"context":{"registration":"6f1c2a5e-3b7d-4c8e-9f10-112233445566","contextActivities":{"parent":{"id":"https://dxhub.gov.vn/paths/P"}}},
"timestamp":"2026-11-22T08:00:00.123+07:00"}`

func TestValidate(t *testing.T) {
	if err := Validate(mustDecode(t, goodStatement)); err != nil {
		t.Fatalf("valid statement refused: %v", err)
	}
	bad := map[string]string{
		`"mbox":"mailto:mai@example.vn"`:                        `"mbox":"mai@example.vn"`,
		`"scaled":0.8`:                                          `"scaled":1.8`,
		`"duration":"PT1H30M"`:                                  `"duration":"90 minutes"`,
		`"interactionType":"choice"`:                            `"interactionType":"essay"`,
		`"registration":"6f1c2a5e-3b7d-4c8e-9f10-112233445566"`: `"registration":"nope"`,
		`"timestamp":"2026-11-22T08:00:00.123+07:00"`:           `"timestamp":"yesterday"`,
		`"success":true`:                                        `"success":"yes"`,
		`"display":{"vi-VN"`:                                    `"display":{"not a tag!"`,
		`"name":"Mai",`:                                         `"name":"Mai","extra":1,`,
	}
	for from, to := range bad {
		err := Validate(mustDecode(t, strings.Replace(goodStatement, from, to, 1)))
		if err == nil {
			t.Errorf("%s accepted", to)
		} else if _, ok := err.(*ValidationError); !ok {
			t.Errorf("%s: %T", to, err)
		}
	}
}

// FuzzStatement: any body is either refused with a validation error or
// prepared for storage; nothing panics.
func FuzzStatement(f *testing.F) {
	f.Add(goodStatement)
	f.Add(`{"actor":{"objectType":"Group","member":[{"account":{"homePage":"https://x.vn","name":"a"}}]},"verb":{"id":"http://x/v"},"object":{"objectType":"SubStatement","actor":{"openid":"https://o.vn/a"},"verb":{"id":"http://x/v"},"object":{"objectType":"StatementRef","id":"6f1c2a5e-3b7d-4c8e-9f10-112233445566"}}}`)
	f.Add(`[{"actor":{}}]`)
	s := &Store{}
	f.Fuzz(func(t *testing.T, body string) {
		var v any
		if decode([]byte(body), &v) != nil {
			return
		}
		st, ok := v.(obj)
		if !ok {
			return
		}
		if err := Validate(st); err != nil {
			if _, ok := err.(*ValidationError); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if _, err := s.prepare(st, &Client{Name: "fuzz", Key: "k"}, time.Now()); err != nil {
			t.Fatalf("valid statement not prepared: %v", err)
		}
	})
}
