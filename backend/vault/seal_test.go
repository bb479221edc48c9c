package vault

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
)

var sizes = []int{0, 1, 15, 16, 17, 4096, 65536}

func TestSealOpenRoundTrip(t *testing.T) {
	v, _ := createTestVault(t, Options{})
	for _, n := range sizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			pt := make([]byte, n)
			rand.Read(pt)
			ad := AD{Kind: "secret", Record: "devops.pat", Field: "token", Version: n}
			sealed, err := v.Seal(ad, pt)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(sealed), 24+n+16; got != want {
				t.Errorf("sealed length = %d, want %d (nonce || ct || tag)", got, want)
			}
			if n >= 16 && bytes.Contains(sealed, pt[:16]) {
				t.Error("sealed value contains the plaintext")
			}
			got, err := openBuf(t, v, ad, sealed)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, pt) {
				t.Errorf("Open returned %d bytes that differ from the %d sealed", len(got), n)
			}
		})
	}
}

func TestSealedValueBitFlipsRejected(t *testing.T) {
	v, _ := createTestVault(t, Options{})
	ad := AD{Kind: "secret", Record: "jira.token", Field: "token", Version: 3}
	for _, n := range sizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			pt := bytes.Repeat([]byte{0xa5}, n)
			sealed, err := v.Seal(ad, pt)
			if err != nil {
				t.Fatal(err)
			}
			bits := len(sealed) * 8
			// Every bit of short values (nonce, ciphertext and tag alike);
			// for long ones every bit of the nonce and tag and a stride
			// through the ciphertext, to keep the test fast.
			step := 1
			if n > 64 {
				step = 97
			}
			tried := 0
			for bit := 0; bit < bits; bit++ {
				inNonceOrTag := bit < 24*8 || bit >= bits-16*8
				if !inNonceOrTag && bit%step != 0 {
					continue
				}
				bad := append([]byte{}, sealed...)
				bad[bit/8] ^= 1 << (bit % 8)
				buf, err := v.Open(ad, bad)
				if !errors.Is(err, ErrTampered) {
					if buf != nil {
						buf.Destroy()
					}
					t.Fatalf("flipped bit %d of %d: Open error = %v, want ErrTampered", bit, bits, err)
				}
				tried++
			}
			t.Logf("%d of %d bits flipped, all rejected", tried, bits)
		})
	}
	t.Run("truncated", func(t *testing.T) {
		sealed, err := v.Seal(ad, []byte("hello"))
		if err != nil {
			t.Fatal(err)
		}
		for _, cut := range []int{0, 1, 23, 24, 39, 40, len(sealed) - 1} {
			if _, err := openBuf(t, v, ad, sealed[:cut]); !errors.Is(err, ErrTampered) {
				t.Errorf("first %d bytes: Open error = %v, want ErrTampered", cut, err)
			}
		}
		if _, err := openBuf(t, v, ad, append(append([]byte{}, sealed...), 0)); !errors.Is(err, ErrTampered) {
			t.Errorf("extra byte: Open error = %v, want ErrTampered", err)
		}
	})
}

