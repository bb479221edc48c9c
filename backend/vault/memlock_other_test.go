//go:build !unix

package vault

import (
	"fmt"
	"os"
)

// helperMemlock: RLIMIT_MEMLOCK is a unix limit; see memlock_unix_test.go.
func helperMemlock() int {
	fmt.Fprintln(os.Stderr, "memlock helper needs unix")
	return 2
}
