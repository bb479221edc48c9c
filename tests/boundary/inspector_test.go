//go:build linux

package boundary

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

// inspector drives a WebKitGTK page through WebKit's own remote inspector
// (WEBKIT_INSPECTOR_HTTP_SERVER, a WebKit feature: the product has no test
// hook). Messages to the page go through Target.sendMessageToTarget.
type inspector struct {
	t      *testing.T
	ws     *websocket.Conn
	target string

	mu      sync.Mutex
	nextID  int
	waiting map[int]chan json.RawMessage
	created chan string
}

func dialInspector(t *testing.T, addr string) *inspector {
	t.Helper()
	var ws *websocket.Conn
	var err error
	for range 100 { // the server starts with the web view
		if ws, err = websocket.Dial("ws://"+addr+"/socket/1/1/WebPage", "", "http://"+addr+"/"); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("connect to the WebKit inspector at %s: %v", addr, err)
	}
	in := &inspector{t: t, ws: ws, waiting: map[int]chan json.RawMessage{}, created: make(chan string, 4)}
	t.Cleanup(func() { ws.Close() })
	go in.read()
	select {
	case in.target = <-in.created:
	case <-time.After(10 * time.Second):
		t.Fatal("the WebKit inspector announced no page target")
	}
	return in
}

type inspectorMsg struct {
	ID     int             `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

func (in *inspector) read() {
	for {
		var raw string
		if err := websocket.Message.Receive(in.ws, &raw); err != nil {
			return
		}
		var m inspectorMsg
		if json.Unmarshal([]byte(raw), &m) != nil {
			continue
		}
		switch m.Method {
		case "Target.targetCreated":
			var p struct {
				TargetInfo struct {
					TargetID string `json:"targetId"`
					Type     string `json:"type"`
				} `json:"targetInfo"`
			}
			if json.Unmarshal(m.Params, &p) == nil && p.TargetInfo.Type == "page" {
				in.created <- p.TargetInfo.TargetID
			}
		case "Target.dispatchMessageFromTarget":
			var p struct {
				Message string `json:"message"`
			}
			if json.Unmarshal(m.Params, &p) != nil {
				continue
			}
			var inner inspectorMsg
			if json.Unmarshal([]byte(p.Message), &inner) != nil || inner.ID == 0 {
				continue
			}
			in.mu.Lock()
			ch := in.waiting[inner.ID]
			delete(in.waiting, inner.ID)
			in.mu.Unlock()
			if ch != nil {
				ch <- json.RawMessage(p.Message)
			}
		}
	}
}

// send sends one command to the page and returns its result.
func (in *inspector) send(method string, params any) (json.RawMessage, error) {
	in.mu.Lock()
	in.nextID++
	id := in.nextID
	ch := make(chan json.RawMessage, 1)
	in.waiting[id] = ch
	in.mu.Unlock()
	inner, _ := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	outer, _ := json.Marshal(map[string]any{"id": id, "method": "Target.sendMessageToTarget",
		"params": map[string]any{"targetId": in.target, "message": string(inner)}})
	if err := websocket.Message.Send(in.ws, string(outer)); err != nil {
		return nil, err
	}
	select {
	case raw := <-ch:
		var m inspectorMsg
		json.Unmarshal(raw, &m)
		if len(m.Error) > 0 {
			return nil, fmt.Errorf("%s: %s", method, m.Error)
		}
		return m.Result, nil
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("%s: no answer", method)
	}
}

// eval runs an async JavaScript function body in the page and returns its
// JSON-decoded result; a rejection fails the test.
func (in *inspector) eval(body string, out any) {
	in.t.Helper()
	res, err := in.send("Runtime.evaluate", map[string]any{
		"expression": "(async () => { " + body + " })().then((v) => JSON.stringify(v === undefined ? null : v), (e) => { throw new Error(typeof e === 'string' ? e : JSON.stringify(e) || String(e)); })"})
	if err != nil {
		in.t.Fatalf("evaluate: %v", err)
	}
	var ev struct {
		Result struct {
			ObjectID string `json:"objectId"`
		} `json:"result"`
	}
	json.Unmarshal(res, &ev)
	res, err = in.send("Runtime.awaitPromise", map[string]any{"promiseObjectId": ev.Result.ObjectID, "returnByValue": true})
	if err != nil {
		in.t.Fatalf("await: %v", err)
	}
	var aw struct {
		Result struct {
			Value       any    `json:"value"`
			Description string `json:"description"`
		} `json:"result"`
		WasThrown bool `json:"wasThrown"`
	}
	json.Unmarshal(res, &aw)
	if aw.WasThrown {
		in.t.Fatalf("page script failed: %s\n%s", aw.Result.Description, firstLine(body))
	}
	s, _ := aw.Result.Value.(string)
	if out != nil {
		if err := json.Unmarshal([]byte(s), out); err != nil {
			in.t.Fatalf("decode %q: %v", s, err)
		}
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
