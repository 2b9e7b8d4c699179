package transport

import "hash/crc32"

// The checksums of protocol v5 segment framing (native_protocol_v5.spec
// section 2.1; Cassandra's org.apache.cassandra.net.Crc).

const (
	crc24Init = 0x875060
	// crc24Poly is Koopman's 0x1974F0B, which Cassandra and the drivers use
	// for the segment header.
	crc24Poly = 0x1974F0B
)

// crc24 returns the CRC24 of the low n bytes of data, which are fed least
// significant byte first (the order in which the little-endian header
// reaches the wire), each byte most significant bit first.
func crc24(data uint64, n int) uint32 {
	crc := uint32(crc24Init)
	for range n {
		crc ^= uint32(data&0xff) << 16
		data >>= 8
		for range 8 {
			crc <<= 1
			if crc&0x1000000 != 0 {
				crc ^= crc24Poly
			}
		}
	}
	return crc
}

// crc32Seed is the IEEE CRC32 state after the bytes FA 2D 55 CA, with which
// Cassandra primes every payload checksum (the spec text omits them).
// It equals crc32.ChecksumIEEE([]byte{0xfa, 0x2d, 0x55, 0xca}); a test
// checks the constant.
const crc32Seed uint32 = 0x44777ed3

// payloadCRC32 returns the CRC32 of a segment payload.
func payloadCRC32(p []byte) uint32 {
	return crc32.Update(crc32Seed, crc32.IEEETable, p)
}
