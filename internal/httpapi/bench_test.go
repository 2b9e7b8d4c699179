package httpapi

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkCheckHandler measures POST /v1/check in process (no network):
// decoding, token verification, the decision and the response, with and
// without the explanation. The loopback benchmark with concurrent clients
// is cmd/cassauth's BenchmarkServeCheck.
func BenchmarkCheckHandler(b *testing.B) {
	e := newEnv(b, envOptions{})
	tok := e.login("cassandra", "cassandra")
	e.exec(tok, "CREATE ROLE app")
	e.exec(tok, "GRANT SELECT ON ALL KEYSPACES TO app")
	for _, bc := range []struct{ name, body string }{
		{"explain", `{"role":"app","permission":"SELECT","resource":"data/shop/orders"}`},
		{"no-explain", `{"role":"app","permission":"SELECT","resource":"data/shop/orders","explain":false}`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			body := []byte(bc.body)
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/v1/check", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", tok)
				rec := httptest.NewRecorder()
				e.srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
