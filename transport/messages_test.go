package transport

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var allVersions = []Version{V1, V2, V3, V4, V5}

// roundTrip encodes m as a frame for v on stream 7, reads it back with
// ReadFrame and DecodeEnvelope, and returns the decoded message.
func roundTrip(t testing.TB, v Version, m Message) Message {
	t.Helper()
	b, err := EncodeFrame(nil, v, 7, m)
	require.NoError(t, err)
	f, err := ReadFrame(bytes.NewReader(b), 0)
	require.NoError(t, err)
	assert.Equal(t, m.Opcode(), f.Header.Opcode)
	assert.Equal(t, m.Opcode().IsResponse(), f.Header.Response)
	assert.Equal(t, int16(7), f.Header.Stream)
	assert.Equal(t, v, f.Header.Version)
	env, err := DecodeEnvelope(f)
	require.NoError(t, err)
	return env.Message
}

func textCol(ks, table, name string) ColumnSpec {
	return ColumnSpec{Keyspace: ks, Table: table, Name: name, Type: Type{ID: TypeVarchar}}
}

// messageCases returns, for version v, messages covering every field of
// every message type that exists in v.
func messageCases(v Version) map[string]Message {
	cases := map[string]Message{
		"OPTIONS":         &Options{},
		"STARTUP":         &Startup{Options: map[string]string{"CQL_VERSION": "3.4.7", "DRIVER_NAME": "DataStax Python Driver"}},
		"STARTUP empty":   &Startup{},
		"READY":           &Ready{},
		"AUTHENTICATE":    &Authenticate{Authenticator: "org.apache.cassandra.auth.PasswordAuthenticator"},
		"SUPPORTED":       &Supported{Options: map[string][]string{"CQL_VERSION": {"3.4.7"}, "COMPRESSION": nil, "PROTOCOL_VERSIONS": {"4/v4", "5/v5"}}},
		"REGISTER":        &Register{EventTypes: []string{EventTopologyChange, EventStatusChange, EventSchemaChange}},
		"ERROR invalid":   &ErrorResponse{Code: CodeInvalid, Message: "unconfigured table nope"},
		"ERROR bad creds": &ErrorResponse{Code: CodeBadCredentials, Message: "Provided username cassandra and/or password are incorrect"},
		"ERROR unavailable": &ErrorResponse{Code: CodeUnavailable, Message: "Cannot achieve consistency level QUORUM",
			Consistency: Quorum, Required: 2, Alive: 1},
		"ERROR already exists": &ErrorResponse{Code: CodeAlreadyExists, Message: "exists", Keyspace: "ks", Table: "t"},
		"ERROR unprepared":     &ErrorResponse{Code: CodeUnprepared, Message: "unknown id", UnpreparedID: []byte{1, 2, 3}},
		"ERROR read timeout": &ErrorResponse{Code: CodeReadTimeout, Message: "timeout", Consistency: One, Received: 0,
			BlockFor: 1, DataPresent: true},
		"ERROR write timeout": &ErrorResponse{Code: CodeWriteTimeout, Message: "timeout", Consistency: One, Received: 1,
			BlockFor: 2, WriteType: "SIMPLE"},
		"ERROR function failure": &ErrorResponse{Code: CodeFunctionFailure, Message: "boom", Keyspace: "ks",
			Function: "f", ArgTypes: []string{"int", "text"}},
		"ERROR cas unknown": &ErrorResponse{Code: CodeCASWriteUnknown, Message: "?", Consistency: Serial, Received: 1, BlockFor: 2},
		"ERROR server":      &ErrorResponse{Code: CodeServerError, Message: "oops"},
	}
	if v == V1 {
		cases["CREDENTIALS"] = &Credentials{Credentials: map[string]string{"username": "cassandra", "password": "cassandra"}}
	}
	if v >= V2 {
		cases["AUTH_RESPONSE"] = &AuthResponse{Token: []byte("\x00cassandra\x00cassandra")}
		cases["AUTH_RESPONSE null"] = &AuthResponse{}
		cases["AUTH_RESPONSE empty"] = &AuthResponse{Token: []byte{}}
		cases["AUTH_CHALLENGE"] = &AuthChallenge{Token: []byte("PLAIN-START")}
		cases["AUTH_SUCCESS null"] = &AuthSuccess{}
		cases["AUTH_SUCCESS"] = &AuthSuccess{Token: []byte("ok")}
	}
	if v < V3 {
		return legacyCases(v, cases)
	}
	flags := QueryValues | QuerySkipMetadata | QueryPageSize | QueryPagingState | QuerySerialConsistency |
		QueryDefaultTimestamp | QueryNamesForValues
	ks := ""
	if v >= V5 {
		flags |= QueryKeyspace | QueryNowInSeconds
		ks = "system_auth"
	}
	values := []Value{{Bytes: []byte("a")}, {}, {Bytes: []byte{}}}
	if v >= V4 {
		values = append(values, Value{Unset: true})
	}
	names := make([]string, len(values))
	for i := range names {
		names[i] = fmt.Sprintf("n%d", i)
	}
	full := QueryParams{Consistency: LocalOne, Flags: flags, Values: values, Names: names, PageSize: 5000,
		PagingState: []byte{9, 9}, SerialConsistency: LocalSerial, Timestamp: 1700000000000000, Keyspace: ks}
	if v >= V5 {
		full.NowInSeconds = 1700000000
	}
	cases["QUERY minimal"] = &Query{Query: "SELECT * FROM system.local WHERE key='local'", Params: QueryParams{Consistency: One}}
	cases["QUERY gocql"] = &Query{Query: "LIST ROLES", Params: QueryParams{Consistency: Quorum,
		Flags: QueryPageSize | QueryDefaultTimestamp, PageSize: 5000, Timestamp: 42}}
	cases["QUERY full"] = &Query{Query: "SELECT * FROM t WHERE a = :n0", Params: full}
	cases["QUERY null paging state"] = &Query{Query: "q", Params: QueryParams{Flags: QueryPagingState}}
	cases["EXECUTE"] = &Execute{ID: []byte{0xde, 0xad}, Params: QueryParams{Consistency: One, Flags: QueryValues,
		Values: []Value{{Bytes: []byte{0, 0, 0, 1}}}}}
	cases["PREPARE"] = &Prepare{Query: "SELECT role FROM system_auth.roles WHERE role = ?"}
	batchFlags := QuerySerialConsistency | QueryDefaultTimestamp
	if v >= V5 {
		batchFlags |= QueryKeyspace | QueryNowInSeconds
	}
	cases["BATCH"] = &Batch{Type: BatchUnlogged, Statements: []BatchStatement{
		{Query: "INSERT INTO t (a) VALUES (?)", Values: []Value{{Bytes: []byte("x")}}},
		{Prepared: true, ID: []byte{1, 2}},
	}, Consistency: Quorum, Flags: batchFlags, SerialConsistency: Serial, Timestamp: 7, Keyspace: ks,
		NowInSeconds: map[bool]int32{true: 99}[v >= V5]}
	cases["BATCH empty"] = &Batch{Type: BatchCounter, Consistency: One}
	cases["RESULT void"] = &VoidResult{}
	cases["RESULT set keyspace"] = &SetKeyspaceResult{Keyspace: "system_auth"}
	cases["RESULT schema change keyspace"] = &SchemaChangeResult{Change: SchemaChange{Change: "CREATED", Target: "KEYSPACE", Keyspace: "ks"}}
	cases["RESULT schema change table"] = &SchemaChangeResult{Change: SchemaChange{Change: "DROPPED", Target: "TABLE", Keyspace: "ks", Name: "t"}}
	cases["RESULT schema change function"] = &SchemaChangeResult{Change: SchemaChange{Change: "UPDATED", Target: "FUNCTION",
		Keyspace: "ks", Name: "f", ArgTypes: []string{"int"}}}
	roles := []ColumnSpec{
		textCol("system_auth", "roles", "role"),
		{Keyspace: "system_auth", Table: "roles", Name: "super", Type: Type{ID: TypeBoolean}},
		{Keyspace: "system_auth", Table: "roles", Name: "login", Type: Type{ID: TypeBoolean}},
		{Keyspace: "system_auth", Table: "roles", Name: "options", Type: MapOf(Type{ID: TypeVarchar}, Type{ID: TypeVarchar})},
		textCol("system_auth", "roles", "datacenters"),
	}
	cases["RESULT rows LIST ROLES"] = &RowsResult{Metadata: RowsMetadata{Columns: roles, ColumnCount: len(roles)},
		Rows: [][][]byte{{[]byte("cassandra"), {1}, {1}, {0, 0, 0, 0}, []byte("ALL")}, {[]byte("bob"), {0}, {1}, nil, []byte("ALL")}}}
	cases["RESULT rows mixed tables"] = &RowsResult{Metadata: RowsMetadata{Columns: []ColumnSpec{
		textCol("a", "t1", "x"), textCol("b", "t2", "y")}, ColumnCount: 2, PagingState: []byte("page")},
		Rows: [][][]byte{{[]byte("1"), []byte("2")}}}
	cases["RESULT rows no metadata"] = &RowsResult{Metadata: RowsMetadata{ColumnCount: 2, NoMetadata: true},
		Rows: [][][]byte{{[]byte("1"), nil}}}
	cases["RESULT rows empty"] = &RowsResult{Metadata: RowsMetadata{Columns: roles[:1], ColumnCount: 1}}
	local := []ColumnSpec{
		{Keyspace: "system", Table: "local", Name: "tokens", Type: SetOf(Type{ID: TypeVarchar})},
		{Keyspace: "system", Table: "local", Name: "host_id", Type: Type{ID: TypeUUID}},
		{Keyspace: "system", Table: "local", Name: "rpc_address", Type: Type{ID: TypeInet}},
		{Keyspace: "system", Table: "local", Name: "truncated_at", Type: MapOf(Type{ID: TypeUUID}, Type{ID: TypeBlob})},
		{Keyspace: "system", Table: "local", Name: "tuple", Type: TupleOf(Type{ID: TypeInt}, ListOf(Type{ID: TypeBigint}))},
		{Keyspace: "system", Table: "local", Name: "udt", Type: UDTOf("ks", "addr", []string{"street", "zip"},
			[]Type{{ID: TypeVarchar}, {ID: TypeInt}})},
		{Keyspace: "system", Table: "local", Name: "custom", Type: Type{ID: TypeCustom, Custom: "org.apache.cassandra.db.marshal.DynamicCompositeType"}},
	}
	prepared := &PreparedResult{ID: []byte{0xca, 0xfe}, Bind: PreparedMetadata{Columns: roles[:1]},
		Result: RowsMetadata{Columns: local, ColumnCount: len(local)}}
	if v >= V4 {
		prepared.Bind.PKIndexes = []uint16{0}
	}
	if v >= V5 {
		prepared.ResultMetadataID = []byte{0xbe, 0xef}
	}
	cases["RESULT prepared"] = prepared
	cases["RESULT prepared DCL"] = &PreparedResult{ID: []byte{1}, Result: RowsMetadata{NoMetadata: true}}
	cases["EVENT status"] = &Event{Type: EventStatusChange, Change: "UP", Address: netip.MustParseAddrPort("127.0.0.1:9042")}
	cases["EVENT topology v6"] = &Event{Type: EventTopologyChange, Change: "NEW_NODE", Address: netip.MustParseAddrPort("[::1]:9042")}
	cases["EVENT schema"] = &Event{Type: EventSchemaChange, Schema: SchemaChange{Change: "CREATED", Target: "TYPE", Keyspace: "ks", Name: "ty"}}
	if v >= V4 {
		cases["ERROR read failure"] = &ErrorResponse{Code: CodeReadFailure, Message: "f", Consistency: One, Received: 1,
			BlockFor: 2, NumFailures: 1, DataPresent: true}
		cases["ERROR write failure"] = &ErrorResponse{Code: CodeWriteFailure, Message: "f", Consistency: One, Received: 1,
			BlockFor: 2, NumFailures: 1, WriteType: "BATCH"}
	}
	if v >= V5 {
		reasons := []FailureReason{{Endpoint: netip.MustParseAddr("10.0.0.1"), Code: 1}, {Endpoint: netip.MustParseAddr("::2"), Code: 2}}
		cases["ERROR read failure"] = &ErrorResponse{Code: CodeReadFailure, Message: "f", Consistency: One, Received: 1,
			BlockFor: 2, NumFailures: 2, Reasons: reasons, DataPresent: true}
		cases["ERROR write failure"] = &ErrorResponse{Code: CodeWriteFailure, Message: "f", Consistency: One, Received: 1,
			BlockFor: 2, NumFailures: 2, Reasons: reasons, WriteType: "BATCH"}
		cases["ERROR write timeout CAS"] = &ErrorResponse{Code: CodeWriteTimeout, Message: "cas", Consistency: Serial,
			Received: 0, BlockFor: 1, WriteType: "CAS", Contentions: 3}
		cases["EXECUTE v5"] = &Execute{ID: []byte{1}, ResultMetadataID: []byte{2}, Params: full}
		cases["PREPARE keyspace"] = &Prepare{Query: "SELECT 1", Keyspace: "ks"}
		cases["RESULT rows metadata changed"] = &RowsResult{Metadata: RowsMetadata{Columns: roles[:1], ColumnCount: 1,
			NewMetadataID: []byte{7}}, Rows: [][][]byte{{[]byte("x")}}}
	}
	return cases
}

