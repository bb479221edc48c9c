// Package migrations holds the goose SQL migrations of the vault schema,
// embedded so the single binary can create and upgrade vaults on its own.
package migrations

import "embed"

// FS is the set of *.sql migrations, applied in file-name order by goose.
//
//go:embed *.sql
var FS embed.FS
