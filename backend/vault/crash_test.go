package vault

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const helperVaultEnv = "SHAREDVAULT_VAULT_TEST_PATH"

// helperPasswdLoop opens the vault, unlocks it with passA or passB, says
// "ready" and then changes the passphrase back and forth until it is killed,
// printing "changed <n>" after each committed change.
func helperPasswdLoop() int {
	ctx := context.Background()
	v, err := Open(ctx, os.Getenv(helperVaultEnv), Options{AutoLock: -1})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return 1
	}
	cur, next := passA, passB
	// A kill may land after either passphrase was committed: try the other
	// one, and report the second attempt's error, not the first's.
	err = v.Unlock(ctx, cur)
	if errors.Is(err, ErrWrongPassphrase) {
		cur, next = passB, passA
		err = v.Unlock(ctx, cur)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "unlock:", err)
		return 1
	}
	fmt.Println("ready")
	for n := 1; ; n++ {
		if err := v.ChangePassphrase(ctx, next); err != nil {
			fmt.Fprintln(os.Stderr, "change passphrase:", err)
			return 1
		}
		cur, next = next, cur
		fmt.Println("changed", n)
	}
}

// A SIGKILL at any instant of ChangePassphrase leaves a vault that opens and
// unlocks with the old or the new passphrase, never neither, and that
// passes SQLite's integrity check.
func TestChangePassphraseSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 40 processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	v, path := createTestVault(t, Options{})
	sealed, err := v.Seal(AD{Kind: "secret", Record: "devops.pat", Field: "token", Version: 1}, []byte("still here"))
	if err != nil {
		t.Fatal(err)
	}
	v.Close()

	const iterations = 40
	deadline := time.Now().Add(20 * time.Second)
	var withA, withB, changes int
	for i := 0; i < iterations && time.Now().Before(deadline); i++ {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), helperEnv+"=passwd-loop", helperVaultEnv+"="+path)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		if !sc.Scan() || sc.Text() != "ready" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("iteration %d: helper did not get ready: %q %s", i, sc.Text(), stderr.String())
		}
		// Kill somewhere inside the loop: each change takes a few
		// milliseconds (fsyncs), so small random delays land in every
		// phase (derive, wrap, BEGIN, UPDATE, audit, COMMIT, checkpoint).
		time.Sleep(time.Duration(rand.IntN(15000)) * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "changed ") {
				changes++
			}
		}
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("iteration %d: helper ended with %v before the kill: %s", i, err, stderr.String())
		}

		v, err := Open(ctx, path, Options{AutoLock: -1})
		if err != nil {
			t.Fatalf("iteration %d: Open after kill: %v", i, err)
		}
		errA := v.Unlock(ctx, passA)
		var errB error
		if errA == nil {
			withA++
		} else {
			errB = v.Unlock(ctx, passB)
			if errB == nil {
				withB++
			}
		}
		if errA != nil && errB != nil {
			v.Close()
			t.Fatalf("iteration %d: vault unlocks with neither passphrase: %v / %v", i, errA, errB)
		}
		if got, err := openBuf(t, v, AD{Kind: "secret", Record: "devops.pat", Field: "token", Version: 1}, sealed); err != nil || string(got) != "still here" {
			t.Fatalf("iteration %d: sealed value after kill = %q, %v", i, got, err)
		}
		if _, err := v.VerifyAudit(ctx); err != nil {
			t.Errorf("iteration %d: audit chain after kill: %v", i, err)
		}
		var check string
		if err := v.DB().QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("iteration %d: quick_check = %q, %v", i, check, err)
		}
		if err := v.Close(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("after each kill: %d unlocked with A, %d with B; %d changes committed in total", withA, withB, changes)
	if withA+withB < 10 {
		t.Errorf("only %d iterations ran before the time budget", withA+withB)
	}
	if changes == 0 {
		t.Error("the helper never completed a passphrase change: the kills all landed before the loop")
	}
	if err := sqlIntegrity(path); err != nil {
		t.Error(err)
	}
}

// sqlIntegrity runs the full integrity_check on a closed file.
func sqlIntegrity(path string) error {
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path))
	if err != nil {
		return err
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity_check: %s", res)
	}
	return nil
}