func TestSealedValueMovedRejected(t *testing.T) {
	v, _ := createTestVault(t, Options{})
	base := AD{Kind: "secret", Record: "devops.sp", Field: "client_secret", Version: 2}
	tests := []struct {
		name string
		to   AD
	}{
		{"other kind", AD{Kind: "setting", Record: base.Record, Field: base.Field, Version: base.Version}},
		{"other record", AD{Kind: base.Kind, Record: "devops.pat", Field: base.Field, Version: base.Version}},
		{"other field", AD{Kind: base.Kind, Record: base.Record, Field: "tenant", Version: base.Version}},
		{"older version", AD{Kind: base.Kind, Record: base.Record, Field: base.Field, Version: 1}},
		{"newer version", AD{Kind: base.Kind, Record: base.Record, Field: base.Field, Version: 3}},
		{"zero AD", AD{}},
		// Length-prefixed encoding: moving a boundary between parts must
		// not produce the same associated data.
		{"boundary record/field", AD{Kind: base.Kind, Record: base.Record + "c", Field: "lient_secret", Version: base.Version}},
		{"boundary kind/record", AD{Kind: "secretd", Record: "evops.sp", Field: base.Field, Version: base.Version}},
	}
	// Record ids contain ':' ("board:12"); a separator alone would let
	// "board:1"+"2:x" and "board:12"+"x" collide.
	colon := AD{Kind: "secret", Record: "board:12", Field: "token", Version: 1}
	colonMoves := []AD{
		{Kind: "secret", Record: "board:1", Field: "2:token", Version: 1},
		{Kind: "secret:board", Record: "12", Field: "token", Version: 1},
		{Kind: "secret", Record: "board:12:token", Field: "", Version: 1},
	}
	sealed, err := v.Seal(base, []byte("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openBuf(t, v, base, sealed); err != nil {
		t.Fatalf("Open at its own place: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := openBuf(t, v, tt.to, sealed); !errors.Is(err, ErrTampered) {
				t.Errorf("Open(%+v) of a value sealed for %+v: error = %v, want ErrTampered", tt.to, base, err)
			}
		})
	}

	colonSealed, err := v.Seal(colon, []byte("board token"))
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range colonMoves {
		t.Run(fmt.Sprintf("%q/%q/%q", to.Kind, to.Record, to.Field), func(t *testing.T) {
			if _, err := openBuf(t, v, to, colonSealed); !errors.Is(err, ErrTampered) {
				t.Errorf("Open(%+v) of a value sealed for %+v: error = %v, want ErrTampered", to, colon, err)
			}
		})
	}

	// Different vaults have different data keys, which alone stops a
	// move; the vault id in the AD also stops it between two vaults that
	// share a key (a copied file given a new id). Simulate that here.
	t.Run("same key, other vault id", func(t *testing.T) {
		v.mu.Lock()
		id := v.hdr.vaultID
		v.hdr.vaultID = strings.Repeat("0", len(id))
		v.mu.Unlock()
		defer func() {
			v.mu.Lock()
			v.hdr.vaultID = id
			v.mu.Unlock()
		}()
		if _, err := openBuf(t, v, base, sealed); !errors.Is(err, ErrTampered) {
			t.Errorf("Open under another vault id: error = %v, want ErrTampered", err)
		}
	})

	t.Run("other vault", func(t *testing.T) {
		other, _ := createTestVault(t, Options{})
		if _, err := openBuf(t, other, base, sealed); !errors.Is(err, ErrTampered) {
			t.Errorf("other vault opened the value: error = %v, want ErrTampered", err)
		}
	})
}

// Swapping the sealed blobs of two stored rows, as someone editing the file
// could, makes both fail to open.
func TestSealedRowsSwappedInFileRejected(t *testing.T) {
	ctx := context.Background()
	v, _ := createTestVault(t, Options{})
	rows := []struct {
		name string
		ver  int
		val  string
	}{{"devops.pat", 1, "pat-one"}, {"jira.token", 1, "jira-one"}, {"devops.pat", 2, "pat-two"}}
	err := v.Update(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			s, err := v.Seal(AD{Kind: "secret", Record: r.name, Field: "value", Version: r.ver}, []byte(r.val))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO secrets (name, version, meta, sealed, fingerprint, created_at, created_by)
				VALUES (?, ?, '{}', ?, '', '', '')`, r.name, r.ver, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string, ver int) ([]byte, error) {
		var s []byte
		if err := v.DB().QueryRowContext(ctx, "SELECT sealed FROM secrets WHERE name=? AND version=?", name, ver).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return openBuf(t, v, AD{Kind: "secret", Record: name, Field: "value", Version: ver}, s)
	}
	for _, r := range rows {
		if got, err := read(r.name, r.ver); err != nil || string(got) != r.val {
			t.Fatalf("before swap %s v%d = %q, %v", r.name, r.ver, got, err)
		}
	}
	swap := func(a, b int64) {
		var sa, sb []byte
		db := v.DB()
		if err := db.QueryRowContext(ctx, "SELECT sealed FROM secrets WHERE id=?", a).Scan(&sa); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, "SELECT sealed FROM secrets WHERE id=?", b).Scan(&sb); err != nil {
			t.Fatal(err)
		}
		for id, s := range map[int64][]byte{a: sb, b: sa} {
			if _, err := db.ExecContext(ctx, "UPDATE secrets SET sealed=? WHERE id=?", s, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	swap(1, 2) // across records: devops.pat v1 <-> jira.token v1
	swap(1, 3) // across versions: devops.pat v1 now holds v2's value, v2 holds jira's
	for _, r := range rows {
		if got, err := read(r.name, r.ver); !errors.Is(err, ErrTampered) {
			t.Errorf("after swap %s v%d = %q, %v; want ErrTampered", r.name, r.ver, got, err)
		}
	}
}
