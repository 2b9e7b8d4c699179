package authn

import (
	"strings"
	"unicode/utf8"
)

// javaString returns the string Java builds with new String(b, UTF_8):
// valid UTF-8 unchanged, and every malformed sequence replaced by one U+FFFD
// exactly where the JDK's decoder (java.lang.String.decodeUTF8_UTF16, the
// same rules as sun.nio.cs.UTF_8) puts them. Cassandra decodes SASL PLAIN
// usernames and passwords this way, and jBCrypt hashes the UTF-8 encoding of
// the resulting Java string, so a password sent with invalid UTF-8 verifies
// against an imported hash exactly as it does in Cassandra.
//
// The rules, per lead byte b1 (b2.. the following bytes):
//   - 00..7F: itself.
//   - C2..DF: with a continuation byte, the pair; otherwise one U+FFFD for
//     b1 alone (the next byte is decoded on its own).
//   - E0..EF: with two more bytes: well-formed gives the character, or one
//     U+FFFD for all three if it is a surrogate (ED A0..BF ..); malformed
//     gives one U+FFFD for b1 alone if b2 is not a valid second byte (E0
//     80..9F is overlong), else for b1 b2. With fewer bytes left: one U+FFFD
//     for b1 if the next byte is invalid, else one for the rest of the input.
//   - F0..F7: with three more bytes: a well-formed supplementary character,
//     or one U+FFFD for the maximal invalid prefix (1 to 3 bytes). With
//     fewer bytes left: one U+FFFD for b1 if it is above F4 or b2 is invalid,
//     else one for b1 b2, and for b3 as well unless b3 is not a continuation.
//   - 80..C1 and F8..FF: one U+FFFD.
func javaString(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	const repl = "\uFFFD"
	n := len(b)
	i := 0
	for i < n {
		b1 := b[i]
		i++
		switch {
		case b1 < 0x80:
			sb.WriteByte(b1)
		case b1 >= 0xC2 && b1 <= 0xDF:
			if i < n && isCont(b[i]) {
				sb.Write(b[i-1 : i+1])
				i++
				continue
			}
			sb.WriteString(repl)
		case b1 >= 0xE0 && b1 <= 0xEF:
			if i+1 < n {
				b2, b3 := b[i], b[i+1]
				if (b1 == 0xE0 && b2&0xE0 == 0x80) || !isCont(b2) || !isCont(b3) {
					sb.WriteString(repl)
					if !(b1 == 0xE0 && b2&0xE0 == 0x80) && isCont(b2) {
						i++ // b1 b2 form the malformed sequence
					}
					continue
				}
				c := rune(b1&0x0F)<<12 | rune(b2&0x3F)<<6 | rune(b3&0x3F)
				if c >= 0xD800 && c <= 0xDFFF {
					sb.WriteString(repl)
				} else {
					sb.Write(b[i-1 : i+2])
				}
				i += 2
				continue
			}
			sb.WriteString(repl)
			if i < n && ((b1 == 0xE0 && b[i]&0xE0 == 0x80) || !isCont(b[i])) {
				continue // only b1 was replaced
			}
			return sb.String() // the rest of the input was one truncated sequence
		case b1 >= 0xF0 && b1 <= 0xF7:
			if i+2 < n {
				b2, b3, b4 := b[i], b[i+1], b[i+2]
				uc := rune(b1&0x07)<<18 | rune(b2&0x3F)<<12 | rune(b3&0x3F)<<6 | rune(b4&0x3F)
				if !isCont(b2) || !isCont(b3) || !isCont(b4) || uc < 0x10000 || uc > 0x10FFFF {
					sb.WriteString(repl)
					i += malformed4(b1, b2, b3) - 1
					continue
				}
				sb.Write(b[i-1 : i+3])
				i += 3
				continue
			}
			sb.WriteString(repl)
			if b1 > 0xF4 || (i < n && malformed4Second(b1, b[i])) {
				continue // only b1 was replaced
			}
			i++ // b2 (if any) belongs to the replaced sequence
			if i < n && !isCont(b[i]) {
				continue
			}
			return sb.String()
		default:
			sb.WriteString(repl)
		}
	}
	return sb.String()
}

func isCont(c byte) bool { return c&0xC0 == 0x80 }

// malformed4Second reports whether b2 cannot follow the 4-byte lead b1.
func malformed4Second(b1, b2 byte) bool {
	return (b1 == 0xF0 && (b2 < 0x90 || b2 > 0xBF)) || (b1 == 0xF4 && b2&0xF0 != 0x80) || !isCont(b2)
}

// malformed4 returns the length of the malformed 4-byte sequence starting
// with b1 b2 b3 (Java's UTF_8 malformedN for 4-byte leads).
func malformed4(b1, b2, b3 byte) int {
	if b1 > 0xF4 || malformed4Second(b1, b2) {
		return 1
	}
	if !isCont(b3) {
		return 2
	}
	return 3
}

// javaStringOf is javaString for a Go string: unchanged when it is valid
// UTF-8.
func javaStringOf(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return javaString([]byte(s))
}
