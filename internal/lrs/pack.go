package lrs

import (
	"encoding/binary"
	"errors"
)

// Stored statements are packed: a statement's JSON repeats itself and every
// other statement (keys, the ADL verbs, the store's own authority and
// timestamps), so each is kept as references to earlier bytes of itself or
// of a fixed dictionary of such text. A statement takes about a third of
// the room, and so do the pages a server must keep in memory or read back.
// json.Marshal's output has no raw bytes below 0x20, but the format does
// not rely on that.
//
// Format: a version byte (1: packDict1), the JSON's length as a uvarint,
// then tokens until that length is reached; a token is a uvarint n:
// n&1 == 0: n>>1 literal bytes follow; n&1 == 1: copy n>>1 bytes (at least
// packMinMatch) from a uvarint distance back, counting the dictionary as
// the bytes before the statement.
//
// A dictionary never changes once statements use it; a better one comes
// with a new version byte and unpack keeps reading the old.
const packDict1 = `{"actor":{"account":{"homePage":"https://","name":""},"mbox":"mailto:","mbox_sha1sum":"","name":"","objectType":"Agent"},` +
	`"authority":{"account":{"homePage":"https://dxhub.gov.vn","name":"lrs_"},"name":"","objectType":"Agent"},` +
	`"context":{"contextActivities":{"category":[{"id":"https://"}],"grouping":[{"id":"https://"}],"other":[{"id":"https://"}],"parent":[{"id":"https://"}]},` +
	`"extensions":{"https://"},"instructor":{"language":"vi-VN","platform":"","registration":"","revision":"","statement":{"id":"","objectType":"StatementRef"},"team":{` +
	`"id":"","object":{"definition":{"choices":[{"description":{"en-US":"","vi-VN":""},"id":""}],"correctResponsesPattern":[""],"description":{"en-US":"","vi-VN":""},` +
	`"extensions":{},"interactionType":"choice","moreInfo":"https://","name":{"en-US":"","vi":"","vi-VN":""},"type":"http://adlnet.gov/expapi/activities/course"},` +
	`"id":"https://","objectType":"Activity"},"result":{"completion":true,"duration":"PT","extensions":{},"response":"","score":{"max":100,"min":0,"raw":,"scaled":0.},"success":false},` +
	`"stored":"2026-11-22T00:00:00.000Z","timestamp":"2026-11-22T00:00:00.000Z","verb":{"display":{"en-US":"completed","vi-VN":"đã hoàn thành"},` +
	`"id":"http://adlnet.gov/expapi/verbs/completed"},"version":"1.0.0"}` +
	`http://adlnet.gov/expapi/verbs/attempted http://adlnet.gov/expapi/verbs/passed http://adlnet.gov/expapi/verbs/failed ` +
	`http://adlnet.gov/expapi/verbs/answered http://adlnet.gov/expapi/verbs/experienced http://adlnet.gov/expapi/verbs/launched ` +
	`http://adlnet.gov/expapi/verbs/progressed http://adlnet.gov/expapi/verbs/initialized http://adlnet.gov/expapi/verbs/terminated ` +
	`http://adlnet.gov/expapi/verbs/voided http://adlnet.gov/expapi/activities/lesson http://adlnet.gov/expapi/activities/assessment ` +
	`http://adlnet.gov/expapi/activities/cmi.interaction http://adlnet.gov/expapi/activities/module`

const (
	packVersion1 = 1
	packMinMatch = 4
	packHashBits = 12
	packMaxSize  = maxBody // no statement is longer than the request that brought it
)

// packTable1 maps a hash of 4 bytes to the last dictionary position
// holding them (plus one; 0 is none), the starting point of every pack.
var packTable1 = func() (t [1 << packHashBits]int32) {
	d := packDict1
	for i := 0; i+packMinMatch <= len(d); i++ {
		t[packHash(d[i:])] = int32(i + 1)
	}
	return t
}()

func packHash(b string) uint32 {
	v := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
	return (v * 2654435761) >> (32 - packHashBits)
}

// pack returns the packed form of a statement's JSON.
func pack(src []byte) []byte {
	d := len(packDict1)
	hist := packDict1 + string(src) // dictionary, then the statement
	table := packTable1
	out := make([]byte, 0, len(src)/2+16)
	out = append(out, packVersion1)
	out = binary.AppendUvarint(out, uint64(len(src)))
	lit := d // first byte of the pending literal run
	flush := func(end int) {
		if end > lit {
			out = binary.AppendUvarint(out, uint64(end-lit)<<1)
			out = append(out, hist[lit:end]...)
		}
	}
	for p := d; p+packMinMatch <= len(hist); {
		h := packHash(hist[p:])
		cand := int(table[h]) - 1
		table[h] = int32(p + 1)
		if cand < 0 || hist[cand:cand+packMinMatch] != hist[p:p+packMinMatch] {
			p++
			continue
		}
		n := packMinMatch
		for p+n < len(hist) && hist[cand+n] == hist[p+n] {
			n++
		}
		flush(p)
		out = binary.AppendUvarint(out, uint64(n)<<1|1)
		out = binary.AppendUvarint(out, uint64(p-cand))
		for q := p + 1; q < p+n && q+packMinMatch <= len(hist); q++ {
			table[packHash(hist[q:])] = int32(q + 1)
		}
		p += n
		lit = p
	}
	flush(len(hist))
	return out
}

var errPacked = errors.New("stored statement: damaged packed form")

// unpack returns the JSON a pack call was given.
func unpack(z []byte) ([]byte, error) {
	if len(z) == 0 || z[0] != packVersion1 {
		return nil, errPacked
	}
	size, k := binary.Uvarint(z[1:])
	if k <= 0 || size > packMaxSize {
		return nil, errPacked
	}
	z = z[1+k:]
	d := len(packDict1)
	out := make([]byte, d, d+min(int(size), 1<<16))
	copy(out, packDict1)
	for len(out) < d+int(size) {
		n, k := binary.Uvarint(z)
		if k <= 0 {
			return nil, errPacked
		}
		z = z[k:]
		length := int(n >> 1)
		if n>>1 > size || len(out)-d+length > int(size) {
			return nil, errPacked
		}
		if n&1 == 0 {
			if length == 0 || length > len(z) {
				return nil, errPacked
			}
			out = append(out, z[:length]...)
			z = z[length:]
			continue
		}
		dist, k := binary.Uvarint(z)
		if k <= 0 || dist == 0 || dist > uint64(len(out)) || length < packMinMatch {
			return nil, errPacked
		}
		z = z[k:]
		from := len(out) - int(dist)
		if int(dist) >= length {
			out = append(out, out[from:from+length]...)
			continue
		}
		for i := range length { // overlaps what it writes
			out = append(out, out[from+i])
		}
	}
	if len(z) != 0 {
		return nil, errPacked
	}
	return out[d:], nil
}