// legacyCases adds the QUERY and RESULT messages of v1 and v2 (what a
// protocol-v1 client of the front end exchanges) to cases.
func legacyCases(v Version, cases map[string]Message) map[string]Message {
	cases["QUERY minimal"] = &Query{Query: "SELECT * FROM system.local WHERE key='local'", Params: QueryParams{Consistency: One}}
	if v == V2 {
		cases["QUERY v2 flags"] = &Query{Query: "SELECT * FROM t WHERE a = ?", Params: QueryParams{Consistency: Quorum,
			Flags:  QueryValues | QuerySkipMetadata | QueryPageSize | QueryPagingState | QuerySerialConsistency,
			Values: []Value{{Bytes: []byte("a")}, {}}, PageSize: 100, PagingState: []byte{1}, SerialConsistency: Serial}}
		cases["RESULT rows paged"] = &RowsResult{Metadata: RowsMetadata{Columns: []ColumnSpec{textCol("system", "peers", "peer")},
			ColumnCount: 1, PagingState: []byte{1}}, Rows: [][][]byte{{[]byte("x")}}}
	}
	cases["RESULT void"] = &VoidResult{}
	cases["RESULT set keyspace"] = &SetKeyspaceResult{Keyspace: "system_auth"}
	cases["RESULT rows"] = &RowsResult{Metadata: RowsMetadata{Columns: []ColumnSpec{
		textCol("system", "local", "key"), {Keyspace: "system", Table: "local", Name: "tokens", Type: SetOf(Type{ID: TypeVarchar})}},
		ColumnCount: 2}, Rows: [][][]byte{{[]byte("local"), {0, 1, 0, 1, '0'}}}}
	return cases
}

