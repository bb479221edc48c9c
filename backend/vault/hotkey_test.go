package vault

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestHotKeyConcurrentLock: many goroutines sealing and opening (through the
// open key buffer and the scratch page) while the vault locks, unlocks and
// the key's linger expires must neither deadlock nor return anything but a
// value or ErrLocked; after Lock nothing opens.
func TestHotKeyConcurrentLock(t *testing.T) {
	ctx := context.Background()
	v, _ := createTestVault(t, Options{AutoLock: -1})
	ad := AD{Kind: "secret", Record: "devops.pat", Field: "value", Version: 1}
	sealed, err := v.Seal(ad, []byte("token-value"))
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := v.OpenWith(ad, sealed, 16, func(pt, scratch []byte) error {
					if string(pt) != "token-value" || len(scratch) != 16 {
						t.Errorf("OpenWith gave %q, scratch %d", pt, len(scratch))
					}
					return nil
				})
				if err != nil && !errors.Is(err, ErrLocked) {
					t.Errorf("OpenWith: %v", err)
				}
			}
		}()
	}
	for i := 0; i < 20; i++ {
		v.Lock()
		if i%5 == 0 {
			v.hot.drop() // the linger timer firing
		}
		if err := v.Unlock(ctx, passA); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	v.Lock()
	close(stop)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("deadlock: readers did not finish")
	}
	if err := v.OpenWith(ad, sealed, 0, func([]byte, []byte) error { return nil }); !errors.Is(err, ErrLocked) {
		t.Errorf("after Lock: %v, want ErrLocked", err)
	}
	if v.hot.buf != nil || v.hot.scratch != nil {
		t.Error("Lock left the open key or the scratch page alive")
	}
}
