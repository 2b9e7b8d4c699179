package authn

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"strings"
)

// CertificateValidator extracts a client's identity from its certificate
// chain (Cassandra's MutualTlsCertificateValidator). The chain is the TLS
// peer chain, leaf first, already verified by the TLS layer and never empty
// when the validator is called. Implementations are safe for concurrent use.
type CertificateValidator interface {
	// IsValid reports whether the chain is acceptable to this validator;
	// false gives "Invalid or not supported certificate".
	IsValid(chain []*x509.Certificate) bool
	// Identity returns the identity the chain asserts. An error's message
	// is what the client sees (a [*roles.Error] is passed through as is);
	// an empty identity gives "Unable to extract client identity from
	// certificate for authentication".
	Identity(chain []*x509.Certificate) (string, error)
}

// SpiffeValidator is Cassandra's SpiffeCertificateValidator: every chain is
// valid, and the identity is the first URI subject alternative name of the
// leaf certificate that starts with "spiffe://", exactly as written in the
// certificate. Without one, Identity fails with "Unable to extract Spiffe
// from the certificate" (cause [ErrNoIdentity]). The zero value is ready to
// use.
type SpiffeValidator struct{}

var _ CertificateValidator = SpiffeValidator{}

// IsValid returns true.
func (SpiffeValidator) IsValid([]*x509.Certificate) bool { return true }

// Identity returns the leaf's first spiffe:// URI SAN.
func (SpiffeValidator) Identity(chain []*x509.Certificate) (string, error) {
	if len(chain) > 0 {
		for _, uri := range uriSANs(chain[0]) {
			if strings.HasPrefix(uri, "spiffe://") {
				return uri, nil
			}
		}
	}
	return "", authError(ErrNoIdentity, MsgNoSpiffe)
}

// MsgNoCommonName is the message of [CommonNameValidator] for a leaf
// certificate without a subject common name (cassauth's; Cassandra has no
// such validator).
const MsgNoCommonName = "Unable to extract common name from the certificate"

// CommonNameValidator takes the identity from the subject common name (CN)
// of the leaf certificate, for deployments whose client certificates carry
// the identity there rather than in a SPIFFE URI. Every chain is valid; a
// leaf without a CN fails with [MsgNoCommonName] (cause [ErrNoIdentity]).
// Map each CN to a role with ADD IDENTITY. The zero value is ready to use.
type CommonNameValidator struct{}

var _ CertificateValidator = CommonNameValidator{}

// IsValid returns true.
func (CommonNameValidator) IsValid([]*x509.Certificate) bool { return true }

// Identity returns the leaf's subject common name.
func (CommonNameValidator) Identity(chain []*x509.Certificate) (string, error) {
	if len(chain) > 0 && chain[0].Subject.CommonName != "" {
		return chain[0].Subject.CommonName, nil
	}
	return "", authError(ErrNoIdentity, MsgNoCommonName)
}

var oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}

// uriSANs returns the URI subject alternative names of cert in certificate
// order and as written (Java's getSubjectAlternativeNames gives the raw
// IA5String; Go's cert.URIs are re-serialised URLs). It falls back to
// cert.URIs if the extension cannot be read.
func uriSANs(cert *x509.Certificate) []string {
	for _, ext := range cert.Extensions {
		if !ext.Id.Equal(oidSubjectAltName) {
			continue
		}
		uris, err := parseURISANs(ext.Value)
		if err != nil {
			break
		}
		return uris
	}
	out := make([]string, 0, len(cert.URIs))
	for _, u := range cert.URIs {
		out = append(out, u.String())
	}
	return out
}

var errBadSAN = errors.New("malformed subjectAltName")

// parseURISANs reads the uniformResourceIdentifier ([6] IA5String) entries
// of a GeneralNames sequence.
func parseURISANs(der []byte) ([]string, error) {
	var seq asn1.RawValue
	rest, err := asn1.Unmarshal(der, &seq)
	if err != nil || len(rest) != 0 || seq.Class != asn1.ClassUniversal || seq.Tag != asn1.TagSequence || !seq.IsCompound {
		return nil, errBadSAN
	}
	var uris []string
	for data := seq.Bytes; len(data) > 0; {
		var v asn1.RawValue
		if data, err = asn1.Unmarshal(data, &v); err != nil {
			return nil, errBadSAN
		}
		if v.Class == asn1.ClassContextSpecific && v.Tag == 6 && !v.IsCompound {
			uris = append(uris, string(v.Bytes))
		}
	}
	return uris, nil
}