func TestMessagesRoundTrip(t *testing.T) {
	for _, v := range allVersions {
		for name, m := range messageCases(v) {
			t.Run(fmt.Sprintf("%s/%s", v, name), func(t *testing.T) {
				got := roundTrip(t, v, m)
				assert.Equal(t, m, got)
				// Encoding is deterministic and stable through a round trip.
				want, err := m.Encode(nil, v)
				require.NoError(t, err)
				again, err := got.Encode(nil, v)
				require.NoError(t, err)
				assert.Equal(t, want, again)
			})
		}
	}
}

// TestTruncatedBodies cuts every message body at every length: decoding a
// strict prefix must fail with ErrTruncated (or ErrInvalidLength when a
// count no longer fits), never panic, except for bodies that are empty or
// end in an optional field.
func TestTruncatedBodies(t *testing.T) {
	for _, v := range allVersions {
		for name, m := range messageCases(v) {
			body, err := m.Encode(nil, v)
			require.NoError(t, err)
			t.Run(fmt.Sprintf("%s/%s", v, name), func(t *testing.T) {
				for n := range len(body) {
					msg, err := decodeMessage(v, m.Opcode(), body[:n])
					if name == "ERROR write timeout CAS" && n >= len(body)-2 {
						continue // contentions are read only when present
					}
					require.Error(t, err, "prefix of %d/%d bytes decoded as %v", n, len(body), msg)
					assert.ErrorIs(t, err, ErrProtocol)
					assert.True(t, errors.Is(err, ErrTruncated) || errors.Is(err, ErrInvalidLength), "%v", err)
					var de *DecodeError
					require.ErrorAs(t, err, &de)
					assert.LessOrEqual(t, de.Offset, n)
				}
			})
		}
	}
}

