package dump_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/cassauth/cassauth/resource"
	"github.com/cassauth/cassauth/store"
	"github.com/cassauth/cassauth/store/dump"
	"github.com/cassauth/cassauth/store/memstore"
)

// benchStore holds 1,000 roles, each a member of the previous one, with 10
// grants each.
func benchStore(b *testing.B) *memstore.Store {
	b.Helper()
	ctx := context.Background()
	st := memstore.New()
	b.Cleanup(func() { st.Close() })
	for i := range 1000 {
		name := fmt.Sprintf("role%04d", i)
		if err := st.CreateRole(ctx, store.RoleRecord{Name: name, CanLogin: true, SaltedHash: "$2a$10$79Trxvht53RRuu/xMuoxae0DRvANNBVnw/OGGM2n8fnL3BjsjrQC6"}); err != nil {
			b.Fatal(err)
		}
		if i > 0 {
			if err := st.GrantRole(ctx, fmt.Sprintf("role%04d", i-1), name); err != nil {
				b.Fatal(err)
			}
		}
		for j := range 10 {
			if _, err := st.AddPermissions(ctx, name, resource.Table("ks", fmt.Sprintf("t%d", j)).Name(), resource.SetOf(resource.Select, resource.Modify)); err != nil {
				b.Fatal(err)
			}
		}
	}
	return st
}

func BenchmarkExport(b *testing.B) {
	st := benchStore(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := dump.Export(context.Background(), st, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkImport(b *testing.B) {
	var buf bytes.Buffer
	if err := dump.Export(context.Background(), benchStore(b), &buf); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		st := memstore.New()
		if _, err := dump.Import(context.Background(), st, bytes.NewReader(buf.Bytes()), dump.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
}

func BenchmarkImportCassandraCSV(b *testing.B) {
	var roles, grants strings.Builder
	roles.WriteString("role,can_login,is_superuser,member_of,salted_hash\r\n")
	for i := range 1000 {
		member := ""
		if i > 0 {
			member = fmt.Sprintf("{'role%04d'}", i-1)
		}
		fmt.Fprintf(&roles, "role%04d,True,False,%s,$2a$10$79Trxvht53RRuu/xMuoxae0DRvANNBVnw/OGGM2n8fnL3BjsjrQC6\r\n", i, member)
		for j := range 10 {
			fmt.Fprintf(&grants, "role%04d,data/ks/t%d,\"{'MODIFY', 'SELECT'}\"\r\n", i, j)
		}
	}
	b.SetBytes(int64(roles.Len() + grants.Len()))
	b.ReportAllocs()
	for b.Loop() {
		st := memstore.New()
		if _, err := dump.ImportCassandraCSV(context.Background(), st, dump.CSVFiles{
			Roles: strings.NewReader(roles.String()), RolePermissions: strings.NewReader(grants.String()),
		}, dump.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
}
