package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/awnumar/memguard"
)

// Read limits of the files and stdin the CLI takes. Each is far above any
// real content; a larger input (a 100 MB "token") is refused as invalid
// input (exit 5) after reading at most limit+1 bytes, so it costs neither
// the time nor the memory of reading it. Tokens and secrets use
// providers.MaxTokenBytes, certificates netconf.MaxPEMBytes.
const (
	maxPassphraseFileBytes = 4 << 10  // vault and bundle passphrase files
	maxKeyFileBytes        = 64 << 10 // age recipients file, signer key file
)

// readLimited reads r up to limit bytes. source names where the value came
// from (a flag or an argument) for the refusal, which names the field and
// the limit but never the content. An oversized read is wiped: it may be a
// secret.
func readLimited(r io.Reader, field, source string, limit int) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		memguard.WipeBytes(b)
		return nil, err
	}
	if len(b) > limit {
		memguard.WipeBytes(b)
		return nil, withCode(ExitInvalid, fmt.Errorf("invalid %s: %s is larger than %d bytes", field, source, limit),
			"give a file that holds only the "+field)
	}
	return b, nil
}

// readFileLimited reads a non-secret file (certificates, recipients, keys)
// with readLimited.
func readFileLimited(name, field string, limit int) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, withCode(ExitInvalid, fmt.Errorf("read %s: %w", name, unwrapPath(err)), "")
	}
	defer f.Close()
	return readLimited(f, field, name, limit)
}