// TestExtraBytesIgnored: the spec asks decoders to ignore what follows a
// message.
func TestExtraBytesIgnored(t *testing.T) {
	for name, m := range messageCases(V4) {
		t.Run(name, func(t *testing.T) {
			body, err := m.Encode(nil, V4)
			require.NoError(t, err)
			got, err := decodeMessage(V4, m.Opcode(), append(body, 0xff, 0xee))
			require.NoError(t, err)
			assert.Equal(t, m, got)
		})
	}
}

func TestEnvelopePrefix(t *testing.T) {
	id := UUID{1, 2, 3}
	for _, v := range []Version{V4, V5} {
		env := &Envelope{Version: v, Stream: -1, TracingID: &id, Warnings: []string{"careful"},
			CustomPayload: map[string][]byte{"k": []byte("v"), "null": nil},
			Message:       &RowsResult{Metadata: RowsMetadata{ColumnCount: 1, NoMetadata: true}, Rows: [][][]byte{{[]byte("x")}}}}
		b, err := env.AppendBinary(nil)
		require.NoError(t, err)
		f, err := ReadFrame(bytes.NewReader(b), 0)
		require.NoError(t, err)
		assert.Equal(t, FlagTracing|FlagWarning|FlagCustomPayload, f.Header.Flags)
		got, err := DecodeEnvelope(f)
		require.NoError(t, err)
		env.Flags = f.Header.Flags
		assert.Equal(t, env, got)
	}
	// A request's tracing flag has no body field; its custom payload does.
	req := &Envelope{Version: V4, Stream: 3, Flags: FlagTracing | FlagBeta, CustomPayload: map[string][]byte{"a": {1}},
		Message: &Query{Query: "q"}}
	b, err := req.AppendBinary(nil)
	require.NoError(t, err)
	f, err := ReadFrame(bytes.NewReader(b), 0)
	require.NoError(t, err)
	got, err := DecodeEnvelope(f)
	require.NoError(t, err)
	req.Flags |= FlagCustomPayload
	assert.Equal(t, req, got)
}

