package org

import (
	"reflect"
	"strconv"
	"testing"
)

// A person counts once however many records they have, in every group
// they had; records without a unit are not people of the tree.
func TestTally(t *testing.T) {
	tl := NewTally()
	buf := []byte("acc1") // reused by the caller, as sql.RawBytes are
	tl.Add(buf, []byte("u1"), []byte("teacher,dx_staff"))
	copy(buf, "acc1")
	tl.Add(buf, []byte("u2"), []byte("citizen")) // same person, another record: not again
	tl.Add([]byte("acc2"), []byte("u1"), []byte(""))
	tl.Add([]byte("acc3"), []byte(""), []byte("teacher")) // no person record
	tl.addPlaced("u2", "teacher", 5)
	want := []UnitCount{
		{"u1", "", 2}, {"u1", "dx_staff", 1}, {"u1", "teacher", 1},
		{"u2", "", 5}, {"u2", "teacher", 5},
	}
	if got := tl.Counts(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	if LeafID("/a/b/c/") != "c" || LeafID("/a/") != "a" {
		t.Fatal("LeafID")
	}
}

// The set behind Tally keeps every key once through its growths.
func TestByteSet(t *testing.T) {
	var s byteSet
	for round := range 2 {
		for i := range 200000 {
			k := []byte("acc" + strconv.Itoa(i))
			if idx, fresh := s.add(k); fresh != (round == 0) || idx != uint32(i) {
				t.Fatalf("round %d key %s: index %d new=%v", round, k, idx, fresh)
			}
		}
	}
	if len(s.ends) != 200000 {
		t.Fatalf("%d keys", len(s.ends))
	}
}
