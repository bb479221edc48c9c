package app

// A test-only stand-in for the Wails bridge: it serves frontend/dist with a
// shim that defines window.go.app.<Service>.<Method> as fetch POSTs to
// /__call/<Service>/<Method>, dispatches them by reflection to the real bound
// services, and streams Go-side events to window.runtime.EventsOn listeners
// over SSE. It lives in _test.go files so it is never part of a binary.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
)

var errorType = reflect.TypeFor[error]()

// dispatcher answers /__call/<Service>/<Method> for a list of bound structs,
// with Wails' rules: exported methods, JSON arguments, results (T, error),
// (T), (error) or nothing; errors go through FormatError.
type dispatcher struct {
	services map[string]reflect.Value // "VaultService" → *VaultService
}

func newDispatcher(bound ...any) *dispatcher {
	d := &dispatcher{services: map[string]reflect.Value{}}
	for _, b := range bound {
		v := reflect.ValueOf(b)
		d.services[v.Type().Elem().Name()] = v
	}
	return d
}

// methods lists the callable methods per service, for the shim.
func (d *dispatcher) methods() map[string][]string {
	out := map[string][]string{}
	for name, v := range d.services {
		t := v.Type()
		for i := range t.NumMethod() {
			out[name] = append(out[name], t.Method(i).Name)
		}
		sort.Strings(out[name])
	}
	return out
}

type callReply struct {
	Result any `json:"result,omitempty"`
	Error  any `json:"error,omitempty"`
}

func (d *dispatcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/__call/"), "/")
	if len(parts) != 2 {
		http.NotFound(w, r)
		return
	}
	svc, ok := d.services[parts[0]]
	if !ok {
		http.NotFound(w, r)
		return
	}
	m := svc.MethodByName(parts[1])
	if !m.IsValid() {
		http.NotFound(w, r)
		return
	}
	var raw []json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
		writeJSON(w, callReply{Error: "error parsing arguments: " + err.Error()})
		return
	}
	mt := m.Type()
	if len(raw) != mt.NumIn() {
		writeJSON(w, callReply{Error: fmt.Sprintf("%s.%s takes %d arguments, got %d", parts[0], parts[1], mt.NumIn(), len(raw))})
		return
	}
	args := make([]reflect.Value, len(raw))
	for i, a := range raw {
		p := reflect.New(mt.In(i))
		if err := json.Unmarshal(a, p.Interface()); err != nil {
			writeJSON(w, callReply{Error: "error parsing arguments: " + err.Error()})
			return
		}
		args[i] = p.Elem()
	}
	out := m.Call(args)
	var reply callReply
	if n := len(out); n > 0 && mt.Out(n-1) == errorType {
		if err, _ := out[n-1].Interface().(error); err != nil {
			reply.Error = FormatError(err)
		}
		out = out[:n-1]
	}
	if len(out) > 0 && reply.Error == nil {
		reply.Result = out[0].Interface()
	}
	writeJSON(w, reply)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// eventHub is the tests' Emitter: it streams events to every connected page.
type eventHub struct {
	mu      sync.Mutex
	clients map[chan []byte]struct{}
	emitted []string
}

func newEventHub() *eventHub { return &eventHub{clients: map[chan []byte]struct{}{}} }

func (h *eventHub) Emit(name string, data ...any) {
	if data == nil {
		data = []any{}
	}
	msg, err := json.Marshal(map[string]any{"name": name, "data": data})
	if err != nil {
		panic(err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.emitted = append(h.emitted, name)
	for c := range h.clients {
		select {
		case c <- msg:
		default: // a stuck page must not block the vault's lock hook
		}
	}
}

func (h *eventHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "no streaming", http.StatusInternalServerError)
		return
	}
	c := make(chan []byte, 16)
	h.mu.Lock()
	h.clients[c] = struct{}{}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.clients, c)
		h.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, ": connected\n\n")
	fl.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case msg := <-c:
			fmt.Fprintf(w, "data: %s\n\n", msg)
			fl.Flush()
		}
	}
}

const shimJS = `// test shim standing in for the Wails IPC bridge
(() => {
  const bindings = %s;
  const call = (svc, method) => async (...args) => {
    const r = await fetch('/__call/' + svc + '/' + method, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(args),
    });
    const reply = await r.json();
    if (reply.error !== undefined) throw reply.error;
    return reply.result;
  };
  window.go = { app: {} };
  for (const [svc, methods] of Object.entries(bindings)) {
    window.go.app[svc] = {};
    for (const m of methods) window.go.app[svc][m] = call(svc, m);
  }
  const listeners = new Map();
  const dispatch = (name, data) => {
    for (const l of [...(listeners.get(name) || [])]) {
      if (l.left === 0) continue;
      if (l.left > 0) l.left--;
      l.cb(...data);
    }
  };
  const log = (...a) => console.log(...a);
  window.runtime = {
    EventsOnMultiple(name, cb, max) {
      const l = { cb, left: max };
      if (!listeners.has(name)) listeners.set(name, []);
      listeners.get(name).push(l);
      return () => listeners.set(name, (listeners.get(name) || []).filter((x) => x !== l));
    },
    EventsOff(name, ...more) { for (const n of [name, ...more]) listeners.delete(n); },
    EventsOffAll() { listeners.clear(); },
    EventsEmit(name, ...data) { dispatch(name, data); },
    LogPrint: log, LogTrace: log, LogDebug: log, LogInfo: log, LogWarning: log, LogError: log, LogFatal: log,
  };
  window.__sharedvaultEvents = new EventSource('/__events');
  window.__sharedvaultEvents.onmessage = (e) => {
    const { name, data } = JSON.parse(e.data);
    dispatch(name, data);
  };
})();
`

// uiServer serves dist with the shim injected before the app's own scripts.
func uiServer(t *testing.T, dist fs.FS, d *dispatcher, events *eventHub) http.Handler {
	t.Helper()
	index, err := fs.ReadFile(dist, "index.html")
	if err != nil {
		t.Fatalf("read index.html: %v", err)
	}
	const tag = `<script src="/__shim.js"></script>`
	head := bytes.Index(index, []byte("<head>"))
	if head < 0 {
		t.Fatal("index.html has no <head>")
	}
	head += len("<head>")
	page := append(append(append([]byte{}, index[:head]...), tag...), index[head:]...)

	bindings, err := json.Marshal(d.methods())
	if err != nil {
		t.Fatal(err)
	}
	shim := fmt.Sprintf(shimJS, bindings)

	mux := http.NewServeMux()
	mux.Handle("/__call/", d)
	mux.Handle("/__events", events)
	mux.HandleFunc("/__shim.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, shim)
	})
	files := http.FileServerFS(dist)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" || r.URL.Path == "/index.html" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(page)
			return
		}
		files.ServeHTTP(w, r)
	})
	return securityHeaders(mux)
}

// requireUI skips (or, with SHAREDVAULT_UI_TESTS=1, fails) when the pieces a
// browser test needs are missing.
func requireUI(t *testing.T, what string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("SHAREDVAULT_UI_TESTS") == "1" {
		t.Fatalf("%s is missing and SHAREDVAULT_UI_TESTS=1 (run make setup frontend)", what)
	}
	t.Skipf("%s is missing (set SHAREDVAULT_UI_TESTS=1 to make this a failure)", what)
}