func TestEnvelopeEncodeErrors(t *testing.T) {
	id := UUID{}
	cases := map[string]*Envelope{
		"no message":            {Version: V4},
		"unknown version":       {Version: 9, Message: &Ready{}},
		"PREPARE in v2":         {Version: V2, Message: &Prepare{}},
		"CREDENTIALS in v4":     {Version: V4, Message: &Credentials{}},
		"compression":           {Version: V4, Flags: FlagCompression, Message: &Ready{}},
		"request tracing id":    {Version: V4, TracingID: &id, Message: &Options{}},
		"request warnings":      {Version: V4, Warnings: []string{}, Message: &Options{}},
		"v3 warnings":           {Version: V3, Warnings: []string{"w"}, Message: &Ready{}},
		"v3 custom payload":     {Version: V3, CustomPayload: map[string][]byte{}, Message: &Ready{}},
		"v1 stream out of byte": {Version: V1, Stream: 300, Message: &Ready{}},
	}
	for name, env := range cases {
		t.Run(name, func(t *testing.T) {
			b, err := env.AppendBinary([]byte("keep"))
			assert.ErrorIs(t, err, ErrUnencodable)
			assert.Equal(t, []byte("keep"), b, "dst is returned unchanged")
		})
	}
}

func TestMessageEncodeErrors(t *testing.T) {
	long := string(make([]byte, 70000))
	cases := []struct {
		name string
		v    Version
		m    Message
	}{
		{"string too long", V4, &Authenticate{Authenticator: long}},
		{"keyspace flag in v4", V4, &Query{Params: QueryParams{Flags: QueryKeyspace}}},
		{"names mismatch", V4, &Query{Params: QueryParams{Flags: QueryValues | QueryNamesForValues, Values: []Value{{}}}}},
		{"unset in v3", V3, &Query{Params: QueryParams{Flags: QueryValues, Values: []Value{{Unset: true}}}}},
		{"unset and set", V4, &Query{Params: QueryParams{Flags: QueryValues, Values: []Value{{Unset: true, Bytes: []byte{}}}}}},
		{"result metadata id in v4", V4, &Execute{ResultMetadataID: []byte{1}}},
		{"prepare keyspace in v4", V4, &Prepare{Keyspace: "ks"}},
		{"batch names", V4, &Batch{Flags: QueryNamesForValues}},
		{"batch type", V4, &Batch{Type: 3}},
		{"row width", V4, &RowsResult{Metadata: RowsMetadata{ColumnCount: 2}, Rows: [][][]byte{{nil}}}},
		{"column count mismatch", V4, &RowsResult{Metadata: RowsMetadata{Columns: []ColumnSpec{textCol("k", "t", "c")}, ColumnCount: 3}}},
		{"new metadata id in v4", V4, &RowsResult{Metadata: RowsMetadata{NewMetadataID: []byte{1}}}},
		{"new metadata id with no metadata", V5, &RowsResult{Metadata: RowsMetadata{NewMetadataID: []byte{1}, NoMetadata: true}}},
		{"pk indexes in v3", V3, &PreparedResult{Bind: PreparedMetadata{PKIndexes: []uint16{0}}}},
		{"bad list type", V4, &RowsResult{Metadata: RowsMetadata{Columns: []ColumnSpec{{Type: Type{ID: TypeList}}}}}},
		{"bad udt type", V4, &RowsResult{Metadata: RowsMetadata{Columns: []ColumnSpec{{Type: Type{ID: TypeUDT, Elems: []Type{{ID: TypeInt}}}}}}}},
		{"unknown type id", V4, &RowsResult{Metadata: RowsMetadata{Columns: []ColumnSpec{{Type: Type{ID: 0x000A}}}}}},
		{"schema change target", V4, &SchemaChangeResult{Change: SchemaChange{Target: "VIEW"}}},
		{"event type", V4, &Event{Type: "NOPE"}},
		{"invalid inet", V4, &Event{Type: EventStatusChange}},
		{"invalid reason endpoint", V5, &ErrorResponse{Code: CodeReadFailure, Reasons: []FailureReason{{}}}},
		{"auth response in v1", V1, &AuthResponse{}},
		{"query flags in v1", V1, &Query{Params: QueryParams{Flags: QueryPageSize}}},
		{"timestamp in v2", V2, &Query{Params: QueryParams{Flags: QueryDefaultTimestamp}}},
		{"paging in v1", V1, &RowsResult{Metadata: RowsMetadata{PagingState: []byte{1}}}},
		{"no metadata in v1", V1, &RowsResult{Metadata: RowsMetadata{NoMetadata: true}}},
		{"prepared in v2", V2, &PreparedResult{}},
		{"schema change in v2", V2, &SchemaChangeResult{Change: SchemaChange{Target: "KEYSPACE"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.m.Encode(nil, c.v)
			assert.ErrorIs(t, err, ErrUnencodable)
		})
	}
}

func TestSecretsRedacted(t *testing.T) {
	ar := &AuthResponse{Token: []byte("\x00bob\x00hunter2")}
	cr := &Credentials{Credentials: map[string]string{"username": "bob", "password": "hunter2"}}
	for _, s := range []string{
		fmt.Sprint(ar), fmt.Sprintf("%v %+v %#v %s %q %x", ar, ar, ar, ar, ar, ar), ar.String(), ar.GoString(),
		fmt.Sprint(cr), fmt.Sprintf("%v %+v %#v %s %q %x", cr, cr, cr, cr, cr, cr), cr.String(), cr.GoString(),
		fmt.Sprint(&Envelope{Message: ar}),
	} {
		assert.NotContains(t, s, "hunter2")
		assert.NotContains(t, s, "68756e74657232") // hex of the password
	}
	assert.Contains(t, cr.String(), "username: bob")
	assert.Contains(t, ar.String(), "<redacted, 12 bytes>")
	assert.Contains(t, (&AuthResponse{}).String(), "null")
}

func TestErrorResponseIsError(t *testing.T) {
	var err error = &ErrorResponse{Code: CodeBadCredentials, Message: "Provided username x and/or password are incorrect"}
	assert.Equal(t, "transport: server replied BAD_CREDENTIALS (0x0100): Provided username x and/or password are incorrect", err.Error())
	var er *ErrorResponse
	require.ErrorAs(t, fmt.Errorf("wrapped: %w", err), &er)
	assert.Equal(t, CodeBadCredentials, er.Code)
}

func TestNames(t *testing.T) {
	assert.Equal(t, "QUERY", OpQuery.String())
	assert.Equal(t, "AUTH_SUCCESS", OpAuthSuccess.String())
	assert.Equal(t, "UNKNOWN(0x42)", Opcode(0x42).String())
	assert.Equal(t, "LOCAL_ONE", LocalOne.String())
	assert.Equal(t, "ANY", Any.String())
	assert.Equal(t, "UNKNOWN(0x2a)", Consistency(42).String())
	assert.Equal(t, "5/v5", V5.String())
	assert.Equal(t, "UNPREPARED", CodeUnprepared.String())
	assert.Equal(t, "0x1234", ErrorCode(0x1234).String())
	for op := OpError; op <= OpAuthSuccess; op++ {
		assert.NotContains(t, op.String(), "UNKNOWN")
	}
}

// TestVersionGuards: every message refuses versions whose layout it does
// not have, in both directions, without panicking.
func TestVersionGuards(t *testing.T) {
	all := []Message{
		&Options{}, &Startup{}, &AuthResponse{}, &Credentials{}, &Register{}, &Prepare{}, &Query{}, &Execute{},
		&Batch{}, &ErrorResponse{}, &Ready{}, &Authenticate{}, &Supported{}, &AuthChallenge{}, &AuthSuccess{},
		&Event{Type: EventSchemaChange, Schema: SchemaChange{Target: "KEYSPACE"}}, &VoidResult{}, &RowsResult{},
		&SetKeyspaceResult{}, &PreparedResult{}, &SchemaChangeResult{Change: SchemaChange{Target: "KEYSPACE"}},
	}
	for _, m := range all {
		for _, v := range []Version{0, V1, V2, V3, V4, V5, 6} {
			ok := v.Known() && m.Opcode().inVersion(v)
			if r, isResult := m.(Result); isResult {
				ok = ok && legacyKind(v, r.Kind())
			}
			_, encErr := m.Encode(nil, v)
			fresh := reflect.New(reflect.TypeOf(m).Elem()).Interface().(Message)
			decErr := fresh.Decode(v, nil)
			if ok {
				assert.NotErrorIs(t, encErr, ErrUnencodable, "%s in %d", m.Opcode(), v)
				continue
			}
			assert.ErrorIs(t, encErr, ErrUnencodable, "%s in %d", m.Opcode(), v)
			assert.ErrorIs(t, decErr, ErrInvalidValue, "%s in %d", m.Opcode(), v)
		}
	}
}

func TestResultKinds(t *testing.T) {
	kinds := map[Result]ResultKind{&VoidResult{}: KindVoid, &RowsResult{}: KindRows, &SetKeyspaceResult{}: KindSetKeyspace,
		&PreparedResult{}: KindPrepared, &SchemaChangeResult{Change: SchemaChange{Target: "KEYSPACE"}}: KindSchemaChange}
	for r, k := range kinds {
		assert.Equal(t, k, r.Kind())
		body, err := r.Encode(nil, V4)
		require.NoError(t, err)
		got, err := newResult(body)
		require.NoError(t, err)
		assert.Equal(t, k, got.Kind())
		// Each kind's Decode refuses the others' bodies.
		for other := range kinds {
			if other.Kind() != k {
				assert.ErrorIs(t, other.Decode(V4, body), ErrInvalidValue)
			}
		}
	}
}

func TestErrorCodeNames(t *testing.T) {
	codes := []ErrorCode{CodeServerError, CodeProtocolError, CodeBadCredentials, CodeUnavailable, CodeOverloaded,
		CodeIsBootstrapping, CodeTruncateError, CodeWriteTimeout, CodeReadTimeout, CodeReadFailure, CodeFunctionFailure,
		CodeWriteFailure, CodeCDCWriteFailure, CodeCASWriteUnknown, CodeSyntaxError, CodeUnauthorized, CodeInvalid,
		CodeConfigError, CodeAlreadyExists, CodeUnprepared}
	seen := map[string]bool{}
	for _, c := range codes {
		name := c.String()
		assert.NotContains(t, name, "0x")
		assert.False(t, seen[name], name)
		seen[name] = true
	}
}

func TestValueIsNull(t *testing.T) {
	assert.True(t, Value{}.IsNull())
	assert.False(t, Value{Bytes: []byte{}}.IsNull())
	assert.False(t, Value{Unset: true}.IsNull())
}

func TestErrorTexts(t *testing.T) {
	assert.Equal(t, "transport: segment header CRC mismatch: read 0x1, computed 0x2", (&CRCError{Header: true, Read: 1, Computed: 2}).Error())
	assert.Equal(t, "transport: decode QUERY: query at offset 4: not enough bytes",
		(&DecodeError{Op: "QUERY", Field: "query", Offset: 4, Err: ErrTruncated}).Error())
	assert.Equal(t, "transport: decode segment at offset 0: invalid value",
		(&DecodeError{Op: "segment", Err: ErrInvalidValue}).Error())
	assert.Equal(t, "transport: Unknown opcode 17", (&OpcodeError{Message: "Unknown opcode 17"}).Error())
}
