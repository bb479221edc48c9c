#!/bin/sh
# Regenerates argon2id_vectors.txt with the reference argon2 CLI (Debian
# package "argon2", the phc-winner-argon2 reference implementation):
#   sh gen_argon2id_vectors.sh > argon2id_vectors.txt
# Passwords and salts must not contain a single quote.
set -eu

vec() { # password salt t m_kib p len
	cmd="printf '%s' '$1' | argon2 '$2' -id -t $3 -k $4 -p $5 -l $6 -r"
	tag=$(printf '%s' "$1" | argon2 "$2" -id -t "$3" -k "$4" -p "$5" -l "$6" -r)
	echo "# \$ $cmd"
	printf 'password=%s salt=%s t=%s m=%s p=%s len=%s tag=%s\n' \
		"$(printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n')" \
		"$(printf '%s' "$2" | od -An -v -tx1 | tr -d ' \n')" "$3" "$4" "$5" "$6" "$tag"
}

cat <<HDR
# Argon2id known-answer vectors (Argon2 version 0x13), generated with the
# reference argon2 CLI (phc-winner-argon2, Debian package argon2
# $(dpkg-query -W -f '${Version}' argon2 2>/dev/null || echo '?')) by
# gen_argon2id_vectors.sh in this folder. Each vector is preceded by the
# exact command that produced its tag (-k is memory in KiB, -r prints the raw tag
# in hex). password and salt are the hex-encoded bytes of the quoted
# strings. The test checks that each command matches the data line after it.
# The CLI refuses an empty password and passwords over 127 bytes, so there
# are no such vectors.
HDR
vec 'password' 'somesalt16bytes!' 3 65536 4 32
vec 'correct horse battery staple' '0123456789abcdef' 3 65536 4 32
vec 'password' 'somesalt16bytes!' 1 8 1 32
vec 'x' 'saltsaltsaltsalt' 1 64 1 32
vec 'pässwörd ✓' 'NaCl&KCl+MgSO4!!' 2 256 2 32
vec 'password' 'somesalt16bytes!' 4 1024 8 32
vec 'password' 'somesalt16bytes!' 1 512 64 32
vec 'odd memory' 'not a multiple!!' 2 100 3 32
vec 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut' 'somesalt16bytes!' 2 2048 2 32
vec 'short tag' 'somesalt16bytes!' 2 32 4 16
vec 'long tag' 'somesalt16bytes!' 1 128 1 64
vec 'eight byte salt' 'somesalt' 2 65 1 32
