package bundle

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestCompactObject(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{`{}`, true},
		{`{"a":1,"b":[1,2,{"c":"x y\tz"}]}`, true},
		{`{"q":"say \"hi\" \\ there","n":null}`, true},
		{`{"a": 1}`, false},
		{"{\"a\":1}\n", false},
		{`[1,2]`, false},
		{`{"a":"unterminated}`, false},
		{`{"a":{"b":1}`, false},
		{"{\"a\":\"line\nbreak\"}", false},
		{``, false},
	} {
		if got := compactObject([]byte(c.in)); got != c.want {
			t.Errorf("compactObject(%q) = %v, want %v", c.in, got, c.want)
		}
		if c.want {
			var buf bytes.Buffer
			if err := json.Compact(&buf, []byte(c.in)); err != nil || buf.String() != c.in {
				t.Errorf("%q is reported compact but json.Compact gives %q (%v)", c.in, buf.String(), err)
			}
		}
	}
}

// The fast path and json.Compact give the same canonical bytes.
func TestCanonicalPayloadSameEitherWay(t *testing.T) {
	spaced := json.RawMessage("{ \"boards\": [ {\"name\": \"Web\", \"use_global\": true} ] }")
	compact := json.RawMessage(`{"boards":[{"name":"Web","use_global":true}]}`)
	a, copiedA, errA := canonicalPayload(spaced)
	b, copiedB, errB := canonicalPayload(compact)
	if errA != nil || errB != nil || !bytes.Equal(a, b) || !copiedA || copiedB {
		t.Errorf("spaced → %q (copied %v, %v); compact → %q (copied %v, %v)", a, copiedA, errA, b, copiedB, errB)
	}
}
